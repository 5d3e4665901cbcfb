"""Reads for the migration dashboard."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from gateway_proxy.models import Route, RouteChange, ShadowMismatch, TrafficMinute


def route_list():
    return Route.objects.order_by("prefix")


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def traffic_by_service(*, since=None) -> list[dict]:
    """Requests and error rate per upstream service since ``since`` (default: the last hour)."""
    since = since or timezone.now() - timedelta(hours=1)
    rows = (
        TrafficMinute.objects.filter(minute__gte=since)
        .values("service")
        .annotate(requests=Sum("requests"), errors=Sum("errors"))
        .order_by("service")
    )
    return [{**row, "error_rate": _rate(row["errors"], row["requests"])} for row in rows]


def shadow_by_route(*, since=None) -> dict[str, dict]:
    since = since or timezone.now() - timedelta(hours=1)
    rows = (
        TrafficMinute.objects.filter(minute__gte=since, shadow_compared__gt=0)
        .values("route_prefix")
        .annotate(compared=Sum("shadow_compared"), mismatched=Sum("shadow_mismatched"))
    )
    return {
        row["route_prefix"]: {**row, "mismatch_rate": _rate(row["mismatched"], row["compared"])}
        for row in rows
    }


def recent_mismatches(*, limit: int = 20):
    return ShadowMismatch.objects.all()[:limit]


def recent_changes(*, limit: int = 50):
    return RouteChange.objects.all()[:limit]
