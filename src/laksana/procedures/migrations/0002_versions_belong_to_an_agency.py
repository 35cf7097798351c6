"""Published procedure versions belong to an agency.

Each existing version is given to the agencies that have a claim on it:

* the agencies whose cases run it (each agency's cases then point at its own copy);
* the agency of the person who published it (published from the web);
* for a version published without a person (the command line or the seed, i.e. by the
  installation's operator), also every agency that runs the procedure: it has actor bindings
  or cases for it, so its next cases keep running what they ran before.

The first of those agencies keeps the row, every other one gets a copy with the same number,
text and publication time (numbers are per agency and procedure, so copies keep them). A
version no agency has a claim on (published by nobody's person, used by no case, of a
procedure no agency runs) is removed: nothing refers to it, and its text is the shipped
template or can be published again by the agency that wants it.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def give_versions_to_agencies(apps: Any, schema_editor: Any) -> None:
    version_model = apps.get_model("procedures", "ProcedureVersion")
    case_model = apps.get_model("cases", "Case")
    person_model = apps.get_model("org", "Person")
    binding_model = apps.get_model("org", "ActorBinding")
    for version in version_model.objects.order_by("pk"):
        owners = set(
            case_model.objects.filter(version_id=version.pk).values_list("agency_id", flat=True)
        )
        if version.published_by_id is not None:
            owners.add(person_model.objects.get(pk=version.published_by_id).agency_id)
        else:
            key = version.procedure_key
            owners |= set(
                binding_model.objects.filter(procedure_key=key).values_list("agency_id", flat=True)
            )
            owners |= set(
                case_model.objects.filter(version__procedure_key=key).values_list(
                    "agency_id", flat=True
                )
            )
        if not owners:
            version.delete()
            continue
        first, *others = sorted(owners)
        version_model.objects.filter(pk=version.pk).update(agency_id=first)
        for agency_id in others:
            copy = version_model.objects.create(
                agency_id=agency_id,
                procedure_key=version.procedure_key,
                number=version.number,
                title=version.title,
                sop_number=version.sop_number,
                source=version.source,
                checksum=version.checksum,
                published_by_id=version.published_by_id,
            )
            version_model.objects.filter(pk=copy.pk).update(published_at=version.published_at)
            case_model.objects.filter(version_id=version.pk, agency_id=agency_id).update(
                version_id=copy.pk
            )
    if schema_editor.connection.vendor == "postgresql":
        # The rows' deferred checks now, so the table can be altered below.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_participation"),
        ("org", "0002_role_assignments"),
        ("procedures", "0001_procedure_versions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="procedureversion", name="procedure_version_unique"
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procedure_versions",
                to="org.agency",
                verbose_name="agency",
            ),
        ),
        migrations.RunPython(give_versions_to_agencies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="procedureversion",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procedure_versions",
                to="org.agency",
                verbose_name="agency",
            ),
        ),
        migrations.AlterModelOptions(
            name="procedureversion",
            options={
                "ordering": ["agency", "procedure_key", "-number"],
                "verbose_name": "procedure version",
                "verbose_name_plural": "procedure versions",
            },
        ),
        migrations.AddConstraint(
            model_name="procedureversion",
            constraint=models.UniqueConstraint(
                fields=("agency", "procedure_key", "number"), name="procedure_version_unique"
            ),
        ),
    ]
