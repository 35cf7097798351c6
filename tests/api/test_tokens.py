"""Personal API tokens: issued once, stored as a hash, checked, touched, revoked; CLI, admin."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from laksana.accounts import services
from laksana.accounts.models import ApiToken
from laksana.org.models import Person

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_of_the_secret(bali):
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:8] and len(secret) >= 40
    assert all(secret not in str(value) for value in row.values())
    assert str(token) == f"{secret[:8]}… helpdesk"


def test_it_authenticates_by_the_secret_and_refuses_a_revoked_token(bali):
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    found = services.authenticate(secret)
    assert found is not None and found.pk == token.pk and found.person == bali["dinkes_staf"]
    assert services.authenticate(secret + "x") is None
    assert services.authenticate("") is None
    assert services.revoke_token(token) is True
    first = token.revoked_at
    assert services.revoke_token(token) is False  # already revoked: keeps the first time
    assert token.revoked_at == first
    assert services.authenticate(secret) is None


def test_it_refuses_a_token_of_a_deactivated_account(bali):
    _token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    user = bali["dinkes_staf"].user
    user.is_active = False
    user.save()
    assert services.authenticate(secret) is None


def test_it_refuses_a_token_of_a_person_whose_account_was_removed(bali):
    person = bali["dinkes_staf"]
    _token, secret = services.issue_token(person, "helpdesk")
    assert services.authenticate(secret) is not None
    Person.objects.filter(pk=person.pk).update(user=None)
    assert services.authenticate(secret) is None


def test_it_records_use_at_most_once_a_minute(bali, django_assert_num_queries):
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    t0 = timezone.now()
    services.authenticate(secret, now=t0)
    token.refresh_from_db()
    assert token.last_used_at == t0
    with django_assert_num_queries(1) as captured:  # token, person and account together
        services.authenticate(secret, now=t0 + dt.timedelta(seconds=59))
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at == t0
    services.authenticate(secret, now=t0 + dt.timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == t0 + dt.timedelta(seconds=61)


def test_it_refuses_a_token_without_a_name_or_an_account(bali):
    with pytest.raises(services.TokenError):
        services.issue_token(bali["dinkes_staf"], "  ")
    nobody = Person.objects.create(agency=bali.agency, name="Tanpa Akun", unit=bali.units["dinkes"])
    with pytest.raises(services.TokenError):
        services.issue_token(nobody, "helpdesk")
    assert not ApiToken.objects.exists()


def test_the_command_prints_the_secret_once_and_revokes_by_prefix(bali):
    out, err = StringIO(), StringIO()
    call_command("token", "issue", "dinkes_staf", "helpdesk", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = services.authenticate(secret)
    assert token is not None and token.name == "helpdesk"
    assert "not kept" in err.getvalue() and secret not in err.getvalue()
    listing = StringIO()
    call_command("token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and secret not in listing.getvalue()
    out = StringIO()
    call_command("token", "revoke", token.prefix, stdout=out)
    assert "revoked" in out.getvalue()
    assert services.authenticate(secret) is None
    with pytest.raises(CommandError, match="no person"):
        call_command("token", "issue", "tidak_ada", "x")
    with pytest.raises(CommandError, match="no token"):
        call_command("token", "revoke", "zzzzzzzz")


def test_the_admin_lists_tokens_without_secrets_and_revokes_them(bali, admin_client):
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    page = admin_client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    html = page.content.decode()
    assert token.prefix in html and secret not in html and token.hash not in html
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    detail = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.hash not in detail
    admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- the four properties, each on its own -----------------------------------------------------


def test_a_token_is_its_persons_own(bali, client):
    """Per person: a token acts as the person it was issued to, and only as them."""
    staff, head = bali["dinkes_staf"], bali["kadis"]
    _mine, my_secret = services.issue_token(staff, "helpdesk")
    _theirs, their_secret = services.issue_token(head, "helpdesk")
    for person, secret in ((staff, my_secret), (head, their_secret)):
        response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200 and response.json()["id"] == person.pk
    assert set(ApiToken.objects.filter(person=staff).values_list("hash", flat=True)) == {
        services.hash_secret(my_secret)
    }


def test_revoking_one_token_leaves_the_others_working(bali, client):
    """Revocable, one token at a time: the person's other tokens and other people's work."""
    staff, head = bali["dinkes_staf"], bali["kadis"]
    laptop, laptop_secret = services.issue_token(staff, "laptop")
    _script, script_secret = services.issue_token(staff, "script")
    _other, other_secret = services.issue_token(head, "laptop")
    assert services.revoke_token(laptop) is True
    answers = {
        secret: client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
        for secret in (laptop_secret, script_secret, other_secret)
    }
    assert answers == {laptop_secret: 401, script_secret: 200, other_secret: 200}


def test_the_secret_is_shown_once_and_cannot_be_recovered(bali, client):
    """Shown once: issuing returns the secret; nothing afterwards shows it again (the row,
    the token's name, the API, the listing), and issuing again gives a new secret."""
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    again, second = services.issue_token(bali["dinkes_staf"], "helpdesk")
    assert secret != second and token.hash != again.hash
    fresh = ApiToken.objects.get(pk=token.pk)
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get(pk=token.pk))
    assert secret not in stored and secret not in str(fresh) and secret not in repr(fresh)
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").content.decode()
    assert secret not in me
    listing = StringIO()
    call_command("token", "list", stdout=listing)
    assert secret not in listing.getvalue() and second not in listing.getvalue()


def test_the_secret_is_stored_hashed_so_the_hash_is_no_token(bali, client):
    """Hashed: the stored value does not authenticate; only the secret does."""
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    assert services.authenticate(token.hash) is None
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token.hash}")
    assert response.status_code == 401
    assert services.authenticate(secret) is not None


def test_a_prefix_never_starts_with_a_dash(bali, monkeypatch):
    # "laksana token revoke PREFIX": a prefix starting with "-" would be read as an option.
    made = iter(["-" + "a" * 42, "b" * 43])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(made))
    token, secret = services.issue_token(bali["dinkes_staf"], "helpdesk")
    assert secret == "b" * 43 and token.prefix == "b" * services.PREFIX_LENGTH
    out = StringIO()
    call_command("token", "revoke", token.prefix, stdout=out)
    assert "revoked" in out.getvalue()
