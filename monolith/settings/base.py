"""Monolith settings shared by every environment."""

from common.ports import dev_url
from common.settings.base import *  # noqa: F403
from common.settings.base import DJANGO_APPS, THIRD_PARTY_APPS, engine_options, env, sqlite_default

SERVICE_NAME = "monolith"

INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    "waffle",
    "common.messaging",
    "monolith.accounts",
    "monolith.learning",
    "monolith.campaigns",
    "monolith.certificates",
    "monolith.interviews",
    "monolith.shop_legacy",
    "monolith.switches",
    "monolith.notifications",
    "oauth2_provider",
    "monolith.identity",
    "django_htmx",
    "monolith.web",
    *OBSERVABILITY_APPS,  # noqa: F405
]

MIDDLEWARE = observed_middleware(  # noqa: F405
    [
        *MIDDLEWARE,  # noqa: F405
        "monolith.web.middleware.PreferredLanguageMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "waffle.middleware.WaffleMiddleware",
    ]
)
TEMPLATES[0]["OPTIONS"]["context_processors"] += [  # noqa: F405
    "django.template.context_processors.i18n",
    "monolith.web.context_processors.layout",
]
# Each app keeps its own catalogue (<app>/locale); listed here so they win over the
# catalogues of Django's contrib apps for the same words ("Log out", "Page not found").
LOCALE_APPS = ("web", "accounts", "learning", "campaigns", "certificates", "interviews")
LOCALE_PATHS = [BASE_DIR / "monolith" / app / "locale" for app in LOCALE_APPS]  # noqa: F405
CSRF_FAILURE_VIEW = "monolith.web.views.csrf_failure"
# Pages are reached through the gateway: it logs people in (OIDC) and out.
WEB_LOGIN_URL = "/oidc/authenticate/"
WEB_LOGOUT_URL = "/logout/"

# The legacy OIDC identity provider (monolith/identity) and how the gateway's
# identity assertion maps to accounts here.
from monolith.identity.conf import (  # noqa: E402
    GATEWAY_ASSERTION_EXEMPT_PATHS,  # noqa: F401
    IDENTITY_PAGE_USER_RESOLVER,  # noqa: F401
    IDENTITY_USER_RESOLVER,  # noqa: F401
    OAUTH2_PROVIDER,  # noqa: F401
)

# Roles of an account the monolith asserts when it calls another service (the runner).
IDENTITY_ROLES_RESOLVER = "monolith.identity.roles.user_roles"

ROOT_URLCONF = "monolith.urls"
WSGI_APPLICATION = "monolith.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

DATABASES = {"default": engine_options(env.db("DATABASE_URL", default=sqlite_default("monolith")))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# Messaging (common/messaging): the outbox relay publishes to this broker. The
# embedded default is a file-based broker under var/broker/; amqp://… is RabbitMQ.
BROKER_URL = env("BROKER_URL", default="filesystem://")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/admin/login/"

# Public address of the platform, used in links sent by email.
SITE_URL = env("SITE_URL", default=dev_url("gateway", host="localhost"))

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PolyCode <no-reply@polycode.localhost>")

# Calls to the runner service (RUNNER_VIA_SERVICE on): a judge compiles once and
# runs every test, each bounded by the runner's own limits.
RUNNER_HTTP_TIMEOUT = env.float("RUNNER_HTTP_TIMEOUT", default=60.0)
# Purchases forwarded to the shop service (PURCHASE_VIA_SAGA on) wait this long for its 202.
SHOP_HTTP_TIMEOUT = env.float("SHOP_HTTP_TIMEOUT", default=5.0)

# Team invitations and email verification links stay valid this long.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
EMAIL_VERIFICATION_TTL_HOURS = env.int("EMAIL_VERIFICATION_TTL_HOURS", default=48)

# Strangler switches are django-waffle switches (admin: Waffle > Switches),
# read on every call so a flip takes effect without a restart.
# Switches are cached for a few seconds only, so a flip made by another
# process is seen everywhere within WAFFLE_SWITCH_TTL seconds.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "switches": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "switches",
        "TIMEOUT": env.int("WAFFLE_SWITCH_TTL", default=3),
    },
}
WAFFLE_CACHE_NAME = "switches"
WAFFLE_CREATE_MISSING_SWITCHES = True
WAFFLE_SWITCH_DEFAULT = False

SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "TITLE": "PolyCode monolith API",
    "DESCRIPTION": "Accounts, learning and the legacy shop.",
}

# Days after which a finished assessment attempt's candidate is anonymised
# (manage.py assessments_close_expired --anonymise); the scores stay.
INTERVIEWS_RETENTION_DAYS = env.int("INTERVIEWS_RETENTION_DAYS", default=365)

# The live interview pad's WebSocket (monolith/interviews/pad): served by the ASGI app
# in its own process (Procfile `monolith-ws`), which the gateway knows as this service.
ASGI_APPLICATION = "monolith.asgi.application"
PAD_WEBSOCKET_SERVICE = "monolith_ws"
# Redis when REDIS_URL is set (several WebSocket processes share the pads' groups);
# the in-memory layer otherwise, which needs the one `monolith-ws` process.
CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env.str("REDIS_URL")], "prefix": "polycode-pad"},
        }
    }
    if env.str("REDIS_URL", default="")
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)

# The gateway calls the switch API on its own (manage.py strangle, the migration dashboard)
# with its service assertion; verified with SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY.
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=["gateway"])
