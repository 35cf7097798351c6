"""Demo organisations: agencies, units, positions and people for every actor of the seed SOPs.

Used by ``laksana demo`` and by the tests, so the tests exercise the same organisations the
demo shows.
"""
