"""The envelope every message travels in, and the registry of message types.

A message is an :class:`Envelope` (who, what, when, which version) around a
payload validated by the payload model registered for its ``(type, version)``.
Every registered type also names the stable Celery task that consumes it and
the queue it is routed to: producers and consumers agree on those here, not by
importing each other.

Adding a message: define its payload model(s) in the module of its domain and
call :func:`register` once; add an example under ``examples/<type>.v<version>/``.
A breaking change is a new version registered next to the old one, never an
edit of a published version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)


class Contract(BaseModel):
    """Base of every contract model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


MessageType = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=100)
]


class Envelope(Contract):
    """Metadata common to every message; ``payload`` is checked against the registered model."""

    message_id: UUID
    type: MessageType
    version: Annotated[int, Field(ge=1, le=1000)]
    occurred_at: AwareDatetime
    producer: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    #: Id of the request (or saga) that caused the message, propagated for tracing.
    correlation_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    #: Id of the message this one answers or was caused by (saga replies, resends).
    causation_id: UUID | None = None
    payload: dict[str, JsonValue]


class ContractError(ValueError):
    """A message that does not satisfy its contract; ``errors`` name each field."""

    def __init__(self, message: str, *, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []

    @classmethod
    def from_validation(
        cls, where: str, exc: ValidationError, *, prefix: str = "", tag: tuple[str, Any] | None = None
    ) -> ContractError:
        """Turn a pydantic error into one that names every field (``payload.context.email``).

        ``tag`` is the discriminator of a tagged union and its value in the input: the
        union member's name that pydantic puts first in each location is dropped.
        """
        errors = []
        for err in exc.errors(include_url=False):
            loc = list(err["loc"])
            if tag is not None:
                if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                    loc = [tag[0]]
                elif loc and loc[0] == tag[1]:
                    loc = loc[1:]
            field = prefix + (".".join(str(part) for part in loc) or "(message)")
            errors.append({"field": field, "error": err["msg"]})
        detail = "; ".join(f"{e['field']}: {e['error']}" for e in errors)
        return cls(f"{where}: {detail}", errors=errors)


@dataclass(frozen=True)
class MessageSpec:
    """What a message type is, and where it goes.

    ``task`` is the stable Celery task name of its consumer and ``queue`` the
    queue that consumer reads; the relay publishes the message as that task.
    """

    type: str
    version: int
    payload: TypeAdapter
    task: str
    queue: str
    description: str = ""
    #: Field whose value picks the payload model, when the payload is a tagged union.
    discriminator: str | None = None

    def validate_payload(self, data: Any) -> Any:
        try:
            return self.payload.validate_python(data)
        except ValidationError as exc:
            tag = None
            if self.discriminator and isinstance(data, Mapping):
                tag = (self.discriminator, data.get(self.discriminator))
            raise ContractError.from_validation(
                f"{self.type} v{self.version}", exc, prefix="payload.", tag=tag
            ) from None


@dataclass(frozen=True)
class Message:
    """A validated message: its envelope and its typed payload."""

    envelope: Envelope
    payload: Any

    @property
    def id(self) -> UUID:
        return self.envelope.message_id

    def to_json_dict(self) -> dict[str, Any]:
        return self.envelope.model_dump(mode="json")


_REGISTRY: dict[tuple[str, int], MessageSpec] = {}


def register(spec: MessageSpec) -> MessageSpec:
    key = (spec.type, spec.version)
    if key in _REGISTRY and _REGISTRY[key] is not spec:
        raise ValueError(f"message {spec.type} v{spec.version} is already registered")
    _REGISTRY[key] = spec
    return spec


def registered() -> list[MessageSpec]:
    """Every registered message spec, sorted by type and version."""
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def spec_for(type_: str, version: int) -> MessageSpec:
    try:
        return _REGISTRY[(type_, version)]
    except KeyError:
        raise ContractError(
            f"envelope: unknown message type {type_!r} version {version}",
            errors=[{"field": "type", "error": f"unknown message type {type_!r} version {version}"}],
        ) from None


def build(
    spec: MessageSpec,
    payload: Mapping[str, Any] | BaseModel,
    *,
    producer: str,
    correlation_id: str | None = None,
    causation_id: UUID | None = None,
    message_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> Message:
    """Validate ``payload`` against ``spec`` and wrap it in a new envelope.

    Raises ``ContractError`` (a ``ValueError``) naming the offending field.
    """
    raw = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else dict(payload)
    typed = spec.validate_payload(raw)
    try:
        envelope = Envelope(
            message_id=message_id or uuid4(),
            type=spec.type,
            version=spec.version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            correlation_id=correlation_id,
            causation_id=causation_id,
            payload=spec.payload.dump_python(typed, mode="json"),
        )
    except ValidationError as exc:
        raise ContractError.from_validation("envelope", exc) from None
    return Message(envelope=envelope, payload=typed)


def parse(raw: str | bytes | Mapping[str, Any], *, expect: MessageSpec | None = None) -> Message:
    """Validate a received message: its envelope, then its payload.

    ``expect`` restricts the message to one spec (a consumer that handles only
    ``mail.requested`` v1 refuses anything else). Raises ``ContractError``.
    """
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ContractError(
                f"envelope: (message): not JSON: {exc}", errors=[{"field": "(message)", "error": "not JSON"}]
            ) from None
    if not isinstance(raw, Mapping):
        raise ContractError(
            f"envelope: (message): expected a JSON object, got {type(raw).__name__}",
            errors=[{"field": "(message)", "error": "expected a JSON object"}],
        )
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise ContractError.from_validation("envelope", exc) from None
    spec = spec_for(envelope.type, envelope.version)
    if expect is not None and spec is not expect:
        raise ContractError(
            f"envelope: expected {expect.type} v{expect.version}, got {spec.type} v{spec.version}",
            errors=[{"field": "type", "error": f"expected {expect.type} v{expect.version}"}],
        )
    return Message(envelope=envelope, payload=spec.validate_payload(envelope.payload))


def message_id_of(raw: Any) -> UUID | None:
    """Best-effort id of a message that may not satisfy its contract (for logs)."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if isinstance(raw, Mapping):
        try:
            return UUID(str(raw.get("message_id")))
        except ValueError:
            return None
    return None
