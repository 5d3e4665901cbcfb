"""Local development: embedded defaults, debug on."""

from monolith.identity.conf import with_dev_signing_key
from monolith.settings.base import *  # noqa: F403
from monolith.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

OAUTH2_PROVIDER = with_dev_signing_key(OAUTH2_PROVIDER)  # noqa: F405
