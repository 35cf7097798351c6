"""The secrets of the follow and confirmation links never reach the log, in either of the
log's formats: a post refused by the CSRF check (which Django logs with its path) is written
with the secret replaced."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from laksana.ops.logs import JsonFormatter, TextFormatter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter("%(message)s")])
@pytest.mark.parametrize("prefix", ["/layanan/permohonan/", "/layanan/konfirmasi/"])
def test_a_link_secret_is_hidden_in_both_log_formats(formatter, prefix) -> None:
    secret = "RahasiaTautanPemohon_1234567890abcdef"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    logger = logging.getLogger("django.security.csrf")
    logger.addHandler(handler)
    try:
        # No CSRF token: refused (403) and logged by Django with the request's path.
        response = Client(enforce_csrf_checks=True).post(f"{prefix}{secret}/", {})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    text = out.getvalue()
    assert f"{prefix}…/" in text
    assert secret not in text
