"""Production: every secret comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from monolith.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from monolith.settings.base import engine_options, env

DATABASES = {"default": engine_options(env.db("DATABASE_URL"))}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CACHES = {**CACHES, **REPLAY_CACHES}  # noqa: F405
# The monolith signs its calls to the runner with its own key (common/identity/README.md).
SERVICE_ASSERTION_PRIVATE_KEY = env.str("SERVICE_ASSERTION_PRIVATE_KEY", multiline=True)
# The identity provider's signing key: every replica must sign with the same key.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": env.str("OIDC_RSA_PRIVATE_KEY", multiline=True)}  # noqa: F405
# The gateway's switch control (manage.py strangle, the migration dashboard) is accepted with
# SERVICE_ASSERTION_CALLERS=gateway and the public half of the gateway's own service key in
# SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY (the Helm chart and the compose file set both; without the
# key the monolith refuses to start). docs/strangler.md.
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=[])
