"""Local development: embedded defaults, debug on."""

from extracted.runner.settings.base import *  # noqa: F403
from extracted.runner.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
