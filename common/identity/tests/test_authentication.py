"""The DRF authentication class and the middleware, as a service sees them."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from common.identity.assertion import HEADER, Identity, issue
from common.identity.authentication import GatewayAssertionAuthentication
from common.identity.middleware import GatewayAssertionMiddleware
from common.identity.users import AssertedUser

ADA = Identity(user_id="7", username="ada", email="ada@example.com", roles=("learner",))
META = "HTTP_" + HEADER.upper().replace("-", "_")


class WhoAmI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.username, "id": request.user.id})


def call(meta: dict | None = None):
    request = APIRequestFactory().get("/api/v1/whoami", **(meta or {}))
    return WhoAmI.as_view()(request)


@pytest.fixture(autouse=True)
def _asserted_users(settings, assertion_keys):
    settings.IDENTITY_USER_RESOLVER = "common.identity.users.asserted_user"


def test_a_valid_assertion_authenticates_the_asserted_user():
    response = call({META: issue(ADA, audience="monolith")})

    assert response.status_code == 200
    assert response.data == {"username": "ada", "id": 7}


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda: issue(ADA, audience="monolith", ttl=5, now=time.time() - 120), "assertion_expired"),
        (lambda: issue(ADA, audience="runner"), "assertion_wrong_audience"),
        (lambda: "eyJhbGciOiJub25lIn0.e30.", "assertion_invalid"),
    ],
    ids=["expired", "wrong-audience", "forged"],
)
def test_a_bad_assertion_is_401_json_naming_the_reason(make_token, code):
    response = call({META: make_token()})

    assert response.status_code == 401
    assert response.data["code"] == code
    assert response["WWW-Authenticate"].startswith("Assertion")


def test_a_forged_signature_is_401(intruder_key_pem):
    response = call({META: issue(ADA, audience="monolith", private_pem=intruder_key_pem)})

    assert response.status_code == 401


def test_a_replayed_assertion_is_401():
    token = issue(ADA, audience="monolith")
    assert call({META: token}).status_code == 200

    response = call({META: token})

    assert response.status_code == 401
    assert response.data["code"] == "assertion_replayed"


def test_without_an_assertion_other_authentication_still_works_when_not_required(settings, db):
    settings.REQUIRE_GATEWAY_ASSERTION = False
    request = APIRequestFactory().get("/api/v1/whoami")

    assert GatewayAssertionAuthentication().authenticate(WhoAmI().initialize_request(request)) is None
    assert call().status_code == 403  # anonymous, exactly as before the gateway existed


def test_without_an_assertion_the_api_is_401_when_required(settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True

    response = call()

    assert response.status_code == 401
    assert response.data["code"] == "assertion_missing"


def test_an_anonymous_assertion_authenticates_nobody(settings):
    response = call({META: issue(Identity(), audience="monolith")})

    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_the_asserted_user_knows_its_roles():
    user = AssertedUser(id=1, username="root", roles=("staff",))

    assert user.is_authenticated
    assert user.is_staff
    assert not user.has_perm("anything")


def ok_view(request):
    return HttpResponse(getattr(request.gateway_identity, "username", "anonymous"))


@pytest.mark.parametrize("required", [True, False])
def test_the_middleware_refuses_a_forged_assertion_whatever_the_mode(settings, intruder_key_pem, required):
    settings.REQUIRE_GATEWAY_ASSERTION = required
    middleware = GatewayAssertionMiddleware(ok_view)
    forged = issue(ADA, audience="monolith", private_pem=intruder_key_pem)

    response = middleware(RequestFactory().get("/anything", **{META: forged}))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_middleware_lets_a_request_bypassing_the_gateway_through_only_when_not_required(settings):
    middleware = GatewayAssertionMiddleware(ok_view)

    settings.REQUIRE_GATEWAY_ASSERTION = False
    assert middleware(RequestFactory().get("/api/v1/x")).status_code == 200
    settings.REQUIRE_GATEWAY_ASSERTION = True
    refused = middleware(RequestFactory().get("/api/v1/x"))
    assert refused.status_code == 401
    assert b"assertion_missing" in refused.content
    assert middleware(RequestFactory().get("/health")).status_code == 200


def test_the_middleware_keeps_a_well_formed_request_id_and_echoes_it():
    middleware = GatewayAssertionMiddleware(ok_view)

    kept = middleware(RequestFactory().get("/x", HTTP_X_REQUEST_ID="abc-123-def-456"))
    replaced = middleware(RequestFactory().get("/x", HTTP_X_REQUEST_ID="bad id\r\nX-Evil: 1"))

    assert kept["X-Request-ID"] == "abc-123-def-456"
    assert replaced["X-Request-ID"] != "bad id\r\nX-Evil: 1"
    assert len(replaced["X-Request-ID"]) == 32


def test_session_and_basic_credentials_count_only_when_the_assertion_is_not_required(settings, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("grace", password="pw-of-grace-123")
    basic = {"HTTP_AUTHORIZATION": "Basic Z3JhY2U6cHctb2YtZ3JhY2UtMTIz"}  # grace:pw-of-grace-123

    settings.REQUIRE_GATEWAY_ASSERTION = False
    assert call(basic).data["username"] == "grace"
    settings.REQUIRE_GATEWAY_ASSERTION = True
    assert call(basic).status_code == 401
