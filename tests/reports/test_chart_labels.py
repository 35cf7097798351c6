"""The compliance charts' labels are never cut (issue 16, item 13: "±60 Ha"): every text,
measured with the font the charts name (DejaVu Sans), lies inside the picture, and a row's
label ends before its bar starts."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import translation

from laksana.engine.timetext import parse_time
from laksana.reports import charts
from laksana.reports.compliance import WORKING_DAY_MINUTES, StepStats

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SVG = "{http://www.w3.org/2000/svg}"
SIZE = 12  # the charts' font size

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")


def measure(text: str) -> float:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), SIZE).getlength(text)


def step(number: str, standard: str, minutes: list[float], allowed: float, **kw) -> StepStats:
    stats = StepStats(f"s{number}", number, "Kegiatan", parse_time(standard))
    for key, value in kw.items():
        setattr(stats, key, value)
    stats.actual = sorted(minutes)
    stats.allowed = [allowed] * len(minutes)
    stats.within = sum(1 for m in minutes if m <= allowed)
    return stats


def long_steps() -> list[StepStats]:
    day = WORKING_DAY_MINUTES
    return [
        step("12", "±60 Hari kerja", [61 * day + 95, 70 * day + 200], 60 * day),
        step("3", "±1-2 Jam", [30, 60], 120),
        step("13", "±2 minggu", [15 * day + 301], 14 * day, versions=[1, 2], split=True),
        StepStats("s14", "14", "Tanpa standar", None, actual=[1234.0]),
    ]


def texts(svg: str) -> tuple[float, list[tuple[float, str, str]], float]:
    root = ElementTree.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    found = [
        (float(t.get("x")), t.get("text-anchor") or "start", t.text or "")
        for t in root.iter(f"{SVG}text")
    ]
    bars = min(float(r.get("x")) for r in root.iter(f"{SVG}rect"))
    return width, found, bars


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("chart", [charts.time_chart, charts.share_chart])
def test_no_text_runs_out_of_the_picture_or_into_the_bars(language, chart):
    with translation.override(language):
        svg = str(chart(long_steps()))
    width, found, bars = texts(svg)
    assert any("±60 Hari kerja" in t for _x, _a, t in found) or chart is charts.share_chart
    for x, anchor, text in found:
        w = measure(text)
        left, right = (x - w / 2, x + w / 2) if anchor == "middle" else (x, x + w)
        assert left >= 0 and right <= width, f"{text!r} from {left:.0f} to {right:.0f} of {width}"
        if x == 0:  # a row's label
            assert right <= bars, f"{text!r} ends at {right:.0f}, the bars start at {bars}"


def test_a_split_step_names_its_versions_in_its_label():
    svg = str(charts.time_chart(long_steps()))
    assert "v1,2" in svg


@pytest.mark.parametrize(
    "text", ["±60 Hari kerja", "Langkah 12 · v1,2", "3 hari kerja 2 j / ±1-2 Jam", "MWmw%±@"]
)
def test_the_width_estimate_is_never_short(text):
    assert charts.text_width(text) >= measure(text)
