"""The mailer's Celery app: a worker consumes the ``mailer`` queue.

    POLYCODE_ENV=local .venv/bin/celery -A extracted.mailer.worker worker -Q mailer --pool=solo
    POLYCODE_ENV=local .venv/bin/celery -A extracted.mailer.worker beat

Scale by starting more workers (processes or machines): each takes one
message at a time (prefetch 1) and acks it only once it is done. Beat, one
process of its own (exactly one per deployment), schedules the mailer's
periodic work onto the same queue: the pruning of old sent outbox rows and
inbox ids (``messaging.prune``, hourly), done by whichever worker takes it.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"extracted.mailer.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from common.messaging.broker import make_celery_app
from common.messaging.tasks import prune_schedule
from contracts.mail import MAIL_REQUESTED_V1

app = make_celery_app("mailer", consume=[MAIL_REQUESTED_V1.queue])
app.autodiscover_tasks(["extracted.mailer.deliveries", "common.messaging"])
app.conf.update(
    # The schedule is here, not on disk: beat keeps no state, any number of restarts is safe.
    beat_scheduler="celery.beat:Scheduler",
    beat_schedule=prune_schedule(MAIL_REQUESTED_V1.queue),
)
