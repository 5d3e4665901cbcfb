"""Local development: embedded defaults, debug on."""

from gateway_proxy.settings.base import *  # noqa: F403
from gateway_proxy.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
