"""The maintenance API's occurrences: the dates the activities of the caller's plans fall
due (list by due day, read), recording what was done (JSON, or a form with its documentation
files), marking one not done, and downloading its files. Mounted on
:data:`laksana.maintenance.api.router`; the same rules (404 for what the caller may not read,
the services' refusals mapped by :func:`laksana.maintenance.api.call`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from laksana.api import cursor, files
from laksana.api.auth import acting_person
from laksana.api.errors import file_missing, not_found, responses
from laksana.api.types import PathId
from laksana.maintenance.api import call, visible
from laksana.maintenance.models import Occurrence, OccurrenceFile, OccurrenceStatus
from laksana.maintenance.schemas import (
    FileOut,
    NotDoneIn,
    OccurrenceFilters,
    OccurrenceOut,
    OccurrencePage,
    RecordFilesIn,
    RecordIn,
)

logger = logging.getLogger(__name__)
router = Router(tags=["maintenance"])


def _occurrence(request: HttpRequest, occurrence_id: int) -> Occurrence:
    found = (
        Occurrence.objects.filter(pk=occurrence_id, plan__in=visible(request))
        .select_related("activity", "done_by")
        .prefetch_related("files__uploaded_by")
        .first()
    )
    if found is None:
        raise not_found()
    return found


# Occurrences ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _is_late(o: Occurrence, today: dt.date) -> bool:
    from laksana.maintenance import schedule

    return bool(schedule.is_late(o, today))


def _occurrence_out(o: Occurrence, today: dt.date) -> OccurrenceOut:
    return OccurrenceOut(
        id=o.pk,
        plan_id=o.plan_id,
        activity_id=o.activity_id,
        activity=o.activity.title,
        kind=o.activity.kind,  # type: ignore[arg-type]
        executor=o.activity.executor,  # type: ignore[arg-type]
        documentation=o.activity.documentation,
        cycle_number=o.cycle_number,
        scheduled_on=o.scheduled_on,
        due_on=o.due_on,
        status=o.status,  # type: ignore[arg-type]
        late=_is_late(o, today),
        opened_at=o.opened_at,
        done_at=o.done_at,
        done_by=o.done_by.name if o.done_by is not None else None,
        report=o.report,
        cost=o.cost,
        files=[
            FileOut(
                id=f.pk,
                name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                uploaded_by=f.uploaded_by.name,
                uploaded_at=f.uploaded_at,
                url=reverse("api:maintenance_file", args=[o.pk, f.pk]),
            )
            for f in o.files.all()
        ],
    )


def _month(text: str) -> tuple[dt.date, dt.date]:
    year, month = (int(part) for part in text.split("-"))
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following


@router.get("/maintenance/occurrences", response={200: OccurrencePage, **responses(422)})
def list_occurrences(request: HttpRequest, filters: Query[OccurrenceFilters]) -> OccurrencePage:
    """The dates the activities of the caller's plans fall due, by due day, a page at a
    time. ``late``: not done (nor marked not done) by its due day."""
    found = Occurrence.objects.filter(plan__in=visible(request))
    today = _today()
    if filters.plan is not None:
        found = found.filter(plan_id=filters.plan)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.late is not None:
        late = Q(due_on__lt=today) & ~Q(
            status__in=[OccurrenceStatus.DONE, OccurrenceStatus.SKIPPED]
        )
        found = found.filter(late if filters.late else ~late)
    if filters.month:
        first, following = _month(filters.month)
        found = found.filter(due_on__gte=first, due_on__lt=following)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        due = at.date()
        found = found.filter(Q(due_on__gt=due) | Q(due_on=due, pk__gt=pk))
    page = list(
        found.select_related("activity", "done_by")
        .prefetch_related("files__uploaded_by")
        .order_by("due_on", "pk")[: filters.limit + 1]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    last = page[-1] if page else None
    return OccurrencePage(
        items=[_occurrence_out(o, today) for o in page],
        next=cursor.encode(dt.datetime.combine(last.due_on, dt.time(), dt.UTC), last.pk)
        if more and last is not None
        else None,
    )


@router.get(
    "/maintenance/occurrences/{occurrence_id}",
    response={200: OccurrenceOut, **responses(404, 422)},
)
def get_occurrence(request: HttpRequest, occurrence_id: PathId) -> OccurrenceOut:
    """One occurrence with what was done and its files."""
    return _occurrence_out(_occurrence(request, occurrence_id), _today())


@router.post(
    "/maintenance/occurrences/{occurrence_id}/record",
    response={200: OccurrenceOut, **responses(400, 403, 404, 409, 422)},
)
def record_occurrence(
    request: HttpRequest, occurrence_id: PathId, payload: RecordIn
) -> OccurrenceOut:
    """Record what was done (its executor: the contract's vendor staff for a vendor activity,
    the catalogue keepers). A recorded occurrence is not recorded again."""
    from laksana.maintenance import activities

    person = acting_person(request)
    found = _occurrence(request, occurrence_id)
    call(
        lambda: activities.record(
            person, found.pk, report=payload.report, cost=payload.cost, done_on=payload.done_on
        )
    )
    return _occurrence_out(_occurrence(request, found.pk), _today())


@router.post(
    "/maintenance/occurrences/{occurrence_id}/files",
    response={200: OccurrenceOut, **responses(400, 403, 404, 409, 422)},
)
def record_occurrence_with_files(
    request: HttpRequest,
    occurrence_id: PathId,
    payload: Form[RecordFilesIn],
    files: File[list[UploadedFile]],
) -> OccurrenceOut:
    """Record what was done with its documentation files (a report, a screenshot, a PDF;
    multipart, each checked as a case's attachment is). A recorded occurrence is not recorded
    again: its report and files are never replaced."""
    from laksana.maintenance import activities

    person = acting_person(request)
    found = _occurrence(request, occurrence_id)
    call(
        lambda: activities.record(
            person,
            found.pk,
            report=payload.report,
            cost=payload.cost,
            files=files,
            done_on=payload.done_on,
        )
    )
    return _occurrence_out(_occurrence(request, found.pk), _today())


@router.get(
    "/maintenance/occurrences/{occurrence_id}/files/{file_id}",
    response=responses(404, 422),
    url_name="maintenance_file",
    openapi_extra=files.download("The file, with the type judged from its content."),
)
def download_occurrence_file(
    request: HttpRequest, occurrence_id: PathId, file_id: PathId
) -> FileResponse:
    """Download a documentation file of an occurrence the caller may see."""
    found = OccurrenceFile.objects.filter(
        pk=file_id, occurrence=_occurrence(request, occurrence_id)
    ).first()
    if found is None:
        raise not_found()
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        logger.error("The file of occurrence file %s is missing from the file store", found.pk)
        raise file_missing() from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/maintenance/occurrences/{occurrence_id}/not-done",
    response={200: OccurrenceOut, **responses(400, 403, 404, 409, 422)},
)
def mark_not_done(request: HttpRequest, occurrence_id: PathId, payload: NotDoneIn) -> OccurrenceOut:
    """Mark an occurrence not done, with the reason."""
    from laksana.maintenance import activities

    person = acting_person(request)
    found = _occurrence(request, occurrence_id)
    call(lambda: activities.mark_not_done(person, found.pk, payload.reason))
    return _occurrence_out(_occurrence(request, found.pk), _today())
