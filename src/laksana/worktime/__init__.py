"""Working calendars: the Django side of ``laksana.engine.worktime`` (command line for now)."""
