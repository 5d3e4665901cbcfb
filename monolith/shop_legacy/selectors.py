"""Shop reads: the catalogue as one learner sees it, and their purchases."""

from django.db.models import Exists, OuterRef, QuerySet

from common.errors import NotFound
from monolith.accounts.models import User
from monolith.learning.selectors import visible_modules_q
from monolith.shop_legacy.models import Item, Purchase


def item_list(*, user: User, exercise_id: int | None = None, kind: str | None = None) -> QuerySet[Item]:
    """Active items of exercises ``user`` may see, each annotated with ``owned`` in the same query."""
    items = (
        Item.objects.filter(visible_modules_q(user, prefix="exercise__module__"), is_active=True)
        .select_related("exercise")
        .annotate(owned=Exists(Purchase.objects.filter(user=user, item=OuterRef("pk"))))
    )
    if exercise_id is not None:
        items = items.filter(exercise_id=exercise_id)
    if kind:
        items = items.filter(kind=kind)
    return items


def item_get(*, user: User, item_id: int) -> Item:
    item = item_list(user=user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("No item with this id.")
    return item


def purchase_list(*, user: User) -> QuerySet[Purchase]:
    """The purchases of ``user`` only, newest first."""
    return Purchase.objects.filter(user=user).select_related("item", "item__exercise")


def purchase_get(*, user: User, purchase_id: int) -> Purchase:
    """One purchase of ``user``; another user's purchase is reported as not found."""
    purchase = purchase_list(user=user).filter(pk=purchase_id).first()
    if purchase is None:
        raise NotFound("No purchase with this id.")
    return purchase


def hint_text_for(*, item: Item, owned: bool) -> str | None:
    """What a user may read of an item's hint: the text once owned, else nothing."""
    if item.kind != Item.Kind.HINT or not owned:
        return None
    return item.hint_text
