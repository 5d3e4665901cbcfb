"""Local development: embedded defaults."""

from gateway_proxy.settings.base import *  # noqa: F403
from gateway_proxy.settings.base import env

# Off by default, so a person meets PolyCode's own error pages; DEBUG=true in .env
# brings back Django's debug pages (errors are always in the process's log).
DEBUG = env.bool("DEBUG", default=False)
