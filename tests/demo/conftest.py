"""Fixtures of these tests: a fast password hasher and a private files folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_files(settings, tmp_path):
    # Demo people get passwords; a slow hash per person would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "files"
