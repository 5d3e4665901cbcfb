"""Local development: embedded defaults."""

from monolith.identity.conf import with_dev_signing_key
from monolith.settings.base import *  # noqa: F403
from monolith.settings.base import env

# Off by default, so a person meets PolyCode's own error pages; DEBUG=true in .env
# brings back Django's debug pages (errors are always in the process's log).
DEBUG = env.bool("DEBUG", default=False)

OAUTH2_PROVIDER = with_dev_signing_key(OAUTH2_PROVIDER)  # noqa: F405
