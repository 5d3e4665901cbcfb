"""Full OIDC login through the gateway against the monolith's provider in its own process.

The monolith runs under gunicorn on a free port with its own SQLite database
and ``REQUIRE_GATEWAY_ASSERTION=true``. A browser (a requests session at the
provider, Django's test client at the gateway) goes through authorization code
+ PKCE; then an API call through the gateway reaches the monolith as that user.
"""

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from common.identity import keys
from common.messaging.testing import free_port, wait_for_port
from gateway_proxy.auth.provider import reset_provider
from gateway_proxy.tests.conftest import GATEWAY_KEY, assertion_of

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://testserver/oidc/callback/"
PROVIDER_ENV: dict = {}

BOOTSTRAP = f"""
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
call_command("migrate", verbosity=0, interactive=False)
call_command("oidc_gateway_client", "--secret", "s3cret", "--redirect-uri", "{CALLBACK}")
get_user_model().objects.create_user("ada", email="ada@example.com", password="ada-password", is_staff=True)
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("monolith")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "monolith.settings.test",
        "DATABASE_URL": f"sqlite:///{workdir / 'monolith.sqlite3'}",
        "POLYCODE_VAR_DIR": str(workdir),
        "REQUIRE_GATEWAY_ASSERTION": "true",
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(GATEWAY_KEY),
    }
    env.pop("BROKER_URL", None)
    PROVIDER_ENV.update(env)
    subprocess.run([sys.executable, "-c", BOOTSTRAP], cwd=ROOT, env=env, check=True, timeout=240)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "monolith.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "4",
         "-k", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    if not wait_for_port(port, 60):
        process.kill()
        pytest.fail("the monolith did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def relying_party(settings, provider, register, route, make_upstream):
    settings.OIDC_ISSUER = f"{provider}/o"
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_ACCEPTED_AUDIENCES = ["polycode-gateway"]
    reset_provider()
    register("monolith", provider)
    echo = make_upstream("echo")
    register("echo", echo.url)
    route("/api/echo/", mode="extracted", legacy_service="", extracted_service="echo")
    return echo


def set_active(username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account in the provider's own database, as its admin would."""
    code = (
        "import django; django.setup(); from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.filter(username={username!r}).update(is_active={active!r})"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=PROVIDER_ENV, check=True, timeout=60)


def login(client, provider: str, *, expect_success: bool = True) -> requests.Session:
    """Authorization code + PKCE, as a browser would follow the redirects."""
    start = client.get("/oidc/authenticate/", {"next": "/gateway/dashboard/"})
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{provider}/o/authorize/")
    assert "code_challenge=" in authorize
    assert "code_challenge_method=S256" in authorize

    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False)
    login_url = urljoin(provider, to_login.headers["Location"])
    form = browser.get(login_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&")
    signed_in = browser.post(
        login_url,
        data={"username": "ada", "password": "ada-password", "csrfmiddlewaretoken": csrf, "next": next_url},
        headers={"Referer": login_url},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    back = browser.get(urljoin(provider, signed_in.headers["Location"]), allow_redirects=False)
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK)

    done = client.get(urlsplit(callback).path + "?" + urlsplit(callback).query)
    assert done.status_code == 302
    assert done["Location"] == ("/gateway/dashboard/" if expect_success else "/gateway/login-failed/")
    return browser


def test_a_browser_logs_in_through_the_gateway_and_calls_the_api_as_itself(
    client, gateway, relying_party, provider
):
    login(client, provider)
    cookie = f"gw_sessionid={client.cookies['gw_sessionid'].value}"

    echoed = gateway.get("/api/echo/whoami", headers={"Cookie": cookie})
    me = gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie})

    assert echoed.status == 200
    identity = assertion_of(relying_party.requests[-1], "echo")
    assert identity.username == "ada"
    assert identity.email == "ada@example.com"
    assert "staff" in identity.roles
    assert me.status == 200, me.body[:300]
    assert me.json()["username"] == "ada"
    assert client.get("/gateway/dashboard/").status_code == 200  # staff role -> gateway staff


def test_the_providers_jwt_access_token_works_as_a_bearer_token(client, gateway, relying_party, provider):
    browser = login(client, provider)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    authorize = browser.get(
        f"{provider}/o/authorize/",
        params={"response_type": "code", "client_id": "polycode-gateway", "redirect_uri": CALLBACK,
                "scope": "openid profile email", "state": "s", "code_challenge": challenge,
                "code_challenge_method": "S256"},
        allow_redirects=False,
    )  # fmt: skip
    code = parse_qs(urlsplit(authorize.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{provider}/o/token/",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier, "client_id": "polycode-gateway", "client_secret": "s3cret"},
        timeout=5,
    ).json()  # fmt: skip

    me = gateway.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    forged = gateway.get(
        "/api/v1/accounts/me", headers={"Authorization": f"Bearer {tokens['access_token'][:-3]}abc"}
    )

    assert me.status == 200
    assert me.json()["username"] == "ada"
    assert forged.status == 401


def test_a_request_bypassing_the_gateway_is_refused_by_the_monolith(provider):
    response = requests.get(f"{provider}/api/v1/accounts/me", timeout=5)

    assert response.status_code == 401
    assert response.json()["code"] == "assertion_missing"


def test_logging_out_ends_the_gateway_session_and_the_providers(client, gateway, relying_party, provider):
    browser = login(client, provider)

    out = client.post("/logout/", HTTP_ORIGIN="http://testserver", HTTP_HOST="testserver")

    assert out.status_code == 302
    end_session = out["Location"]
    assert end_session.startswith(f"{provider}/o/logout/")
    assert "id_token_hint=" in end_session
    assert "gw_sessionid" not in client.cookies or not client.cookies["gw_sessionid"].value
    ended = browser.get(end_session, allow_redirects=False)
    assert ended.status_code == 302, ended.text[:300]  # no "are you sure?" page
    assert ended.headers["Location"] == "http://testserver/"
    # The provider forgot the browser: signing in again asks for the password.
    again = client.get("/oidc/authenticate/")
    assert browser.get(again["Location"], allow_redirects=False).headers["Location"].startswith("/o/login/")


def test_a_cross_site_logout_is_refused(client, relying_party, provider):
    login(client, provider)

    refused = client.post("/logout/", HTTP_ORIGIN="http://evil.example", HTTP_HOST="testserver")

    assert refused.status_code == 403
    assert client.get("/").headers["Location"] == "/dashboard/"


def test_the_front_page_sends_a_visitor_to_the_catalogue(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/learn/"


def bearer_tokens(browser: requests.Session, provider: str) -> dict:
    """Tokens of the provider for the browser's signed-in account (authorization code + PKCE)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    authorize = browser.get(
        f"{provider}/o/authorize/",
        params={"response_type": "code", "client_id": "polycode-gateway", "redirect_uri": CALLBACK,
                "scope": "openid profile email", "state": "s", "code_challenge": challenge,
                "code_challenge_method": "S256"},
        allow_redirects=False,
    )  # fmt: skip
    code = parse_qs(urlsplit(authorize.headers["Location"]).query)["code"][0]
    return requests.post(
        f"{provider}/o/token/",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier, "client_id": "polycode-gateway", "client_secret": "s3cret"},
        timeout=5,
    ).json()  # fmt: skip


@pytest.fixture
def recheck_every_request(settings):
    settings.GATEWAY_TOKEN_RECHECK_SECONDS = 0


def test_an_account_refused_at_the_callback_gets_no_gateway_session(client, gateway, relying_party, provider):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("ada", is_active=False)  # deactivated at the gateway

    login(client, provider, expect_success=False)

    cookie = client.cookies.get("gw_sessionid")
    me = gateway.get(
        "/api/v1/accounts/me", headers={"Cookie": f"gw_sessionid={cookie.value}" if cookie else ""}
    )
    assert me.status == 401
    assert client.get("/gateway/dashboard/").status_code in (302, 403)


def test_a_failed_login_ends_the_session_the_browser_had(client, gateway, relying_party, provider, settings):
    login(client, provider)
    cookie = f"gw_sessionid={client.cookies['gw_sessionid'].value}"
    assert gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie}).status == 200

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": "x"})

    assert response.status_code == 302
    assert gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie}).status == 401


def test_an_authorization_response_from_another_issuer_is_a_failed_login(client, relying_party):
    response = client.get("/oidc/callback/", {"code": "c", "state": "s", "iss": "https://evil.example/o"})

    assert response.status_code == 302
    assert response["Location"] == "/gateway/login-failed/"


def test_deactivating_an_account_ends_its_gateway_sessions_and_refuses_its_tokens(
    client, gateway, relying_party, provider, recheck_every_request
):
    browser = login(client, provider)
    tokens = bearer_tokens(browser, provider)
    cookie = f"gw_sessionid={client.cookies['gw_sessionid'].value}"
    bearer = f"Bearer {tokens['access_token']}"
    assert gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie}).status == 200
    assert gateway.get("/api/v1/accounts/me", headers={"Authorization": bearer}).status == 200

    set_active("ada", False)
    try:
        by_session = gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie})
        by_token = gateway.get("/api/v1/accounts/me", headers={"Authorization": bearer})
    finally:
        set_active("ada", True)

    assert by_session.status == 401
    assert by_token.status == 401
    assert by_token.json()["detail"] == "The bearer token was revoked."
    # The session was deleted, not merely refused once.
    assert gateway.get("/api/v1/accounts/me", headers={"Cookie": cookie}).status == 401


def test_a_revoked_access_token_stops_working_at_the_gateway_before_it_expires(
    client, gateway, relying_party, provider, recheck_every_request
):
    tokens = bearer_tokens(login(client, provider), provider)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert gateway.get("/api/v1/accounts/me", headers=bearer).status == 200

    revoked = requests.post(
        f"{provider}/o/revoke_token/",
        data={"token": tokens["access_token"], "client_id": "polycode-gateway", "client_secret": "s3cret"},
        timeout=5,
    )

    assert revoked.status_code == 200
    assert gateway.get("/api/v1/accounts/me", headers=bearer).status == 401


def service_process(workdir: Path, name: str, database_variable: str):
    """The shop or the mailer under gunicorn, requiring the gateway's assertion, on a free port."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"extracted.{name}.settings.test",
        database_variable: f"sqlite:///{workdir / f'{name}.sqlite3'}",
        "POLYCODE_VAR_DIR": str(workdir),
        "REQUIRE_GATEWAY_ASSERTION": "true",
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(GATEWAY_KEY),
    }
    env.pop("BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=240,
    )
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), f"extracted.{name}.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    if not wait_for_port(port, 60):
        process.kill()
        pytest.fail(f"the {name} service did not start")
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def service_admins(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("services")
    started = {
        "shop": service_process(workdir, "shop", "SHOP_DATABASE_URL"),
        "mailer": service_process(workdir, "mailer", "MAILER_DATABASE_URL"),
    }
    yield {name: url for name, (_, url) in started.items()}
    for process, _ in started.values():
        process.terminate()
        process.wait(timeout=10)


def is_admin_index(body: bytes) -> bool:
    return b"Site administration" in body and b'id="login-form"' not in body


def test_a_staff_member_signed_in_once_reaches_every_admin_through_the_gateway(
    client, gateway, relying_party, provider, service_admins, register
):
    register("shop", service_admins["shop"])
    register("mailer", service_admins["mailer"])
    login(client, provider)
    cookie = {"Cookie": f"gw_sessionid={client.cookies['gw_sessionid'].value}"}

    pages = {
        prefix: gateway.get(prefix, headers=cookie)
        for prefix in ("/admin/", "/shop/admin/", "/mailer/admin/")
    }
    own = client.get("/gateway/admin/")
    stylesheets = [
        gateway.get(f"{p}admin/css/base.css") for p in ("/static/", "/shop/static/", "/mailer/static/")
    ]

    for prefix, page in pages.items():
        assert page.status == 200, (prefix, page.body[:300])
        assert is_admin_index(page.body), prefix
    assert own.status_code == 200
    assert is_admin_index(own.content)
    assert [s.status for s in stylesheets] == [200, 200, 200]
