"""The permission matrix's rows for the follow link of an outside request (laksana.intake
views_follow): no sign-in, the secret in the address is the right. The scenario gets an
outside request on Bali's SOP 002 (its first step, the requester's, active); its link opens
its page for everyone who has it, signed in or not. Through the link, a step of the
scenario's Bali case (another case's, a staff step) is not found, for everyone, and
nothing is written."""

from __future__ import annotations

from typing import Any

_LINKS: dict[int, str] = {}


def _with_link(s: Any) -> None:
    from tests.intake.follow_helpers import outside_case

    secret, _request = outside_case(s.bali.agency)
    _LINKS[id(s)] = secret


def _link(s: Any) -> str:
    return _LINKS[id(s)]


def entries() -> dict[str, Any]:
    from django.urls import reverse

    from tests.security.test_permission_matrix import Entry, row

    anyone = row("ok", "ok", "ok", "ok", "ok", agency_admin="ok", other_admin="ok")
    nobody = row("404", "404", "404", "404", "404", agency_admin="404", other_admin="404")
    return {
        "intake:follow": Entry(
            lambda s: reverse("intake:follow", args=[_link(s)]), anyone, prepare=_with_link
        ),
        "intake:follow_step": Entry(
            lambda s: reverse("intake:follow_step", args=[_link(s), s.step.pk]),
            nobody,
            method="POST",
            data=lambda s: {"note": "dari tautan"},
            prepare=_with_link,
        ),
        "intake:follow_reply": Entry(
            lambda s: reverse("intake:follow_reply", args=[_link(s), s.step.pk]),
            nobody,
            method="POST",
            data=lambda s: {"text": "Jawaban lewat tautan"},
            prepare=_with_link,
        ),
    }
