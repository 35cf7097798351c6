"""The sizes of the texts people write on a case: each is refused past its limit with a
message naming the field and the limit, by the service, so every door (web form, API,
command line) refuses the same (issue 16, item 12). Titles, reasons and instructions are
stored in columns of that size; the others in unbounded text columns kept to a page or a few.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# field -> (the most characters, what the field is called in a message)
LIMITS = {
    "title": (300, gettext_lazy("The title")),
    "description": (10_000, gettext_lazy("The description")),
    "comment": (5_000, gettext_lazy("The comment")),
    "remark": (5_000, gettext_lazy("The remark")),
    "step_note": (5_000, gettext_lazy("The step's note")),
    "hold_reason": (300, gettext_lazy("The reason for the hold")),
    "reassign_reason": (300, gettext_lazy("The reason for the reassignment")),
    "close_reason": (300, gettext_lazy("The reason for closing the case")),
    "instruction": (300, gettext_lazy("The instruction")),
    "disposition_note": (2_000, gettext_lazy("The disposition's note")),
}


def check_length(kind: str, text: str, field: str) -> None:
    """Refuse ``text`` (already stripped) longer than the limit of ``kind``; ``field`` is the
    input's name in the form or the API."""
    from laksana.cases.services import ServiceError

    limit, label = LIMITS[kind]
    if len(text) > limit:
        raise ServiceError(
            "too_long",
            _("%(what)s is too long (%(count)s characters); at most %(limit)s are allowed.")
            % {"what": label, "count": f"{len(text):,}", "limit": f"{limit:,}"},
            field=field,
        )
