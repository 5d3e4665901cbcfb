"""Record the shop service's sales in the legacy shop (the data step of moving the shop back).

Input: ``contracts.shop.ShopSalesExport`` (``export_shop_sales`` on the shop). Each sale becomes
a legacy ``Purchase`` with the shop's ledger reference as its ``debit_reference``: the learner
owns the item on this side too, and is not charged (the ledger already holds that debit under
the same reference). The legacy stock of every imported item becomes the shop's: the shop was
the only seller while the switch was on. Idempotent (a sale already recorded is left alone);
nothing is written when a problem is found (a sale of an unknown item or user, or of an item
the learner already owns here under another payment).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils.dateparse import parse_datetime

from contracts.shop import ShopSalesExport
from monolith.shop_legacy.models import Item, Purchase

#: Ledger references of payments taken by the shop service's saga.
SHOP_REFERENCE_PREFIX = "shop:order:"


@dataclass
class SalesReport:
    created: int = 0
    existing: int = 0
    stock_updated: int = 0
    problems: list[str] = field(default_factory=list)
    sales_points: int = 0
    recorded_points: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, *, dry_run: bool) -> list[str]:
        """The report as ``import_shop_sales`` prints it (and the data step's API returns it)."""
        if dry_run:
            mode = "dry run (nothing written)"
        else:
            mode = "recorded" if self.ok else "refused (nothing written)"
        lines = [
            f"{mode}: sales {self.created} new, {self.existing} already there; "
            f"{self.stock_updated} stock line(s) changed; points shop {self.sales_points}, "
            f"legacy {self.recorded_points}"
        ]
        if self.ok:
            return [*lines, "verification: OK"]
        return [*lines, "verification failed, nothing written:", *self.problems]


class _Rollback(Exception):
    pass


def shop_sales_import(*, document: ShopSalesExport, dry_run: bool = False) -> SalesReport:
    report = SalesReport()
    try:
        with transaction.atomic():
            _import(document, report)
            _verify(document, report)
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _import(document: ShopSalesExport, report: SalesReport) -> None:
    references = [sale.debit_reference for sale in document.sales]
    recorded = set(
        Purchase.objects.filter(debit_reference__in=references).values_list("debit_reference", flat=True)
    )
    items = set(
        Item.objects.filter(pk__in={sale.item_id for sale in document.sales}).values_list("pk", flat=True)
    )
    users = set(
        get_user_model()
        .objects.filter(pk__in={sale.user_id for sale in document.sales})
        .values_list("pk", flat=True)
    )
    for sale in document.sales:
        if sale.debit_reference in recorded:
            report.existing += 1
            continue
        if sale.item_id not in items or sale.user_id not in users:
            report.problems.append(
                f"sale {sale.order_id}: unknown item {sale.item_id} or user {sale.user_id}"
            )
            continue
        owned = Purchase.objects.filter(user_id=sale.user_id, item_id=sale.item_id).first()
        if owned is not None:
            report.problems.append(
                f"sale {sale.order_id}: user {sale.user_id} already owns item {sale.item_id} here "
                f"(paid by {owned.debit_reference}): charged on both sides, refund one"
            )
            continue
        purchase = Purchase.objects.create(
            user_id=sale.user_id,
            item_id=sale.item_id,
            price_paid=sale.price,
            debit_reference=sale.debit_reference,
        )
        Purchase.objects.filter(pk=purchase.pk).update(created_at=parse_datetime(sale.completed_at))
        report.created += 1
    for line in document.stock:
        report.stock_updated += (
            Item.objects.filter(pk=line.item_id).exclude(stock=line.stock).update(stock=line.stock)
        )


def _verify(document: ShopSalesExport, report: SalesReport) -> None:
    report.sales_points = sum(sale.price for sale in document.sales)
    references = [sale.debit_reference for sale in document.sales]
    found = Purchase.objects.filter(debit_reference__in=references)
    report.recorded_points = found.aggregate(points=Sum("price_paid"))["points"] or 0
    if found.count() != len(references):
        report.problems.append(f"{len(references) - found.count()} sale(s) not recorded")
    if report.recorded_points != report.sales_points:
        report.problems.append(f"points: shop {report.sales_points}, legacy {report.recorded_points}")
    stock = dict(
        Item.objects.filter(pk__in=[line.item_id for line in document.stock]).values_list("pk", "stock")
    )
    for line in document.stock:
        if line.item_id in stock and stock[line.item_id] != line.stock:
            report.problems.append(
                f"item {line.item_id}: stock {stock[line.item_id]} here, {line.stock} in the shop"
            )
