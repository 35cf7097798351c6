"""The log's format: one JSON object per line (``LAKSANA_LOG_FORMAT=json``, the default with
debug off), for a log collector to read without guessing where a record ends.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; a record of a
request (Django's ``django.request`` and the API's errors) adds ``method``, ``path`` and
``status``; a record with an exception adds ``exception`` (its type and message) and
``traceback`` (the whole traceback as one string, so it stays on the record's line); fields
given as ``extra`` (``event``, ``code``, ``person``, ``reason``, ...) are added as they are.

A path that carries a secret (a satisfaction survey's invitation link, an outside requester's
follow or confirmation link) is written with the
secret replaced by ``…``, in ``path`` and in the message: modules name such paths with
:func:`hide_after`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

# The attributes every LogRecord has; anything else was given as ``extra``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


_SECRET_PATHS: list[re.Pattern[str]] = []


def hide_after(prefix: str) -> None:
    """Paths starting with ``prefix`` (e.g. ``/survei/undangan/``) carry a secret in their
    next segment: logged as ``prefix…/``. Called from an app's ``ready()``."""
    pattern = re.compile(re.escape(prefix) + r"[^/\s?#]+")
    if all(p.pattern != pattern.pattern for p in _SECRET_PATHS):
        _SECRET_PATHS.append(pattern)


def hidden(text: str) -> str:
    """``text`` with the secrets of the paths named by :func:`hide_after` replaced."""
    for pattern in _SECRET_PATHS:
        text = pattern.sub(lambda m: m.group(0)[: m.group(0).rfind("/") + 1] + "…", text)
    return text


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class TextFormatter(logging.Formatter):
    """A record as one line of text (``LAKSANA_LOG_FORMAT=text``), the secrets of paths
    hidden as in the JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        return hidden(super().format(record))


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": hidden(record.getMessage()),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            line["method"] = getattr(request, "method", None)
            line["path"] = hidden(request.path)
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                line["user"] = user.get_username()
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in ("request", "status_code") and key not in line:
                line[key] = _plain(value)
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        if record.exc_info and record.exc_info[0] is not None:
            exc = record.exc_info[1]
            line["exception"] = f"{record.exc_info[0].__name__}: {exc}"
            line["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["traceback"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
