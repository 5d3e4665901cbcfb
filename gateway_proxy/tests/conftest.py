"""Fixtures of the gateway's tests: real upstreams on loopback, an issuer, a WSGI client."""

import io
import json
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from common.identity import keys
from common.identity.assertion import verify
from common.registry.base import reset_registry
from gateway_proxy import ratelimit, services
from gateway_proxy.auth.identity import token_cache
from gateway_proxy.auth.provider import reset_provider
from gateway_proxy.metrics import traffic
from gateway_proxy.models import Route
from gateway_proxy.proxy.upstream import upstreams
from gateway_proxy.routing import route_table
from gateway_proxy.tests.servers import Issuer, Upstream

GATEWAY_KEY = keys.generate_private_pem()


@dataclass
class Result:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def headers_named(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)


class GatewayClient:
    """Calls the gateway's real WSGI application in process (the path gunicorn takes)."""

    def __init__(self):
        from gateway_proxy.wsgi import application

        self.application = application

    def request(
        self, method: str, target: str, *, body: bytes = b"", headers: dict | None = None, stream=None, **meta
    ):
        """``stream`` replaces the client's body stream (``wsgi.input``); ``body`` sets its length."""
        path = target if target.startswith("/") else urlsplit(target).path
        environ = RequestFactory().generic(method, unquote(path.split("?")[0]) or "/", **meta).environ
        environ["RAW_URI"] = target
        environ["QUERY_STRING"] = target.partition("?")[2]
        environ["wsgi.input"] = stream if stream is not None else io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body)) if body else ""
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = response_headers

        # As Django's test client does: the test's database connection must
        # survive the end of the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            iterable = self.application(environ, start_response)
            try:
                data = b"".join(iterable)
            finally:
                if hasattr(iterable, "close"):
                    iterable.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Result(captured["status"], list(captured["headers"]), data)

    def get(self, target, **kwargs):
        return self.request("GET", target, **kwargs)

    def post(self, target, **kwargs):
        return self.request("POST", target, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_gateway(settings):
    settings.GATEWAY_ASSERTION_PRIVATE_KEY = GATEWAY_KEY
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(GATEWAY_KEY)
    settings.SERVICE_URLS = {}
    settings.GATEWAY_BREAKER_COOLDOWN = 0.5
    settings.GATEWAY_BREAKER_FAILURES = 3
    reset_registry()
    route_table.invalidate()
    upstreams.reset()
    ratelimit.reset_limiter(ratelimit.LocalLimiter())
    token_cache.clear()
    reset_provider()
    traffic.snapshot()
    traffic._counters.clear()
    yield
    reset_registry()
    route_table.invalidate()
    upstreams.reset()


@pytest.fixture
def gateway() -> GatewayClient:
    return GatewayClient()


@pytest.fixture
def make_upstream():
    servers = []

    def make(name: str = "upstream") -> Upstream:
        server = Upstream(name)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def register(settings):
    """Register a service in the gateway's registry: ``register("shop", url, ...)``."""

    def register(name: str, *urls: str):
        settings.SERVICE_URLS = {**settings.SERVICE_URLS, name: ",".join(urls)}
        reset_registry()

    return register


@pytest.fixture
def route(db):
    """Create or replace a route through the audited service."""

    def make(prefix: str, **fields) -> Route:
        Route.objects.filter(prefix=prefix).delete()
        created = services.route_create(prefix=prefix, actor="test", **fields)
        route_table.invalidate()
        return created

    return make


@pytest.fixture
def monolith(make_upstream, register):
    server = make_upstream("monolith")
    register("monolith", server.url)
    return server


@pytest.fixture
def shop(make_upstream, register):
    server = make_upstream("shop")
    register("shop", server.url)
    return server


@pytest.fixture
def issuer(settings):
    server = Issuer()
    settings.OIDC_ISSUER = server.issuer
    settings.OIDC_ACCEPTED_AUDIENCES = ["polycode-gateway"]
    settings.OIDC_JWKS_MIN_REFRESH_SECONDS = 0
    reset_provider()
    yield server
    server.close()


@pytest.fixture
def browser_session(issuer):
    """Sign a Django test client in as the OIDC callback does: ``browser_session(client, ...)``."""
    from django.contrib.auth import get_user_model

    from gateway_proxy.auth.identity import SESSION_KEY
    from gateway_proxy.auth.revocation import TOKENS_KEY

    def sign_in(client, *, user_id="9", username="ada", roles=(), refresh_token="refresh-1", expires_in=300):  # noqa: S107
        user, _ = get_user_model().objects.get_or_create(username=username)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[SESSION_KEY] = {"user_id": user_id, "username": username, "email": f"{username}@example.com",
                                "roles": sorted(roles)}  # fmt: skip
        session[TOKENS_KEY] = {
            "access_token": issuer.token(sub=user_id, username=username, roles=roles),
            "refresh_token": refresh_token,
            "expires_at": time.time() + expires_in,
        }
        session.save()
        return client

    return sign_in


def assertion_of(seen_request: dict, audience: str):
    """The identity the upstream was told, verified as that upstream would."""
    token = {k.lower(): v for k, v in seen_request["headers"].items()}["x-polycode-identity"]
    return verify(token, audience=audience)
