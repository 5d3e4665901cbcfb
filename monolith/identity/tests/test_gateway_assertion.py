"""The monolith behind the gateway: assertions authenticate, bypassing requests are 401."""

from common.identity import keys
from common.identity.assertion import HEADER, Identity, issue
from monolith.accounts.tests.factories import UserFactory

META = "HTTP_" + HEADER.upper().replace("-", "_")
KEY = keys.generate_private_pem()


def trust_the_test_gateway(settings, required: bool):
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(KEY)
    settings.REQUIRE_GATEWAY_ASSERTION = required


def test_a_request_that_bypasses_the_gateway_is_401_when_assertions_are_required(client, settings, db):
    trust_the_test_gateway(settings, required=True)
    user = UserFactory(username="ada")
    client.force_login(user)  # a monolith session is no longer enough

    response = client.get("/api/v1/accounts/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "assertion_missing"


def test_the_identity_provider_stays_reachable_directly(client, settings, db):
    trust_the_test_gateway(settings, required=True)

    assert client.get("/o/.well-known/openid-configuration").status_code == 200
    assert client.get("/health").status_code == 200


def test_the_asserted_user_is_the_local_account_of_that_username(settings, db):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from common.identity.authentication import GatewayAssertionAuthentication

    trust_the_test_gateway(settings, required=True)
    ada = UserFactory(username="ada")
    token = issue(Identity(user_id=str(ada.pk), username="ada"), audience="monolith", private_pem=KEY)

    request = Request(APIRequestFactory().get("/api/v1/accounts/me/", **{META: token}))
    user, identity = GatewayAssertionAuthentication().authenticate(request)

    assert user == ada
    assert identity.username == "ada"
