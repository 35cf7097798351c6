"""The ``laksana`` console command: Django's management commands with Laksana's settings.

``laksana migrate``, ``laksana runserver``, ``laksana procedure check FILE`` and every other
management command work from any folder, without a manage.py.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run one management command; return the exit status."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Read the settings now, so a bad LAKSANA_* variable is one clear line, not a
        # traceback from deep inside whichever command touched the settings first.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        print(f"laksana: configuration error: {exc}", file=sys.stderr)
        return 2
    args = list(sys.argv if argv is None else ["laksana", *argv])
    args[0] = "laksana"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
