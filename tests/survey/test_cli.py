"""``laksana survey ikm FILE`` and ``laksana survey import FILE --survey ID``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from laksana.demo.orgs import SOP_002
from laksana.survey import services
from laksana.survey.models import Answer, ServiceKind

GOOD = (
    "U1,U2,U3,U4,U5,U6,U7,U8,U9\n"
    "4,4,4,4,4,4,4,4,4\n"
    "3,4,3,4,3,4,3,4,3\n"
    "3,3,3,4,3,3,4,3,3\n"
    "4,3,2,4,3,4,4,3,2\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def survey_cmd(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_ikm_prints_the_figures_of_a_file(tmp_path):
    path = tmp_path / "skm.csv"
    path.write_text(GOOD)
    out, _err = survey_cmd("ikm", str(path), "--population", "20")
    assert "skm.csv: 4 respondent(s)" in out
    assert "U1 Persyaratan: NRR 3.50 (x25 87.50, B)" in out
    assert "U3 Waktu Penyelesaian: NRR 3.00 (x25 75.00, C)" in out
    assert "IKM (weight 1/9, exact): 3.47" in out
    assert "Converted IKM (x25, exact): 86.81" in out
    assert "Converted IKM (x25, weight 0,111): 86.72" in out
    assert "Grade: B (Baik)" in out
    assert "Sample: 4 of a minimum 19 for a population of 20 (Krejcie-Morgan): BELOW" in out


def test_a_bad_score_names_its_row_and_column_with_exit_code_2(tmp_path):
    path = tmp_path / "skm.csv"
    path.write_text(GOOD + "4,4,4,9,4,4,4,4,4\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("survey", "ikm", str(path), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert "skm.csv: row 6, column U4: 9 is not a score" in err.getvalue()
    assert "row 6, column U4" in str(failed.value)


def test_the_old_format_is_refused_saying_why(tmp_path):
    path = tmp_path / "lama.csv"
    path.write_text(",".join(f"U{i}" for i in range(1, 15)) + "\n" + ",".join("4" * 14) + "\n")
    with pytest.raises(CommandError) as failed:
        survey_cmd("ikm", str(path))
    assert failed.value.returncode == 2
    assert "Kepmenpan No. 25/2004" in str(failed.value)


def test_a_missing_file_and_a_bad_population(tmp_path):
    with pytest.raises(CommandError) as failed:
        survey_cmd("ikm", str(tmp_path / "none.csv"))
    assert failed.value.returncode == 2
    path = tmp_path / "skm.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError) as failed:
        survey_cmd("ikm", str(path), "--population", "0")
    assert "--population" in str(failed.value)


def test_import_into_a_survey_as_the_operator(bali, tmp_path):
    survey = services.create_survey(
        bali.people["ketuatim"],
        {
            "title": "SKM 2025",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    path = tmp_path / "skm.csv"
    path.write_text(GOOD)
    out, _err = survey_cmd("import", str(path), "--survey", str(survey.pk), "--date", "2025-07-01")
    assert f"4 answer(s) imported into survey {survey.pk}" in out
    assert Answer.objects.filter(survey=survey).count() == 4
    for args, named in (
        (["--survey", "999999"], "--survey"),
        (["--survey", str(survey.pk), "--date", "2026-01-01"], "--date"),
        (["--survey", str(survey.pk), "--date", "kemarin"], "--date"),
    ):
        with pytest.raises(CommandError) as failed:
            survey_cmd("import", str(path), *args)
        assert failed.value.returncode == 2
        assert named in str(failed.value)
    assert Answer.objects.count() == 4
