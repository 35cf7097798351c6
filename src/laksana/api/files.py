"""File downloads in the OpenAPI document: a stored file is served with the content type its
bytes were judged to have when it was uploaded, so an operation documents every type an
upload may have (:data:`laksana.cases.uploads.ALLOWED_TYPES`), not one generic type."""

from __future__ import annotations

from typing import Any

from laksana.cases.uploads import ALLOWED_TYPES


def download(description: str) -> dict[str, Any]:
    """The ``openapi_extra`` of an operation answering 200 with a stored file."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {content_type: binary for content_type in sorted(ALLOWED_TYPES)},
            }
        }
    }
