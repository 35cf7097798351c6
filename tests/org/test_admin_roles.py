"""Product roles given and taken back by the administrator (laksana.org.admin_services): only
to the agency's own staff, never leaving the agency without an administrator."""

from __future__ import annotations

import pytest

from laksana.errors import NotAllowed
from laksana.intake.desk import desk_for
from laksana.org import admin_services as svc
from laksana.org.models import OrgChange, RoleKind
from laksana.org.roles import has_role, may_administer
from tests.org.admin_state import last_change, nothing_written, refused

pytestmark = pytest.mark.django_db
ADMIN = RoleKind.AGENCY_ADMIN


def test_only_the_agencys_administrators_give_roles(bali, djki):
    for who in (bali["kabid"], djki["admindjki"]):
        with nothing_written(), pytest.raises(NotAllowed):
            svc.grant_role(who, bali.agency, bali["kadis"], ADMIN)
        with nothing_written(), pytest.raises(NotAllowed):
            svc.revoke_role(who, bali.agency, bali["adminbali"], ADMIN)


def test_roles_go_to_the_agencys_own_staff_only(bali, djki):
    admin = bali["adminbali"]
    for person in (djki["direktur"], djki["direktur"].pk, 10**12):
        with refused("person", "not_found"):
            svc.grant_role(admin, bali.agency, person, ADMIN)
        with refused("person", "not_found"):
            svc.revoke_role(admin, bali.agency, person, ADMIN)
    robot = desk_for(bali.agency).robot
    with refused("person", "not_staff"):
        svc.grant_role(admin, bali.agency, robot, ADMIN)
    with refused("person", "not_staff"):
        svc.grant_role(djki["admindjki"], djki.agency, djki["ipasdev"], RoleKind.CATALOGUE_KEEPER)
    with refused("kind", "invalid"):
        svc.grant_role(admin, bali.agency, bali["kadis"], "superuser")
    with refused("kind", "not_held"):
        svc.revoke_role(admin, bali.agency, bali["kadis"], ADMIN)


def test_the_last_administrator_keeps_the_role(bali, djki):
    admin = bali["adminbali"]
    with refused("person", "last_admin"):
        svc.revoke_role(admin, bali.agency, admin, ADMIN)
    assert may_administer(admin, bali.agency)


def test_a_role_is_given_and_taken_back_with_its_records(bali, djki):
    admin, kadis = bali["adminbali"], bali["kadis"]
    svc.grant_role(admin, bali.agency, kadis.pk, ADMIN)
    assert has_role(kadis, bali.agency, ADMIN)
    given = last_change()
    assert (given.subject, given.action, given.before) == ("role", "created", None)
    assert given.after == {"person": {"id": kadis.pk, "name": kadis.name}, "role": ADMIN}
    count = OrgChange.objects.count()
    svc.grant_role(admin, bali.agency, kadis, ADMIN)
    assert OrgChange.objects.count() == count
    # Two administrators now: the first may step down, and then the second is the last.
    svc.revoke_role(admin, bali.agency, admin, ADMIN)
    taken = last_change()
    assert taken.action == "removed" and taken.before["person"]["id"] == admin.pk
    assert taken.after is None and not has_role(admin, bali.agency, ADMIN)
    with refused("person", "last_admin"):
        svc.revoke_role(kadis, bali.agency, kadis, ADMIN)
