"""The data migration: the monolith exports its legacy shop, the shop imports and verifies it."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from common.messaging.testing import ROOT
from extracted.shop.store.models import Item, Order

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
