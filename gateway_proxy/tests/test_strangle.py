"""``manage.py strangle`` on a fresh stack: real monolith and shop (gunicorn, PostgreSQL), RabbitMQ, workers.

The monolith and the shop run as their own processes on their own fresh databases; the gateway
(this process) moves the shop with the command, and reads and writes the monolith's switches
only through its switch API.
"""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command

from common.messaging.fixtures import rabbitmq  # noqa: F401 - fixture
from common.messaging.testing import (
    ROOT,
    ProcessGroup,
    WorkerProcess,
    free_port,
    wait_for_port,
    with_database,
)
from gateway_proxy import audit, services, switches
from gateway_proxy.models import Route, RouteChange

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

LOG_DIR = Path(ROOT) / "var" / "test-logs"


class Web(ProcessGroup):
    def __init__(self, *, wsgi: str, env: dict, name: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with (LOG_DIR / f"strangle-{name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", wsgi, "-b", f"127.0.0.1:{self.port}", "-w", "1",
                 "--threads", "4"],
                cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        assert wait_for_port(self.port, timeout=60), f"{name} did not start"


class Relay(ProcessGroup):
    def __init__(self, *, env: dict, name: str):
        with (LOG_DIR / f"strangle-{name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "outbox_relay"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, start_new_session=True,
            )  # fmt: skip


def _database(base: str, name: str) -> str:
    url = with_database(base, name)
    admin = psycopg2.connect(with_database(base, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return url


def _drop(base: str, *names: str) -> None:
    admin = psycopg2.connect(with_database(base, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, timeout=300
    )


@pytest.fixture(scope="module")
def fresh_stack(rabbitmq):  # noqa: F811 - fixture
    """A monolith and a shop on new databases, their workers, nothing sold, no switch ever touched."""
    from django.conf import settings

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("the stack runs on PostgreSQL (set DATABASE_URL)")
    suffix = uuid.uuid4().hex[:6]
    mono_url = _database(base, f"strangle_mono_{suffix}")
    shop_url = _database(base, f"strangle_shop_{suffix}")
    common = {"POLYCODE_ENV": "test", "BROKER_URL": rabbitmq.url, "DATABASE_URL": mono_url,
              "SHOP_DATABASE_URL": shop_url, "DJANGO_SETTINGS_MODULE": ""}  # fmt: skip
    mono_env = {**common, "POLYCODE_SERVICE": "monolith", "DJANGO_SETTINGS_MODULE": "monolith.settings.test"}
    shop_env = {
        **common,
        "POLYCODE_SERVICE": "shop",
        "DJANGO_SETTINGS_MODULE": "extracted.shop.settings.test",
    }
    _manage(mono_env, "migrate", "-v0", "--noinput")
    _manage(mono_env, "load_demo")
    _manage(shop_env, "migrate", "-v0", "--noinput")
    shop_port = free_port()
    mono_env["SERVICE_URL_SHOP"] = f"http://127.0.0.1:{shop_port}"  # the monolith forwards purchases there
    processes = [
        Web(wsgi="monolith.wsgi:application", env=mono_env, name="monolith"),
        Web(wsgi="extracted.shop.wsgi:application", env=shop_env, name="shop", port=shop_port),
    ]
    for app, queue, env in (
        ("monolith.worker", "account", mono_env),
        ("extracted.shop.worker", "shop", shop_env),
    ):
        processes.append(
            WorkerProcess(
                app=app, queue=queue, env=env, log_path=LOG_DIR / f"strangle-worker-{queue}.log", name=queue
            ).start()
        )
    for env, name in ((mono_env, "monolith-relay"), (shop_env, "shop-relay")):
        processes.append(Relay(env=env, name=name))
    # The subprocesses this process starts (export, import) run against the same databases.
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "SHOP_DATABASE_URL", "POLYCODE_ENV")}
    os.environ.update({"DATABASE_URL": mono_url, "SHOP_DATABASE_URL": shop_url, "POLYCODE_ENV": "test"})
    yield {"monolith": processes[0].url, "shop": processes[1].url, "mono_url": mono_url, "shop_url": shop_url}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    for process in reversed(processes):
        process.stop()
    _drop(base, f"strangle_mono_{suffix}", f"strangle_shop_{suffix}")
    del settings


@pytest.fixture
def stack(fresh_stack, register, settings, rabbitmq):  # noqa: F811 - fixture
    settings.BROKER_URL = rabbitmq.url
    register("monolith", fresh_stack["monolith"])
    register("shop", fresh_stack["shop"])
    if not Route.objects.filter(prefix="/api/v1/shop/").exists():
        # Seeded by the gateway's migrations; a previous test of this module flushed the tables.
        services.route_create(prefix="/api/v1/shop/", actor="test", extracted_service="shop")
    return fresh_stack


def strangle(*args) -> str:
    out = io.StringIO()
    call_command("strangle", *args, "--actor", "ops", stdout=out)
    return out.getvalue()


def shop_route() -> Route:
    return Route.objects.get(prefix="/api/v1/shop/")


def count(url: str, sql: str) -> int:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_the_shop_walks_every_step_and_back_from_a_fresh_stack(stack):
    assert not switches.switch_state("purchase_via_saga")  # exists, off: created by the migration
    legacy_items = count(stack["mono_url"], "SELECT count(*) FROM shop_legacy_item")
    assert legacy_items > 0

    out = strangle("shop", "shadow", "--reason", "compare first")
    assert "[ok] shop healthy" in out
    assert "[ok] queue shop consumed" in out
    assert "[ok] queue account consumed" in out
    assert "verification: OK" in out
    assert shop_route().mode == "shadow"
    assert not switches.switch_state("purchase_via_saga")
    assert count(stack["shop_url"], "SELECT count(*) FROM store_item") == legacy_items

    out = strangle("shop", "canary", "50", "--reason", "half")
    assert "[ok] shop data verified" not in out  # the switch was off: the step imported instead
    assert "items 0 new" in out
    route = shop_route()
    assert (route.mode, float(route.canary_percent)) == ("canary", 50.0)
    assert switches.switch_state("purchase_via_saga")

    out = strangle("shop", "extracted", "--reason", "done")
    assert "[ok] shop data verified" in out
    assert shop_route().mode == "extracted"

    strangle("shop", "legacy", "--reason", "rollback drill")
    assert shop_route().mode == "legacy"
    assert not switches.switch_state("purchase_via_saga")
    assert count(stack["shop_url"], "SELECT count(*) FROM store_item") == legacy_items  # idempotent

    entries, _, error = audit.migration_log(prefixes=["/api/v1/shop/"], switch_names=["purchase_via_saga"])
    assert not error
    kinds = [(e["kind"], e["actor"], e["reason"]) for e in entries if e["actor"] == "cli:ops"]
    assert ("switch", "cli:ops", "half") in kinds
    assert ("route", "cli:ops", "half") in kinds
    assert ("switch", "cli:ops", "rollback drill") in kinds
    status = strangle("shop")
    assert "shop: legacy" in status
    assert "switch purchase_via_saga: off" in status


def test_a_jump_or_a_failed_pre_check_changes_nothing_unless_forced_with_a_reason(stack, register):
    before = RouteChange.objects.count()
    with pytest.raises(CommandError, match="skips shadow, canary"):
        strangle("shop", "extracted")
    register("shop", f"http://127.0.0.1:{free_port()}")  # nobody listens there
    with pytest.raises(CommandError, match="pre-check"):
        strangle("shop", "shadow")
    with pytest.raises(CommandError, match="--force needs a --reason"):
        strangle("shop", "shadow", "--force")
    assert shop_route().mode == "legacy"
    assert RouteChange.objects.count() == before
    assert not switches.switch_state("purchase_via_saga")

    register("shop", stack["shop"])
    out = strangle("shop", "shadow", "--force", "--reason", "drill")
    assert shop_route().mode == "shadow"
    assert RouteChange.objects.first().reason.startswith("[forced] drill")
    assert "[ok]" in out
    strangle("shop", "legacy", "--reason", "back")


def test_a_capability_without_route_moves_its_switch_only(stack, register):
    with pytest.raises(CommandError, match="no shadow stage"):
        strangle("runner", "shadow")
    register("runner", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(CommandError, match="runner healthy"):
        strangle("runner", "extracted")
    assert not switches.switch_state("runner_via_service")


def test_the_dashboard_moves_a_capability_and_shows_switches_and_one_audit_log(stack, client):
    from django.contrib.auth import get_user_model

    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    refused = client.post("/gateway/dashboard/step", {"capability": "shop", "stage": "shadow"})
    assert refused.status_code == 403
    assert shop_route().mode == "legacy"

    operator = get_user_model().objects.create_user("root", is_staff=True, is_superuser=True)
    client.force_login(operator)
    jump = client.post("/gateway/dashboard/step", {"capability": "shop", "stage": "extracted"})
    assert jump.status_code == 409
    assert "move one step at a time" in jump.content.decode()

    moved = client.post("/gateway/dashboard/step", {"capability": "shop", "stage": "canary", "percent": "50"})
    assert moved.status_code == 409  # legacy → canary skips shadow
    moved = client.post(
        "/gateway/dashboard/step", {"capability": "shop", "stage": "shadow", "reason": "look"}
    )
    page = moved.content.decode()
    assert moved.status_code == 200, page
    assert "[ok] shop healthy" in page
    assert shop_route().mode == "shadow"
    moved = client.post(
        "/gateway/dashboard/step",
        {"capability": "shop", "stage": "canary", "percent": "50", "reason": "half"},
    )
    page = moved.content.decode()
    assert moved.status_code == 200, page
    assert "<code>purchase_via_saga</code></td><td>on</td>" in page
    assert "switch <code>purchase_via_saga</code>" in page  # the switch's change in the audit log
    assert "route <code>/api/v1/shop/</code>" in page
    assert page.count("dashboard:root") >= 3  # shadow route, canary route, canary switch
    client.post("/gateway/dashboard/step", {"capability": "shop", "stage": "legacy", "reason": "back"})
    assert not switches.switch_state("purchase_via_saga")
