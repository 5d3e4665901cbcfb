"""End to end: a learner buys a hint; shop, account and mailer workers are separate processes."""

import os
import subprocess
import sys
import uuid

import pytest

from common.messaging.testing import ROOT, wait_until
from extracted.shop.conftest import LOG_DIR
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import learners_from
from extracted.shop.testing import worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def mailer_worker(saga_stack, smtp_server, tmp_path_factory):
    database = tmp_path_factory.mktemp("mailer") / "mailer.sqlite3"
    env = {
        "DJANGO_SETTINGS_MODULE": "extracted.mailer.settings.test",
        "POLYCODE_SERVICE": "mailer",
        "POLYCODE_ENV": "test",
        "MAILER_DATABASE_URL": f"sqlite:///{database}",
        "BROKER_URL": saga_stack.vhost.url,
        "MESSAGING_DELIVERY_LIMIT": "20",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        timeout=120,
    )
    worker = worker_process(
        app="extracted.mailer.worker",
        queue="mailer",
        env=env,
        log_path=LOG_DIR / "shop-e2e-mailer-worker.log",
        name="mailer",
        threads=1,
    ).start()
    yield worker
    worker.stop()


def test_a_learner_buys_a_hint_and_the_receipt_email_arrives(stack, mailer_worker, smtp):
    [ada] = learners_from(stack.account.tool("users", 1, 120, f"e2e{uuid.uuid4().hex[:6]}_"))
    item = HintItemFactory(title="Hint: recursion", cost=45, hint_text="Start from the base case.")
    client = ada.client()

    created = client.buy(item.id)
    assert created.status_code == 202
    assert created["Location"] == created.json()["status_url"]
    order = client.order(created.json()["id"], wait=5).json()

    assert order["state"] == "completed"
    assert order["hint_text"] == "Start from the base case."
    assert stack.account.balances([ada.id]) == {ada.id: 75}
    [mail] = wait_until(smtp.mails, timeout=20, what="the receipt email")
    assert mail.recipients == [ada.email]
    assert "Hint: recursion" in mail.text
    assert "45" in mail.text
    assert "75" in mail.text
    assert order["id"] in mail.text
