"""The monolith's OpenAPI schema, fuzzed by schemathesis through the gateway as deployed.

The gateway runs as the Procfile starts it (gunicorn, gevent workers, production
settings) in front of a real monolith under gunicorn (its own SQLite database, the
demo content, the gateway's assertion required). The client is the demo learner
with a bearer access token of the monolith's OIDC provider. Every operation gets
bounded, reproducible valid and invalid requests: no 5xx but a documented 503,
and every answer, the gateway's own errors included, matches the schema.
"""

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from common.identity import keys
from common.messaging.testing import free_port, wait_for_port
from common.testing import fuzz
from gateway_proxy.tests.production import KEY, ROOT, GatewayProcess

CLIENT_SECRET = "fuzz-client-secret"
CALLBACK = "http://testserver/oidc/callback/"
PASSWORD = "learner-password"
MAX_BODY = 64 * 1024

BOOTSTRAP = f"""
import django
django.setup()
from django.core.management import call_command
from monolith.accounts.models import User
call_command("migrate", verbosity=0, interactive=False)
call_command("load_demo", verbosity=0)
call_command("oidc_gateway_client", "--secret", "{CLIENT_SECRET}", "--redirect-uri", "{CALLBACK}")
learner = User.objects.get(username="learner")
learner.set_password("{PASSWORD}")
learner.save()
"""


@pytest.fixture(scope="module")
def monolith(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz-monolith")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "monolith.settings.test",
        "DATABASE_URL": f"sqlite:///{workdir / 'monolith.sqlite3'}",
        "POLYCODE_VAR_DIR": str(workdir),
        "REQUIRE_GATEWAY_ASSERTION": "true",
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(KEY),
    }
    env.pop("BROKER_URL", None)
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


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, monolith):
    process = GatewayProcess(
        tmp_path_factory.mktemp("fuzz-gateway"),
        SERVICE_URL_MONOLITH=monolith,
        OIDC_ISSUER=f"{monolith}/o",
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        # Every generated request must reach the monolith, not stop at the rate limit.
        GATEWAY_RATE_LIMIT_USER="100000",
        GATEWAY_RATE_LIMIT_IP="100000",
        GATEWAY_MAX_BODY_BYTES=str(MAX_BODY),
        # Its own Redis database: these requests fill no bucket of another gateway on loopback.
        REDIS_URL="redis://127.0.0.1:6379/14",
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def limited_gateway(tmp_path_factory, monolith):
    """The same gateway allowing a client address three requests a minute."""
    process = GatewayProcess(
        tmp_path_factory.mktemp("fuzz-limited-gateway"),
        SERVICE_URL_MONOLITH=monolith,
        OIDC_ISSUER=f"{monolith}/o",
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        GATEWAY_RATE_LIMIT_IP="3",
        REDIS_URL="redis://127.0.0.1:6379/13",
    )
    yield process
    process.stop()


def learner_access_token(provider: str) -> str:
    """The learner signs in at the provider; authorization code + PKCE gives its JWT access token."""
    browser = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    authorize = requests.Request(
        "GET", f"{provider}/o/authorize/",
        params={"response_type": "code", "client_id": "polycode-gateway", "redirect_uri": CALLBACK,
                "scope": "openid profile email", "state": "s", "code_challenge": challenge,
                "code_challenge_method": "S256"},
    ).prepare().url  # fmt: skip
    login_url = urljoin(provider, browser.get(authorize, allow_redirects=False).headers["Location"])
    form = browser.get(login_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&")
    signed_in = browser.post(
        login_url,
        data={"username": "learner", "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": next_url},
        headers={"Referer": login_url},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:300]
    back = browser.get(urljoin(provider, signed_in.headers["Location"]), allow_redirects=False)
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{provider}/o/token/",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier, "client_id": "polycode-gateway", "client_secret": CLIENT_SECRET},
        timeout=5,
    ).json()  # fmt: skip
    return tokens["access_token"]


@pytest.fixture(scope="module")
def operations(gateway, monolith):
    """The schema as the gateway serves it, its requests sent to the gateway, by label."""
    import schemathesis

    bearer = {"Authorization": f"Bearer {learner_access_token(monolith)}"}
    me = requests.get(f"{gateway.url}/api/v1/accounts/me", headers=bearer, timeout=10)
    assert me.status_code == 200, me.text[:300]
    assert me.json()["username"] == "learner"
    schema = schemathesis.openapi.from_url(f"{gateway.url}/api/schema/", headers=bearer)
    schema.config.update(base_url=gateway.url)
    found = {result.ok().label: result.ok() for result in schema.get_all_operations()}
    return found, bearer


def fuzz_all(found: dict, headers, max_examples: int) -> None:
    """``fuzz`` every operation; one failure report naming each operation that failed."""
    failures = {}
    for label, operation in sorted(found.items()):
        try:
            fuzz(operation, headers=headers, max_examples=max_examples)
        except Exception as failure:  # an assertion, or schemathesis' group of failed checks
            failures[label] = f"{type(failure).__name__}: {str(failure)[:800]}"
    assert not failures, "\n\n".join(f"{label}: {why}" for label, why in failures.items())


def test_every_operation_through_the_gateway_answers_the_learner_without_5xx_and_as_the_schema_says(
    operations,
):
    found, bearer = operations
    started = time.monotonic()

    fuzz_all(found, lambda: dict(bearer), max_examples=6)

    print(f"{len(found)} operations fuzzed through the gateway in {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("credentials", ["none", "forged"])
def test_the_gateways_refusals_of_every_operation_have_the_documented_error_shape(operations, credentials):
    found, bearer = operations
    forged = {"Authorization": bearer["Authorization"][:-3] + "abc"}

    fuzz_all(found, lambda: {} if credentials == "none" else dict(forged), max_examples=1)


def test_a_body_over_the_gateways_limit_is_refused_with_the_documented_error_shape(operations, gateway):
    found, bearer = operations
    operation = found["POST /api/v1/accounts/emails"]

    response = requests.post(
        f"{gateway.url}/api/v1/accounts/emails",
        data=b'{"email": "' + b"a" * MAX_BODY + b'@example.com"}',
        headers={**bearer, "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    operation.validate_response(response)


def test_a_client_over_the_rate_limit_is_refused_with_the_documented_error_shape(operations, limited_gateway):
    found, _ = operations
    operation = found["GET /api/v1/accounts/me"]

    answers = [requests.get(f"{limited_gateway.url}/api/v1/accounts/me", timeout=10) for _ in range(6)]

    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, [answer.status_code for answer in answers]
    assert refused[0].json()["code"] == "rate_limited"
    assert int(refused[0].headers["Retry-After"]) > 0
    operation.validate_response(refused[0])


def test_a_path_no_route_serves_is_refused_with_the_error_shape_of_the_schema(gateway, operations):
    import jsonschema

    from common.api.schema import ERROR

    response = requests.get(f"{gateway.url}/no/such/route", headers=operations[1], timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    jsonschema.validate(response.json(), ERROR)


def test_the_gateways_own_dashboard_api_answers_the_learner_and_refuses_in_the_error_shape(
    gateway, operations
):
    """The one API the gateway serves itself (no schema describes it): its answers and refusals."""
    import jsonschema

    from common.api.schema import ERROR

    bearer = operations[1]
    url = f"{gateway.url}/api/v1/dashboard"

    mine = requests.get(url, headers=bearer, timeout=10)
    anonymous = requests.get(url, timeout=10)
    written = requests.post(url, headers=bearer, json={}, timeout=10)

    assert mine.status_code == 200, mine.text[:300]
    assert mine.json()["parts"]["account"]["username"] == "learner"
    assert set(mine.json()["parts"]) == {"account", "learning", "shop"}, mine.json()["errors"]
    assert anonymous.status_code == 401
    assert written.status_code == 405
    assert written.headers["Allow"] == "GET, HEAD"
    for refused in (anonymous, written):
        assert refused.headers["Content-Type"].startswith("application/json")
        jsonschema.validate(refused.json(), ERROR)
