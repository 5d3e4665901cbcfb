"""Every service believes X-Forwarded-* only from the proxies configured by address."""

import pytest

ATTACK = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "evil.example"}


@pytest.fixture
def behind_tls(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["testserver", "polycode.example", "evil.example"]


def issuer(client, **meta) -> str:
    return client.get("/o/.well-known/openid-configuration", **meta).json()["issuer"]


def test_a_peer_that_is_not_a_configured_proxy_cannot_claim_https_or_a_host(client, db, behind_tls, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    assert issuer(client, REMOTE_ADDR="127.0.0.1", **ATTACK) == "http://testserver/o"
    assert issuer(client, REMOTE_ADDR="10.0.0.2", **ATTACK) == "http://testserver/o"


def test_a_configured_proxy_is_believed(client, db, behind_tls, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert issuer(client, REMOTE_ADDR="10.0.0.9", **ATTACK) == "https://evil.example/o"


def test_no_proxy_is_trusted_when_none_is_configured(client, db, behind_tls, settings):
    settings.TRUSTED_PROXIES = []

    assert issuer(client, REMOTE_ADDR="127.0.0.1", **ATTACK) == "http://testserver/o"
