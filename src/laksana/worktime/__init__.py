"""Working calendars: the Django side of ``laksana.engine.worktime`` (agencies' calendars,
their screen and journal, ``calendar_for``, working time in words, ``laksana worktime``)."""
