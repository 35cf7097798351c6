"""The survey part of the API (SKM, PermenPANRB No. 14/2017): surveys (list a page at a time,
read, draft, change, open, close, delete a draft), a survey's index (IKM) with its sample, its
follow-up plan, its anonymous answers, imports of past answers from CSV or XLSX, and the
agency's questionnaire and invitation rules.

Reads show the surveys the caller may read (:func:`laksana.survey.services.visible_surveys`:
the agency's members who are not vendors' staff); another agency's survey is answered exactly
like a missing one (404). Every rule is in the services; the API maps their refusals: not
allowed 403, input they refuse 422 naming the field (a spreadsheet's problems listed by row and
column), the others 400. Answers are listed with their scores, profile, day and channel only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from laksana.api import cursor
from laksana.api.auth import acting_person, visible_to_caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import PathId
from laksana.errors import ServiceError
from laksana.survey.elements import default_elements
from laksana.survey.models import Answer, ImportBatch, Survey, SurveySettings
from laksana.survey.schemas import (
    AnswerFilters,
    AnswerOut,
    AnswerPage,
    ElementIndexOut,
    ElementOut,
    FollowUpIn,
    FollowUpRow,
    GradeOut,
    ImportOut,
    IndexFilters,
    IndexOut,
    SampleOut,
    SettingsIn,
    SettingsOut,
    SurveyChangeIn,
    SurveyFilters,
    SurveyIn,
    SurveyOut,
    SurveyPage,
)

router = Router(tags=["survey"])

T = TypeVar("T")
# The services' codes for input they refuse (answered 422 naming the field).
INPUT_CODES = frozenset({"invalid", "required", "too_long", "too_many", "invalid_answer"})
# A spreadsheet refused: 422 with the service's own code (the problems by row and column).
FILE_CODES = frozenset({"invalid_file", "old_format"})
FOUR_PLACES = Decimal("0.0001")
# A change's fields a ``null`` clears (the others: ``null`` leaves the field as it is).
CLEARABLE = frozenset({"population"})


# Helpers -------------------------------------------------------------------------------------


def call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 naming the field (the other refusals keep
    their status: not allowed 403, not found 404, else 400)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code in INPUT_CODES:
            raise ApiError(422, "invalid", exc.message, exc.field, exc.items) from exc
        if exc.code in FILE_CODES:
            raise ApiError(422, exc.code, exc.message, exc.field or "file", exc.items) from exc
        raise


def visible(request: HttpRequest) -> QuerySet[Survey]:
    """The surveys the caller may read (every survey for the superuser without a person)."""
    from laksana.survey import services

    return visible_to_caller(request, Survey, services.visible_surveys)


def survey_of(request: HttpRequest, survey_id: int) -> Survey:
    found = visible(request).filter(pk=survey_id).first()
    if found is None:
        raise not_found()
    return found


def _with_counts(qs: QuerySet[Survey]) -> QuerySet[Survey]:
    return qs.select_related("application", "unit").annotate(answer_count=Count("answers"))


def _survey_out(s: Survey) -> SurveyOut:
    from laksana.survey import services

    count = getattr(s, "answer_count", None)
    return SurveyOut(
        id=s.pk,
        agency_id=s.agency_id,
        title=s.title,
        service_kind=s.service_kind,  # type: ignore[arg-type]
        service=str(services.service_label(s)),
        procedure_key=s.procedure_key,
        application_id=s.application_id,
        unit_id=s.unit_id,
        service_name=s.service_name,
        period_start=s.period_start,
        period_end=s.period_end,
        population=s.population,
        method=s.method,
        status=s.status,  # type: ignore[arg-type]
        public_enabled=s.public_enabled,
        public_link=f"/survei/isi/{s.public_code}/" if s.public_enabled else None,
        invite_requesters=s.invite_requesters,
        elements=[_element_out(e) for e in s.elements or []],
        follow_up=[
            FollowUpRow(
                unsur=str(r.get("unsur", "")),
                action=str(r.get("action", "")),
                due=r.get("due"),
                responsible=str(r.get("responsible", "")),
            )
            for r in s.follow_up or []
        ],
        answers=count if count is not None else s.answers.count(),
        created_at=s.created_at,
        closed_at=s.closed_at,
    )


def _element_out(e: Mapping[str, Any]) -> ElementOut:
    return ElementOut(
        key=str(e.get("key", "")),
        name=str(e.get("name", "")),
        question=str(e.get("question", "")),
        labels=[str(label) for label in e.get("labels") or []],
    )


def _fresh(pk: int) -> SurveyOut:
    return _survey_out(_with_counts(Survey.objects.filter(pk=pk)).get())


def _values(payload: SurveyIn | SurveyChangeIn) -> dict[str, Any]:
    """The service's data: the fields sent, dates as ISO text; a ``null`` that clears
    nothing is left out."""
    data: dict[str, Any] = {}
    for name, value in payload.dict(exclude_unset=True).items():
        if value is None and name not in CLEARABLE:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


# Surveys -------------------------------------------------------------------------------------


@router.get("/surveys", response={200: SurveyPage, **responses(422)})
def list_surveys(request: HttpRequest, filters: Query[SurveyFilters]) -> SurveyPage:
    """The surveys the caller may read, newest first, a page at a time."""
    found = visible(request)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.service_kind is not None:
        found = found.filter(service_kind=filters.service_kind)
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(_with_counts(found).order_by("-created_at", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return SurveyPage(
        items=[_survey_out(s) for s in page],
        next=cursor.encode(page[-1].created_at, page[-1].pk) if more else None,
    )


@router.post("/surveys", response={201: SurveyOut, **responses(400, 403, 404, 422)})
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status[SurveyOut]:
    """Draft a survey of a service of the caller's agency (its keepers)."""
    from laksana.survey import services

    person = acting_person(request)
    made = call(lambda: services.create_survey(person, _values(payload)))
    return Status(201, _fresh(made.pk))


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **responses(404, 422)})
def get_survey(request: HttpRequest, survey_id: PathId) -> SurveyOut:
    """One survey with its questionnaire and follow-up plan."""
    return _fresh(survey_of(request, survey_id).pk)


@router.patch("/surveys/{survey_id}", response={200: SurveyOut, **responses(400, 403, 404, 422)})
def change_survey(request: HttpRequest, survey_id: PathId, payload: SurveyChangeIn) -> SurveyOut:
    """Change a survey's fields; the others stay as they are."""
    from laksana.survey import services

    person = acting_person(request)
    found = survey_of(request, survey_id)
    call(lambda: services.change_survey(person, found.pk, _values(payload)))
    return _fresh(found.pk)


@router.delete("/surveys/{survey_id}", response={204: None, **responses(400, 403, 404, 422)})
def delete_survey(request: HttpRequest, survey_id: PathId) -> Status[None]:
    """Delete a draft survey that has no answers."""
    from laksana.survey import services

    person = acting_person(request)
    found = survey_of(request, survey_id)
    call(lambda: services.delete_survey(person, found.pk))
    return Status(204, None)


@router.post(
    "/surveys/{survey_id}/open", response={200: SurveyOut, **responses(400, 403, 404, 422)}
)
def open_survey(request: HttpRequest, survey_id: PathId) -> SurveyOut:
    """Open the survey: it takes answers (public link, invitations) within its period."""
    from laksana.survey import services

    person = acting_person(request)
    found = survey_of(request, survey_id)
    call(lambda: services.open_survey(person, found.pk))
    return _fresh(found.pk)


@router.post(
    "/surveys/{survey_id}/close", response={200: SurveyOut, **responses(400, 403, 404, 422)}
)
def close_survey(request: HttpRequest, survey_id: PathId) -> SurveyOut:
    """Close the survey: it takes no more answers."""
    from laksana.survey import services

    person = acting_person(request)
    found = survey_of(request, survey_id)
    call(lambda: services.close_survey(person, found.pk))
    return _fresh(found.pk)


@router.put(
    "/surveys/{survey_id}/follow-up", response={200: SurveyOut, **responses(400, 403, 404, 422)}
)
def set_follow_up(request: HttpRequest, survey_id: PathId, payload: FollowUpIn) -> SurveyOut:
    """Replace the follow-up plan (rencana tindak lanjut) with the rows given."""
    from laksana.survey import services

    person = acting_person(request)
    found = survey_of(request, survey_id)
    rows = [{**r.dict(), "due": r.due.isoformat()} for r in payload.rows]
    try:
        call(lambda: services.set_follow_up(person, found.pk, rows))
    except ApiError as exc:
        # The service counts rows from 1 under ``follow_up``; the body's are ``rows`` from 0.
        exc.field = _row_field(exc.field)
        exc.items = tuple(_row_field(i) or "" for i in exc.items)
        raise
    return _fresh(found.pk)


def _row_field(text: str | None) -> str | None:
    """``follow_up.2.action`` (the service's) as ``rows.1.action`` (the body's)."""
    if text is None or not text.startswith("follow_up."):
        return text
    head, _dot, rest = text[len("follow_up.") :].partition(".")
    if not head.isdigit():
        return "rows" + text[len("follow_up") :]
    return f"rows.{int(head) - 1}" + (f".{rest}" if rest or _dot else "")


# The index -----------------------------------------------------------------------------------


def exact(value: Fraction | Decimal) -> str:
    """A figure to four decimals, rounded half up from its exact value."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP))


def _grade(g: Any) -> GradeOut:
    return GradeOut(letter=g.letter, label=g.label)


@router.get("/surveys/{survey_id}/index", response={200: IndexOut, **responses(404, 422)})
def survey_index(request: HttpRequest, survey_id: PathId, filters: Query[IndexFilters]) -> IndexOut:
    """The survey's IKM computed now from its answers (optionally of some days only): per
    unsur the NRR, its converted value and grade; the index exactly and with the weight
    0,111; the grade; the three weakest unsur; the respondents against the minimum sample."""
    from laksana.survey import index

    found = survey_of(request, survey_id)
    if filters.start and filters.end and filters.end < filters.start:
        raise ApiError(422, "invalid", _("The end must not be before the start."), "end")
    result = index.of_survey(found, start=filters.start, end=filters.end)
    respondents = result.respondents if result is not None else 0
    s = index.sample(found, respondents)
    sample = SampleOut(
        population=s.population, minimum=s.minimum, respondents=s.respondents, enough=s.enough
    )
    if result is None:
        return IndexOut(
            respondents=0,
            elements=[],
            ikm=None,
            ikm_shown=index.shown(None),
            converted=None,
            converted_shown=index.shown(None),
            grade=None,
            ikm_0111=None,
            ikm_0111_shown=index.shown(None),
            converted_0111=None,
            converted_0111_shown=index.shown(None),
            weakest=[],
            sample=sample,
        )
    return IndexOut(
        respondents=result.respondents,
        elements=[
            ElementIndexOut(
                position=e.position,
                key=e.key,
                name=e.name,
                total=e.total,
                nrr=exact(e.nrr),
                nrr_shown=index.shown(e.nrr),
                converted=exact(e.converted),
                converted_shown=index.shown(e.converted),
                grade=_grade(e.grade),
            )
            for e in result.elements
        ],
        ikm=exact(result.ikm),
        ikm_shown=index.shown(result.ikm),
        converted=exact(result.converted),
        converted_shown=index.shown(result.converted),
        grade=_grade(result.grade),
        ikm_0111=exact(result.ikm_0111),
        ikm_0111_shown=index.shown(result.ikm_0111),
        converted_0111=exact(result.converted_0111),
        converted_0111_shown=index.shown(result.converted_0111),
        weakest=[e.key for e in result.weakest],
        sample=sample,
    )


# Answers and imports -------------------------------------------------------------------------

# An order that says nothing of when an answer was given within its day (not by id).
ANSWER_ORDER = (
    "submitted_on",
    "channel",
    *(f"u{i}" for i in range(1, 10)),
    "age",
    "sex",
    "education",
    "occupation",
    "suggestion",
)


@router.get("/surveys/{survey_id}/answers", response={200: AnswerPage, **responses(404, 422)})
def list_answers(
    request: HttpRequest, survey_id: PathId, filters: Query[AnswerFilters]
) -> AnswerPage:
    """The survey's answers a page at a time: day, channel, scores, profile, suggestion
    (nothing that tells who gave them or when within the day)."""
    found = survey_of(request, survey_id)
    answers = Answer.objects.filter(survey=found)
    total = answers.count()
    start = (filters.page - 1) * filters.limit
    rows = list(
        answers.order_by(*ANSWER_ORDER).values(*ANSWER_ORDER)[start : start + filters.limit]
    )
    return AnswerPage(
        items=[
            AnswerOut(
                submitted_on=r["submitted_on"],
                channel=r["channel"],
                scores=[r[f"u{i}"] for i in range(1, 10)],
                age=r["age"],
                sex=r["sex"],
                education=r["education"],
                occupation=r["occupation"],
                suggestion=r["suggestion"],
            )
            for r in rows
        ],
        total=total,
        next=filters.page + 1 if start + filters.limit < total else None,
    )


def _import_out(b: ImportBatch) -> ImportOut:
    return ImportOut(id=b.pk, file_name=b.file_name, rows=b.rows, by=b.by.name, at=b.at)


@router.get("/surveys/{survey_id}/imports", response={200: list[ImportOut], **responses(404, 422)})
def list_imports(request: HttpRequest, survey_id: PathId) -> list[ImportOut]:
    """The spreadsheets imported into the survey, newest first."""
    found = survey_of(request, survey_id)
    batches = ImportBatch.objects.filter(survey=found).select_related("by")
    return [_import_out(b) for b in batches.order_by("-at", "-pk")]


def _upload(file: UploadedFile) -> bytes:
    limit = int(settings.LAKSANA_MAX_UPLOAD_BYTES)
    if file.size is not None and file.size > limit:
        raise ApiError(
            422,
            "invalid_file",
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": limit // (1024 * 1024)},
            field="file",
        )
    data: bytes = file.read(limit + 1)
    return data


@router.post(
    "/surveys/{survey_id}/imports",
    response={201: ImportOut, **responses(400, 403, 404, 422)},
)
def import_answers(
    request: HttpRequest,
    survey_id: PathId,
    file: File[UploadedFile],
    submitted_on: Form[str] = "",
) -> Status[ImportOut]:
    """Import past answers from a CSV or XLSX file (one row per respondent, columns U1 .. U9
    with scores 1 to 4, optional profile columns): all rows or none, dated ``submitted_on``
    (default: the survey's last day). A bad value is refused naming its row and column."""
    import datetime as dt

    person = acting_person(request)
    found = survey_of(request, survey_id)
    day: dt.date | None = None
    if submitted_on.strip():
        try:
            day = dt.date.fromisoformat(submitted_on.strip())
        except ValueError:
            raise ApiError(
                422,
                "invalid",
                _("Give the date as YYYY-MM-DD."),
                "submitted_on",
                [f"submitted_on: {_('Give the date as YYYY-MM-DD.')}"],
            ) from None
    data = _upload(file)
    name = str(file.name or "")[:255]
    from laksana.survey import imports

    batch = call(lambda: imports.import_answers(person, found.pk, data, name, submitted_on=day))
    return Status(201, _import_out(ImportBatch.objects.select_related("by").get(pk=batch.pk)))


# Settings ------------------------------------------------------------------------------------


def _settings_agency(request: HttpRequest) -> int:
    """The agency whose settings the caller reads: their own; a vendor's staff (and an
    account without a person) may not."""
    person = acting_person(request)
    if person.vendor_id is not None:
        raise ApiError(403, "not_allowed", _("Vendors' staff do not manage surveys."))
    return int(person.agency_id)


def _stored_settings(agency_id: int) -> SurveySettings:
    """The agency's settings as stored, or (none stored yet) the defaults, unsaved: a read
    writes nothing."""
    found = SurveySettings.objects.filter(agency_id=agency_id).first()
    return found or SurveySettings(agency_id=agency_id, elements=default_elements())


def _settings_out(s: Any) -> SettingsOut:
    return SettingsOut(
        agency_id=s.agency_id,
        elements=[_element_out(e) for e in s.elements or []],
        invite_requesters=s.invite_requesters,
        invite_delay_hours=s.invite_delay_hours,
        invite_share=s.invite_share,
        invite_expiry_days=s.invite_expiry_days,
        public_per_hour=s.public_per_hour,
    )


@router.get("/survey-settings", response={200: SettingsOut, **responses(403, 422)})
def get_settings(request: HttpRequest) -> SettingsOut:
    """The caller's agency's questionnaire and invitation rules."""
    return _settings_out(_stored_settings(_settings_agency(request)))


@router.put("/survey-settings", response={200: SettingsOut, **responses(400, 403, 422)})
def put_settings(request: HttpRequest, payload: SettingsIn) -> SettingsOut:
    """Change the agency's questionnaire (order and wording of the nine unsur) and invitation
    rules (its catalogue keepers); a field left out stays as it is."""
    from laksana.survey import services

    person = acting_person(request)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    changed = call(lambda: services.update_settings(person, int(person.agency_id), data))
    return _settings_out(changed)
