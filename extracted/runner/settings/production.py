"""Production: every secret comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from extracted.runner.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403

# The runner sets no cookies; the session/CSRF hardening of the shared module is harmless.
CACHES = {**CACHES, **REPLAY_CACHES}  # noqa: F405 - the shared replay memory (common/identity/checks.py)
