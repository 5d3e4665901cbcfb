"""``manage.py strangle`` on a fresh stack: real monolith and shop (gunicorn, PostgreSQL), RabbitMQ, workers.

The monolith and the shop run as their own processes on their own fresh databases; the gateway
(this process) moves the shop with the command, and reads and writes the monolith's switches
only through its switch API.
"""

import pytest
from django.core.management import CommandError

from common.messaging.fixtures import rabbitmq  # noqa: F401 - fixture
from common.messaging.testing import free_port
from gateway_proxy import audit, services, switches
from gateway_proxy.models import Route, RouteChange
from gateway_proxy.tests.stack import Stack, count, environ, strangle

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def fresh_stack(rabbitmq):  # noqa: F811 - fixture
    """A monolith and a shop on new databases, their workers, nothing sold, no switch ever touched."""
    stack = Stack(broker_url=rabbitmq.url)
    try:
        mono_url, shop_url = stack.database("mono"), stack.database("shop")
        databases = {"DATABASE_URL": mono_url, "SHOP_DATABASE_URL": shop_url}
        mono_env = stack.env("monolith", "monolith.settings.test", **databases)
        shop_env = stack.env("shop", "extracted.shop.settings.test", **databases)
        stack.manage(mono_env, "migrate", "-v0", "--noinput")
        stack.manage(mono_env, "load_demo")
        stack.manage(shop_env, "migrate", "-v0", "--noinput")
        shop_port = free_port()
        mono_env["SERVICE_URL_SHOP"] = f"http://127.0.0.1:{shop_port}"  # the monolith forwards there
        monolith = stack.web("monolith.wsgi:application", mono_env, "monolith")
        shop = stack.web("extracted.shop.wsgi:application", shop_env, "shop", port=shop_port)
        stack.worker("monolith.worker", "account", mono_env)
        stack.worker("extracted.shop.worker", "shop", shop_env)
        stack.relay(mono_env, "monolith-relay")
        stack.relay(shop_env, "shop-relay")
        # The commands this test starts itself (making learners) run against the same databases.
        with environ(POLYCODE_ENV="test", **databases):
            yield {"monolith": monolith.url, "shop": shop.url, "mono_url": mono_url, "shop_url": shop_url}
    finally:
        stack.close()


@pytest.fixture
def stack(fresh_stack, register, settings, rabbitmq):  # noqa: F811 - fixture
    settings.BROKER_URL = rabbitmq.url
    register("monolith", fresh_stack["monolith"])
    register("shop", fresh_stack["shop"])
    if not Route.objects.filter(prefix="/api/v1/shop/").exists():
        # Seeded by the gateway's migrations; a previous test of this module flushed the tables.
        services.route_create(prefix="/api/v1/shop/", actor="test", extracted_service="shop")
    return fresh_stack


def shop_route() -> Route:
    return Route.objects.get(prefix="/api/v1/shop/")


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


def test_a_switch_api_failing_half_way_is_a_refusal_saying_where_the_step_stopped(monkeypatch):
    from gateway_proxy import prechecks

    monkeypatch.setattr(switches, "switch_state", lambda name: False)
    monkeypatch.setattr(prechecks, "switch_api_reachable", lambda: prechecks.Check("switch API", True, ""))
    monkeypatch.setattr(prechecks, "service_healthy", lambda service: prechecks.Check("healthy", True, ""))

    def fail(**kwargs):
        raise switches.SwitchApiError("the monolith's switch API answered 503")

    monkeypatch.setattr(switches, "switch_set", fail)

    with pytest.raises(CommandError, match=r"answered 503; the step stopped after: .*run it again"):
        strangle("runner", "extracted")
