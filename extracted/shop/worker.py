"""The shop's Celery app: a worker consumes the ``shop`` queue (account's saga replies).

    POLYCODE_SERVICE=shop .venv/bin/celery -A extracted.shop.worker worker -Q shop \
        --pool=threads --concurrency=4

The worker also runs the saga sweeper (``SHOP_SWEEP_INTERVAL`` seconds apart):
pending orders past their deadline are compensated. ``manage.py shop_sweep``
does the same from the command line.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"extracted.shop.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from celery import signals

from common.messaging.broker import make_celery_app
from contracts.shop import SHOP_DEBIT_REPLIED_V1

app = make_celery_app("shop", consume=[SHOP_DEBIT_REPLIED_V1.queue])
app.autodiscover_tasks(["extracted.shop.store"])


@signals.worker_ready.connect(dispatch_uid="shop-sweeper")
def _start_sweeper(**kwargs) -> None:
    from extracted.shop.store.sweeper import start_sweeper

    start_sweeper()


@signals.worker_shutdown.connect(dispatch_uid="shop-sweeper-stop")
def _stop_sweeper(**kwargs) -> None:
    from extracted.shop.store.sweeper import stop_sweeper

    stop_sweeper()
