"""Local development: embedded defaults, debug on."""

from monolith.settings.base import *  # noqa: F403
from monolith.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
