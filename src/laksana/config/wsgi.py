"""WSGI entry point: ``laksana.config.wsgi:application``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")

application = get_wsgi_application()

# SQLite: a thread of each worker checkpoints the write-ahead log (not the requests) and keeps
# the planner's statistics (laksana.ops.upkeep); nothing on PostgreSQL.
from laksana.ops import upkeep  # noqa: E402 (needs the settings loaded)

upkeep.start()
