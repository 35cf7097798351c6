"""The report screens and downloads: who may open them, what they show, the XLSX and PDF."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from .conftest import JUNE

pytestmark = pytest.mark.django_db

URLS = ("reports:compliance", "reports:compliance_xlsx", "reports:compliance_pdf")


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def signed_in(client, person_or_user):
    user = getattr(person_or_user, "user", person_or_user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", [*URLS, "reports:overdue"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [*URLS, "reports:overdue"])
@pytest.mark.parametrize("login", ["bkd", "dinkes_staf"])
def test_a_requester_cannot_open_the_reports(client, steps, bali, name, login):
    # A requesting unit's people follow their own cases on the case pages; the reports
    # cover the agency's work and would show them other units' cases.
    response = signed_in(client, bali[login]).get(reverse(name), JUNE)
    assert response.status_code == 403


def test_a_vendor_cannot_open_the_reports(client, djki):
    response = signed_in(client, djki["ipasdev"]).get(reverse("reports:compliance"))
    assert response.status_code == 403


def test_the_navigation_shows_the_reports_only_to_those_who_may_open_them(client, bali):
    link = f'href="{reverse("reports:compliance")}"'
    assert link in signed_in(client, bali["kabid"]).get(reverse("cases:list")).content.decode()
    client.logout()
    assert link not in signed_in(client, bali["bkd"]).get(reverse("cases:list")).content.decode()


def test_staff_see_the_report_with_its_charts_and_links(en, steps, bali):
    response = signed_in(en, bali["kabid"]).get(reverse("reports:compliance"), JUNE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Penanganan Masalah Aplikasi" in page
    assert page.count("<svg") >= 2 and "<script" not in page.split("<main")[1]
    assert "1 h 45 min" in page  # the median of step 2 (105 minutes)
    assert "83%" in page  # 5 of 6 within the standard
    slowest = steps.cases["dinkes180"].reference
    assert f'href="{reverse("cases:detail", args=[slowest])}"' in page
    [block] = response.context["blocks"]
    assert block["procedure"].count == 7


def test_the_filters_narrow_the_report(en, steps, bali):
    client = signed_in(en, bali["kabid"])
    response = client.get(reverse("reports:compliance"), {**JUNE, "unit": bali.units["bkd"].pk})
    [procedure] = response.context["report"].procedures
    assert procedure.count == 1
    response = client.get(reverse("reports:compliance"), {"from": "2026-07-01", "to": "2026-07-31"})
    [procedure] = response.context["report"].procedures
    assert [s.actual for s in procedure.steps] == [[pytest.approx(600)]]


def test_an_unreadable_date_is_named_and_the_default_period_used(en, steps, bali):
    response = signed_in(en, bali["kabid"]).get(
        reverse("reports:compliance"), {"from": "kemarin", "to": "2026-06-30"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"from": "Write the date as YYYY-MM-DD."}


def test_the_xlsx_holds_a_row_per_step_and_the_slowest_cases(en, steps, bali):
    response = signed_in(en, bali["kabid"]).get(reverse("reports:compliance_xlsx"), JUNE)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="kepatuhan-2026-06-01-2026-06-30.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r and r[0] == "Procedure"))
    data = rows[header + 1 :]
    assert [(r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8]) for r in data] == [
        ("Penanganan Masalah Aplikasi", "2", "±1-2 Jam", 120, 6, 105, 150, 5),
        ("Penanganan Masalah Aplikasi", "3", "±1 jam", 60, 1, 45, 45, 1),
    ]
    assert data[0][9] == pytest.approx(5 / 6)
    slow = list(book.worksheets[1].iter_rows(values_only=True))
    assert slow[1][1] == steps.cases["dinkes180"].reference
    assert slow[1][4:6] == (180, 120)


def test_the_pdf_is_a4_with_the_procedure_and_its_figures(en, steps, bali):
    response = signed_in(en, bali["kabid"]).get(reverse("reports:compliance_pdf"), JUNE)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Penanganan Masalah Aplikasi" in text
    assert "1 h 45 min" in text
    assert steps.cases["dinkes180"].reference in text
