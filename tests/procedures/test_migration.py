"""Migration procedures/0002: the versions already published are given to agencies.

The data step is run on rows as they were before it: versions of no agency (a placeholder
agency stands in for the missing column), a version that cases of two agencies ran, one that
a person of another agency published, one nobody has a claim on and one published by the
command line for a procedure an agency has bound.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from laksana.cases import services
from laksana.cases.models import Case
from laksana.demo.orgs import SOP_002, SOP_004
from laksana.org.models import Agency
from laksana.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "laksana.procedures.migrations.0002_versions_belong_to_an_agency"
)


def test_versions_go_to_the_agencies_that_ran_published_or_bound_them(bali, djki, sop002, sop004):
    bali_case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA galat")
    djki_case = services.open_case(djki["merek_staf"], sop004, "IPAS lambat")
    before = Agency.objects.create(name="(sebelum)", short_name="-", slug="sebelum")

    def old(key: str, number: int, source: str, by=None) -> ProcedureVersion:
        return ProcedureVersion.objects.create(
            agency=before,
            procedure_key=key,
            number=number,
            title="x",
            source=source,
            checksum=f"{key}-{number}",
            published_by=by,
        )

    shared = old(SOP_002, 1, sop002.source)  # run by Bali's and DJKI's cases
    Case.objects.filter(pk__in=[bali_case.pk, djki_case.pk]).update(version=shared)
    ProcedureVersion.objects.filter(pk__in=[sop002.pk, sop004.pk]).delete()
    attack = old(SOP_002, 2, sop002.source + "# revisi\n", by=djki["kasubdit"])
    orphan = old("mini", 1, "x")
    bound = old(SOP_004, 1, sop004.source)  # the command line's; DJKI binds SOP 004
    published_at = ProcedureVersion.objects.get(pk=shared.pk).published_at

    schema_editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    migration.give_versions_to_agencies(apps, schema_editor)

    bali_case.refresh_from_db()
    djki_case.refresh_from_db()
    assert bali_case.version.agency == bali.agency and djki_case.version.agency == djki.agency
    assert bali_case.version_id != djki_case.version_id
    for case in (bali_case, djki_case):
        assert (case.version.procedure_key, case.version.number) == (SOP_002, 1)
        assert case.version.checksum == shared.checksum
        assert case.version.published_at == published_at
    # The version a DJKI person published is DJKI's only: Bali's latest stays its number 1.
    assert ProcedureVersion.objects.get(pk=attack.pk).agency == djki.agency
    assert not ProcedureVersion.objects.filter(
        agency=bali.agency, procedure_key=SOP_002, number=2
    ).exists()
    assert not ProcedureVersion.objects.filter(pk=orphan.pk).exists()
    assert ProcedureVersion.objects.get(pk=bound.pk).agency == djki.agency
    assert not ProcedureVersion.objects.filter(agency=before).exists()
