"""Message and cross-service body contracts of PolyCode.

Pure pydantic models (no Django import anywhere in this package): every
service that produces or consumes a message validates it against the same
versioned model. ``contracts.messages`` holds the envelope and the registry;
one module per domain (``contracts.mail``, later ``contracts.shop``…) holds
the payloads and registers them.
"""

from contracts import mail, shop
from contracts.messages import (
    ContractError,
    Envelope,
    Message,
    MessageSpec,
    build,
    parse,
    registered,
    spec_for,
)

__all__ = [
    "ContractError",
    "Envelope",
    "Message",
    "MessageSpec",
    "build",
    "mail",
    "parse",
    "registered",
    "shop",
    "spec_for",
]
