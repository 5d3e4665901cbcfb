"""Web pages carry a strict Content-Security-Policy; production adds HSTS and secure cookies.

Pages are fetched from the monolith (the identity provider's sign-in page, Swagger
UI) with Django's test client; each service's production settings are loaded in a
child process, as the service would load them.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from common.identity.tests.test_replay_across_processes import production_env

ROOT = Path(__file__).resolve().parents[2]


def inline_scripts(html: str) -> list[str]:
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


@pytest.mark.parametrize("path", ["/o/login/", "/api/docs/"])
def test_pages_forbid_inline_scripts_and_styles_and_have_none(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert inline_scripts(html) == []
    assert "<style" not in html


def test_swagger_ui_loads_its_script_and_assets_from_this_origin(client, db):
    html = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        assert client.get(source.replace("&amp;", "&")).status_code == 200, source


def test_static_files_are_served_by_the_service_itself(client, db):
    login = client.get("/o/login/").content.decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login).group(1)

    response = client.get(stylesheet)

    assert response.status_code == 200
    assert b"font" in b"".join(response.streaming_content)


PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "cookies": [
        settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY
    ],
    "middleware": settings.MIDDLEWARE,
}))
"""


@pytest.mark.parametrize(
    "settings_module",
    [
        "monolith.settings.production",
        "extracted.shop.settings.production",
        "extracted.mailer.settings.production",
        "gateway_proxy.settings.production",
    ],
)
def test_production_settings_send_hsts_secure_cookies_and_the_policy(tmp_path, settings_module):
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE=settings_module,
        GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        OIDC_ISSUER="https://id.example/realms/polycode",
        OIDC_RP_CLIENT_ID="polycode-gateway",
        OIDC_RP_CLIENT_SECRET="secret",
        GATEWAY_ASSERTION_PRIVATE_KEY=env_key(),
    )

    found = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip

    seen = json.loads(found.stdout)
    assert seen["hsts"] >= 365 * 24 * 3600
    assert seen["subdomains"] is True
    assert seen["cookies"] == [True, True, True]
    assert "csp.middleware.CSPMiddleware" in seen["middleware"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in seen["middleware"]
    assert seen["middleware"][0] == "common.identity.proxies.TrustedProxyMiddleware"
    assert "axes.middleware.AxesMiddleware" in seen["middleware"]  # password logins are attempt-limited


def env_key() -> str:
    from common.identity import keys

    return keys.generate_private_pem()


def test_swagger_ui_under_a_rewritten_gateway_prefix_loads_this_services_script_and_schema(client, db):
    forwarded = {"HTTP_X_FORWARDED_PATH": "/api/runner/docs/", "REMOTE_ADDR": "127.0.0.1"}

    html = client.get("/api/docs/", **forwarded).content.decode()
    script = client.get("/api/docs/?script=", **forwarded).content.decode()

    assert 'src="/api/runner/docs/?script="' in html
    assert '"/api/runner/schema/"' in script


def test_a_forwarded_path_from_an_untrusted_peer_is_ignored(client, db):
    script = client.get(
        "/api/docs/?script=", HTTP_X_FORWARDED_PATH="/elsewhere/docs/", REMOTE_ADDR="203.0.113.9"
    ).content.decode()

    assert '"/api/schema/"' in script
