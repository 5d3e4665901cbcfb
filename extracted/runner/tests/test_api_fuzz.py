"""Every operation of the runner's OpenAPI schema, fuzzed by schemathesis as an asserted learner.

Valid and invalid requests (bounded, reproducible examples; valid ones run in the
real sandbox): no 5xx, and every response matches the schema.
"""

import uuid

import pytest

from common.identity.assertion import HEADER, Identity, issue
from common.testing import api_operations, fuzz

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

OPERATIONS = api_operations()


def _as_learner() -> dict[str, str]:
    identity = Identity(user_id="7", username="ada", request_id=uuid.uuid4().hex)
    return {HEADER: issue(identity, audience="runner")}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_runner_api_answers_every_generated_request_without_5xx_and_as_its_schema_says(box, label):
    fuzz(OPERATIONS[label], headers=_as_learner, max_examples=10)
