"""Shop service settings shared by every environment."""

from common.ports import dev_url
from common.settings.base import *  # noqa: F403
from common.settings.base import (
    DJANGO_APPS,
    REST_FRAMEWORK,
    SPECTACULAR_SETTINGS,
    THIRD_PARTY_APPS,
    env,
    service_database,
)

SERVICE_NAME = "shop"

INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    "common.messaging",
    "extracted.shop.store",
    *OBSERVABILITY_APPS,  # noqa: F405
]
MIDDLEWARE = observed_middleware(MIDDLEWARE)  # noqa: F405

# Under its own prefix, so that the gateway can route it (/static/ is the monolith's).
STATIC_URL = "/shop/static/"
ROOT_URLCONF = "extracted.shop.urls"
WSGI_APPLICATION = "extracted.shop.wsgi.application"

# The shop's own database: SHOP_DATABASE_URL, else var/shop.sqlite3. Never the
# monolith's DATABASE_URL, so one shell can configure every service (database per service).
DATABASES = {"default": service_database("SHOP_DATABASE_URL", "shop")}

# Users are the ones the gateway asserts; the shop owns no accounts.
IDENTITY_USER_RESOLVER = "common.identity.users.asserted_user"
# Services whose own assertions the shop accepts: the monolith forwards purchases made on its
# legacy endpoint (PURCHASE_VIA_SAGA on) on the buyer's behalf; the gateway's strangle control
# calls the shop's data-step endpoints (/api/v1/shop/migration/) on its own behalf. In development
# each is verified with its generated key in var/ (common/identity/README.md), the same gateway
# key the monolith trusts.
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=["monolith", "gateway"])

# Broker: the saga's commands go to queue "account", replies come back on queue "shop".
BROKER_URL = env("BROKER_URL", default="filesystem://")
MESSAGING_MAX_ATTEMPTS = env.int("SHOP_MAX_ATTEMPTS", default=8)

#: A pending order with no answer from account after this many seconds is compensated.
SHOP_SAGA_TIMEOUT = env.float("SHOP_SAGA_TIMEOUT", default=10.0)
#: How often Celery beat schedules the sweeper (timed-out orders, unanswered refunds); 0: never.
SHOP_SWEEP_INTERVAL = env.float("SHOP_SWEEP_INTERVAL", default=1.0)
#: A refund account has not answered after this many seconds is commanded again (it may have
#: been dead-lettered); longer than account's retry budget normally takes.
SHOP_REFUND_RESEND_AFTER = env.float("SHOP_REFUND_RESEND_AFTER", default=300.0)
#: Longest ``?wait=`` a status request may ask for, in seconds.
SHOP_MAX_WAIT = env.float("SHOP_MAX_WAIT", default=5.0)
#: Public address of the platform, for links in receipts.
SITE_URL = env("SITE_URL", default=dev_url("gateway", host="localhost"))

# Programs call the shop (through the gateway); /api/docs/ documents it. JSON only: the
# browsable API's content negotiation was a measurable share of every purchase's CPU.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}

SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "PolyCode shop API",
    "DESCRIPTION": "Items learners buy with polypoints, and orders run as a saga with account.",
}
