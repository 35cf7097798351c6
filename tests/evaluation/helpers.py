"""Helpers of the evaluation tests: an SOP 001 case of Sukamaju's e-Retribusi run to f.1."""

from __future__ import annotations

from typing import Any

from laksana.cases import services as case_services
from laksana.cases.models import Case
from laksana.demo.orgs import SOP_001

from ..cases.helpers import active
from ..catalog.helpers import step


def case_at_f1(skm: Any, versions: Any) -> Case:
    """The e-Retribusi SOP 001 case with every row before f.1 done (documents as files)."""
    case = case_services.open_case(
        skm["skm_bpkad_staf"],
        versions[SOP_001],
        "Pengelolaan e-Retribusi",
        application=skm.applications["retribusi"],
    )
    for person, outcome in (
        ("skm_bpkad_staf", None),  # a.1
        ("skm_ti1", None),  # a.2
        ("skm_ketua_ti", None),  # b.1
        ("skm_ketua_ti", None),  # b.2
        ("skm_dev1", None),  # c.1
        ("skm_dev2", None),  # c.2
        ("skm_ti1", None),  # d.1
        ("skm_ti1", "Tidak"),  # d.2: no migration
        ("skm_ti1", None),  # d.4
        ("skm_ti1", None),  # e.1
        ("skm_ti1", None),  # e.2
        ("skm_dev1", None),  # e.3
    ):
        case = step(skm[person], case, outcome)
    assert active(case).step_key == "f1"
    return case
