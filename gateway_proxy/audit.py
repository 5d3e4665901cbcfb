"""One audit log of the migration: the gateway's route changes and the monolith's switch changes.

Route changes are the gateway's ``RouteChange`` rows; switch changes are kept by the monolith
(every change, by the admin, ``waffle_switch`` or ``strangle``) and read through its switch API.
Merged newest first; when the monolith cannot be reached the log says so in ``switch_error``.
"""

from django.utils.dateparse import parse_datetime

from gateway_proxy import switches
from gateway_proxy.models import RouteChange


def _route_entry(change: RouteChange) -> dict:
    before, after = change.before or {}, change.after or {}
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "at": change.at,
        "kind": "route",
        "action": change.action,
        "subject": change.prefix,
        "actor": change.actor,
        "before": {k: before.get(k) for k in changed} if change.before is not None else None,
        "after": {k: after.get(k) for k in changed} if change.after is not None else None,
        "reason": change.reason,
    }


def _switch_entry(row: dict) -> dict:
    def state(value):
        return None if value is None else ("on" if value else "off")

    return {
        "at": parse_datetime(row["at"]),
        "kind": "switch",
        "action": "switch",
        "subject": row["name"],
        "actor": row["actor"],
        "before": state(row["before"]),
        "after": state(row["after"]),
        "reason": row["reason"],
    }


def migration_log(*, limit: int = 50, prefixes=None, switch_names=None) -> tuple[list[dict], list[dict], str]:
    """``(entries newest first, switch states, switch_error)``; optionally only some routes/switches."""
    routes = RouteChange.objects.all()
    if prefixes is not None:
        routes = routes.filter(prefix__in=prefixes)
    entries = [_route_entry(change) for change in routes[:limit]]
    states, error = [], ""
    try:
        body = switches.switches_read()
    except switches.SwitchApiError as exc:
        error = str(exc)
    else:
        states = body["switches"]
        entries += [
            _switch_entry(row)
            for row in body["history"]
            if switch_names is None or row["name"] in switch_names
        ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:limit], states, error
