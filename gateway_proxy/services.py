"""Writes of the gateway: route table changes (always audited), counters, mismatches."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from common.registry import get_registry
from gateway_proxy.models import Route, RouteChange, ShadowMismatch, TrafficMinute

AUDITED_FIELDS = [
    "prefix",
    "mode",
    "legacy_service",
    "legacy_prefix",
    "extracted_service",
    "extracted_prefix",
    "canary_percent",
    "canary_salt",
    "timeout_seconds",
    "retries",
    "auth_required",
    "websocket",
    "rate_limit_user",
    "rate_limit_ip",
    "max_body_bytes",
    "shadow_ignore_fields",
]


def route_snapshot(route: Route) -> dict:
    """The audited state of ``route`` as JSON-able values."""
    snapshot = {}
    for name in AUDITED_FIELDS:
        value = getattr(route, name)
        snapshot[name] = str(Decimal(value).quantize(Decimal("0.01"))) if name == "canary_percent" else value
    return snapshot


def unknown_services(*, legacy_service: str, extracted_service: str) -> dict[str, str]:
    """An error per side naming a service the registry does not know (empty: both known)."""
    registry = get_registry()
    sides = {"legacy_service": legacy_service, "extracted_service": extracted_service}
    return {
        field: f"No service named {name!r} is registered."
        for field, name in sides.items()
        if name and not registry.knows(name)
    }


def _validate(route: Route) -> None:
    route.full_clean()
    errors = unknown_services(legacy_service=route.legacy_service, extracted_service=route.extracted_service)
    if errors:
        raise ValidationError(errors)


def _changed():
    from gateway_proxy.routing import route_table

    transaction.on_commit(route_table.invalidate)


@transaction.atomic
def route_create(*, prefix: str, actor: str, reason: str = "", **fields) -> Route:
    """Add a route; the change is audited and live within ``GATEWAY_ROUTE_TTL`` seconds."""
    route = Route(prefix=prefix, **fields)
    _validate(route)
    route.save()
    RouteChange.objects.create(
        route=route, prefix=route.prefix, action=RouteChange.Action.CREATE, actor=actor,
        before=None, after=route_snapshot(route), reason=reason,
    )  # fmt: skip
    _changed()
    return route


@transaction.atomic
def route_update(*, route: Route, actor: str, reason: str = "", **changes) -> Route:
    """Change a route (mode, percentage, targets...); audited with before and after.

    Raises ``ValidationError`` naming the field when the result is not a valid route.
    """
    route = Route.objects.select_for_update().get(pk=route.pk)
    before = route_snapshot(route)
    unknown = set(changes) - set(AUDITED_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a route setting." for name in unknown})
    for name, value in changes.items():
        setattr(route, name, value)
    _validate(route)
    after = route_snapshot(route)
    if after == before:
        return route
    route.save()
    RouteChange.objects.create(
        route=route, prefix=route.prefix, action=RouteChange.Action.UPDATE, actor=actor,
        before=before, after=after, reason=reason,
    )  # fmt: skip
    _changed()
    return route


@transaction.atomic
def route_delete(*, route: Route, actor: str, reason: str = "") -> None:
    RouteChange.objects.create(
        route=None, prefix=route.prefix, action=RouteChange.Action.DELETE, actor=actor,
        before=route_snapshot(route), after=None, reason=reason,
    )  # fmt: skip
    route.delete()
    _changed()


def traffic_flush(*, counters: dict[tuple, list[int]]) -> None:
    """Add in-process counters ``{(minute, prefix, service): [req, err, compared, mismatched]}``."""
    for (minute, prefix, service), (requests, errors, compared, mismatched) in counters.items():
        increments = {
            "requests": F("requests") + requests,
            "errors": F("errors") + errors,
            "shadow_compared": F("shadow_compared") + compared,
            "shadow_mismatched": F("shadow_mismatched") + mismatched,
        }
        rows = TrafficMinute.objects.filter(minute=minute, route_prefix=prefix, service=service)
        if rows.update(**increments):
            continue
        try:
            with transaction.atomic():
                TrafficMinute.objects.create(
                    minute=minute, route_prefix=prefix, service=service, requests=requests, errors=errors,
                    shadow_compared=compared, shadow_mismatched=mismatched,
                )  # fmt: skip
        except IntegrityError:
            rows.update(**increments)


def shadow_mismatch_record(**fields) -> ShadowMismatch:
    return ShadowMismatch.objects.create(**fields)
