"""The monolith's strangler switches, read and set through its switch API (``/api/v1/switches/``).

The gateway never reads the monolith's tables: it calls the API with its own service
assertion (``common.identity.service``, ``iss`` ``polycode-service:gateway``, no user), which
the monolith accepts from ``gateway`` only. Who acted and why travel in the body and land in
the monolith's switch audit log.
"""

import requests

from common.identity.service import service_headers
from common.registry.base import NoInstance, get_registry

TIMEOUT = 10.0
_session = requests.Session()


class SwitchApiError(Exception):
    pass


def _call(method: str, path: str, **kwargs) -> dict:
    try:
        base = get_registry().choose("monolith").url.rstrip("/")
    except NoInstance as exc:
        raise SwitchApiError(f"the monolith is not registered: {exc}") from exc
    try:
        response = _session.request(
            method, f"{base}/api/v1/switches/{path}", headers=service_headers(audience="monolith"),
            timeout=TIMEOUT, **kwargs,
        )  # fmt: skip
    except requests.RequestException as exc:
        raise SwitchApiError(f"the monolith's switch API cannot be reached: {exc}") from exc
    if response.status_code != 200:
        raise SwitchApiError(
            f"the monolith's switch API answered {response.status_code}: {response.text[:300]}"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("switches"), list):
        raise SwitchApiError(f"the monolith's switch API answered something else: {response.text[:300]}")
    return body


def switches_read() -> dict:
    """``{"switches": [{"name", "active"}], "history": [{"name", "actor", "at", "before", ...}]}``."""
    return _call("GET", "")


def switch_state(name: str) -> bool:
    return {s["name"]: s["active"] for s in switches_read()["switches"]}[name]


def switch_set(*, name: str, active: bool, actor: str, reason: str) -> dict:
    return _call("PUT", name, json={"active": active, "actor": actor[:140], "reason": reason[:500]})
