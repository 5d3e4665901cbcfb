"""A database connection that drops is a 503 with Retry-After, never a 500 (real PostgreSQL).

The session of the request's connection is ended on the server before the
request, as a database restart or failover does; the API view and a plain
Django view (the admin) both answer 503.
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from common.testing import drop_database_connection
from monolith.accounts.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("ends PostgreSQL sessions")


@pytest.mark.parametrize("path", ["/api/v1/learning/modules/", "/admin/accounts/user/"])
def test_a_request_on_a_dropped_database_connection_is_503_with_retry_after(path):
    staff = StaffFactory(username="root")
    client = APIClient(raise_request_exception=False)
    client.force_login(staff)

    drop_database_connection()
    response = client.get(path)

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "1"
    if path.startswith("/api/"):
        assert response.json()["code"] == "database_unavailable"
    else:  # a page for people: the site's own, saying to try again
        assert "Try again in a moment" in response.content.decode()
    connection.close()  # what Django does after a request whose connection failed
    assert client.get(path).status_code == 200
