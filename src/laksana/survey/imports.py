"""Past answers imported into a survey from a spreadsheet (:mod:`laksana.survey.spreadsheet`):
all rows or none, in one transaction, each answer dated the day given (by default the last
day of the survey's period) and marked as imported, with the import recorded
(:class:`~laksana.survey.models.ImportBatch`: the file's name, how many rows, who, when)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.survey import services, spreadsheet
from laksana.survey.models import Answer, Channel, ImportBatch, Survey

MAX_FILE_NAME = 255
BATCH_SIZE = 2000


@transaction.atomic
def import_answers(
    person: Person | None,
    survey_id: object,
    data: bytes,
    file_name: str,
    *,
    submitted_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImportBatch:
    """Import every answer of the spreadsheet ``data`` into the survey, dated ``submitted_on``
    (within the survey's period; by default its last day); nothing when any row has a
    problem (ServiceError listing them by row and column)."""
    survey = services.get_survey(person, survey_id)
    if not services.may_keep(person, survey.agency_id):
        raise NotAllowed(_("Only the agency's IT unit keeps its surveys."))
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    day = survey.period_end if submitted_on is None else submitted_on
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ServiceError("invalid", _("a date (YYYY-MM-DD) is required"), field="submitted_on")
    if not survey.period_start <= day <= survey.period_end:
        raise ServiceError(
            "invalid",
            _("The date must be within the survey's period, %(start)s to %(end)s.")
            % {"start": survey.period_start.isoformat(), "end": survey.period_end.isoformat()},
            field="submitted_on",
        )
    rows = spreadsheet.read(data, file_name)
    batch = ImportBatch.objects.create(
        survey=survey,
        file_name=(file_name or "-")[:MAX_FILE_NAME],
        rows=len(rows),
        by=services.author_of(person, survey.agency_id),
        at=now or timezone.now(),
    )
    Answer.objects.bulk_create(
        (
            Answer(survey=survey, submitted_on=day, channel=Channel.IMPORT, batch=batch, **values)
            for values in rows
        ),
        batch_size=BATCH_SIZE,
    )
    return batch
