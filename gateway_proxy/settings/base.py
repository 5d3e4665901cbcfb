"""Gateway settings shared by every environment.

The gateway is the only public entry point. Its Django side is the control
plane (route table, admin, dashboard, OIDC login); proxied traffic takes a lean
WSGI path (``gateway_proxy.wsgi``) that uses no per-request ORM query.
"""

from common.ports import dev_url
from common.settings.base import *  # noqa: F403
from common.settings.base import DJANGO_APPS, env, service_database

SERVICE_NAME = "gateway"

INSTALLED_APPS = [
    *DJANGO_APPS,
    "mozilla_django_oidc",
    "common.registry",
    "gateway_proxy.apps.GatewayConfig",
    *OBSERVABILITY_APPS,  # noqa: F405
]

# The gateway issues identity assertions; it does not verify them.
MIDDLEWARE = observed_middleware(  # noqa: F405
    [
        "common.identity.proxies.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "csp.middleware.CSPMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    ]
)

ROOT_URLCONF = "gateway_proxy.urls"
WSGI_APPLICATION = "gateway_proxy.wsgi.application"
STATIC_URL = "/gateway/static/"

# The gateway's own database (never the monolith's DATABASE_URL): database per service.
DATABASES = {"default": service_database("GATEWAY_DATABASE_URL", "gateway")}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Browser sessions of the gateway; distinct cookie names so they never collide
# with (and are never forwarded to) an upstream's own cookies.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_NAME = "gw_sessionid"
CSRF_COOKIE_NAME = "gw_csrftoken"
SESSION_COOKIE_AGE = env.int("GATEWAY_SESSION_AGE", default=8 * 3600)

# --- Identity: the gateway is an OIDC relying party ------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # the admin's password login is limited
    "gateway_proxy.auth.oidc.GatewayOIDCBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Endpoints come from the issuer's discovery document; the issuer is the
# monolith's legacy provider in development, Keycloak in production. In
# development it is reached through this gateway (route /o/), so its sign-in page
# is on the one origin people use.
OIDC_ISSUER = env.str("OIDC_ISSUER", default=f"{dev_url('gateway', 'localhost')}/o").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="polycode-gateway")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="gateway-dev-secret")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile email"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
OIDC_AUTHENTICATE_CLASS = "gateway_proxy.auth.oidc.AuthenticationRequestView"
OIDC_CALLBACK_CLASS = "gateway_proxy.auth.oidc.AuthenticationCallbackView"
# How often the provider is asked whether a token or a session's login still stands
# (revoked, account deactivated): gateway_proxy/auth/revocation.py.
GATEWAY_TOKEN_RECHECK_SECONDS = env.int("GATEWAY_TOKEN_RECHECK_SECONDS", default=30)
# Bearer tokens (ID tokens or JWT access tokens) must carry one of these audiences.
OIDC_ACCEPTED_AUDIENCES = env.list("OIDC_ACCEPTED_AUDIENCES", default=[OIDC_RP_CLIENT_ID])
# A JWKS is fetched again for an unknown kid at most this often.
OIDC_JWKS_MIN_REFRESH_SECONDS = env.float("OIDC_JWKS_MIN_REFRESH_SECONDS", default=10.0)
LOGIN_URL = "/oidc/authenticate/"
LOGIN_REDIRECT_URL = env.str("GATEWAY_LOGIN_REDIRECT_URL", default="/")
LOGIN_REDIRECT_URL_FAILURE = "/gateway/login-failed/"
LOGOUT_REDIRECT_URL = "/learn/"
# Logging out of the gateway also ends the identity provider's session (RP-initiated logout).
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "gateway_proxy.auth.oidc.provider_logout_url"

# Signing key of the identity assertion forwarded upstream (Ed25519 PEM).
GATEWAY_ASSERTION_PRIVATE_KEY = env.str("GATEWAY_ASSERTION_PRIVATE_KEY", default="", multiline=True)
GATEWAY_ASSERTION_TTL = env.int("GATEWAY_ASSERTION_TTL", default=30)

# --- Proxy ------------------------------------------------------------------------------
# Paths served by the gateway itself; everything else is routed by the table.
GATEWAY_OWN_PREFIXES = ["/gateway/", "/oidc/"]
GATEWAY_OWN_PATHS = ["/", "/logout/", "/health", "/ready", "/api/v1/dashboard", "/api/v1/dashboard/"]
GATEWAY_ROUTE_TTL = env.float("GATEWAY_ROUTE_TTL", default=2.0)
GATEWAY_CONNECT_TIMEOUT = env.float("GATEWAY_CONNECT_TIMEOUT", default=2.0)
GATEWAY_POOL_SIZE = env.int("GATEWAY_POOL_SIZE", default=32)
GATEWAY_MAX_BODY_BYTES = env.int("GATEWAY_MAX_BODY_BYTES", default=10 * 1024 * 1024)
# Responses up to this size are read at once (and can be compared in shadow mode).
GATEWAY_BUFFER_BYTES = env.int("GATEWAY_BUFFER_BYTES", default=256 * 1024)
GATEWAY_BREAKER_FAILURES = env.int("GATEWAY_BREAKER_FAILURES", default=5)
GATEWAY_BREAKER_COOLDOWN = env.float("GATEWAY_BREAKER_COOLDOWN", default=10.0)
# The load balancers in front of the gateway, by address or network: only their
# X-Forwarded-For/Proto are believed (none by default: the client is REMOTE_ADDR).
TRUSTED_PROXIES = env.list("GATEWAY_TRUSTED_PROXIES", default=[])
GATEWAY_ACCESS_LOG = env.bool("GATEWAY_ACCESS_LOG", default=True)

# --- Rate limits (requests per minute; a route may override them) ------------------
REDIS_URL = env.str("REDIS_URL", default="")
GATEWAY_RATE_LIMIT_USER = env.int("GATEWAY_RATE_LIMIT_USER", default=600)
GATEWAY_RATE_LIMIT_IP = env.int("GATEWAY_RATE_LIMIT_IP", default=1200)

# --- Shadow traffic and metrics -----------------------------------------------------
GATEWAY_SHADOW_WORKERS = env.int("GATEWAY_SHADOW_WORKERS", default=2)
GATEWAY_SHADOW_QUEUE = env.int("GATEWAY_SHADOW_QUEUE", default=200)
# Per-minute counters are written to the database this often (0: only on demand).
GATEWAY_METRICS_FLUSH_SECONDS = env.float("GATEWAY_METRICS_FLUSH_SECONDS", default=5.0)

# --- Aggregation: GET /api/v1/dashboard --------------------------------------------------
# Each part is fetched through the route table, so it follows the route's mode.
GATEWAY_DASHBOARD_PARTS = {
    "account": "/api/v1/accounts/me",
    "learning": "/api/v1/learning/progress/",
    "shop": "/api/v1/shop/purchases",
}
GATEWAY_DASHBOARD_PART_TIMEOUT = env.float("GATEWAY_DASHBOARD_PART_TIMEOUT", default=2.0)

# The strangler's pre-checks (manage.py strangle) count the consumers and waiting messages of the
# extracted services' queues on this broker; more than STRANGLER_MAX_QUEUE_DEPTH waiting fails them.
BROKER_URL = env("BROKER_URL", default="")
STRANGLER_MAX_QUEUE_DEPTH = env.int("STRANGLER_MAX_QUEUE_DEPTH", default=1000)
# Seconds a strangle step waits after a switch or route change for every process to see it: the
# gateway's route cache (GATEWAY_ROUTE_TTL), the monolith's switch cache (WAFFLE_SWITCH_TTL, 3 s)
# and a request already running.
STRANGLER_SETTLE_SECONDS = env.float("STRANGLER_SETTLE_SECONDS", default=GATEWAY_ROUTE_TTL + 3.0 + 1.0)
