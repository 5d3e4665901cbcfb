"""Copy the monolith's legacy shop into the shop's database (the extraction's data migration).

Input: the JSON document of ``manage.py export_legacy_shop`` on the monolith
(``contracts.shop.LegacyShopExport``). An item keeps its legacy id as its id in
the shop (and in ``legacy_id``), so one item has one id on both sides: the
monolith's forwarded purchases and clients routed to either side name the same
item. Items are matched by ``legacy_id`` and purchases by ``legacy_purchase_id``:
an item or purchase already imported is left as it is, so running the import
again changes nothing (and never resets the stock of an item the shop has been
selling since). Purchases become completed orders at the price paid.

What cannot be imported as it is (a shop item already holding a legacy id, a
purchase of an item missing from the export) is reported as a problem, and
nothing is written.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils.dateparse import parse_datetime

from contracts.shop import LegacyShopExport
from extracted.shop.store.models import Item, Order

#: Ledger references of the shop's own payments (``Order.debit_step_id``).
SHOP_REFERENCE = "shop:order:"


@dataclass
class ImportReport:
    items_created: int = 0
    items_existing: int = 0
    orders_created: int = 0
    orders_existing: int = 0
    #: Per legacy item id: (legacy purchases, legacy points, imported orders, imported points,
    #: legacy stock, shop stock).
    per_item: dict[int, tuple] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self, *, dry_run: bool) -> list[str]:
        """The report as ``import_legacy_shop`` prints it (and the data step's API returns it)."""
        if dry_run:
            mode = "dry run (nothing written)"
        else:
            mode = "imported" if self.ok else "refused (nothing written)"
        lines = [
            f"{mode}: items {self.items_created} new, {self.items_existing} already there; "
            f"orders {self.orders_created} new, {self.orders_existing} already there",
            "legacy item | legacy purchases | legacy points | shop orders | shop points | stock",
        ]
        for item_id, (count, points, got, got_points, stock, shop_stock) in sorted(self.per_item.items()):
            lines.append(
                f"{item_id} | {count} | {points} | {got} | {got_points} | "
                f"{_stock(stock)} -> {_stock(shop_stock)}"
            )
        if self.ok:
            return [*lines, "verification: OK"]
        return [*lines, "verification failed, nothing written:", *self.mismatches]


def _stock(value) -> str:
    return "unlimited" if value is None else str(value)


class _Rollback(Exception):
    pass


def legacy_shop_import(*, document: LegacyShopExport, dry_run: bool = False) -> ImportReport:
    """Import ``document``; with ``dry_run`` everything is done, verified, then rolled back.

    Nothing is written either when the import finds a problem or the verification fails.
    """
    report = ImportReport()
    # Purchases the legacy shop recorded from this shop's own sales (moving the shop back) are orders
    # here already: the import leaves them out, and so does the verification.
    document = document.model_copy(
        update={
            "purchases": [p for p in document.purchases if not p.debit_reference.startswith(SHOP_REFERENCE)]
        }
    )
    try:
        with transaction.atomic():
            _import(document, report)
            _verify(document, report)
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _import(document: LegacyShopExport, report: ImportReport) -> None:
    by_legacy_id = {item.legacy_id: item for item in Item.objects.filter(legacy_id__isnull=False)}
    taken = set(
        Item.objects.filter(pk__in=[legacy.id for legacy in document.items])
        .exclude(legacy_id=F("pk"))
        .values_list("pk", flat=True)
    )
    existing_before = set(by_legacy_id)
    for legacy in document.items:
        if legacy.id in by_legacy_id:
            existing = by_legacy_id[legacy.id]
            if existing.pk != legacy.id:
                report.mismatches.append(
                    f"item {legacy.id}: imported earlier as shop item {existing.pk}; "
                    "the ids must be the same on both sides"
                )
            report.items_existing += 1
            if legacy.exercise_title and existing.exercise_title != legacy.exercise_title:
                Item.objects.filter(pk=existing.pk).update(exercise_title=legacy.exercise_title)
            continue
        if legacy.id in taken:
            report.mismatches.append(
                f"item {legacy.id}: the shop already has another item with id {legacy.id}; "
                "it cannot keep its legacy id"
            )
            continue
        by_legacy_id[legacy.id] = Item.objects.create(
            id=legacy.id,
            legacy_id=legacy.id,
            kind=legacy.kind,
            exercise_id=legacy.exercise_id,
            validator_id=legacy.validator_id,
            title=legacy.title,
            exercise_title=legacy.exercise_title,
            hint_text=legacy.hint_text,
            cost=legacy.cost,
            stock=legacy.stock,
            is_active=legacy.is_active,
        )
        report.items_created += 1
    if report.items_created:
        # Items were inserted with explicit ids: the next item the shop creates must not collide.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Item]):
                cursor.execute(sql)
    imported = set(
        Order.objects.filter(legacy_purchase_id__isnull=False).values_list("legacy_purchase_id", flat=True)
    )
    for purchase in document.purchases:
        if purchase.id in imported:
            report.orders_existing += 1
            continue
        if purchase.item_id not in by_legacy_id:
            report.mismatches.append(
                f"purchase {purchase.id}: item {purchase.item_id} is not in the export "
                "(or could not be imported)"
            )
            continue
        bought_at = parse_datetime(purchase.created_at)
        Order.objects.create(
            user_id=purchase.user_id,
            item=by_legacy_id[purchase.item_id],
            price=purchase.price_paid,
            state=Order.State.COMPLETED,
            idempotency_key=f"legacy:{purchase.id}",
            legacy_purchase_id=purchase.id,
            completed_at=bought_at,
        )
        report.orders_created += 1
        if purchase.item_id in existing_before:
            # Sold by the legacy shop after the item was imported: one unit less here too.
            Item.objects.filter(pk=by_legacy_id[purchase.item_id].pk, stock__gt=0).update(
                stock=F("stock") - 1
            )
    # Keep the purchase dates of the history (created_at is set on insert).
    for purchase in document.purchases:
        Order.objects.filter(legacy_purchase_id=purchase.id).update(
            created_at=parse_datetime(purchase.created_at)
        )


def _verify(document: LegacyShopExport, report: ImportReport) -> None:
    legacy_counts = defaultdict(lambda: [0, 0])
    for purchase in document.purchases:
        legacy_counts[purchase.item_id][0] += 1
        legacy_counts[purchase.item_id][1] += purchase.price_paid
    shop = {
        row["item__legacy_id"]: (row["n"], row["points"] or 0)
        for row in Order.objects.filter(legacy_purchase_id__isnull=False, state=Order.State.COMPLETED)
        .values("item__legacy_id")
        .annotate(n=Count("id"), points=Sum("price"))
    }
    stock = dict(Item.objects.filter(legacy_id__isnull=False).values_list("legacy_id", "stock"))
    for legacy in document.items:
        count, points = legacy_counts[legacy.id]
        got_count, got_points = shop.get(legacy.id, (0, 0))
        report.per_item[legacy.id] = (
            count,
            points,
            got_count,
            got_points,
            legacy.stock,
            stock.get(legacy.id),
        )
        if (count, points) != (got_count, got_points):
            report.mismatches.append(
                f"item {legacy.id}: legacy {count} purchase(s)/{points} pts, shop {got_count}/{got_points}"
            )
        if legacy.id not in stock:
            report.mismatches.append(f"item {legacy.id}: missing in the shop")
