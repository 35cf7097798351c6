"""The check of document templates: syntax errors, unknown variables and tags that reach
outside, each with its line; a template of known variables passes."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.documents import templating
from laksana.documents.kinds import KINDS


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_shipped_templates_pass(kind: str) -> None:
    assert templating.check(templating.shipped_source(kind), kind) == []


def test_known_variables_pass() -> None:
    source = (
        "{{ blok.kop }}\n"
        "<h1>{{ dokumen.judul|upper }}</h1>\n"
        "{% if pihak_pertama and kontrak.nomor %}{{ pihak_pertama.nama }}{% endif %}\n"
        "{% for baris in isian.items %}{{ forloop.counter }} {{ baris.item }}"
        "{{ baris.condition|default:dokumen.tempat }}{% endfor %}\n"
        "{% with p=pihak_kedua %}{{ p.nip }}{% endwith %}\n"
        "{% for s in penandatangan %}{{ s.label }}{% empty %}-{% endfor %}\n"
        "{{ penandatangan.0.nama }} {% now 'Y' %}\n"
    )
    assert templating.check(source, "bast") == []


def test_unknown_variables_are_listed_with_their_lines() -> None:
    source = (
        "{{ dokumen.nomor }}\n"
        "{{ pihak_ketiga.nama }}\n"
        "{% if kontrak.harga %}x{% endif %}\n"
        "{% for b in isian.items %}{{ b.warna }}{% endfor %}\n"
        "{{ dokumen.judul|default:rahasia }}\n"
        "{{ isian.topic }}\n"
    )
    assert templating.check(source, "bast") == [
        "line 2: unknown variable 'pihak_ketiga.nama'",
        "line 3: unknown variable 'kontrak.harga'",
        "line 4: unknown variable 'b.warna'",
        "line 5: unknown variable 'rahasia'",
        "line 6: unknown variable 'isian.topic'",  # a field of ba_diskusi, not of a BAST
    ]
    # The loop variable is known inside the loop only.
    assert templating.check("{% for b in paraf %}{% endfor %}\n{{ b.nama }}", "bast") == [
        "line 2: unknown variable 'b.nama'"
    ]


def test_a_syntax_error_names_its_line() -> None:
    errors = templating.check("<p>\n{{ dokumen.judul }}\n{% if dokumen.final %}\n", "bast")
    assert len(errors) == 1
    assert errors[0].startswith("line 3: ")
    errors = templating.check("a\nb\n{% bogus %}", "bast")
    assert len(errors) == 1 and errors[0].startswith("line 3: ")


@pytest.mark.parametrize(
    "tag",
    [
        "{% include 'x.html' %}",
        "{% extends 'x.html' %}",
        "{% load static %}",
        "{% url 'home' %}",
        "{% debug %}",
        "{% csrf_token %}",
        "{% lorem 99999 p %}",
    ],
)
def test_tags_that_reach_outside_are_refused(tag: str) -> None:
    errors = templating.check("{{ dokumen.nomor }}\n" + tag, "bast")
    name = tag.split()[1]
    assert errors == [f"line 2: the tag '{name}' is not allowed in a document template"]


def test_messages_in_indonesian() -> None:
    with translation.override("id"):
        errors = templating.check("{{ pihak_ketiga }}", "bast")
    assert errors == ["baris 1: variabel 'pihak_ketiga' tidak dikenal"]


def test_rendering_escapes_and_frames() -> None:
    html = templating.render_html(
        "<p>{{ isian.notes }}</p>{{ blok.kop }}",
        {
            "dokumen": {"judul": "BAST", "nomor": "1", "final": False},
            "isian": {"notes": "<script>x</script>"},
            "kop": {"instansi": "Dinas X"},
            "jenis": {"berita_acara": True},
        },
    )
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert html.startswith("<!DOCTYPE html>") and "size: A4 portrait" in html
    assert "DRAF" in html and "Dinas X" in html


def test_shipped_source_refuses_paths() -> None:
    with pytest.raises(ValueError):
        templating.shipped_source("../settings")


def test_texts_are_always_escaped() -> None:
    errors = templating.check(
        "{{ kasus.judul|safe }}\n{% autoescape off %}{{ kasus.uraian }}{% endautoescape %}\n"
        "{{ paraf|safeseq|join:', ' }}",
        "bast",
    )
    assert errors == [
        "line 2: the tag 'autoescape' is not allowed in a document template",
    ]
    errors = templating.check("{{ kasus.judul|safe }}\n\n{{ paraf|safeseq|join:', ' }}", "bast")
    assert errors == [
        "line 1: the filter 'safe' is not allowed in a document template"
        " (texts are always printed as text)",
        "line 3: the filter 'safeseq' is not allowed in a document template"
        " (texts are always printed as text)",
    ]


def test_the_other_builtin_tags() -> None:
    source = (
        "{% filter upper %}{{ dokumen.judul }}{% endfilter %}\n"
        "{% regroup isian.items by condition as kelompok %}"
        "{% for k in kelompok %}{{ k.grouper }}{% endfor %}\n"
        "{% cycle 'a' 'b' as warna %}{{ warna }}\n"
        "{% firstof dokumen.judul kasus.judul 'x' %}{% widthratio 1 2 100 %}\n"
        "{% verbatim %}{{ bebas }}{% endverbatim %}{% comment %}{{ bebas }}{% endcomment %}\n"
        "{% now 'Y' as tahun %}{{ tahun }}{% templatetag openblock %}\n"
        "{% spaceless %}<p>{{ dokumen.salah }}</p>{% endspaceless %}\n"
        "{% ifchanged %}{{ kasus.salah }}{% endifchanged %}\n"
        "{% firstof salah dokumen.judul %}{% filter lower|default:salah_juga %}x{% endfilter %}\n"
    )
    assert templating.check(source, "bast") == [
        "line 7: unknown variable 'dokumen.salah'",
        "line 8: unknown variable 'kasus.salah'",
        "line 9: unknown variable 'salah'",
        "line 9: unknown variable 'salah_juga'",
    ]
