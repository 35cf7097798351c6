"""Messages of the engine that people read, kept translatable without Django.

The engine is pure Python and speaks English. A message a person may read (a refusal's
items, a problem of an artifact value, a check of a procedure file) is written as a
:class:`Msg`: an ordinary ``str`` holding the English text, which also keeps its template
and its values. The host translates it where it is shown (:func:`translated`, given the
host's ``gettext``): the template is looked up in the host's catalogue and the values, which
may be messages themselves, are put in. Code that only needs English (logs, tests, the
command line) uses the string as it is.

Templates use ``%(name)s`` placeholders (``%%`` for a percent sign), as gettext catalogues do;
tests/web/test_engine_messages.py checks that every template written in the engine has its
Indonesian translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


class Msg(str):
    """An English message that remembers its template and values, for translation."""

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Msg:
        text = template % params if params else template.replace("%%", "%")
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple[object, ...]:  # pickled (cached specs) as what it means
        return (_rebuild, (self.template, dict(self.params)))


def _rebuild(template: str, params: dict[str, object]) -> Msg:
    return Msg(template, **params)


def translated(text: object, gettext: Callable[[str], str]) -> str:
    """``text`` in the language of ``gettext``: a :class:`Msg` by its template, with its
    values translated the same way; any other text as it is."""
    if not isinstance(text, Msg):
        return str(text)
    template = gettext(text.template)
    if not text.params:
        return template.replace("%%", "%")
    values = {key: translated(value, gettext) for key, value in text.params.items()}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a damaged translation: the English text
        return str(text)


def joined(parts: list[str] | tuple[str, ...], gettext: Callable[[str], str]) -> str:
    """Several messages as one line, each translated."""
    return "; ".join(translated(p, gettext) for p in parts)


def as_data(text: object) -> dict[str, object]:
    """A message as JSON data (its template and values, themselves as data), to be kept and
    translated later with :func:`from_data`; any other text as a template of its own."""
    if not isinstance(text, Msg):
        return {"template": str(text).replace("%", "%%"), "params": {}}
    params = {
        key: as_data(value) if isinstance(value, Msg) else str(value)
        for key, value in text.params.items()
    }
    return {"template": text.template, "params": params}


def from_data(data: object) -> str:
    """The message :func:`as_data` kept (an empty text for data that is not one)."""
    if not isinstance(data, dict) or not isinstance(data.get("template"), str):
        return ""
    raw = data.get("params")
    params: dict[str, object] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            params[str(key)] = from_data(value) if isinstance(value, dict) else str(value)
    try:
        return Msg(data["template"], **params)
    except (KeyError, ValueError, TypeError):
        return Msg(data["template"].replace("%", "%%"))
