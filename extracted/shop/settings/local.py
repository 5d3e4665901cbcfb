"""Local development: embedded defaults."""

from extracted.shop.settings.base import *  # noqa: F403
from extracted.shop.settings.base import env

# Off by default, so a person meets PolyCode's own error pages; DEBUG=true in .env
# brings back Django's debug pages (errors are always in the process's log).
DEBUG = env.bool("DEBUG", default=False)
