"""The template language of documents: Django's, on an engine of its own.

An agency may override a kind's shipped template (``templates/documents/kinds/<kind>.html``).
Such a template is the document's content: letterhead, title, opening, parties, substance,
closing and signatures. It runs on a dedicated :class:`django.template.Engine` that has no
loaders, no folders and no tag libraries beyond the built-in ones, with autoescaping on, and
sees only the variables of :mod:`laksana.documents.context` (a plain dict): it cannot reach a
file, a URL or an object of the database. The parts an override must not break come ready
made as ``blok.kop``, ``blok.tanda_tangan``, ``blok.paraf`` and ``blok.verifikasi`` (rendered
here from the shipped partials, ``templates/documents/print/``), and the page itself (A4,
margins, fonts, the DRAF watermark, the footer) is the shipped frame around the content.

:func:`check` lists what is wrong with a template before it is saved: syntax errors, unknown
variables and tags that reach outside, each with its line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import (
    FilterExpression,
    Lexer,
    Node,
    NodeList,
    Template,
    TokenType,
    Variable,
    VariableNode,
)
from django.template.defaulttags import FilterNode, ForNode, IfNode, WithNode
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from laksana.documents.context import Schema, variables

KINDS_DIR = Path(__file__).parent / "templates" / "documents" / "kinds"

# Tags that reach outside the document's own data (files, URLs, the request, the context's
# internals) or load other tag libraries; those that would print a requester's text as
# HTML (into an official document) instead of as text; and filler text of any length.
REFUSED_TAGS = frozenset(
    {
        "include",
        "extends",
        "load",
        "ssi",
        "url",
        "static",
        "debug",
        "csrf_token",
        "autoescape",
        "lorem",
    }
)
REFUSED_FILTERS = frozenset({"safe", "safeseq"})

_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True)
_CHECKER = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True, debug=True)
_COMPILED: dict[str, Template] = {}

_ANY = "any"  # below this, anything is known (a variable set by {% with %}, a cycle, ...)
_FORLOOP: Schema = dict.fromkeys(
    ("counter", "counter0", "revcounter", "revcounter0", "first", "last"), None
)
_FORLOOP["parentloop"] = _ANY


def shipped_source(kind: str) -> str:
    """The shipped template of a document kind, as text."""
    if not kind.replace("_", "").isalnum():
        raise ValueError(f"not a document kind: {kind!r}")
    return (KINDS_DIR / f"{kind}.html").read_text(encoding="utf-8")


def _compiled(source: str) -> Template:
    key = hashlib.sha256(source.encode()).hexdigest()
    template = _COMPILED.get(key)
    if template is None:
        template = _ENGINE.from_string(source)
        if len(_COMPILED) > 200:
            _COMPILED.clear()
        _COMPILED[key] = template
    return template


def _blocks(context: dict[str, Any]) -> dict[str, str]:
    # The parties (not "Mengetahui") side by side, two a row.
    parties = [
        s
        for s in context.get("penandatangan") or []
        if str(s.get("label", "")).strip().lower() != "mengetahui"
    ]
    rows = [parties[i : i + 2] for i in range(0, len(parties), 2)]
    if rows and len(rows[-1]) == 1 and len(parties) > 1:
        rows[-1].append(None)
    data = {**context, "ttd_baris": rows}

    def part(name: str) -> str:
        return mark_safe(render_to_string(f"documents/print/{name}.html", data))

    return {
        "kop": part("kop"),
        "tanda_tangan": part("tanda_tangan"),
        "paraf": part("paraf"),
        "verifikasi": part("verifikasi"),
    }


def render_html(source: str, context: dict[str, Any]) -> str:
    """The whole HTML page of the document: ``source`` (a kind's template, checked) rendered
    with ``context`` (:func:`laksana.documents.context.build`) inside the shipped frame."""
    blok = _blocks(context)
    body = _compiled(source).render(Context({**context, "blok": blok}))
    return render_to_string(
        "documents/print/frame.html",
        {**context, "isi": mark_safe(body)},
    )


# -- check ---------------------------------------------------------------------------------


def _resolve(scopes: list[Schema], lookups: tuple[str, ...]) -> tuple[bool, Any]:
    """Whether the variable is known, and the shape of its value."""
    node: Any = _ANY
    for scope in reversed(scopes):
        if lookups[0] in scope:
            node = scope[lookups[0]]
            break
    else:
        return False, None
    for part in lookups[1:]:
        if node == _ANY:
            return True, _ANY
        if isinstance(node, dict):
            if part not in node:
                return False, None
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit():
                return False, None
            node = node[0]
        else:
            return False, None
    return True, node


class _Checker:
    def __init__(self, kind: str) -> None:
        self.errors: list[str] = []
        self.seen: set[tuple[int, str]] = set()
        self.scopes: list[Schema] = [variables(kind)]

    def unknown(self, line: int, name: str) -> None:
        if (line, name) not in self.seen:
            self.seen.add((line, name))
            self.errors.append(
                _("line %(line)d: unknown variable '%(name)s'") % {"line": line, "name": name}
            )

    def variable(self, var: Any, line: int) -> Any:
        if not isinstance(var, Variable) or var.lookups is None:
            return None  # a literal
        known, shape = _resolve(self.scopes, var.lookups)
        if not known:
            self.unknown(line, ".".join(var.lookups))
        return shape

    def expression(self, expr: Any, line: int) -> Any:
        if not isinstance(expr, FilterExpression):
            return None
        for func, _args in expr.filters:
            name = getattr(func, "_filter_name", getattr(func, "__name__", ""))
            if name in REFUSED_FILTERS and (line, "|" + name) not in self.seen:
                self.seen.add((line, "|" + name))
                self.errors.append(
                    _(
                        "line %(line)d: the filter '%(filter)s' is not allowed in a document"
                        " template (texts are always printed as text)"
                    )
                    % {"line": line, "filter": name}
                )
        for _func, args in expr.filters:
            for lookup, arg in args:
                if lookup:
                    self.variable(arg, line)
        shape = self.variable(expr.var, line)
        return shape if not expr.filters else _ANY

    def condition(self, cond: Any, line: int) -> None:
        if cond is None:
            return
        if isinstance(getattr(cond, "value", None), FilterExpression):
            self.expression(cond.value, line)
            return
        self.condition(getattr(cond, "first", None), line)
        self.condition(getattr(cond, "second", None), line)

    def nodelist(self, nodes: Any) -> None:
        for node in nodes or ():
            if isinstance(node, Node):
                self.node(node)

    def node(self, node: Node) -> None:
        token = getattr(node, "token", None)
        line = token.lineno if token is not None else 0
        if isinstance(node, VariableNode):
            self.expression(node.filter_expression, line)
            return
        if isinstance(node, IfNode):
            for cond, nodes in node.conditions_nodelists:
                self.condition(cond, line)
                self.nodelist(nodes)
            return
        if isinstance(node, ForNode):
            shape = self.expression(node.sequence, line)
            scope: Schema = {"forloop": _FORLOOP}
            element = shape[0] if isinstance(shape, list) else _ANY
            for name in node.loopvars:
                scope[name] = element if len(node.loopvars) == 1 else _ANY
            self.scopes.append(scope)
            self.nodelist(node.nodelist_loop)
            self.scopes.pop()
            self.nodelist(node.nodelist_empty)
            return
        if isinstance(node, WithNode):
            scope = {}
            for name, expr in node.extra_context.items():
                shape = self.expression(expr, line)
                scope[name] = shape if shape is not None else _ANY
            self.scopes.append(scope)
            self.nodelist(node.nodelist)
            self.scopes.pop()
            return
        # Any other built-in tag: the variable it may set (known from here on: {% regroup %}
        # names its groups' key through it), its expressions, its children.
        for attr in ("asvar", "var_name", "variable_name"):
            target = getattr(node, attr, None)
            if isinstance(target, str) and target:
                self.scopes[-1] = {**self.scopes[-1], target: _ANY}
        if isinstance(node, FilterNode):
            # {% filter f %}: the block's text goes through f as a variable named "var".
            self.scopes.append({"var": None})
            self.expression(node.filter_expr, line)
            self.scopes.pop()
            self.nodelist(node.nodelist)
            return
        for value in vars(node).values():
            items = value if isinstance(value, list | tuple) else [value]
            if isinstance(value, dict):
                items = list(value.values())
            for item in items:
                self.expression(item, line)
        for attr in node.child_nodelists:
            child = getattr(node, attr, None)
            if isinstance(child, NodeList):
                self.nodelist(child)


def check(source: str, kind: str) -> list[str]:
    """What is wrong with a document template of ``kind``, each message naming its line:
    tags that reach outside the document's data, a syntax error, unknown variables. Empty
    when the template may be saved."""
    errors: list[str] = []
    refused_lines: set[int] = set()
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK or token.lineno is None:
            continue
        bits = token.split_contents()
        if bits and bits[0] in REFUSED_TAGS:
            refused_lines.add(token.lineno)
            errors.append(
                _("line %(line)d: the tag '%(tag)s' is not allowed in a document template")
                % {"line": token.lineno, "tag": bits[0]}
            )
    try:
        template = _CHECKER.from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        line = int(info.get("line", 0))
        if line not in refused_lines:
            errors.append(_("line %(line)d: %(error)s") % {"line": line, "error": str(exc)})
        return errors
    if errors:
        return errors
    checker = _Checker(kind)
    checker.nodelist(template.nodelist)
    return checker.errors
