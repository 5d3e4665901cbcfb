"""Local development: embedded defaults, debug on."""

from extracted.shop.settings.base import *  # noqa: F403
from extracted.shop.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
