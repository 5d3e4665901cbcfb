"""A database connection that drops is a 503 with Retry-After, never a 500 (real PostgreSQL)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from common.testing import drop_database_connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_delivery_log_on_a_dropped_database_connection_is_503_with_retry_after():
    if connection.vendor != "postgresql":
        pytest.skip("ends PostgreSQL sessions")
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    changelist = reverse("admin:deliveries_deliverylog_changelist")

    drop_database_connection()
    response = client.get(changelist)

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "database_unavailable"
    connection.close()  # what Django does after a request whose connection failed
    assert client.get(changelist).status_code == 200
