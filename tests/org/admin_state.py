"""What the administrator's services may write, counted: a refused call must leave it as it
was (the change records included)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from laksana.errors import ServiceError
from laksana.org.models import ActorBinding, OrgChange, Person, Position, RoleAssignment, Unit


def state() -> dict[str, Any]:
    """Every row the organisation's services write, in a comparable form."""
    return {
        "units": sorted(Unit.objects.values_list("pk", "agency_id", "parent_id", "name", "kind")),
        "positions": sorted(
            Position.objects.values_list("pk", "agency_id", "unit_id", "name", "superior_id")
        ),
        "people": sorted(
            Person.objects.values_list(
                "pk",
                "agency_id",
                "name",
                "nip",
                "email",
                "phone",
                "unit_id",
                "superior_id",
                "user_id",
            )
        ),
        "held": sorted(Person.positions.through.objects.values_list("person_id", "position_id")),
        "roles": sorted(RoleAssignment.objects.values_list("person_id", "agency_id", "kind")),
        "bindings": ActorBinding.objects.count(),
        "users": sorted(get_user_model().objects.values_list("pk", "username", "is_active")),
        "changes": OrgChange.objects.count(),
    }


@contextmanager
def nothing_written() -> Iterator[None]:
    """Assert that the block writes nothing (it is expected to be refused)."""
    before = state()
    yield
    after = state()
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"a refused call changed {changed}"


def last_change() -> OrgChange:
    found = OrgChange.objects.order_by("-pk").first()
    assert found is not None
    return found


def refused(field: str, code: str | None = None) -> Any:
    """Expect a ServiceError naming ``field`` (and ``code``) and nothing written."""

    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(ServiceError)
            self.nw = nothing_written()
            self.nw.__enter__()
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            self.nw.__exit__(None, None, None)
            assert self.info.value.field == field, self.info.value.message
            if code is not None:
                assert self.info.value.code == code
            return handled

    return _Check()
