"""The permission matrix's rows for the procedure drafts API's operations (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case): Bali gets, written by the Ketua Tim, a draft revising its
SOP 002 being written and one sent for review; the Kepala Dinas (the step holder, Bali's own
staff) is made a procedure administrator too, so he may also return and approve. Only the
agency's own staff read and write its drafts: the other unit and the requester (requesting
units' staff) are refused (403), the DJKI vendors get 404, as for a draft that does not
exist, and are refused a new draft (403: vendors' staff write no procedures). The draft tables
are not in the matrix's fingerprint: every cell checks them itself (a refused or reading cell
changed nothing, an "ok" write only what it names).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from typing import Any

from django.test import Client


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.procedures.models import ProcedureDraft, ProcedureEvent, ProcedureVersion

    return {
        "drafts": sorted(
            (pk, state, revision, hashlib.sha256(source.encode()).hexdigest())
            for pk, state, revision, source in ProcedureDraft.objects.values_list(
                "pk", "state", "revision", "source"
            )
        ),
        "journal": ProcedureEvent.objects.count(),
        "versions": ProcedureVersion.objects.count(),
    }


def prepare(s: Any) -> None:
    from laksana.demo.orgs import SOP_002
    from laksana.org import roles
    from laksana.org.models import RoleKind
    from laksana.procedures import drafts, drafttree

    writer = s.bali["ketuatim"]
    roles.grant(s.bali["kadis"], RoleKind.PROCEDURE_ADMIN)
    made = []
    for title in ("Penanganan Masalah (ditulis)", "Penanganan Masalah (ditinjau)"):
        draft = drafts.create_from_version(writer, s.bali.versions[SOP_002])
        ident = drafttree.section(drafttree.parse(draft.source), "identity")
        made.append(
            drafts.save_section(
                writer, draft, "identity", {**ident, "title": title}, revision=draft.revision
            )
        )
    written, review = made
    review = drafts.submit(writer, review)
    s.__dict__["drf"] = {"w": written.pk, "r": review.pk, "rev": written.revision}
    s.__dict__["drf_before"] = _state()


def ids(s: Any) -> dict[str, int]:
    return dict(s.__dict__["drf"])


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(*parts: str) -> Callable[[Any], None]:
    """The draft tables unchanged unless the cell is an "ok" write; then only ``parts``
    changed (and at least one of them)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["drf_before"], _state()
        if not parts or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the draft tables"
            return
        changed = {k for k in before if before[k] != after[k]}
        assert changed and changed <= set(parts), f"{c.route} changed {sorted(changed)}"

    return check


def published(c: Any) -> None:
    """An approval publishes one version (in the matrix's counts) by the approver."""
    from laksana.procedures.models import ProcedureVersion

    _matrix().only_changed(c, "counts")
    version = ProcedureVersion.objects.order_by("-pk").first()
    assert version is not None and version.published_by_id == c.person.pk
    assert c.json()["version"] == version.number


def lists_own(c: Any) -> None:
    """The list shows Bali's drafts to its own staff (the Kepala Dinas, the administrator of
    the Dinas's office), nothing to anyone else (DJKI's administrator: DJKI's, none)."""
    judged()(c)
    if c.persona == "anonymous":
        return
    listed = [d["id"] for d in c.json()]
    if c.persona in ("step_holder", "agency_admin"):  # Bali's own staff
        assert ids(c.s)["w"] in listed
    else:
        assert listed == []


def _put(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a PUT."""
    return Client.put(self, path, data, **extra)


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    own = row("401", "403", "403", "ok", "404")
    # Returning and approving are the procedure administrators' (the Kepala Dinas is one here):
    # Bali's agency administrator, staff without that role, is refused as the other staff are.
    review = row("401", "403", "403", "ok", "404", agency_admin="403")
    common: dict[str, Any] = {"static": True, "prepare": prepare}
    put = {"stubs": (("django.test.client.Client.post", _put),), "json": True}

    def path(template: str) -> Callable[[Any], str]:
        return lambda s: "/api" + template.format(**ids(s))

    def action(name: str, draft: str, *parts: str, expect: Any = own, **extra: Any) -> Any:
        return Entry(
            path(f"/procedure-drafts/{{{draft}}}/{name}"),
            expect,
            method="POST",
            json=True,
            check=judged(*parts),
            **extra,
            **common,
        )

    return {
        "GET /api/procedure-drafts": Entry(
            path("/procedure-drafts"), row("401", "ok", "ok", "ok", "ok"), check=lists_own, **common
        ),
        "POST /api/procedure-drafts": Entry(
            path("/procedure-drafts"),
            row("401", "403", "403", "ok", "403"),
            method="POST",
            json=True,
            data=lambda s: {"procedure_key": "izin-matriks", "title": "Izin Matriks"},
            check=judged("drafts", "journal"),
            **common,
        ),
        "GET /api/procedure-drafts/{draft_id}": Entry(
            path("/procedure-drafts/{w}"), own, check=judged(), **common
        ),
        "PUT /api/procedure-drafts/{draft_id}/source": Entry(
            path("/procedure-drafts/{w}/source"),
            own,
            method="PUT",
            data=lambda s: {
                "source": s.bali.versions["sop-002-penanganan-masalah-aplikasi"].source,
                "revision": ids(s)["rev"],
            },
            check=judged("drafts", "journal"),
            **put,
            **common,
        ),
        "PUT /api/procedure-drafts/{draft_id}/sections/{section}": Entry(
            path("/procedure-drafts/{w}/sections/notes"),
            own,
            method="PUT",
            data=lambda s: {"data": ["Catatan matriks"], "revision": ids(s)["rev"]},
            check=judged("drafts", "journal"),
            **put,
            **common,
        ),
        "GET /api/procedure-drafts/{draft_id}/check": Entry(
            path("/procedure-drafts/{w}/check"), own, check=judged(), **common
        ),
        "GET /api/procedure-drafts/{draft_id}/yaml": Entry(
            path("/procedure-drafts/{w}/yaml"), own, check=judged(), **common
        ),
        "GET /api/procedure-drafts/{draft_id}/journal": Entry(
            path("/procedure-drafts/{w}/journal"), own, check=judged(), **common
        ),
        "POST /api/procedure-drafts/{draft_id}/submit": action("submit", "w", "drafts", "journal"),
        "POST /api/procedure-drafts/{draft_id}/return": action(
            "return", "r", "drafts", "journal", expect=review, data=lambda s: {"note": "Perbaiki"}
        ),
        "POST /api/procedure-drafts/{draft_id}/approve": action(
            "approve",
            "r",
            "drafts",
            "journal",
            "versions",
            expect=review,
            data=lambda s: {"note": "Setuju"},
            effect=published,
        ),
        "POST /api/procedure-drafts/{draft_id}/withdraw": action(
            "withdraw", "w", "drafts", "journal"
        ),
    }
