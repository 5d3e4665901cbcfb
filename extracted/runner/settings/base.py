"""Runner service settings shared by every environment.

The runner is stateless: it keeps no data (Django's auth and sessions are not
installed; the database Django insists on is an in-memory SQLite), only an
in-memory cache for idempotency keys and for the identity assertions it has
accepted (each is accepted once).

Callers are authenticated by their identity assertion only (common/identity): the
gateway's, for learners calling ``/api/runner/``, and the monolith's own, for its
calls on a learner's behalf.
"""

import os

from common.settings.base import *  # noqa: F403
from common.settings.base import REST_FRAMEWORK, SPECTACULAR_SETTINGS, THIRD_PARTY_APPS, engine_options, env

SERVICE_NAME = "runner"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    *THIRD_PARTY_APPS,
    "extracted.runner",
    *OBSERVABILITY_APPS,  # noqa: F405
]

MIDDLEWARE = observed_middleware(  # noqa: F405
    [
        # Forwarded headers (X-Forwarded-Path: the docs page under /api/runner/) from the gateway only.
        "common.identity.proxies.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "common.identity.middleware.GatewayAssertionMiddleware",
    ]
)

# Services whose own assertions the runner accepts (each verified with
# SERVICE_ASSERTION_PUBLIC_KEY_<NAME>); the gateway's are accepted too.
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=["monolith"])

ROOT_URLCONF = "extracted.runner.urls"
WSGI_APPLICATION = "extracted.runner.wsgi.application"

DATABASES = {"default": engine_options(env.db("RUNNER_DATABASE_URL", default="sqlite://:memory:"))}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "common" / "templates"],  # noqa: F405 - the shared API docs page
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # No accounts here: the identity assertion is the only credential. Where it is
    # required (production), an anonymous visitor of the gateway is refused too.
    "DEFAULT_AUTHENTICATION_CLASSES": ["common.identity.authentication.GatewayAssertionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["common.identity.permissions.IsAssertedCaller"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": None,
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "extracted.runner.apis.exception_handler",
}

SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "PolyCode runner API",
    # Paths as clients reach them: the gateway's /api/runner/ is this service's /api/.
    "SCHEMA_PATH_PREFIX": "/api",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SCHEMA_PATH_PREFIX_INSERT": "/api/runner",
    "DESCRIPTION": "Sandboxed compilation and execution of learners' programs, and judging against tests.",
}

# Idempotency-Key results live in this cache. The default is per process: several
# replicas need a shared cache here (e.g. Django's Redis backend) to deduplicate.
IDEMPOTENCY_TTL_SECONDS = env.int("RUNNER_IDEMPOTENCY_TTL", default=3600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "idempotency": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "runner-idempotency",
        "TIMEOUT": IDEMPOTENCY_TTL_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": env.int("RUNNER_IDEMPOTENCY_MAX_ENTRIES", default=10000)},
    },
}

# The sandbox (see extracted/runner/README.md). Started with the service, which
# refuses to start when no sandbox can be built.
RUNNER_SANDBOX = {
    "bwrap": env("RUNNER_BWRAP", default=None),
    "languages": env.list("RUNNER_LANGUAGES", default=[]) or None,
    "cgroups": env.bool("RUNNER_CGROUPS", default=True),
    "work_root": env("RUNNER_WORK_ROOT", default=None),
    # The unprivileged host user sandboxes run as when the runner runs as root.
    "user": env("RUNNER_SANDBOX_USER", default=None),
    "workers": env.int("RUNNER_WORKERS", default=os.cpu_count() or 1),
    "queue": env.int("RUNNER_QUEUE", default=4 * (os.cpu_count() or 1)),
    "queue_timeout": env.float("RUNNER_QUEUE_TIMEOUT", default=30.0),
    "max_source_bytes": env.int("RUNNER_MAX_SOURCE_BYTES", default=64 * 1024),
    "max_stdin_bytes": env.int("RUNNER_MAX_STDIN_BYTES", default=1024 * 1024),
    "max_tests": env.int("RUNNER_MAX_TESTS", default=100),
}
# Build the sandbox when the service starts (and refuse to start without one).
RUNNER_SANDBOX_AT_START = env.bool("RUNNER_SANDBOX_AT_START", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("RUNNER_MAX_REQUEST_BYTES", default=16 * 1024 * 1024)
