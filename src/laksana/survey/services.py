"""Surveys and the agency's questionnaire: who keeps and reads them, the settings (the nine
unsur's order and wording, how requesters are invited), and a survey's life (draft, open,
closed), its follow-up plan (rencana tindak lanjut).

Keepers are the catalogue's keepers of the agency (:func:`laksana.catalog.services.may_keep`)
but never a vendor's staff; readers are the agency's members who are not vendors' staff, the
operator and superusers. Another agency's survey is ``not_found``, like a missing one. Every
write is one transaction; every problem of an input is reported at once, by field.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.catalog import services as catalog_services
from laksana.catalog.models import Application
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person, Unit
from laksana.org.services import own_top_unit
from laksana.procedures.models import ProcedureVersion
from laksana.survey.elements import KEYS, default_elements
from laksana.survey.models import (
    UNSUR_COUNT,
    Answer,
    ServiceKind,
    Survey,
    SurveySettings,
    SurveyStatus,
)

Actor = Person | None
ROBOT_NAME = "Survei Laksana"
MAX_TITLE = 200
MAX_METHOD = 5000
MAX_FOLLOW_UP = 20
MAX_ACTION = 500
MAX_RESPONSIBLE = 200
MAX_NAME = 200
MAX_QUESTION = 1000
MAX_LABEL = 200
# field: (low, high) of the settings' numbers
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "invite_delay_hours": (0, 720),
    "invite_share": (0, 100),
    "invite_expiry_days": (1, 90),
    "public_per_hour": (1, 100),
}
# What may change once a survey is open or closed.
LIVE_FIELDS = frozenset({"title", "method", "population", "public_enabled", "invite_requesters"})


# Permissions ---------------------------------------------------------------------------------


def may_keep(person: Actor, agency_id: int) -> bool:
    """Whether ``person`` keeps the agency's surveys (creates, changes, opens, closes them,
    sets the questionnaire, imports answers): a keeper of the catalogue who is not a vendor's
    staff."""
    if person is not None and person.vendor_id is not None:
        return False
    return catalog_services.may_keep(person, agency_id)


def may_read(person: Actor, survey: Survey) -> bool:
    """Whether ``person`` sees ``survey`` and its results."""
    if person is None or catalog_services.is_superuser(person):
        return True
    return person.vendor_id is None and person.agency_id == survey.agency_id


def visible_surveys(person: Actor) -> QuerySet[Survey]:
    """The surveys ``person`` reads."""
    surveys = Survey.objects.all()
    if person is None or catalog_services.is_superuser(person):
        return surveys
    if person.vendor_id is not None:
        return surveys.none()
    return surveys.filter(agency_id=person.agency_id)


def _not_found() -> ServiceError:
    # The survey a path names, not a field of the input: the screens answer 404 for it.
    return ServiceError("not_found", _("No such survey."))


def get_survey(person: Actor, survey_id: object) -> Survey:
    """The survey, when ``person`` reads it; ``not_found`` otherwise (another agency's too)."""
    if isinstance(survey_id, bool) or not isinstance(survey_id, int | str):
        raise _not_found()
    try:
        survey = Survey.objects.get(pk=int(survey_id))
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None
    if not may_read(person, survey):
        raise _not_found()
    return survey


def _kept(person: Actor, survey_id: object, *, lock: bool = True) -> Survey:
    survey = get_survey(person, survey_id)
    if not may_keep(person, survey.agency_id):
        raise NotAllowed(_("Only the agency's IT unit keeps its surveys."))
    if lock:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
    return survey


def _require_keeper(person: Actor, agency_id: int) -> None:
    if not may_keep(person, agency_id):
        raise NotAllowed(_("Only the agency's IT unit keeps its surveys."))


def _invalid(problems: Mapping[str, str]) -> ServiceError:
    items = [f"{name}: {text}" for name, text in problems.items()]
    return ServiceError(
        "invalid",
        _("Please correct: %(items)s") % {"items": "; ".join(items)},
        field=next(iter(problems)),
        items=items,
    )


def author_of(person: Actor, agency_id: int) -> Person:
    """The person recorded as having made a survey or an import: ``person``, or for the
    operator the agency's survey account (a person without sign-in, made once)."""
    if person is not None:
        return person
    found = (
        Person.objects.filter(agency_id=agency_id, name=ROBOT_NAME, user__isnull=True)
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    unit = own_top_unit(agency_id)
    if unit is None:
        raise ServiceError("invalid", _("The agency has no unit."), field="agency")
    return Person.objects.create(agency_id=agency_id, name=ROBOT_NAME, unit=unit)


# Settings ------------------------------------------------------------------------------------


def settings_of(agency_id: int) -> SurveySettings:
    """The agency's questionnaire and invitation rules (the regulation's, written once, when
    it has none)."""
    found, _created = SurveySettings.objects.get_or_create(
        agency_id=agency_id, defaults={"elements": default_elements()}
    )
    if not found.elements:
        found.elements = default_elements()
    return found


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_elements(raw: object) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The nine unsur from ``raw`` (each key of the regulation exactly once, a name, a
    question, four labels), or the problems by field ``elements`` / ``elements.N.part``."""
    problems: dict[str, str] = {}
    if not isinstance(raw, list | tuple) or len(raw) != UNSUR_COUNT:
        return [], {"elements": _("give the nine unsur, each once")}
    out: list[dict[str, Any]] = []
    seen: list[str] = []
    for index, item in enumerate(raw, start=1):
        where = f"elements.{index}"
        if not isinstance(item, Mapping):
            problems[where] = _("an unsur is key, name, question and four labels")
            continue
        key = _text(item.get("key"))
        name = _text(item.get("name"))
        question = _text(item.get("question"))
        labels = item.get("labels")
        if key not in KEYS:
            problems[f"{where}.key"] = _("%(value)s is not one of: %(allowed)s") % {
                "value": key[:40],
                "allowed": ", ".join(KEYS),
            }
        elif key in seen:
            problems[f"{where}.key"] = _("%(value)s is given twice") % {"value": key}
        seen.append(key)
        if not name or len(name) > MAX_NAME:
            problems[f"{where}.name"] = _("a name of 1 to %(max)s characters is required") % {
                "max": MAX_NAME
            }
        if not question or len(question) > MAX_QUESTION:
            problems[f"{where}.question"] = _(
                "a question of 1 to %(max)s characters is required"
            ) % {"max": MAX_QUESTION}
        if (
            not isinstance(labels, list | tuple)
            or len(labels) != 4
            or any(not _text(label) or len(_text(label)) > MAX_LABEL for label in labels)
        ):
            problems[f"{where}.labels"] = _("four answer labels are required (scores 1 to 4)")
            labels = []
        out.append(
            {
                "key": key,
                "name": name,
                "question": question,
                "labels": [_text(label) for label in labels],
            }
        )
    return out, problems


def _number(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw.strip()) < 10:
        return int(raw.strip())
    return None


def _flag(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "on", "1", 1, "yes"):
        return True
    if raw in ("false", "off", "0", 0, "no", ""):
        return False
    return None


@transaction.atomic
def update_settings(person: Actor, agency_id: int, data: Mapping[str, Any]) -> SurveySettings:
    """Change the agency's questionnaire (``elements``) and invitation rules; only the fields
    given change. Later surveys copy them; existing surveys keep what they asked."""
    _require_keeper(person, agency_id)
    settings_of(agency_id)
    found = SurveySettings.objects.select_for_update().get(agency_id=agency_id)
    problems: dict[str, str] = {}
    if "elements" in data:
        elements, element_problems = check_elements(data["elements"])
        problems.update(element_problems)
        found.elements = elements
    if "invite_requesters" in data:
        flag = _flag(data["invite_requesters"])
        if flag is None:
            problems["invite_requesters"] = _("yes or no")
        else:
            found.invite_requesters = flag
    for name, (low, high) in SETTING_RANGES.items():
        if name not in data:
            continue
        value = _number(data[name])
        if value is None or not low <= value <= high:
            problems[name] = _("a whole number from %(low)s to %(high)s") % {
                "low": low,
                "high": high,
            }
        else:
            setattr(found, name, value)
    if problems:
        raise _invalid(problems)
    found.save()
    return found


# Surveys -------------------------------------------------------------------------------------


def _date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _id(raw: object) -> int | None:
    value = _number(raw)
    return value if value is not None and value > 0 else None


def _check_service(
    agency_id: int, data: Mapping[str, Any], values: dict[str, Any], problems: dict[str, str]
) -> None:
    kind = data.get("service_kind")
    if kind not in ServiceKind.values:
        problems["service_kind"] = _("%(value)s is not one of: %(allowed)s") % {
            "value": str(kind)[:40],
            "allowed": ", ".join(ServiceKind.values),
        }
        return
    values.update(service_kind=kind, procedure_key="", application=None, unit=None, service_name="")
    if kind == ServiceKind.PROCEDURE:
        key = _text(data.get("procedure_key"))
        if not ProcedureVersion.objects.filter(agency_id=agency_id, procedure_key=key).exists():
            problems["procedure_key"] = _("choose a procedure published by the agency")
        else:
            values["procedure_key"] = key
    elif kind == ServiceKind.APPLICATION:
        app_id = _id(data.get("application"))
        application = (
            Application.objects.filter(agency_id=agency_id, pk=app_id).first() if app_id else None
        )
        if application is None:
            problems["application"] = _("choose an application of the agency")
        else:
            values["application"] = application
    else:
        unit_id = _id(data.get("unit"))
        unit = Unit.objects.filter(agency_id=agency_id, pk=unit_id).first() if unit_id else None
        if unit is None:
            problems["unit"] = _("choose a unit of the agency")
        else:
            values["unit"] = unit
        name = _text(data.get("service_name"))
        if not name or len(name) > MAX_NAME:
            problems["service_name"] = _("a service name of 1 to %(max)s characters") % {
                "max": MAX_NAME
            }
        else:
            values["service_name"] = name


def _check_fields(
    data: Mapping[str, Any], names: Sequence[str], values: dict[str, Any], problems: dict[str, str]
) -> None:
    for name in names:
        if name not in data:
            continue
        raw = data[name]
        if name == "title":
            title = _text(raw)
            if not title or len(title) > MAX_TITLE:
                problems["title"] = _("a title of 1 to %(max)s characters is required") % {
                    "max": MAX_TITLE
                }
            else:
                values["title"] = title
        elif name == "method":
            if (raw is not None and not isinstance(raw, str)) or len(_text(raw)) > MAX_METHOD:
                problems["method"] = _("text of at most %(max)s characters") % {"max": MAX_METHOD}
            else:
                values["method"] = _text(raw)
        elif name == "population":
            if raw in (None, ""):
                values["population"] = None
            else:
                population = _number(raw)
                if population is None or not 1 <= population <= 100_000_000:
                    problems["population"] = _("a whole number of people served, at least 1")
                else:
                    values["population"] = population
        elif name in ("public_enabled", "invite_requesters"):
            flag = _flag(raw)
            if flag is None:
                problems[name] = _("yes or no")
            else:
                values[name] = flag
        elif name in ("period_start", "period_end"):
            day = _date(raw)
            if day is None:
                problems[name] = _("a date (YYYY-MM-DD) is required")
            else:
                values[name] = day


def _check_period(values: dict[str, Any], survey: Survey | None, problems: dict[str, str]) -> None:
    start = values.get("period_start", survey.period_start if survey else None)
    end = values.get("period_end", survey.period_end if survey else None)
    if start is not None and end is not None and end < start:
        problems.setdefault("period_end", _("the period ends on or after it starts"))


def _agency_of(person: Actor, data: Mapping[str, Any]) -> int:
    if person is not None and not catalog_services.is_superuser(person):
        return int(person.agency_id)
    agency_id = _id(data.get("agency"))
    if agency_id is None:
        raise ServiceError("invalid", _("choose the agency"), field="agency")
    from laksana.org.models import Agency

    if not Agency.objects.filter(pk=agency_id).exists():
        raise ServiceError("invalid", _("choose the agency"), field="agency")
    return agency_id


@transaction.atomic
def create_survey(
    person: Actor, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> Survey:
    """A draft survey of one service over one period, asking the agency's questionnaire."""
    agency_id = _agency_of(person, data)
    _require_keeper(person, agency_id)
    problems: dict[str, str] = {}
    values: dict[str, Any] = {"public_enabled": False, "invite_requesters": True, "method": ""}
    for required in ("title", "period_start", "period_end"):
        if required not in data:
            problems[required] = _("this field is required")
    _check_service(agency_id, data, values, problems)
    _check_fields(
        data,
        (
            "title",
            "period_start",
            "period_end",
            "population",
            "method",
            "public_enabled",
            "invite_requesters",
        ),
        values,
        problems,
    )
    _check_period(values, None, problems)
    if problems:
        raise _invalid(problems)
    return Survey.objects.create(
        agency_id=agency_id,
        elements=settings_of(agency_id).elements,
        status=SurveyStatus.DRAFT,
        public_code=secrets.token_urlsafe(16),
        created_by=author_of(person, agency_id),
        created_at=now or timezone.now(),
        **values,
    )


@transaction.atomic
def change_survey(
    person: Actor, survey_id: object, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> Survey:
    """Change a survey: everything while a draft; once open or closed only its title,
    method, population, public link and invitations (what was asked and when stays)."""
    survey = _kept(person, survey_id)
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    if survey.status != SurveyStatus.DRAFT:
        fixed = sorted(set(data) - LIVE_FIELDS - {"agency"})
        for name in fixed:
            problems[name] = _("cannot change once the survey is open")
    elif "service_kind" in data:
        _check_service(survey.agency_id, data, values, problems)
    _check_fields(
        data,
        (
            "title",
            "period_start",
            "period_end",
            "population",
            "method",
            "public_enabled",
            "invite_requesters",
        ),
        values,
        problems,
    )
    _check_period(values, survey, problems)
    if problems:
        raise _invalid(problems)
    for name, value in values.items():
        setattr(survey, name, value)
    survey.save()
    return survey


@transaction.atomic
def open_survey(person: Actor, survey_id: object, *, now: dt.datetime | None = None) -> Survey:
    """Open a draft or closed survey to answers (within its period)."""
    survey = _kept(person, survey_id)
    if survey.status == SurveyStatus.OPEN:
        raise ServiceError("invalid", _("The survey is already open."), field="status")
    survey.status = SurveyStatus.OPEN
    survey.closed_at = None
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def close_survey(person: Actor, survey_id: object, *, now: dt.datetime | None = None) -> Survey:
    """Close an open survey: it takes no more answers."""
    survey = _kept(person, survey_id)
    if survey.status != SurveyStatus.OPEN:
        raise ServiceError("invalid", _("Only an open survey is closed."), field="status")
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def set_follow_up(person: Actor, survey_id: object, rows: Sequence[Mapping[str, Any]]) -> Survey:
    """Replace the survey's follow-up plan (rencana tindak lanjut): up to 20 rows of
    ``unsur`` (an element key of the survey), ``action``, ``due`` (a date) and
    ``responsible``."""
    survey = _kept(person, survey_id)
    if not isinstance(rows, list | tuple) or len(rows) > MAX_FOLLOW_UP:
        raise ServiceError(
            "invalid",
            _("At most %(max)s rows of follow-up.") % {"max": MAX_FOLLOW_UP},
            field="follow_up",
        )
    keys = [str(element.get("key")) for element in survey.elements or default_elements()]
    problems: dict[str, str] = {}
    plan: list[dict[str, str]] = []
    for index, row in enumerate(rows, start=1):
        where = f"follow_up.{index}"
        if not isinstance(row, Mapping):
            problems[where] = _("a row is unsur, action, due date and responsible")
            continue
        unsur = _text(row.get("unsur"))
        action = _text(row.get("action"))
        due = _date(row.get("due"))
        responsible = _text(row.get("responsible"))
        if unsur not in keys:
            problems[f"{where}.unsur"] = _("%(value)s is not one of: %(allowed)s") % {
                "value": unsur[:40],
                "allowed": ", ".join(keys),
            }
        if not action or len(action) > MAX_ACTION:
            problems[f"{where}.action"] = _("an action of 1 to %(max)s characters") % {
                "max": MAX_ACTION
            }
        if due is None:
            problems[f"{where}.due"] = _("a date (YYYY-MM-DD) is required")
        if len(responsible) > MAX_RESPONSIBLE or (
            row.get("responsible") is not None and not isinstance(row.get("responsible"), str)
        ):
            problems[f"{where}.responsible"] = _("text of at most %(max)s characters") % {
                "max": MAX_RESPONSIBLE
            }
        plan.append(
            {
                "unsur": unsur,
                "action": action,
                "due": due.isoformat() if due else "",
                "responsible": responsible,
            }
        )
    if problems:
        raise _invalid(problems)
    survey.follow_up = plan
    survey.save(update_fields=["follow_up"])
    return survey


@transaction.atomic
def delete_survey(person: Actor, survey_id: object) -> None:
    """Delete a draft survey that has no answers."""
    survey = _kept(person, survey_id)
    if survey.status != SurveyStatus.DRAFT or Answer.objects.filter(survey_id=survey.pk).exists():
        raise ServiceError(
            "invalid", _("Only a draft survey without answers is deleted."), field="status"
        )
    survey.delete()


def service_label(survey: Survey) -> str:
    """What the survey asks about, for people: "Prosedur: <title>", the application's name,
    or the unit and the service."""
    if survey.service_kind == ServiceKind.PROCEDURE:
        title = (
            ProcedureVersion.objects.filter(
                agency_id=survey.agency_id, procedure_key=survey.procedure_key
            )
            .order_by("-number")
            .values_list("title", flat=True)
            .first()
        )
        return _("Procedure: %(name)s") % {"name": title or survey.procedure_key}
    if survey.service_kind == ServiceKind.APPLICATION and survey.application_id is not None:
        application = Application.objects.filter(pk=survey.application_id).first()
        return application.name if application else ""
    unit = Unit.objects.filter(pk=survey.unit_id).first() if survey.unit_id else None
    return f"{unit.name}: {survey.service_name}" if unit else survey.service_name
