"""``manage.py outbox_relay``: publish this service's outbox to the broker, as its own process."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from common.messaging import conf
from common.messaging.relay import Relay, RelayError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish committed outbox messages with publisher confirms and mark them sent. Runs until "
        "stopped (SIGTERM/SIGINT finish the current batch); several relays may run on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Publish everything due, then exit.")
        parser.add_argument("--batch", type=int, default=None, help="Rows per batch (OUTBOX_RELAY_BATCH).")
        parser.add_argument(
            "--interval", type=float, default=None, help="Idle sleep in seconds (OUTBOX_RELAY_INTERVAL)."
        )
        parser.add_argument("--database", default="default", help="Database alias of the outbox.")

    def handle(self, *args, once=False, batch=None, interval=None, database="default", **options):
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            logger.info("outbox.relay_started broker=%s", conf.broker_url().split("@")[-1])
        relay = Relay(batch=batch, interval=interval, using=database)
        try:
            published = relay.run(stop=stop, once=once)
        except RelayError as exc:
            raise CommandError(f"the broker did not take a message: {exc}") from exc
        self.stdout.write(f"published {published} message(s)")
