"""Procedures: the shipped SOP library, the procedure screens and the ``procedure`` command.

The YAML files beside this module are the shipped procedures, one file per SOP; the file
stem is the procedure id.
"""
