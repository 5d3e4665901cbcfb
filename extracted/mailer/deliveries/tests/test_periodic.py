"""The mailer's periodic work: its Celery beat schedules the pruning of its outbox and inbox."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.messaging.models import InboxMessage
from contracts.mail import MAIL_REQUESTED_V1
from extracted.mailer import worker


def _tasks():
    worker.app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    return worker.app.tasks


def test_beat_prunes_the_mailers_outbox_and_inbox_hourly_on_the_mailer_queue():
    entry = worker.app.conf.beat_schedule["messaging-prune"]

    assert set(worker.app.conf.beat_schedule) == {"messaging-prune"}
    assert entry["task"] in _tasks()
    assert (entry["task"], entry["schedule"]) == ("messaging.prune", 3600.0)
    assert entry["options"] == {"queue": MAIL_REQUESTED_V1.queue, "expires": 3600.0}


@pytest.mark.django_db
def test_the_pruning_task_deletes_the_mailers_old_inbox_ids():
    now = timezone.now()
    InboxMessage.objects.create(message_id="00000000-0000-4000-8000-000000000001", type="mail.requested",
                                processed_at=now - timedelta(days=400))  # fmt: skip
    InboxMessage.objects.create(message_id="00000000-0000-4000-8000-000000000002", type="mail.requested",
                                processed_at=now)  # fmt: skip

    assert _tasks()["messaging.prune"].run() == (0, 1)
    assert InboxMessage.objects.count() == 1
