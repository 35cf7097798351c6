"""``laksana procedure draft export|open``: the exchange format at the command line."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.demo.orgs import SOP_002
from laksana.procedures import drafts
from laksana.procedures.models import ProcedureDraft

pytestmark = pytest.mark.django_db


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("procedure", "draft", *args)
    assert caught.value.returncode == 2
    return str(caught.value)


def test_a_file_is_opened_as_a_draft_and_exported_back(bali, tmp_path, capsys):
    source = bali.versions[SOP_002].source.replace(f"id: {SOP_002}", "id: sop-baru")
    path = tmp_path / "baru.yaml"
    path.write_text(source, encoding="utf-8")
    call_command(
        "procedure", "draft", "open", str(path), "--agency", bali.agency.slug, "--by", "ketuatim"
    )
    draft = ProcedureDraft.objects.get(procedure_key="sop-baru")
    assert draft.created_by == bali["ketuatim"] and draft.origin == "yaml"
    assert f"opened as draft {draft.pk}" in capsys.readouterr().out
    out = tmp_path / "out.yaml"
    call_command("procedure", "draft", "export", str(draft.pk), "-o", str(out))
    assert out.read_text(encoding="utf-8") == drafts.export_yaml(draft) == source


def test_bad_input_exits_2_with_the_reason(bali, djki, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(bali.versions[SOP_002].source, encoding="utf-8")
    slug = bali.agency.slug
    assert "revise that version" in _refused(
        "open", str(path), "--agency", slug, "--by", "ketuatim"
    )
    assert "no agency" in _refused("open", str(path), "--agency", "tidak-ada", "--by", "ketuatim")
    assert "no person" in _refused("open", str(path), "--agency", slug, "--by", "siapa")
    assert "not one of" in _refused("open", str(path), "--agency", slug, "--by", "ipasdev")
    assert "cannot be read" in _refused(
        "open", str(tmp_path / "none.yaml"), "--agency", slug, "--by", "ketuatim"
    )
    path.write_text("a: [b\n", encoding="utf-8")
    assert "YAML" in _refused("open", str(path), "--agency", slug, "--by", "ketuatim")
    assert "no procedure draft 999999" in _refused("export", "999999", "-o", str(tmp_path / "o"))
    assert not ProcedureDraft.objects.exists()
