"""The engine's and the procedure loader's messages on Indonesian screens (issue 16, item 13).

The engine stays pure Python and writes English :class:`laksana.engine.messages.Msg`
messages; the Django side translates them where they are shown. Checked here: every template
written in the source has its Indonesian translation in django.po; a refused step (the
service's message and the per-field problems of the step form) and the publish page's
checks of a procedure file read in Indonesian, and still in English when English is chosen.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

import laksana
from laksana.cases import services
from laksana.cases.stepform import map_errors
from laksana.engine import artifacts
from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.messages import Msg, translated

from ..cases.helpers import active, pdf, png
from .test_translations import ENGLISH_PHRASES, ENTRIES, text_of

SRC = Path(laksana.__file__).parent
TRANSLATED = {e.msgid: e.msgstr.get(0, "") for e in ENTRIES}


def templates() -> dict[str, str]:
    """Every Msg template written in the source, with where it is."""
    found = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Msg"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = f"{path.relative_to(SRC)}:{node.lineno}"
    return found


def test_the_engine_writes_its_messages_as_templates():
    found = templates()
    assert len(found) > 80, "the loader's and the engine's messages are Msg templates"
    assert any(where.startswith("engine/loader.py") for where in found.values())
    assert any(where.startswith("engine/artifacts.py") for where in found.values())


def test_every_template_has_its_indonesian_translation():
    missing = [f"{where} {t!r}" for t, where in templates().items() if not TRANSLATED.get(t)]
    assert missing == [], "add these to django.po:\n" + "\n".join(missing)


def test_a_translation_keeps_the_placeholders():
    for template in templates():
        wanted = sorted(re.findall(r"%\(\w+\)s", template))
        assert sorted(re.findall(r"%\(\w+\)s", TRANSLATED.get(template, template))) == wanted


def test_messages_are_english_strings_that_translate_with_their_values():
    inner = Msg("must be a number")
    outer = Msg("field '%(label)s' %(problem)s", label="Jumlah", problem=inner)
    assert outer == "field 'Jumlah' must be a number"
    assert isinstance(outer, str) and outer.params["problem"] is inner
    with translation.override("id"):
        text = translated(outer, gettext)
    assert text == f"{TRANSLATED[outer.template]}".replace("%(label)s", "Jumlah").replace(
        "%(problem)s", TRANSLATED[inner.template]
    )
    assert translated("plain text", gettext) == "plain text"
    assert Msg("100%% done") == "100% done"


# --- a refused step ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_step_reads_in_indonesian(bali, sop002):
    requester = bali["dinkes_staf"]
    case = services.open_case(requester, sop002, "SIKESDA lambat")
    row = active(case)
    spec = case.version.spec
    step = spec.step(row.step_key)
    values, files = {}, []
    for key in [*step.requires, *step.produces]:
        art = spec.artifact(key)
        if art.type == "form":
            values[key] = {**artifacts.example_value(art), "tidak_ada": "x"}
        elif "image" in art.accept:
            files.append(services.FileInput(key, [png(f"{key}.png")]))
        else:
            files.append(services.FileInput(key, [pdf(f"{key}.pdf")]))
    with pytest.raises(services.ServiceError) as refused:
        services.complete_step(requester, row.pk, values=values, files=files)
    error = refused.value
    assert error.code == "invalid_artifact"
    assert "unknown field 'tidak_ada'" in error.items[0]  # the English text, for the API
    with translation.override("id"):
        per_key, _general = map_errors(error, spec, list(values))
    shown = " ".join(p for problems in per_key.values() for p in problems)
    assert "isian 'tidak_ada' tidak dikenal" in shown, shown
    assert "unknown field" not in shown
    with translation.override("en"):
        per_key, _general = map_errors(error, spec, list(values))
    assert any("unknown field 'tidak_ada'" in p for ps in per_key.values() for p in ps)


@pytest.mark.django_db
def test_the_service_message_of_a_refusal_is_translated_when_raised(bali, sop002):
    requester = bali["dinkes_staf"]
    case = services.open_case(requester, sop002, "SIKESDA lambat")
    row = active(case)
    spec = case.version.spec
    step = spec.step(row.step_key)
    values = {
        k: {**artifacts.example_value(spec.artifact(k)), "tidak_ada": "x"}
        for k in [*step.requires, *step.produces]
        if spec.artifact(k).type == "form"
    }
    files = [
        services.FileInput(k, [png(f"{k}.png") if "image" in spec.artifact(k).accept else pdf()])
        for k in [*step.requires, *step.produces]
        if spec.artifact(k).type != "form"
    ]
    with translation.override("id"), pytest.raises(services.ServiceError) as refused:
        services.complete_step(requester, row.pk, values=values, files=files)
    assert "isian 'tidak_ada' tidak dikenal" in refused.value.message
    assert "unknown field" not in refused.value.message


# --- the publish page ---------------------------------------------------------------------------

BROKEN = """\
format: laksana/procedure@1
id: rusak
identity: {number: "1", title: Rusak, agency: Contoh, unit: X}
actors:
  pemohon: {name: Pemohon, kind: unit, extra: 1}
artifacts:
  surat: {name: Surat, type: tidak_dikenal}
start: s1
steps:
  - {id: s1, activity: Mengajukan, actor: pemohon, time: "sebentar", next: selesai}
ends:
  - {id: selesai, label: Selesai}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as failed:
        load_text(text, "rusak.yaml")
    return [e.message for e in failed.value.errors]


def test_the_loader_checks_translate_completely():
    english = problems_of(BROKEN)
    assert len(english) >= 3
    with translation.override("id"):
        indonesian = [translated(m, gettext) for m in english]
    for before, after in zip(english, indonesian, strict=True):
        assert before != after, f"not translated: {before}"
    text = " ".join(indonesian)
    for word in ("unknown", "allowed", "must", "cannot read", "known types"):
        assert word not in text, f"{word!r} in {text}"


@pytest.mark.django_db
def test_the_publish_page_lists_the_checks_in_indonesian(client, django_user_model, bali):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    upload = SimpleUploadedFile("rusak.yaml", BROKEN.encode(), content_type="application/yaml")
    response = client.post(
        reverse("procedures:publish"), {"agency": bali.agency.slug, "source": upload}
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "rusak.yaml:" in text
    assert "jenis artefak 'tidak_dikenal' tidak dikenal" in text, text
    leaked = [p for p in ENGLISH_PHRASES if p in text]
    assert leaked == []
    for english in ("unknown", "allowed:", "cannot read time"):
        assert english not in text


def test_the_catalogues_structured_artifacts_explain_themselves_in_indonesian():
    from laksana.catalog.artifacts import check_development_plan, check_risk_register

    problems = check_development_plan(
        {"cost": "banyak", "duration_days": 0, "resources": [{"role": ""}], "extra": 1}
    ) + check_risk_register({"risks": [{"risk": "x", "likelihood": 9, "impact": 1}]})
    assert len(problems) >= 5 and all(isinstance(p, Msg) for p in problems)
    with translation.override("id"):
        text = " ".join(translated(p, gettext) for p in problems)
    assert "isian 'extra' tidak dikenal" in text, text
    for english in ("must be", "unknown field", "is required", "whole number"):
        assert english not in text, f"{english!r} in {text}"
