import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.api.conftest import api_as  # noqa
pytestmark = pytest.mark.django_db
def test_q(api_as, bali):
    api = api_as(bali["kabid"])
    api.get("/applications", {"limit": 5})
    with CaptureQueriesContext(connection) as q:
        api.get("/applications", {"limit": 5})
    for x in q.captured_queries: print(x["sql"][:150])
