"""Runner reads: the languages on offer and the state of the sandbox."""

from __future__ import annotations

from extracted.runner.services import get_sandbox


def language_list() -> list[dict]:
    """Languages discovered from the toolchains present when the sandbox was built."""
    return get_sandbox().describe_languages()


def health_report() -> dict:
    """The sandbox layers detected at start and the pool's load; raises ``Unavailable`` without one."""
    return {"status": "ok", "service": "runner", "sandbox": get_sandbox().report()}
