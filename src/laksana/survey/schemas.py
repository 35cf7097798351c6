"""The survey API's inputs and answers (:mod:`laksana.survey.api`).

Figures of the index are decimal strings: ``nrr``, ``converted``, ``ikm`` exact to four
decimals (rounded half up from the exact fraction) and ``*_shown`` as the screens and the
report show them (two decimals). An answer is shown with its scores, profile, day and channel
only: no id, no time, nothing that points to a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from laksana.api.types import Id

ServiceKindValue = Literal["procedure", "application", "unit_service"]
StatusValue = Literal["draft", "open", "closed"]
ChannelValue = Literal["invitation", "public", "import"]
MAX_PAGE = 100
LONG_TEXT = 10_000
MAX_POPULATION = 100_000_000
MAX_FOLLOW_UP = 20


# Surveys -------------------------------------------------------------------------------------


class SurveyIn(Schema):
    """A new survey (a draft) of one service of the caller's agency over a period: a
    procedure (``procedure_key``), an application (``application``) or a unit's service
    (``unit`` and ``service_name``). The questionnaire is a copy of the agency's settings."""

    title: str = Field(min_length=1, max_length=200)
    service_kind: ServiceKindValue
    procedure_key: str = Field("", max_length=100)
    application: Id | None = None
    unit: Id | None = None
    service_name: str = Field("", max_length=200)
    period_start: dt.date
    period_end: dt.date
    population: int | None = Field(None, ge=1, le=MAX_POPULATION)
    method: str = Field("", max_length=LONG_TEXT)
    public_enabled: bool = False
    invite_requesters: bool = True
    agency: Id | None = Field(None, description="the operator and superusers: whose survey")


class SurveyChangeIn(Schema):
    """The fields to change; the others stay as they are (``null`` clears the population).
    An open or closed survey changes only its title, method, population, public link and
    invitations."""

    title: str | None = Field(None, min_length=1, max_length=200)
    service_kind: ServiceKindValue | None = None
    procedure_key: str | None = Field(None, max_length=100)
    application: Id | None = None
    unit: Id | None = None
    service_name: str | None = Field(None, max_length=200)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    population: int | None = Field(None, ge=1, le=MAX_POPULATION)
    method: str | None = Field(None, max_length=LONG_TEXT)
    public_enabled: bool | None = None
    invite_requesters: bool | None = None


class ElementOut(Schema):
    """One unsur of the questionnaire, with its four answer labels (scores 1 to 4)."""

    key: str
    name: str
    question: str
    labels: list[str]


class FollowUpRow(Schema):
    """One row of the follow-up plan (rencana tindak lanjut)."""

    unsur: str = Field(min_length=1, max_length=20, description="an element key of the survey")
    action: str = Field(min_length=1, max_length=500)
    due: dt.date
    responsible: str = Field("", max_length=200)


class FollowUpIn(Schema):
    rows: list[FollowUpRow] = Field(max_length=MAX_FOLLOW_UP)


class SurveyOut(Schema):
    id: int
    agency_id: int
    title: str
    service_kind: ServiceKindValue
    service: str = Field(description="the service as people read it")
    procedure_key: str
    application_id: int | None
    unit_id: int | None
    service_name: str
    period_start: dt.date
    period_end: dt.date
    population: int | None
    method: str
    status: StatusValue
    public_enabled: bool
    public_link: str | None = Field(description="the public form's path while the link is on")
    invite_requesters: bool
    elements: list[ElementOut]
    follow_up: list[FollowUpRow]
    answers: int
    created_at: dt.datetime
    closed_at: dt.datetime | None


class SurveyFilters(Schema):
    status: StatusValue | None = None
    service_kind: ServiceKindValue | None = None
    application: Id | None = Field(None, description="only the surveys of this application")
    after: str = Field("", max_length=200, description="the 'next' of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class SurveyPage(Schema):
    """One page of surveys, newest first; pass ``next`` as ``after`` for the following page."""

    items: list[SurveyOut]
    next: str | None


# The index -----------------------------------------------------------------------------------


class IndexFilters(Schema):
    start: dt.date | None = Field(None, description="only answers of this day or later")
    end: dt.date | None = Field(None, description="only answers of this day or earlier")


class GradeOut(Schema):
    letter: str
    label: str


class ElementIndexOut(Schema):
    position: int
    key: str
    name: str
    total: int
    nrr: str
    nrr_shown: str
    converted: str
    converted_shown: str
    grade: GradeOut


class SampleOut(Schema):
    population: int | None
    minimum: int | None
    respondents: int
    enough: bool | None


class IndexOut(Schema):
    """The IKM (PermenPANRB 14/2017): per unsur the NRR, the index with the weight exactly
    one ninth and, beside it, with the rounded weight 0,111 many published reports use. No
    answers yet: the figures are ``null``."""

    respondents: int
    elements: list[ElementIndexOut]
    ikm: str | None
    ikm_shown: str
    converted: str | None
    converted_shown: str
    grade: GradeOut | None
    ikm_0111: str | None
    ikm_0111_shown: str
    converted_0111: str | None
    converted_0111_shown: str
    weakest: list[str] = Field(description="the keys of the three lowest unsur")
    sample: SampleOut


# Answers and imports -------------------------------------------------------------------------


class AnswerFilters(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class AnswerOut(Schema):
    """One anonymous answer: its day, channel, the nine scores in the survey's order, and the
    profile and suggestion the respondent gave."""

    submitted_on: dt.date
    channel: ChannelValue
    scores: list[int]
    age: int | None
    sex: str
    education: str
    occupation: str
    suggestion: str


class AnswerPage(Schema):
    """One page of answers (in no order that reveals when they were given); ``next`` is the
    following page's number."""

    items: list[AnswerOut]
    total: int
    next: int | None


class ImportOut(Schema):
    id: int
    file_name: str
    rows: int
    by: str
    at: dt.datetime


# Settings ------------------------------------------------------------------------------------


class ElementIn(Schema):
    key: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=1000)
    labels: list[str] = Field(min_length=4, max_length=4)


class SettingsIn(Schema):
    """The agency's questionnaire (the nine unsur, each once, in the order asked) and its
    invitation rules; a field left out stays as it is."""

    elements: list[ElementIn] | None = Field(None, max_length=9)
    invite_requesters: bool | None = None
    invite_delay_hours: int | None = Field(None, ge=0, le=720)
    invite_share: int | None = Field(None, ge=0, le=100)
    invite_expiry_days: int | None = Field(None, ge=1, le=90)
    public_per_hour: int | None = Field(None, ge=1, le=100)


class SettingsOut(Schema):
    agency_id: int
    elements: list[ElementOut]
    invite_requesters: bool
    invite_delay_hours: int
    invite_share: int
    invite_expiry_days: int
    public_per_hour: int
