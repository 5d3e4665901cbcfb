"""The monolith's periodic work: what Celery beat schedules exists, and runs."""

import pytest

from monolith import worker


def _tasks():
    worker.app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    return worker.app.tasks


def test_every_scheduled_job_is_a_task_the_monolith_worker_runs_from_its_queue():
    tasks = _tasks()

    for name, every in worker.PERIODIC:
        assert name in tasks, name
        entry = worker.app.conf.beat_schedule[name]
        assert entry["task"] == name
        assert entry["schedule"] == every
        assert entry["options"]["queue"] == worker.QUEUE
        assert entry["options"]["expires"] == every  # runs missed while workers are down do not pile up


@pytest.mark.django_db
def test_each_job_runs_and_finds_nothing_to_do_on_an_empty_platform():
    tasks = _tasks()

    done = {name: tasks[name].run() for name, _ in worker.PERIODIC}

    assert done == {name: 0 for name, _ in worker.PERIODIC}


def test_beat_prunes_the_monoliths_outbox_and_inbox_hourly_on_its_queue():
    entry = worker.app.conf.beat_schedule["messaging-prune"]

    assert entry["task"] in _tasks()
    assert (entry["task"], entry["schedule"]) == ("messaging.prune", 3600.0)
    assert entry["options"] == {"queue": worker.QUEUE, "expires": 3600.0}
