"""No anonymous request costs the server seconds (issue 16, item 7, first two clauses): a
procedure's documents are rendered once and kept by checksum, and a procedure larger than
what renders in a few seconds is refused at every door of publishing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.demo.orgs import SOP_002
from laksana.engine.loader import ProcedureErrors
from laksana.procedures import documents
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import (
    MAX_ACTORS,
    MAX_SOURCE_BYTES,
    MAX_STEP_TEXT,
    MAX_STEPS,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch) -> Counter[str]:
    """Every rendering, counted by format (stand-ins: the real renderers are tested in
    tests/engine and tests/web)."""
    calls: Counter[str] = Counter()
    documents.clear()

    def counting(fmt: str):
        def render(spec, logo=None):
            calls[fmt] += 1
            return b"%PDF-1.4 stand-in" if fmt == "pdf" else f"<p>{spec.id} {fmt}</p>"

        return render

    for fmt in documents.RENDERERS:
        monkeypatch.setitem(documents.RENDERERS, fmt, counting(fmt))
    yield calls
    documents.clear()


def test_the_second_request_of_a_template_document_renders_nothing(client, renders):
    for _ in range(3):
        for suffix in ("", "pdf", "svg", "bpmn"):
            assert client.get(f"/prosedur/{SOP_002}/{suffix}").status_code == 200
    assert renders == {"html": 1, "pdf": 1, "svg": 1, "bpmn": 1}


def test_the_second_request_of_a_version_document_renders_nothing(client, bali, sop002, renders):
    client.force_login(bali["dinkes_staf"].user)
    url = f"/prosedur/instansi/{bali.agency.slug}/{SOP_002}/versi/{sop002.number}/"
    for _ in range(3):
        assert client.get(url).status_code == 200
        assert client.get(url + "pdf").content == b"%PDF-1.4 stand-in"
    # The shipped template and Bali's adopted copy have the same text: one rendering each.
    assert client.get(f"/prosedur/{SOP_002}/").status_code == 200
    assert renders == {"html": 1, "pdf": 1}


def procedure(steps: int, actors: int, text: int = 40) -> str:
    """A valid procedure of ``steps`` steps and ``actors`` actors."""
    lines = [
        "format: laksana/procedure@1",
        "id: besar",
        "identity:",
        '  number: "999/UJI"',
        "  title: Prosedur Besar",
        "  agency: Dinas Uji",
        "  made: 2024-01-09",
        '  approved_by: {title: Kepala Dinas, name: Budi, nip: "19680531199703 1 002"}',
        "actors:",
        "  pemohon: {name: Unit Kerja Pemohon, kind: requesting_unit}",
    ]
    lines += [f"  a{a}: {{name: Aktor {a}, kind: team}}" for a in range(1, actors)]
    lines += ["start: s1", "steps:"]
    for i in range(1, steps + 1):
        actor = "pemohon" if i % actors == 0 else f"a{i % actors}"
        lines += [f"  - id: s{i}", f"    activity: Langkah {i} {'x' * text}", f"    actor: {actor}"]
    return "\n".join(lines) + "\n"


OVERSIZE = {
    "steps": (procedure(MAX_STEPS + 1, 5), f"has {MAX_STEPS + 1} steps; the limit is {MAX_STEPS}"),
    "actors": (procedure(MAX_ACTORS + 1, MAX_ACTORS + 1), f"actors; the limit is {MAX_ACTORS}"),
    "text": (
        procedure(10, 5, text=MAX_STEP_TEXT // 10),
        f"characters; the limit is {MAX_STEP_TEXT}",
    ),
    "source": (
        procedure(20, 5, text=MAX_SOURCE_BYTES // 20),
        f"the limit is {MAX_SOURCE_BYTES // 1024} kB",
    ),
}


def test_the_largest_publishable_procedure_is_accepted(bali):
    version = publish(procedure(MAX_STEPS, MAX_ACTORS), "besar.yaml", bali.agency)
    assert len(version.spec.steps) == MAX_STEPS


@pytest.mark.parametrize("what", sorted(OVERSIZE))
def test_an_oversize_procedure_is_refused_by_the_service(what, bali):
    source, message = OVERSIZE[what]
    with pytest.raises(ProcedureErrors, match=message):
        publish(source, "besar.yaml", bali.agency, by=bali["kabid"])
    assert not ProcedureVersion.objects.filter(procedure_key="besar").exists()


@pytest.mark.parametrize("what", sorted(OVERSIZE))
def test_an_oversize_procedure_is_refused_on_the_web(what, client, bali):
    source, message = OVERSIZE[what]
    client.force_login(bali["kabid"].user)
    upload = SimpleUploadedFile("besar.yaml", source.encode(), "application/yaml")
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not ProcedureVersion.objects.filter(procedure_key="besar").exists()


@pytest.mark.parametrize("what", sorted(OVERSIZE))
def test_an_oversize_procedure_is_refused_at_the_command_line(what, bali, tmp_path, capsys):
    source, message = OVERSIZE[what]
    path = tmp_path / "besar.yaml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(CommandError, match="1 file not published"):
        call_command("procedure", "publish", str(path), "--agency", bali.agency.slug)
    assert message in capsys.readouterr().out
    assert not ProcedureVersion.objects.filter(procedure_key="besar").exists()
