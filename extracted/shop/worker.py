"""The shop's Celery app: workers consume the ``shop`` queue (account's saga replies).

    POLYCODE_SERVICE=shop .venv/bin/celery -A extracted.shop.worker worker -Q shop \
        --pool=threads --concurrency=4
    POLYCODE_SERVICE=shop .venv/bin/celery -A extracted.shop.worker beat

Periodic work is scheduled by Celery beat, one process of its own, and done by
whichever worker takes the message: the saga sweeper (``shop.sweep``, every
``SHOP_SWEEP_INTERVAL`` seconds) compensates pending orders past their
deadline and commands again the refunds account has not answered; the
pruning of the messaging tables (``messaging.prune``, hourly) deletes old
sent outbox rows and inbox ids. A worker that dies takes no schedule with
it. ``manage.py shop_sweep`` sweeps from the command line.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"extracted.shop.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from django.conf import settings

from common.messaging.broker import make_celery_app
from common.messaging.tasks import prune_schedule
from contracts.shop import SHOP_DEBIT_REPLIED_V1

SWEEP_TASK = "shop.sweep"

app = make_celery_app("shop", consume=[SHOP_DEBIT_REPLIED_V1.queue])
app.autodiscover_tasks(["extracted.shop.store", "common.messaging"])

_sweep_every = float(settings.SHOP_SWEEP_INTERVAL)
_sweeper = {
    "saga-sweeper": {
        "task": SWEEP_TASK,
        "schedule": _sweep_every,
        # A sweep nobody took in time is dropped by the worker (acked, not run):
        # while workers are down, sweeps do not pile up in the queue.
        "options": {"queue": SHOP_DEBIT_REPLIED_V1.queue, "expires": max(_sweep_every, 1.0)},
    }
}
app.conf.update(
    # The schedule is in the settings: beat keeps nothing on disk.
    beat_scheduler="celery.beat:Scheduler",
    beat_schedule=prune_schedule(SHOP_DEBIT_REPLIED_V1.queue) | (_sweeper if _sweep_every > 0 else {}),
)
