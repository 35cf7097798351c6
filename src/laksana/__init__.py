"""Laksana: the SOPs of a government IT unit, run as executable, timed and audited procedures."""

__version__ = "0.1.0"
