"""`laksana worktime due|holidays`, through call_command and the installed script (no database)."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

LAKSANA = Path(sys.executable).with_name("laksana")


def call(*args: str) -> str:
    out = StringIO()
    call_command("worktime", *args, stdout=out)
    return out.getvalue()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `laksana` script as a user would."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "laksana.config.settings"}
    return subprocess.run(
        [str(LAKSANA), "worktime", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_due_prints_the_worked_example() -> None:
    assert call("due", "2026-05-06T15:30+07:00", "1 jam") == "2026-05-07T08:00:00+07:00\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("2026-05-06T15:30+07:00", "±3 Hari"), "2026-05-11T15:30:00+07:00"),
        (("2026-05-06T15:30+08:00", "1 jam", "--tz", "Asia/Makassar"), "2026-05-07T08:00:00+08:00"),
        (("2026-05-06T15:30", "1 jam", "--tz", "Asia/Jayapura"), "2026-05-07T08:00:00+09:00"),
        (("2026-05-06T14:30+07:00", "1 jam", "--tz", "WIT"), "2026-05-07T08:30:00+09:00"),
        (("2026-05-06T08:30Z", "15 menit"), "2026-05-06T15:45:00+07:00"),
    ],
)
def test_due_in_zones(args: tuple[str, ...], expected: str) -> None:
    assert call("due", *args).strip() == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("yesterday", "1 jam"), "cannot read the start time 'yesterday'"),
        (("2026-05-06T15:30+07:00", "±1"), "has no unit"),
        (("2026-05-06T15:30+07:00", "3 bulan"), "unknown time unit"),
        (("2026-05-06T15:30+07:00", "1 jam", "--tz", "Asia/Bandung"), "unknown time zone"),
    ],
)
def test_bad_input_is_a_command_error_with_status_2(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as error:
        call("due", *args)
    assert error.value.returncode == 2


def test_holidays_lists_dates_weekdays_and_names() -> None:
    lines = call("holidays", "2026").splitlines()
    assert len(lines) == 25  # 17 national holidays and 8 days of cuti bersama
    assert lines[0].split(None, 2) == ["2026-01-01", "Kamis", "Tahun Baru Masehi"]
    assert "2026-03-20  Jumat   Cuti Bersama Hari Raya Idul Fitri" in lines
    assert "2026-12-24  Kamis   Cuti Bersama Hari Raya Natal" in lines


def test_holidays_refuses_a_bad_year() -> None:
    with pytest.raises(CommandError, match="cannot read the year") as error:
        call("holidays", "20x6")
    assert error.value.returncode == 2


def test_the_script_prints_the_due_time() -> None:
    result = run("due", "2026-05-06T15:30+07:00", "1 jam")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2026-05-07T08:00:00+07:00\n"


@pytest.mark.parametrize(
    "args",
    [
        ("due", "2026-05-06 jam 3", "1 jam"),
        ("due", "2026-05-06T15:30+07:00", "±1"),
        ("due", "2026-05-06T15:30+07:00", "1 jam", "--tz", "Mars/Olympus"),
        ("holidays", "next"),
    ],
)
def test_the_script_reports_bad_input_in_one_line_with_status_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
