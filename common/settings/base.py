"""Settings every PolyCode Django service starts from.

A service's ``settings/base.py`` star-imports this module, then sets its own
``SERVICE_NAME``, ``INSTALLED_APPS`` additions, ``ROOT_URLCONF`` and database.
Values come from the environment through one ``env`` object; the defaults are
for local development only (``production.py`` of each service requires them).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

from common.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("POLYCODE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - dev default only

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
# Services sit behind the gateway, which sets X-Forwarded-Host to the host the client
# asked for (after checking it): links, redirects and CSRF origin checks use that host.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=True)
# Forwarded headers are taken only from these peers (addresses or networks): in
# development the gateway on this machine; production names its own.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # attempt limits of password logins (below)
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "common.identity.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.identity.middleware.GatewayAssertionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "common" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password logins (every admin, the identity provider's sign-in page) are limited by
# django-axes: after LOGIN_FAILURE_LIMIT failures for
# one username from one client address, that pair is refused (429) for
# LOGIN_LOCKOUT_MINUTES. The address is the client's, behind trusted proxies only.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "common.identity.proxies.request_client_ip"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Django's default, spelled out so that production settings can add to it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Every service serves its own static files (WhiteNoise), under gunicorn as under
# runserver, straight from the apps' static/ folders: no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "common" / "static"]

# Content-Security-Policy of every page (django-csp): scripts, styles, fonts and images
# from this origin only, no inline script or style, no plugins, no framing. Pages load
# their bundles from the static URL; Swagger UI is served by the split view (no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # CodeMirror writes its styles into a <style> element: the editor's script tag
        # carries the request's nonce and hands it on (web/components/editor_script.html).
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def sqlite_default(service: str) -> str:
    """Embedded default database of ``service``: one SQLite file per service."""
    return f"sqlite:///{VAR_DIR / f'{service}.sqlite3'}"


def service_database(variable: str, service: str | None = None) -> dict:
    """An extracted service's own database: the URL in ``variable`` (never the monolith's).

    With ``service`` (development) the URL defaults to that service's SQLite file;
    without (production) it is required. Connections persist and are checked before
    reuse (database restarts); the engine's options are those of ``engine_options``.
    """
    database = env.db(variable) if service is None else env.db(variable, default=sqlite_default(service))
    database["ATOMIC_REQUESTS"] = False
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    return engine_options(database)


def engine_options(database: dict) -> dict:
    """``database`` with the options of its engine, for every service.

    SQLite file: several processes may write it (web workers, relay, Celery
    worker), so a transaction takes the write lock when it begins and waits for
    it, instead of failing with "database is locked" when it first writes.

    PostgreSQL (psycopg 3): parameters are bound by the server (the statement
    and its values travel apart), and a statement a connection has run
    ``DATABASE_PREPARE_THRESHOLD`` times (default 5) is prepared by the server,
    which then plans it once per connection instead of on every call. Django
    turns psycopg's automatic preparation off unless ``prepare_threshold`` is
    given, and client-side binding (Django's default) never prepares. Prepared
    statements live in the database session: a pooler in front of PostgreSQL
    must keep them (PgBouncer's session mode, or its transaction mode with
    ``max_prepared_statements``); ``DATABASE_PREPARE_THRESHOLD=off`` turns
    preparing off.
    """
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})
    elif database["ENGINE"].endswith("postgresql"):
        threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
        database.setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": None if threshold == "off" else int(threshold)}
        )
    return database


# Identity assertion signed by the gateway (common/identity). Services verify it
# with GATEWAY_ASSERTION_PUBLIC_KEY (PEM; a dev key pair is generated in VAR_DIR
# when empty). With REQUIRE_GATEWAY_ASSERTION on (the production default) a
# request without one is 401; off, session and basic authentication still work.
REQUIRE_GATEWAY_ASSERTION = env.bool("REQUIRE_GATEWAY_ASSERTION", default=False)
GATEWAY_ASSERTION_PUBLIC_KEY = env.str("GATEWAY_ASSERTION_PUBLIC_KEY", default="", multiline=True)
GATEWAY_ASSERTION_DEV_KEYS = True
GATEWAY_ASSERTION_EXEMPT_PATHS = env.list(
    "GATEWAY_ASSERTION_EXEMPT_PATHS", default=["/health", "/ready", "/metrics", "/static/"]
)
IDENTITY_REPLAY_CACHE = env.str("IDENTITY_REPLAY_CACHE", default="default")
# Calls between services (common/identity/README.md): the caller signs its own
# assertion with SERVICE_ASSERTION_PRIVATE_KEY (a dev key per service in VAR_DIR
# when empty); the callee accepts those of SERVICE_ASSERTION_CALLERS, each
# verified with SERVICE_ASSERTION_PUBLIC_KEY_<NAME>.
SERVICE_ASSERTION_PRIVATE_KEY = env.str("SERVICE_ASSERTION_PRIVATE_KEY", default="", multiline=True)
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=[])
SERVICE_ASSERTION_PUBLIC_KEYS = {
    name.removeprefix("SERVICE_ASSERTION_PUBLIC_KEY_").lower(): env.str(name, multiline=True)
    for name in sorted(env.ENVIRON)
    if name.startswith("SERVICE_ASSERTION_PUBLIC_KEY_")
}

# Discovery of the other services (common/registry), the same in every service:
# ``static`` reads SERVICE_URL_<NAME> (under a service mesh, the local sidecar's
# upstream ports), ``consul`` asks Consul's health API for passing instances.
SERVICE_REGISTRY = env.str("SERVICE_REGISTRY", default="static")
SERVICE_REGISTRY_DEV_DEFAULTS = env.bool("SERVICE_REGISTRY_DEV_DEFAULTS", default=True)
CONSUL_HTTP_ADDR = env.str("CONSUL_HTTP_ADDR", default="http://127.0.0.1:8500")
CONSUL_HTTP_TOKEN = env.str("CONSUL_HTTP_TOKEN", default="")
CONSUL_CACHE_SECONDS = env.float("CONSUL_CACHE_SECONDS", default=5.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.identity.authentication.GatewayAssertionAuthentication",
        "common.identity.authentication.SessionUnlessGatewayRequired",
        "common.identity.authentication.BasicUnlessGatewayRequired",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets are served locally, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.document_errors",
    ],
}

# Logs (common/observability/logs.py): every logger through structlog, one line per
# event carrying the request id and the user id; readable text in development, JSON
# lines in production (LOG_FORMAT=json|console).
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = logging_config(level=LOG_LEVEL, log_format=LOG_FORMAT)

# Metrics and traces (common/observability): every service installs these apps, wraps
# its middleware with ``observed_middleware`` and serves django-prometheus's /metrics.
OBSERVABILITY_APPS = ["django_prometheus", "common.observability"]
# Traces (OpenTelemetry): off unless OTEL_TRACES_EXPORTER says otlp (to
# OTEL_EXPORTER_OTLP_ENDPOINT, which alone turns otlp on) or console.
OTEL_TRACES_EXPORTER = env.str(
    "OTEL_TRACES_EXPORTER", default="otlp" if env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="") else "none"
)
OTEL_TRACES_FILE = env.str("OTEL_TRACES_FILE", default="")


def observed_middleware(middleware: list[str]) -> list[str]:
    """``middleware`` measured by django-prometheus (from the start, after the trusted-proxy
    check that must see the request first, to the end) and with each request's user bound
    to its log lines (once the identity is known)."""
    anchors = (
        "common.identity.middleware.GatewayAssertionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    )
    after = next((name for name in anchors if name in middleware), None)
    stack = list(middleware)
    log_context = "common.observability.middleware.LogContextMiddleware"
    stack.insert(0 if after is None else stack.index(after) + 1, log_context)
    first = 1 if stack[0] == "common.identity.proxies.TrustedProxyMiddleware" else 0
    stack.insert(first, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    return [*stack, "django_prometheus.middleware.PrometheusAfterMiddleware"]
