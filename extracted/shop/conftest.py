"""Fixtures of the shop's tests: the saga's real stack (RabbitMQ vhost, account side, workers)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.messaging.fixtures import rabbitmq, smtp, smtp_server  # noqa: F401 - fixtures
from common.messaging.testing import ROOT, database_url, free_port
from extracted.shop.testing import AccountSide, beat_process, relay_process, worker_process

LOG_DIR = Path(__file__).resolve().parents[2] / "var" / "test-logs"


@pytest.fixture(autouse=True)
def _stop_order_listener():
    """A test that waited on an order leaves no listening connection to its database behind."""
    yield
    from extracted.shop.store.waiting import order_end_listener

    order_end_listener.stop()


@pytest.fixture(scope="session")
def account_side(django_db_setup, django_db_blocker):
    """The monolith's own database for this run (``<shop test db>_account``), migrated."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the saga's account side runs on PostgreSQL (set DATABASE_URL)")
    url = database_url(connection.settings_dict)
    side = AccountSide(url, f"{connection.settings_dict['NAME']}_account").create()
    yield side
    side.drop()


class SagaStack:
    """The processes of the saga besides the shop web (the test process itself), beat included."""

    def __init__(self, *, vhost, account, shop_db_url: str):
        self.vhost, self.account = vhost, account
        common = {"BROKER_URL": vhost.url, "MESSAGING_DELIVERY_LIMIT": "20"}
        self.shop_env = {
            **common,
            "DJANGO_SETTINGS_MODULE": "extracted.shop.settings.test",
            "POLYCODE_SERVICE": "shop",
            "POLYCODE_ENV": "test",
            "SHOP_DATABASE_URL": shop_db_url,
            "SHOP_SWEEP_INTERVAL": "0.3",
        }
        self.account_env = {**common, **account.env, "POLYCODE_SERVICE": "monolith"}
        # Each worker exports its metrics on a port of its own (common/observability/metrics.py).
        self.metrics_ports = {"account": free_port(), "shop": free_port()}
        self.account_worker = worker_process(
            app="monolith.worker",
            queue="account",
            env={**self.account_env, "METRICS_PORT": str(self.metrics_ports["account"])},
            log_path=LOG_DIR / "shop-account-worker.log",
            name="account",
        )
        self.shop_worker = worker_process(
            app="extracted.shop.worker",
            queue="shop",
            env={**self.shop_env, "METRICS_PORT": str(self.metrics_ports["shop"])},
            log_path=LOG_DIR / "shop-worker.log",
            name="shop",
        )
        self.shop_beat = beat_process(
            app="extracted.shop.worker",
            env=self.shop_env,
            log_path=LOG_DIR / "shop-beat.log",
            name="shop-beat",
        )
        self.account_relay = relay_process(
            service_env=self.account_env, log_path=LOG_DIR / "shop-account-relay.log", name="account-relay"
        )
        self.shop_relay = relay_process(
            service_env=self.shop_env, log_path=LOG_DIR / "shop-relay.log", name="shop-relay"
        )

    def start(self):
        self.account_relay.start()
        self.shop_relay.start()
        self.account_worker.start()
        self.shop_worker.start()
        self.shop_beat.start()
        return self

    def ensure_running(self):
        for process in self.processes:
            if not process.alive:
                process.start()

    @property
    def processes(self):
        return (self.account_relay, self.shop_relay, self.account_worker, self.shop_worker, self.shop_beat)

    def stop(self):
        for process in reversed(self.processes):
            process.stop()


@pytest.fixture(scope="session")
def saga_stack(rabbitmq, account_side, django_db_setup):  # noqa: F811 - fixtures
    from django.db import connection

    stack = SagaStack(
        vhost=rabbitmq, account=account_side, shop_db_url=database_url(connection.settings_dict)
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def stack(saga_stack, settings):
    """The running saga stack; every process is restarted if a previous test stopped it."""
    saga_stack.ensure_running()
    settings.OUTBOX_FAST_PATH = True
    return saga_stack


@pytest.fixture(scope="session")
def mailer_worker(saga_stack, smtp_server, tmp_path_factory):  # noqa: F811 - fixtures
    """A mailer worker on the saga's vhost (its own SQLite database), for the receipts."""
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
        log_path=LOG_DIR / "shop-mailer-worker.log",
        name="mailer",
        threads=1,
    ).start()
    yield worker
    worker.stop()
