"""The monolith's Celery app: a worker consumes the ``account`` queue.

    .venv/bin/celery -A monolith.worker worker -Q account --pool=threads --concurrency=4

It executes the shop saga's debit and refund commands against the points
ledger and applies ``purchase.completed`` events (validator unlocks).
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"monolith.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from common.messaging.broker import make_celery_app
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1

app = make_celery_app("monolith", consume=[ACCOUNT_DEBIT_REQUESTED_V1.queue])
app.autodiscover_tasks(["monolith.accounts"])
