"""Assertions of calls between services: who signs, who is trusted, on whose behalf."""

import time

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from common.identity import keys, request_ids
from common.identity.assertion import HEADER, Identity, InvalidAssertion, issue, trusted_keys, verify
from common.identity.authentication import GatewayAssertionAuthentication
from common.identity.middleware import GatewayAssertionMiddleware
from common.identity.permissions import IsAssertedCaller
from common.identity.service import acting_identity, service_assertion, service_headers
from common.identity.users import AssertedUser

META = "HTTP_" + HEADER.upper().replace("-", "_")
ADA = AssertedUser(id=7, username="ada", email="ada@example.com", roles=("learner",))


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_call_carries_the_callers_assertion_of_the_user_for_the_callee(service_keys):
    token = service_assertion(audience="runner", user=ADA)

    identity = verify(token, audience="runner")

    assert identity.caller == "monolith"
    assert (identity.user_id, identity.username, identity.roles) == ("7", "ada", ("learner",))
    claims = claims_of(token)
    assert (claims["iss"], claims["azp"], claims["aud"], claims["sub"]) == (
        "polycode-service:monolith",
        "monolith",
        "runner",
        "7",
    )
    assert claims["exp"] - claims["iat"] <= 60


def test_outside_a_request_the_service_calls_on_its_own_behalf_with_a_new_request_id(service_keys):
    headers = service_headers(audience="runner")

    identity = verify(headers[HEADER], audience="runner")

    assert identity.anonymous
    assert identity.caller == "monolith"
    assert len(headers["X-Request-ID"]) == 32
    assert identity.request_id == headers["X-Request-ID"]


def test_each_call_gets_its_own_single_use_assertion(service_keys):
    first, second = service_assertion(audience="runner"), service_assertion(audience="runner")
    verify(first, audience="runner")
    verify(second, audience="runner")

    with pytest.raises(InvalidAssertion) as exc:
        verify(first, audience="runner")
    assert exc.value.code == "assertion_replayed"


class CallsTheRunner(APIView):
    """A monolith view making a service call while it handles a learner's request."""

    authentication_classes = [GatewayAssertionAuthentication]
    permission_classes = []

    def get(self, request):
        headers = service_headers(audience="runner")
        identity = verify(headers[HEADER], audience="runner")
        return Response({"identity": identity, "request_id": headers["X-Request-ID"]})


def handle(request):
    return GatewayAssertionMiddleware(CallsTheRunner.as_view())(request)


def test_within_a_request_the_call_acts_for_the_authenticated_user_with_the_request_id(service_keys):
    request = APIRequestFactory().get("/api/v1/x", HTTP_X_REQUEST_ID="req-0000-1111")
    force_authenticate(request, user=ADA)

    response = handle(request)

    identity = response.data["identity"]
    assert (identity.user_id, identity.username, identity.caller) == ("7", "ada", "monolith")
    assert identity.request_id == response.data["request_id"] == "req-0000-1111"


def test_the_gateways_assertion_of_the_same_user_is_forwarded_with_its_roles(
    service_keys, settings, gateway_key_pem
):
    settings.IDENTITY_USER_RESOLVER = "common.identity.users.asserted_user"
    asserted = Identity(user_id="kc-42", username="ada", email="ada@example.com", roles=("learner", "staff"))
    request = APIRequestFactory().get(
        "/api/v1/x", **{META: issue(asserted, audience="monolith", private_pem=gateway_key_pem)}
    )

    identity = handle(request).data["identity"]

    assert (identity.user_id, identity.roles, identity.caller) == ("kc-42", ("learner", "staff"), "monolith")


def test_an_explicit_user_overrides_the_requests(service_keys):
    request = APIRequestFactory().get("/api/v1/x")
    force_authenticate(request, user=ADA)
    grace = AssertedUser(id=8, username="grace")
    seen = {}

    def view(req):
        seen["identity"] = acting_identity(grace)
        return Response({})

    GatewayAssertionMiddleware(view)(request)

    assert seen["identity"].username == "grace"


def test_an_anonymous_user_is_asserted_as_nobody(service_keys):
    from django.contrib.auth.models import AnonymousUser

    assert acting_identity(AnonymousUser()).anonymous


def test_roles_of_a_local_account_come_from_the_roles_resolver(service_keys, settings):
    root = get_user_model()(pk=5, username="root", is_staff=True, is_superuser=True)

    settings.IDENTITY_ROLES_RESOLVER = "common.identity.users.user_roles"
    assert acting_identity(root).roles == ("admin", "staff")
    settings.IDENTITY_ROLES_RESOLVER = "monolith.identity.roles.user_roles"
    assert acting_identity(root).roles == ("admin", "learner", "staff")


def test_a_call_signed_with_a_key_the_callee_does_not_trust_is_refused(service_keys, intruder_key_pem):
    forged = issue(
        Identity(user_id="7", username="ada"),
        audience="runner",
        caller="monolith",
        private_pem=intruder_key_pem,
    )

    with pytest.raises(InvalidAssertion, match="unknown key"):
        verify(forged, audience="runner")


def test_a_service_the_callee_does_not_accept_is_refused_even_with_its_genuine_key(service_keys, settings):
    settings.SERVICE_ASSERTION_CALLERS = []
    token = service_assertion(audience="runner", user=ADA)

    with pytest.raises(InvalidAssertion, match="unknown key"):
        verify(token, audience="runner")


def test_a_service_key_cannot_speak_as_the_gateway(service_keys, monolith_key_pem):
    root = Identity(user_id="1", username="root", roles=("staff",))
    as_gateway = issue(root, audience="runner", private_pem=monolith_key_pem)

    with pytest.raises(InvalidAssertion, match="issuer other than its key's"):
        verify(as_gateway, audience="runner")


def test_a_service_key_cannot_speak_as_another_service(service_keys, monolith_key_pem):
    as_shop = issue(Identity(user_id="1"), audience="runner", caller="shop", private_pem=monolith_key_pem)
    key = keys.load_private_key(monolith_key_pem)
    now = int(time.time())
    claims = {
        "iss": "polycode-service:monolith",
        "azp": "shop",
        "aud": "runner",
        "iat": now,
        "exp": now + 30,
        "jti": "z",
        "sub": "1",
    }
    mixed = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": keys.key_id(key.public_key())})

    with pytest.raises(InvalidAssertion, match="issuer other than its key's"):
        verify(as_shop, audience="runner")
    with pytest.raises(InvalidAssertion, match="calling service other than its key's"):
        verify(mixed, audience="runner")


def test_a_call_meant_for_another_service_or_expired_is_refused(service_keys):
    with pytest.raises(InvalidAssertion) as misdirected:
        verify(service_assertion(audience="shop", user=ADA), audience="runner")
    stale = issue(Identity(), audience="runner", caller="monolith", ttl=5, now=time.time() - 120)
    with pytest.raises(InvalidAssertion) as expired:
        verify(stale, audience="runner")

    assert misdirected.value.code == "assertion_wrong_audience"
    assert expired.value.code == "assertion_expired"


def test_the_gateways_assertions_still_verify_beside_the_callers(service_keys, gateway_key_pem):
    token = issue(Identity(user_id="7", username="ada"), audience="runner", private_pem=gateway_key_pem)

    identity = verify(token, audience="runner")

    assert identity.username == "ada"
    assert identity.caller == ""


def test_one_key_trusted_for_two_issuers_is_a_configuration_error(service_keys, settings, gateway_key_pem):
    settings.SERVICE_ASSERTION_PUBLIC_KEYS = {"monolith": keys.public_pem(gateway_key_pem)}

    with pytest.raises(ImproperlyConfigured, match="each issuer needs a key of its own"):
        trusted_keys()


def test_a_caller_that_is_not_a_service_name_is_a_configuration_error(service_keys, settings):
    settings.SERVICE_ASSERTION_CALLERS = ["../../etc/passwd"]

    with pytest.raises(ImproperlyConfigured, match="not a service name"):
        trusted_keys()


def test_outside_development_every_service_key_must_be_configured(service_keys, settings):
    settings.GATEWAY_ASSERTION_DEV_KEYS = False
    settings.SERVICE_ASSERTION_PRIVATE_KEY = ""
    settings.SERVICE_ASSERTION_PUBLIC_KEYS = {}

    with pytest.raises(ImproperlyConfigured, match="SERVICE_ASSERTION_PRIVATE_KEY must be set"):
        service_headers(audience="runner")
    with pytest.raises(ImproperlyConfigured, match="SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH must be set"):
        GatewayAssertionMiddleware(lambda request: None)


def test_in_development_each_service_gets_its_own_generated_key_which_its_callees_trust(
    service_keys, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = ""
    settings.SERVICE_ASSERTION_PRIVATE_KEY = ""
    settings.SERVICE_ASSERTION_PUBLIC_KEYS = {}

    identity = verify(service_assertion(audience="runner", user=ADA), audience="runner")

    monolith_pem = (tmp_path / keys.dev_service_key_filename("monolith")).read_text()
    gateway_pem = (tmp_path / keys.DEV_KEY_FILENAME).read_text()
    assert identity.caller == "monolith"
    assert monolith_pem != gateway_pem
    assert oct((tmp_path / keys.dev_service_key_filename("monolith")).stat().st_mode)[-3:] == "600"


class RunnerLike(APIView):
    authentication_classes = [GatewayAssertionAuthentication]
    permission_classes = [IsAssertedCaller]

    def get(self, request):
        return Response({"ok": True})


def runner_call(path: str = "/api/judge", token: str | None = None) -> int:
    request = APIRequestFactory().get(path, **({META: token} if token else {}))
    return GatewayAssertionMiddleware(RunnerLike.as_view())(request).status_code


@pytest.mark.parametrize("required", [True, False])
def test_a_service_without_accounts_admits_asserted_users_and_trusted_services_when_required(
    service_keys, settings, gateway_key_pem, required
):
    settings.SERVICE_NAME = "runner"
    settings.IDENTITY_USER_RESOLVER = "common.identity.users.asserted_user"
    settings.REQUIRE_GATEWAY_ASSERTION = required
    gateway = {"private_pem": gateway_key_pem, "audience": "runner"}

    assert runner_call(token=issue(Identity(user_id="7", username="ada"), **gateway)) == 200
    assert runner_call(token=issue(Identity(), audience="runner", caller="monolith")) == 200
    assert runner_call(token=issue(Identity(), **gateway)) == (401 if required else 200)
    assert runner_call() == (401 if required else 200)
    assert runner_call("/health") == 200


def test_the_request_id_context_is_restored_after_the_request(service_keys):
    handle(APIRequestFactory().get("/api/v1/x", HTTP_X_REQUEST_ID="req-2222-3333"))

    assert request_ids.current.get() == ""
    assert acting_identity().request_id != "req-2222-3333"
