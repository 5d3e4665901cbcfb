"""Messaging settings, read from Django settings with the defaults below.

Every service sharing a broker must agree on ``MESSAGING_DELIVERY_LIMIT``:
it is an argument of the quorum queues, and RabbitMQ refuses to redeclare a
queue with different arguments.
"""

from pathlib import Path

from django.conf import settings

DEFAULTS = {
    #: ``amqp://user:password@host:5672/vhost`` for RabbitMQ; the embedded default
    #: is kombu's file-system transport under ``var/broker/`` (no server needed).
    "BROKER_URL": "filesystem://",
    #: Attempts of one message by a consumer (the first one included) before it
    #: is dead-lettered.
    "MESSAGING_MAX_ATTEMPTS": 8,
    #: Retry delays grow as ``backoff * 2**attempt`` seconds, capped, with full jitter.
    "MESSAGING_RETRY_BACKOFF": 2.0,
    "MESSAGING_RETRY_BACKOFF_MAX": 600.0,
    #: Deliveries of one message (worker crashes included) after which RabbitMQ
    #: itself dead-letters it: the bound for a message that kills its consumer.
    "MESSAGING_DELIVERY_LIMIT": 20,
    #: Seconds to wait for the broker's publisher confirm, and to connect.
    "MESSAGING_CONFIRM_TIMEOUT": 10.0,
    "MESSAGING_CONNECT_TIMEOUT": 2.0,
    #: Publish an outbox row in the on-commit callback of its transaction (the
    #: relay remains the guarantee); False leaves everything to the relay.
    "OUTBOX_FAST_PATH": True,
    #: After a failed fast-path publish, leave everything to the relay this long.
    "OUTBOX_FAST_PATH_PAUSE": 5.0,
    #: With the fast path on, the relay leaves a new row to it for this many
    #: seconds (then publishes it if it is still pending): the two do not race
    #: for fresh rows. Longer than a publish normally takes.
    "OUTBOX_FAST_PATH_GRACE": 5.0,
    "OUTBOX_RELAY_BATCH": 200,
    #: Seconds the relay sleeps when it found nothing to publish.
    "OUTBOX_RELAY_INTERVAL": 0.5,
    #: Relay back-off while the broker is unreachable: base and cap, in seconds.
    "OUTBOX_RELAY_BACKOFF": 0.5,
    "OUTBOX_RELAY_BACKOFF_MAX": 30.0,
    #: Published outbox rows and processed inbox ids are kept this many days
    #: (``messaging.prune``, scheduled by each service's Celery beat).
    "OUTBOX_RETENTION_DAYS": 7,
    "INBOX_RETENTION_DAYS": 30,
    #: Seconds between two runs of ``messaging.prune`` on each service's beat.
    "MESSAGING_PRUNE_INTERVAL": 3600.0,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def broker_url() -> str:
    return get("BROKER_URL") or DEFAULTS["BROKER_URL"]


def is_amqp(url: str | None = None) -> bool:
    return (url or broker_url()).split("://", 1)[0] in ("amqp", "amqps", "pyamqp")


def broker_dir() -> Path:
    return Path(getattr(settings, "MESSAGING_BROKER_DIR", Path(settings.VAR_DIR) / "broker"))


def producer_name() -> str:
    return getattr(settings, "MESSAGING_PRODUCER", None) or getattr(settings, "SERVICE_NAME", "unknown")
