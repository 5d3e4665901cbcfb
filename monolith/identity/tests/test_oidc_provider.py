"""The monolith's legacy OIDC provider: discovery, JWKS, authorization code + PKCE."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.core.management import call_command
from oauth2_provider.models import get_application_model

from monolith.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

REDIRECT = "http://localhost:8000/oidc/callback/"


@pytest.fixture
def gateway_client(db):
    call_command("oidc_gateway_client", "--secret", "s3cret", "--redirect-uri", REDIRECT)
    return get_application_model().objects.get(client_id="polycode-gateway")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": "polycode-gateway",
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def jwks_key(client, kid: str):
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    return jwt.PyJWK(next(k for k in keys if k["kid"] == kid))


def test_discovery_publishes_the_endpoints_of_the_issuer(client, db):
    meta = client.get("/o/.well-known/openid-configuration").json()

    assert meta["issuer"] == "http://testserver/o"
    assert meta["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert meta["token_endpoint"] == "http://testserver/o/token/"
    assert meta["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert "S256" in meta.get("code_challenge_methods_supported", ["S256"])


def test_authorization_code_with_pkce_issues_signed_id_and_access_tokens(client, gateway_client):
    user = UserFactory(username="ada", email="ada@example.com", is_staff=True)
    client.force_login(user)
    verifier, challenge = pkce_pair()

    redirect = client.get("/o/authorize/", authorize_params(challenge))
    assert redirect.status_code == 302
    location = urlsplit(redirect["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    code = parse_qs(location.query)["code"][0]

    tokens = client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
         "code_verifier": verifier, "client_id": "polycode-gateway", "client_secret": "s3cret"},
    ).json()  # fmt: skip

    id_token, access_token = tokens["id_token"], tokens["access_token"]
    header = jwt.get_unverified_header(id_token)
    claims = jwt.decode(
        id_token, jwks_key(client, header["kid"]), algorithms=["RS256"], audience="polycode-gateway"
    )
    assert claims["iss"] == "http://testserver/o"
    assert claims["sub"] == str(user.pk)
    assert claims["nonce"] == "nonce-1"
    assert claims["preferred_username"] == "ada"
    assert claims["polycode_uid"] == str(user.pk)
    assert claims["roles"] == ["learner", "staff"]
    access = jwt.decode(
        access_token, jwks_key(client, jwt.get_unverified_header(access_token)["kid"]),
        algorithms=["RS256"], audience="polycode-gateway",
    )  # fmt: skip
    assert (access["sub"], access["preferred_username"], access["iss"]) == (
        str(user.pk),
        "ada",
        claims["iss"],
    )
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}").json()
    assert userinfo["preferred_username"] == "ada"


def test_pkce_is_required(client, gateway_client):
    client.force_login(UserFactory())
    _, challenge = pkce_pair()
    params = authorize_params(challenge)
    del params["code_challenge"], params["code_challenge_method"]

    response = client.get("/o/authorize/", params)

    assert "code=" not in response.get("Location", "")


def test_a_wrong_code_verifier_gets_no_token(client, gateway_client):
    client.force_login(UserFactory())
    _, challenge = pkce_pair()
    code = parse_qs(urlsplit(client.get("/o/authorize/", authorize_params(challenge))["Location"]).query)[
        "code"
    ][0]

    response = client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
         "code_verifier": "x" * 50, "client_id": "polycode-gateway", "client_secret": "s3cret"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "access_token" not in json.loads(response.content)


def test_an_anonymous_visitor_signs_in_on_the_providers_page_as_any_learner(client, gateway_client):
    UserFactory(username="grace")
    _, challenge = pkce_pair()

    to_login = client.get("/o/authorize/", authorize_params(challenge))
    assert to_login.status_code == 302
    assert to_login["Location"].startswith("/o/login/")

    next_url = parse_qs(urlsplit(to_login["Location"]).query)["next"][0]
    signed_in = client.post(
        "/o/login/", {"username": "grace", "password": DEFAULT_PASSWORD, "next": next_url}
    )
    assert signed_in.status_code == 302
    assert client.get(signed_in["Location"])["Location"].startswith(REDIRECT)


def test_the_gateway_client_command_is_idempotent(db):
    call_command("oidc_gateway_client", "--secret", "one")
    call_command("oidc_gateway_client", "--secret", "two")

    apps = get_application_model().objects.filter(client_id="polycode-gateway")
    assert apps.count() == 1
    app = apps.get()
    assert app.skip_authorization
    assert app.algorithm == "RS256"
    assert "http://localhost:8000/oidc/callback/" in app.redirect_uris.split()


def issued_tokens(client, user) -> dict:
    client.force_login(user)
    verifier, challenge = pkce_pair()
    location = client.get("/o/authorize/", authorize_params(challenge))["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    return client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
         "code_verifier": verifier, "client_id": "polycode-gateway", "client_secret": "s3cret"},
    ).json()  # fmt: skip


@pytest.mark.parametrize("path", ["/o/userinfo/", "/o/introspect/", "/api/v1/accounts/me", "/health"])
def test_an_access_token_in_the_query_string_is_refused_on_every_endpoint(client, gateway_client, path):
    access_token = issued_tokens(client, UserFactory())["access_token"]
    client.logout()

    response = client.get(path, {"access_token": access_token})

    assert response.status_code == 400
    assert response.json()["code"] == "token_in_query"
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code == 200


def test_the_authorization_response_names_its_issuer(client, gateway_client):
    client.force_login(UserFactory())
    _, challenge = pkce_pair()

    location = client.get("/o/authorize/", authorize_params(challenge))["Location"]

    query = parse_qs(urlsplit(location).query)
    assert query["iss"] == [client.get("/o/.well-known/openid-configuration").json()["issuer"]]
    assert client.get("/o/.well-known/openid-configuration").json()[
        "authorization_response_iss_parameter_supported"
    ]


def introspect(client, token: str) -> dict:
    credentials = base64.b64encode(b"polycode-gateway:s3cret").decode()
    return client.post("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=f"Basic {credentials}").json()


def test_discovery_names_the_introspection_and_revocation_endpoints(client, db):
    meta = client.get("/o/.well-known/openid-configuration").json()

    assert meta["introspection_endpoint"] == "http://testserver/o/introspect/"
    assert meta["revocation_endpoint"] == "http://testserver/o/revoke_token/"


def test_a_deactivated_accounts_tokens_are_inactive_refused_and_not_refreshed(client, gateway_client):
    user = UserFactory()
    tokens = issued_tokens(client, user)
    client.logout()
    assert introspect(client, tokens["access_token"])["active"] is True

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert introspect(client, tokens["access_token"]) == {"active": False}
    assert (
        client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401
    )
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
         "client_id": "polycode-gateway", "client_secret": "s3cret"},
    )  # fmt: skip
    assert refreshed.status_code == 400
    assert "access_token" not in refreshed.json()


def test_a_revoked_access_token_is_inactive(client, gateway_client):
    tokens = issued_tokens(client, UserFactory())
    client.logout()

    client.post(
        "/o/revoke_token/",
        {"token": tokens["access_token"], "client_id": "polycode-gateway", "client_secret": "s3cret"},
    )

    assert introspect(client, tokens["access_token"]) == {"active": False}


def test_outside_development_the_gateway_client_needs_its_own_secret(db, settings, monkeypatch):
    from django.core.management.base import CommandError

    settings.GATEWAY_ASSERTION_DEV_KEYS = False  # as production settings have it
    monkeypatch.delenv("OIDC_RP_CLIENT_SECRET", raising=False)

    with pytest.raises(CommandError, match="client secret"):
        call_command("oidc_gateway_client")
    with pytest.raises(CommandError, match="public"):
        call_command("oidc_gateway_client", "--secret", "gateway-dev-secret")
    assert not get_application_model().objects.filter(client_id="polycode-gateway").exists()

    call_command("oidc_gateway_client", "--secret", "a-real-secret")
    assert get_application_model().objects.filter(client_id="polycode-gateway").exists()


def test_in_development_the_gateway_client_gets_the_development_secret(db, settings):
    settings.GATEWAY_ASSERTION_DEV_KEYS = True

    call_command("oidc_gateway_client")

    assert get_application_model().objects.filter(client_id="polycode-gateway").exists()
