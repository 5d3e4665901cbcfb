"""The shop's periodic work: what its Celery beat schedules is a task its workers run from their queue."""

import pytest

from common.messaging.models import OutboxMessage
from contracts.shop import SHOP_DEBIT_REPLIED_V1
from extracted.shop import worker


def _tasks():
    worker.app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    return worker.app.tasks


def test_beat_schedules_the_sweeper_and_the_pruning_of_the_outbox_and_inbox_on_the_shop_queue():
    tasks = _tasks()
    schedule = worker.app.conf.beat_schedule

    assert set(schedule) == {"saga-sweeper", "messaging-prune"}
    for entry in schedule.values():
        assert entry["task"] in tasks
        assert entry["options"]["queue"] == SHOP_DEBIT_REPLIED_V1.queue
    assert (schedule["messaging-prune"]["task"], schedule["messaging-prune"]["schedule"]) == (
        "messaging.prune",
        3600.0,
    )


@pytest.mark.django_db
def test_the_pruning_task_runs_against_the_shops_database():
    OutboxMessage.objects.all().delete()

    assert _tasks()["messaging.prune"].run() == (0, 0)
