"""Signing in: Argon2 password hashes, the lockout after repeated wrong passwords, the session
cookie; API tokens are not touched by any of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from laksana.accounts.services import issue_token
from laksana.config import settings as laksana_settings

pytestmark = pytest.mark.django_db

PASSWORD = "laksana-demo"
# The real list, as the settings module defines it (the tests' autouse fixture swaps in MD5).
REAL_HASHERS = laksana_settings.PASSWORD_HASHERS


def sign_in(client: Client, username: str, password: str, **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client: Client, username: str, times: int = 5, **extra: str):
    """``times`` wrong passwords; returns the last answer."""
    response = None
    for _ in range(times):
        response = sign_in(client, username, "salah-sekali", **extra)
    return response


# --- passwords --------------------------------------------------------------------------------


def test_the_real_settings_hash_new_passwords_with_argon2(settings) -> None:
    assert REAL_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in REAL_HASHERS
    settings.PASSWORD_HASHERS = REAL_HASHERS
    assert make_password("rahasia-baru").startswith("argon2$argon2id$")


def test_an_old_pbkdf2_hash_still_signs_in_and_is_upgraded_to_argon2(
    client: Client, bali, settings
) -> None:
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = bali["kabid"].user
    user.password = make_password("rahasia-lama", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = sign_in(client, "kabid", "rahasia-lama")
    assert response.status_code == 302 and signed_in(client)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("rahasia-lama")


# --- lockout ----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_user_name_even_for_the_right_password(
    client: Client, bali
) -> None:
    for _ in range(4):
        response = sign_in(client, "kabid", "salah-sekali")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, "kabid", "salah-sekali")
    assert response.status_code == 429
    assert "web/locked_out.html" in [t.name for t in response.templates]
    response = sign_in(client, "kabid", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)


def test_the_lockout_page_says_when_to_try_again(client: Client, bali) -> None:
    before = timezone.now()
    response = lock_out(client, "kabid")
    assert response.status_code == 429
    attempt = AccessAttempt.objects.get(username="kabid")
    until = timezone.localtime(attempt.attempt_time + dt.timedelta(minutes=30))
    assert before + dt.timedelta(minutes=30) <= until
    text = response.content.decode()
    assert until.strftime("%H:%M") in text
    assert f'href="{reverse("login")}"' in text
    assert 1700 <= int(response["Retry-After"]) <= 1800
    # Trying again while locked does not move the time.
    again = sign_in(client, "kabid", PASSWORD)
    assert AccessAttempt.objects.get(username="kabid").attempt_time == attempt.attempt_time
    assert until.strftime("%H:%M") in again.content.decode()


def test_after_the_cool_off_the_right_password_works_and_clears_the_count(
    client: Client, bali
) -> None:
    lock_out(client, "kabid")
    # Thirty minutes and a second pass (the lock is counted from the last failure).
    past = timezone.now() - dt.timedelta(minutes=30, seconds=1)
    AccessAttempt.objects.filter(username="kabid").update(attempt_time=past)
    response = sign_in(client, "kabid", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.filter(username="kabid").exists()


def test_a_wrong_password_after_the_cool_off_does_not_lock_again_at_once(
    client: Client, bali
) -> None:
    lock_out(client, "kabid")
    past = timezone.now() - dt.timedelta(minutes=31)
    AccessAttempt.objects.filter(username="kabid").update(attempt_time=past)
    assert sign_in(client, "kabid", "salah-lagi").status_code == 200


def test_the_administrators_reset_lifts_the_lock(client: Client, bali) -> None:
    lock_out(client, "kabid")
    assert axes_reset(username="kabid") == 1
    assert sign_in(client, "kabid", PASSWORD).status_code == 302


def test_the_lock_is_on_the_user_name_and_address_together(bali) -> None:
    here, elsewhere = Client(REMOTE_ADDR="10.1.1.1"), Client(REMOTE_ADDR="10.2.2.2")
    assert lock_out(here, "kabid").status_code == 429
    # The same person from another address, and another person from the same address.
    assert sign_in(elsewhere, "kabid", PASSWORD).status_code == 302
    assert sign_in(here, "kadis", PASSWORD).status_code == 302


def test_a_success_before_the_limit_clears_the_count(client: Client, bali) -> None:
    lock_out(client, "kabid", times=4)
    assert sign_in(client, "kabid", PASSWORD).status_code == 302
    client.logout()
    assert lock_out(client, "kabid", times=4).status_code == 200


def test_the_limit_and_cool_off_are_the_settings(client: Client, bali, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=5)
    assert sign_in(client, "kabid", "salah").status_code == 200
    response = sign_in(client, "kabid", "salah")
    assert response.status_code == 429
    assert 240 <= int(response["Retry-After"]) <= 300


def test_behind_a_proxy_the_last_forwarded_address_counts(bali, settings) -> None:
    settings.LAKSANA_BEHIND_PROXY = True
    settings.LAKSANA_PROXY_ADDRESSES = ("10.0.0.1/32",)
    client = Client(REMOTE_ADDR="10.0.0.1")  # the proxy
    for n in range(5):
        # A client inventing a new first address for every guess does not escape the lock.
        response = sign_in(client, "kabid", "salah", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    other = sign_in(client, "kabid", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_without_a_proxy_forwarded_addresses_are_ignored(client: Client, bali) -> None:
    for n in range(5):
        response = sign_in(client, "kabid", "salah", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_the_admin_sign_in_is_locked_too(client: Client, bali, django_user_model) -> None:
    django_user_model.objects.create_superuser("root", "root@example.org", "rahasia-admin")
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "root", "password": "salah"})
    assert response.status_code == 429
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": "rahasia-admin"}
    )
    assert response.status_code == 429 and not signed_in(client)


def test_a_locked_out_person_s_api_token_still_works(client: Client, bali) -> None:
    _token, secret = issue_token(bali["dinkes_staf"], "helpdesk")
    assert lock_out(client, "dinkes_staf").status_code == 429
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["id"] == bali["dinkes_staf"].pk
    # And wrong tokens do not count as failed sign-ins.
    for _ in range(10):
        assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer salah").status_code == 401
    assert AccessAttempt.objects.get().username == "dinkes_staf"


# --- the session ------------------------------------------------------------------------------


def test_the_session_cookie_is_http_only_lax_and_lasts_a_working_day(client: Client, bali) -> None:
    client.get(reverse("login"))  # the CSRF cookie
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = sign_in(client, "kabid", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 10 * 60 * 60
    assert laksana_settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    # Over plain HTTP in development the cookies cannot be Secure (tests/security/
    # test_production_settings.py checks production).
    assert not cookie["secure"]


def test_the_pages_read_no_cookie_from_script(client: Client, bali) -> None:
    # The CSRF cookie is HttpOnly, so every page must carry its token: forms and htmx's header.
    client.force_login(bali["kabid"].user)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert re.search(r'hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', html)
