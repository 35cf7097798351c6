"""``laksana bindings check``: every procedure an agency has published is checked."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from laksana.demo.orgs import SOP_000, SOP_001, SOP_002, SOP_003, SOP_004, DemoOrg
from laksana.procedures.services import adopt

pytestmark = pytest.mark.django_db


def check(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("bindings", "check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_procedures_published_without_bindings_are_checked(bali: DemoOrg):
    for key in (SOP_000, SOP_001, SOP_003, SOP_004):
        adopt(key, bali.agency, by=bali["kabid"])
    with pytest.raises(CommandError) as failed:
        check()
    assert "bindings ok" not in str(failed.value)


