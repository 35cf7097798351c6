"""Checklists shipped with the testing module: data files read by
:mod:`laksana.quality.security`."""
