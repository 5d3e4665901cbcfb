"""The gateway asks the issuer whether tokens and sessions still stand (introspection, refresh)."""

import time

import pytest

from gateway_proxy.auth.revocation import TOKENS_KEY


@pytest.fixture
def api(route, monolith, settings):
    settings.GATEWAY_TOKEN_RECHECK_SECONDS = 0
    route("/api/v1/", legacy_service="monolith", auth_required=True)
    return monolith


def cookie_of(client) -> dict:
    return {"Cookie": f"gw_sessionid={client.cookies['gw_sessionid'].value}"}


def test_a_session_whose_access_token_expired_is_renewed_with_its_refresh_token(
    client, gateway, api, issuer, browser_session
):
    browser_session(client, expires_in=-60)

    response = gateway.get("/api/v1/x", headers=cookie_of(client))

    assert response.status == 200
    renewed = client.session[TOKENS_KEY]
    assert renewed["expires_at"] > time.time() + 200
    assert renewed["refresh_token"] == "refresh-1"
    assert gateway.get("/api/v1/x", headers=cookie_of(client)).status == 200


def test_a_session_whose_refresh_token_is_refused_ends(client, gateway, api, issuer, browser_session):
    browser_session(client, expires_in=-60, refresh_token="revoked-refresh")
    issuer.revoked.add("revoked-refresh")

    response = gateway.get("/api/v1/x", headers=cookie_of(client))

    assert response.status == 401
    assert api.requests == []


def test_a_session_whose_access_token_was_revoked_ends(client, gateway, api, issuer, browser_session):
    browser_session(client)
    headers = cookie_of(client)
    assert gateway.get("/api/v1/x", headers=headers).status == 200
    issuer.revoked.add(client.session[TOKENS_KEY]["access_token"])

    assert gateway.get("/api/v1/x", headers=headers).status == 401


def test_the_issuer_is_asked_once_per_recheck_period_not_per_request(gateway, api, issuer, settings):
    settings.GATEWAY_TOKEN_RECHECK_SECONDS = 30
    token = issuer.token()

    for _ in range(5):
        assert gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"}).status == 200

    assert issuer.introspections == 1


def test_a_bearer_token_revoked_at_the_issuer_is_refused(gateway, api, issuer):
    token = issuer.token()
    assert gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"}).status == 200
    issuer.revoked.add(token)

    response = gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"})

    assert response.status == 401
    assert response.json()["code"] == "invalid_token"
