"""Every operation of the monolith's OpenAPI schema, fuzzed by schemathesis as an asserted learner.

Valid and invalid requests (bounded, reproducible examples) on the demo content:
no 5xx, and every response matches the schema.
"""

import uuid

import pytest
from django.core.management import call_command
from django.db import transaction

from common.identity.assertion import HEADER, Identity, issue
from common.testing import api_operations, fuzz
from monolith.accounts.models import User

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()


@pytest.fixture(scope="module")
def learner(django_db_setup, django_db_blocker):
    """The demo content and its learner, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield User.objects.get(username="learner")
        transaction.set_rollback(True)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_monolith_api_answers_every_generated_request_without_5xx_and_as_its_schema_says(learner, label):
    def as_learner() -> dict[str, str]:
        identity = Identity(user_id=str(learner.pk), username=learner.username, request_id=uuid.uuid4().hex)
        return {HEADER: issue(identity, audience="monolith")}

    fuzz(OPERATIONS[label], headers=as_learner, max_examples=8)
