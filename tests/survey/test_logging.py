"""An invitation link's secret never reaches the log: Django's request log of a refused
invitation (404) is written with the secret replaced, in its message and its path."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from laksana.ops.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def test_the_invitation_secret_is_hidden_in_the_request_log() -> None:
    secret = "RahasiaUndangan_1234567890abcdef"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get(f"/survei/undangan/{secret}/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines, "the refused request is logged"
    assert all(secret not in json.dumps(line) for line in lines)
    assert lines[0]["path"] == "/survei/undangan/…/"
    assert "/survei/undangan/…/" in lines[0]["message"]
