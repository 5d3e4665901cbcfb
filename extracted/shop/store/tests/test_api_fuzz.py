"""Every operation of the shop's OpenAPI schema, fuzzed by schemathesis as an asserted learner.

Valid and invalid requests (bounded, reproducible examples) against items that
exist: no 5xx, and every response matches the schema.
"""

import uuid

import pytest

from common.identity.assertion import HEADER, Identity, issue
from common.testing import api_operations, fuzz
from extracted.shop.store.tests.factories import HintItemFactory, ValidatorItemFactory

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()


def _as_learner() -> dict[str, str]:
    identity = Identity(user_id="7", username="ada", email="ada@example.com", request_id=uuid.uuid4().hex)
    return {HEADER: issue(identity, audience="shop"), "Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture(autouse=True)
def _items(settings):
    settings.OUTBOX_FAST_PATH = False
    HintItemFactory(id=1, cost=10)
    HintItemFactory(id=2, cost=10, stock=0)
    ValidatorItemFactory(id=3, cost=20, is_active=False)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_shop_api_answers_every_generated_request_without_5xx_and_as_its_schema_says(label):
    fuzz(OPERATIONS[label], headers=_as_learner)
