"""Services the shop accepts in development: the monolith and the gateway, each by its generated key.

The gateway's strangle control calls the shop (``iss polycode-service:gateway``, audience ``shop``)
with the key development generates for it in ``var/``, the one the monolith trusts for the
gateway's calls too; no setting is needed. Assertions are required here, as in production.
"""

import pytest
from django.conf import settings as conf
from rest_framework.test import APIClient

from common.identity import keys
from common.identity.assertion import HEADER, Identity, issue
from extracted.shop.store.tests.factories import HintItemFactory

pytestmark = pytest.mark.django_db

ADA = Identity(user_id="7", username="ada")


@pytest.fixture(autouse=True)
def _assertions_required(settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True


def dev_key(service: str) -> str:
    return keys.dev_private_pem(conf.VAR_DIR, keys.dev_service_key_filename(service))


def items(token: str):
    return APIClient().get("/api/v1/shop/items", headers={HEADER: token})


@pytest.mark.parametrize("caller", ["monolith", "gateway"])
def test_a_callers_assertion_signed_with_its_development_key_is_accepted(caller):
    item = HintItemFactory()

    response = items(issue(ADA, audience="shop", caller=caller, private_pem=dev_key(caller)))

    assert response.status_code == 200, response.content
    assert [listed["id"] for listed in response.json()["results"]] == [item.id]


@pytest.mark.parametrize(
    ("signing_key", "detail"),
    [
        pytest.param(keys.generate_private_pem, "is signed with an unknown key", id="another-key"),
        # The monolith's key is trusted for the monolith's calls only.
        pytest.param(lambda: dev_key("monolith"), "names an issuer other than its key's", id="monolith-key"),
    ],
)
def test_the_gateways_assertion_signed_with_another_key_is_refused(signing_key, detail):
    response = items(issue(ADA, audience="shop", caller="gateway", private_pem=signing_key()))

    assert response.status_code == 401
    assert response.json() == {"code": "assertion_invalid", "detail": f"Identity assertion {detail}."}


def test_the_gateways_assertion_for_another_service_is_refused():
    response = items(issue(ADA, audience="monolith", caller="gateway", private_pem=dev_key("gateway")))

    assert response.status_code == 401
    assert response.json()["code"] == "assertion_wrong_audience"
