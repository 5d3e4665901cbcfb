"""Fixtures shared by the monolith's tests."""

import pytest
from rest_framework.test import APIClient

from common.identity.testing import GatewayClient
from monolith.accounts.tests.factories import StaffFactory, UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def learner(db):
    return UserFactory(username="ada")


@pytest.fixture
def other_learner(db):
    return UserFactory(username="grace")


@pytest.fixture
def staff(db):
    return StaffFactory(username="root")


@pytest.fixture
def learner_client(learner) -> APIClient:
    client = APIClient()
    client.force_authenticate(learner)
    return client


@pytest.fixture
def staff_client(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def visitor_browser(db) -> GatewayClient:
    """An anonymous visitor's browser behind the gateway."""
    return GatewayClient()


@pytest.fixture
def learner_browser(learner) -> GatewayClient:
    """``learner``'s browser behind the gateway (signed in there)."""
    return GatewayClient(learner)


@pytest.fixture
def staff_browser(staff) -> GatewayClient:
    return GatewayClient(staff)
