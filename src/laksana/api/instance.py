"""The API object: title, authentication, error handlers and the routers of the apps."""

from __future__ import annotations

from ninja import NinjaAPI

from laksana.accounts.api import router as accounts_router
from laksana.api import errors
from laksana.api.auth import SessionAuth, TokenAuth
from laksana.api.docs import LocalSwagger
from laksana.cases.api import router as cases_router
from laksana.procedures.api import router as procedures_router

api = NinjaAPI(
    title="Laksana API",
    version="1",
    description=(
        "Run procedures (SOPs) as cases: list, open and work cases, dispositions, files and "
        "the journal. Authenticate with a personal token: `Authorization: Bearer <token>` "
        "(`laksana token issue USERNAME NAME`). Errors are "
        '`{"code", "message", "field", "items"}`.'
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs=LocalSwagger(),
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)
api.add_router("", procedures_router)
# Procedure drafts: written, checked, reviewed and published by an agency's staff.
api.add_router("", "laksana.procedures.drafts_api.router")
api.add_router("", cases_router)
api.add_router("", accounts_router)
api.add_router("", "laksana.catalog.api.router")
api.add_router("", "laksana.catalog.api_records.router")
api.add_router("", "laksana.documents.api.router")
# The testing module: scenario sets, runs and verdicts, findings, reports.
api.add_router("", "laksana.quality.api_sets.router")
api.add_router("", "laksana.quality.api_runs.router")
api.add_router("", "laksana.quality.api_reports.router")
# The monitoring module: monitors, state changes and uptime, incidents, maintenance windows.
api.add_router("", "laksana.monitoring.api.router")
# The maintenance module: plans, activities, criteria, cycles, reports (SOP 000).
api.add_router("", "laksana.maintenance.api.router")
# Satisfaction surveys: surveys, answers, imports, the index (IKM), invitations.
api.add_router("", "laksana.survey.api.router")
# Periodic evaluation of applications (SOP 001 f).
api.add_router("", "laksana.evaluation.api.router")
