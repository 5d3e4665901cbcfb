"""The data migration: the monolith exports its legacy shop, the shop imports and verifies it."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from common.messaging.testing import ROOT
from extracted.shop.store.models import Item, Order
from extracted.shop.store.tests.factories import HintItemFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def legacy_export(account_side, tmp_path_factory):
    """A populated legacy shop in the monolith, exported the way an operator would."""
    account_side.tool("legacy-shop")
    path = tmp_path_factory.mktemp("legacy") / "legacy_shop.json"
    subprocess.run(
        [sys.executable, "manage.py", "export_legacy_shop", "--output", str(path)],
        cwd=ROOT,
        env={**os.environ, **account_side.env},
        check=True,
        timeout=120,
        capture_output=True,
    )
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_legacy_shop", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_what_would_be_imported_and_writes_nothing(legacy_export):
    output = run("--source", str(legacy_export), "--dry-run")

    assert "dry run" in output
    assert "verification: OK" in output
    assert "items 4 new" in output
    assert "orders 6 new" in output
    assert Item.objects.count() == 0
    assert Order.objects.count() == 0


def test_import_copies_items_stock_and_history_and_a_second_run_changes_nothing(legacy_export):
    document = json.loads(legacy_export.read_text())

    first = run("--source", str(legacy_export))
    snapshot = sorted(Order.objects.values_list("legacy_purchase_id", "user_id", "price", "state"))
    second = run("--source", str(legacy_export))

    assert "items 4 new" in first
    assert "orders 6 new" in first
    assert "verification: OK" in first
    assert "items 0 new, 4 already there" in second
    assert "orders 0 new, 6 already there" in second
    assert sorted(Order.objects.values_list("legacy_purchase_id", "user_id", "price", "state")) == snapshot
    assert Item.objects.count() == len(document["items"])
    for legacy in document["items"]:
        item = Item.objects.get(legacy_id=legacy["id"])
        assert item.id == legacy["id"]  # one item, one id on both sides
        assert (item.title, item.cost, item.stock, item.is_active, item.validator_id) == (
            legacy["title"],
            legacy["cost"],
            legacy["stock"],
            legacy["is_active"],
            legacy["validator_id"],
        )
    limited = Item.objects.get(title="Hint: edge cases")
    assert limited.stock == 3  # 5 - the two legacy purchases
    for purchase in document["purchases"]:
        order = Order.objects.get(legacy_purchase_id=purchase["id"])
        assert (order.user_id, order.price, order.state) == (
            purchase["user_id"],
            purchase["price_paid"],
            "completed",
        )
    # The report's totals match the legacy history, per item.
    for legacy in document["items"]:
        bought = [p for p in document["purchases"] if p["item_id"] == legacy["id"]]
        line = f"{legacy['id']} | {len(bought)} | {sum(p['price_paid'] for p in bought)} | {len(bought)} |"
        assert line in second


def test_an_imported_hint_is_owned_by_its_legacy_buyers(legacy_export):
    run("--source", str(legacy_export))
    document = json.loads(legacy_export.read_text())
    buyer = document["purchases"][0]["user_id"]
    item = Item.objects.get(legacy_id=document["purchases"][0]["item_id"])

    assert Order.objects.filter(user_id=buyer, item=item, state="completed").exists()


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"items": "nope"}))

    with pytest.raises(CommandError, match="not a legacy shop export"):
        run("--source", str(bad))
    assert Item.objects.count() == 0


def _set_item_sequence(value: int) -> None:
    """Where the shop's own item ids continue (``nextval`` gives ``value`` next)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('store_item', 'id'), %s, false)", [value])


def _next_item_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('store_item', 'id'))")
        return cursor.fetchone()[0]


def test_items_keep_their_legacy_id_and_the_shops_next_item_id_comes_after_them(legacy_export):
    document = json.loads(legacy_export.read_text())
    _set_item_sequence(1)

    run("--source", str(legacy_export))

    assert sorted(Item.objects.values_list("id", flat=True)) == sorted(i["id"] for i in document["items"])
    assert _next_item_id() > max(i["id"] for i in document["items"])
    HintItemFactory()  # a new item gets a free id


def test_a_shop_item_already_holding_a_legacy_id_is_reported_and_nothing_is_written(legacy_export):
    document = json.loads(legacy_export.read_text())
    held = document["items"][0]["id"]
    HintItemFactory(id=held, title="Sold only in the shop")

    with pytest.raises(CommandError) as refused:
        run("--source", str(legacy_export))

    assert f"item {held}: the shop already has another item with id {held}" in str(refused.value)
    assert "nothing written" in str(refused.value)
    assert list(Item.objects.values_list("title", flat=True)) == ["Sold only in the shop"]
    assert Order.objects.count() == 0


def test_a_purchase_of_an_item_missing_from_the_export_is_reported_not_a_crash(legacy_export, tmp_path):
    document = json.loads(legacy_export.read_text())
    missing = document["purchases"][0]["item_id"]
    document["items"] = [i for i in document["items"] if i["id"] != missing]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    purchase_ids = [p["id"] for p in document["purchases"] if p["item_id"] == missing]

    with pytest.raises(CommandError) as refused:
        run("--source", str(broken))

    for purchase_id in purchase_ids:
        assert f"purchase {purchase_id}: item {missing} is not in the export" in str(refused.value)
    assert Item.objects.count() == 0
    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_purchase_forwarded_by_the_monolith_buys_the_same_item_in_the_shop(
    legacy_export, account_side, live_server, settings
):
    """End to end: monolith export -> shop import -> the monolith forwards a purchase by its item id."""
    settings.OUTBOX_FAST_PATH = False
    document = json.loads(legacy_export.read_text())
    legacy = next(i for i in document["items"] if i["title"] == "Hint: loops")
    _set_item_sequence(1000)  # the shop's own ids are elsewhere: only a kept id can match
    run("--source", str(legacy_export))
    [buyer] = account_side.tool("users", 1, 0, "forwarded_")

    answer = subprocess.run(
        [sys.executable, "bench/saga/account_tool.py", "forward", str(buyer["id"]), str(legacy["id"])],
        cwd=ROOT,
        env={**os.environ, **account_side.env, "PYTHONPATH": str(ROOT), "SERVICE_URL_SHOP": live_server.url},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(answer.stdout.strip().splitlines()[-1])

    assert result["status"] == 202, result
    assert result["body"]["item"]["id"] == legacy["id"]
    assert result["body"]["item"]["title"] == "Hint: loops"
    order = Order.objects.get(pk=result["body"]["id"])
    assert (order.user_id, order.item.legacy_id, order.price) == (buyer["id"], legacy["id"], legacy["cost"])
