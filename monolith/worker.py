"""The monolith's Celery app: a worker consumes the ``account`` queue.

    .venv/bin/celery -A monolith.worker worker -Q account --pool=threads --concurrency=4
    .venv/bin/celery -A monolith.worker beat

It executes the shop saga's debit and refund commands against the points
ledger and applies ``purchase.completed`` events (validator unlocks). Beat,
one process of its own, schedules the monolith's periodic work onto the same
queue, done by whichever worker takes it: exams and assessments past their
deadline are graded, ended campaigns publish their results, candidates are
reminded and, after the retention period, anonymised; old sent outbox rows
and inbox ids are pruned (``messaging.prune``, hourly). Each job is
idempotent and also runs from its management command or function.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"monolith.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

from common.messaging.broker import make_celery_app
from common.messaging.tasks import prune_schedule
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1

QUEUE = ACCOUNT_DEBIT_REQUESTED_V1.queue
#: (task name, seconds between runs) of the periodic work beat schedules.
PERIODIC = [
    ("certificates.exams.close_expired", 30.0),
    ("interviews.attempts.close_expired", 30.0),
    ("campaigns.results.publish_due", 60.0),
    ("interviews.invitations.remind", 600.0),
    ("interviews.attempts.anonymise_expired", 3600.0),
]

app = make_celery_app("monolith", consume=[QUEUE])
app.autodiscover_tasks(
    [
        "monolith.accounts",
        "monolith.campaigns",
        "monolith.certificates",
        "monolith.interviews",
        "common.messaging",
    ]
)
app.conf.update(
    # The schedule is here, not on disk: beat keeps no state, any number of restarts is safe.
    beat_scheduler="celery.beat:Scheduler",
    beat_schedule={
        name: {
            "task": name,
            "schedule": every,
            # A run nobody took in time is dropped: while workers are down, runs do not pile up.
            "options": {"queue": QUEUE, "expires": every},
        }
        for name, every in PERIODIC
    }
    | prune_schedule(QUEUE),
)
