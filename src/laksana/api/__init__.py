"""The HTTP API (django-ninja) at /api/: per-app routers, one authentication, one error format.

- :mod:`laksana.api.auth`: who is calling (a personal token, or the web session with CSRF);
- :mod:`laksana.api.errors`: every error as ``{"code", "message", "field", "items"}``;
- :mod:`laksana.api.instance`: the API object and its routers (``cases.api``,
  ``procedures.api``, ``accounts.api``);
- :mod:`laksana.api.urls`: mounted at /api/ with the OpenAPI document and the docs page.

Like the web screens, the API never writes models: every write is a service call, and every
read of cases goes through the visibility gate (:mod:`laksana.cases.queries`).
"""
