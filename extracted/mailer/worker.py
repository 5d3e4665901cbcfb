"""The mailer's Celery app: a worker consumes the ``mailer`` queue.

    POLYCODE_ENV=local .venv/bin/celery -A extracted.mailer.worker worker -Q mailer --pool=solo

Scale by starting more workers (processes or machines): each takes one
message at a time (prefetch 1) and acks it only once it is done.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"extracted.mailer.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from common.messaging.broker import make_celery_app
from contracts.mail import MAIL_REQUESTED_V1

app = make_celery_app("mailer", consume=[MAIL_REQUESTED_V1.queue])
app.autodiscover_tasks(["extracted.mailer.deliveries"])
