"""The route table, its audit log, traffic counters and shadow mismatches."""

import re
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

_PREFIX = re.compile(r"^/(?:[A-Za-z0-9_.~-]+/)*$")


def validate_prefix(value: str) -> None:
    """A prefix is ``/`` or ``/seg/.../``: plain segments, no dot segments, no empty segment."""
    if not _PREFIX.match(value) or any(seg in (".", "..") for seg in value.split("/")):
        raise ValidationError(
            f"{value!r} is not a path prefix like /api/v1/shop/ (leading and trailing slash)."
        )


def new_salt() -> str:
    return secrets.token_hex(8)


class Route(models.Model):
    """Where requests under ``prefix`` go: the legacy monolith, the extracted service, or both."""

    class Mode(models.TextChoices):
        LEGACY = "legacy", "legacy (monolith)"
        EXTRACTED = "extracted", "extracted service"
        CANARY = "canary", "canary (percentage of users to the extracted service)"
        SHADOW = "shadow", "shadow (serve legacy, compare with extracted)"

    prefix = models.CharField(max_length=200, unique=True, validators=[validate_prefix])
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.LEGACY)
    legacy_service = models.CharField(max_length=64, blank=True, default="monolith")
    legacy_prefix = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_prefix],
        help_text="What the prefix becomes on the legacy service (blank: unchanged).",
    )
    extracted_service = models.CharField(max_length=64, blank=True)
    extracted_prefix = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_prefix],
        help_text="What the prefix becomes on the extracted service (blank: unchanged).",
    )
    canary_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Canary mode: share of users sent to the extracted service.",
    )
    canary_salt = models.CharField(
        max_length=32, default=new_salt, help_text="Changing it reshuffles which users are in the canary."
    )
    timeout_seconds = models.FloatField(default=30.0, validators=[MinValueValidator(0.05)])
    retries = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(3)])
    auth_required = models.BooleanField(default=False, help_text="Refuse anonymous requests at the gateway.")
    websocket = models.BooleanField(
        default=False,
        help_text="Proxy WebSocket upgrades on this route (refused on every other route).",
    )
    rate_limit_user = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per minute per user (blank: the gateway default)."
    )
    rate_limit_ip = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per minute per IP address (blank: the gateway default)."
    )
    max_body_bytes = models.PositiveIntegerField(null=True, blank=True)
    shadow_ignore_fields = models.JSONField(
        default=list, blank=True, help_text="JSON keys ignored (at any depth) when comparing in shadow mode."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(canary_percent__gte=0, canary_percent__lte=100), name="route_percent_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.mode})"

    def clean(self):
        needs_legacy = self.mode in (self.Mode.LEGACY, self.Mode.CANARY, self.Mode.SHADOW)
        needs_extracted = self.mode in (self.Mode.EXTRACTED, self.Mode.CANARY, self.Mode.SHADOW)
        errors = {}
        if needs_legacy and not self.legacy_service:
            errors["legacy_service"] = f"Mode {self.mode} needs a legacy service."
        if needs_extracted and not self.extracted_service:
            errors["extracted_service"] = f"Mode {self.mode} needs an extracted service."
        if errors:
            raise ValidationError(errors)


class RouteChange(models.Model):
    """One audited change of the route table: who, when, before and after."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    prefix = models.CharField(max_length=200)
    action = models.CharField(max_length=8, choices=Action.choices)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.prefix}"


class TrafficMinute(models.Model):
    """Requests seen by the gateway in one minute, per route and upstream service."""

    minute = models.DateTimeField()
    route_prefix = models.CharField(max_length=200)
    service = models.CharField(max_length=64)
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    shadow_compared = models.PositiveIntegerField(default=0)
    shadow_mismatched = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "route_prefix", "service"], name="traffic_minute_unique"
            )
        ]
        indexes = [models.Index(fields=["minute"])]

    def __str__(self) -> str:
        return f"{self.minute:%H:%M} {self.route_prefix} {self.service}: {self.requests}"


class ShadowMismatch(models.Model):
    """A sample of a shadow comparison where legacy and extracted disagreed."""

    route_prefix = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=1000)
    request_id = models.CharField(max_length=128, blank=True)
    legacy_status = models.PositiveSmallIntegerField()
    extracted_status = models.PositiveSmallIntegerField(null=True, blank=True)
    differences = models.JSONField(default=list)
    legacy_sample = models.TextField(blank=True)
    extracted_sample = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "shadow mismatches"

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.legacy_status}/{self.extracted_status})"
