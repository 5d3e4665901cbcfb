"""Forwarding: paths, headers, request ids, identity assertions, bodies."""

import pytest

from gateway_proxy.tests.conftest import assertion_of


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith")
    return monolith


def test_a_request_reaches_the_registered_upstream_with_path_query_method_and_body(gateway, api):
    response = gateway.request(
        "POST",
        "/api/v1/things/?page=2&q=a%20b",
        body=b'{"x": 1}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status == 200
    seen = api.requests[-1]
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/v1/things/?page=2&q=a%20b"
    assert seen["body"] == b'{"x": 1}'
    assert seen["headers"]["Content-Type"] == "application/json"
    assert seen["headers"]["Content-Length"] == "8"


def test_the_prefix_is_rewritten_for_the_side_that_serves(gateway, route, make_upstream, register):
    runner = make_upstream("runner")
    register("runner", runner.url)
    route(
        "/api/runner/",
        mode="extracted",
        legacy_service="",
        extracted_service="runner",
        extracted_prefix="/api/",
    )

    assert gateway.get("/api/runner/languages").status == 200
    assert gateway.get("/api/runner").status == 200

    assert [r["path"] for r in runner.requests] == ["/api/languages", "/api"]


def test_forwarded_headers_are_set_by_the_gateway_not_taken_from_the_client(gateway, api):
    gateway.get(
        "/api/v1/x",
        headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example", "Host": "localhost:8000"},
        REMOTE_ADDR="10.1.2.3",
    )

    seen = api.requests[-1]["headers"]
    assert seen["X-Forwarded-For"] == "10.1.2.3"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-Host"] == "localhost:8000"
    assert seen["Host"] == f"127.0.0.1:{api.port}"


def test_a_request_id_is_generated_propagated_and_returned(gateway, api):
    response = gateway.get("/api/v1/x")

    request_id = response.header("X-Request-ID")
    assert request_id
    assert len(request_id) == 32
    assert api.requests[-1]["headers"]["X-Request-ID"] == request_id
    assert assertion_of(api.requests[-1], "monolith").request_id == request_id


def test_a_well_formed_request_id_is_kept(gateway, api):
    response = gateway.get("/api/v1/x", headers={"X-Request-ID": "client-chosen-id-0001"})

    assert response.header("X-Request-ID") == "client-chosen-id-0001"
    assert api.requests[-1]["headers"]["X-Request-ID"] == "client-chosen-id-0001"


def test_hop_by_hop_headers_are_stripped_both_ways(gateway, api):
    api.extra_headers = [("X-Internal", "secret"), ("Connection", "X-Internal"), ("Keep-Alive", "timeout=5")]

    response = gateway.get(
        "/api/v1/x",
        headers={
            "Connection": "keep-alive, X-Private",
            "X-Private": "drop me",
            "Keep-Alive": "timeout=1",
            "TE": "trailers",
            "Upgrade": "websocket",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "X-Kept": "yes",
        },
    )

    seen = {k.lower() for k in api.requests[-1]["headers"]}
    assert {"x-private", "te", "upgrade", "proxy-authorization", "keep-alive"}.isdisjoint(seen)
    assert "x-kept" in seen
    returned = {k.lower() for k, _ in response.headers}
    assert {"x-internal", "keep-alive", "connection"}.isdisjoint(returned)


def test_a_client_cannot_send_its_own_identity_assertion(gateway, api):
    gateway.get(
        "/api/v1/x", headers={"X-PolyCode-Identity": "forged", "Authorization": "Bearer nope-not-a-jwt"}
    )

    assert api.requests == []  # the bad bearer token stops it at the edge

    gateway.get("/api/v1/x", headers={"X-PolyCode-Identity": "forged"})

    identity = assertion_of(api.requests[-1], "monolith")
    assert identity.anonymous


def test_gateway_cookies_are_not_forwarded(gateway, api):
    gateway.get(
        "/api/v1/x", headers={"Cookie": "gw_sessionid=abc; sessionid=legacy; gw_canary=0123456789abcdef"}
    )

    assert api.requests[-1]["headers"]["Cookie"] == "sessionid=legacy"


def test_a_bearer_token_of_the_issuer_becomes_the_asserted_identity(gateway, api, issuer):
    token = issuer.token(sub="7", username="ada", roles=["learner", "staff"])

    response = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status == 200
    seen = api.requests[-1]
    assert "Authorization" not in seen["headers"]
    identity = assertion_of(seen, "monolith")
    assert (identity.user_id, identity.username, identity.roles) == ("7", "ada", ("learner", "staff"))


@pytest.mark.parametrize(
    "make_token",
    [
        lambda issuer: issuer.token(ttl=-120),
        lambda issuer: issuer.token(aud="another-client"),
        lambda issuer: issuer.token()[:-4] + "AAAA",
        lambda issuer: "not.a.jwt",
    ],
    ids=["expired", "wrong-audience", "bad-signature", "garbage"],
)
def test_a_bad_bearer_token_is_401_json(gateway, api, issuer, make_token):
    response = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token(issuer)}"})

    assert response.status == 401
    assert response.json()["code"] == "invalid_token"
    assert response.header("WWW-Authenticate").startswith("Bearer")
    assert api.requests == []


def test_a_rotated_signing_key_is_fetched_once_then_cached(gateway, api, issuer):
    gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {issuer.token()}"})
    fetched = issuer.jwks_requests
    issuer.rotate()

    for _ in range(3):
        response = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {issuer.token(sub='8')}"})
        assert response.status == 200

    assert issuer.jwks_requests == fetched + 1


def test_an_unknown_path_is_a_404_json(gateway, api):
    response = gateway.get("/nowhere")

    assert response.status == 404
    assert response.json() == {"code": "no_route", "detail": "No service answers /nowhere."}


def test_trace_is_refused(gateway, api):
    assert gateway.request("TRACE", "/api/v1/x").status == 405


def test_a_body_over_the_limit_is_413_and_never_sent(gateway, route, monolith):
    route("/api/v1/", legacy_service="monolith", max_body_bytes=100)

    response = gateway.post("/api/v1/upload", body=b"x" * 101)

    assert response.status == 413
    assert response.json()["code"] == "payload_too_large"
    assert monolith.requests == []


def test_a_large_answer_is_streamed_intact(gateway, api, settings):
    settings.GATEWAY_BUFFER_BYTES = 1024
    api.mode, api.size = "big", 300_000

    response = gateway.get("/api/v1/file")

    assert response.status == 200
    assert response.body == b"x" * 300_000
    assert response.header("Content-Length") == "300000"


def test_the_route_can_require_authentication(gateway, route, monolith, issuer):
    route("/api/v1/", legacy_service="monolith", auth_required=True)

    assert gateway.get("/api/v1/me").status == 401
    assert gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {issuer.token()}"}).status == 200


def test_the_gateway_answers_its_own_health(gateway, db):
    response = gateway.get("/health")

    assert response.status == 200
    assert response.json() == {"status": "ok", "service": "gateway"}


def test_a_clients_forwarded_scheme_is_ignored_unless_its_peer_is_a_configured_proxy(gateway, api):
    gateway.get("/api/v1/x", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6"})

    seen = api.requests[-1]["headers"]
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-For"] == "127.0.0.1"


def test_behind_a_configured_proxy_its_forwarded_headers_are_kept_and_the_client_is_the_address_it_saw(
    gateway, api, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    gateway.get(
        "/api/v1/x",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4, 6.6.6.6, 10.0.0.7"},
        REMOTE_ADDR="10.0.0.5",
    )

    seen = api.requests[-1]["headers"]
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["X-Forwarded-For"] == "1.2.3.4, 6.6.6.6, 10.0.0.7, 10.0.0.5"
    from gateway_proxy.proxy.handler import EdgeHandler

    environ = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 6.6.6.6, 10.0.0.7"}
    assert EdgeHandler.client_ip(environ) == "6.6.6.6"
