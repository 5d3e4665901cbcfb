"""Test settings: the sandbox is built on first use, so tests without bwrap can still run."""

from extracted.runner.settings.base import *  # noqa: F403
from extracted.runner.settings.base import RUNNER_SANDBOX

RUNNER_SANDBOX_AT_START = False
RUNNER_SANDBOX = {**RUNNER_SANDBOX, "workers": 2, "queue": 4, "queue_timeout": 30.0}
