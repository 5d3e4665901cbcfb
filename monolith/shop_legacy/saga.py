"""The monolith's purchase endpoint while ``purchase_via_saga`` is on: forward to the shop service.

The purchase then runs as the shop's saga: the shop answers ``202`` with the
order and its status URL, and this endpoint passes that answer through. The
call carries the monolith's own identity assertion on the buyer's behalf
(``common.identity.service``); the shop accepts the monolith as a caller.
The better switch is the gateway's route ``/api/v1/shop/`` in ``extracted``
mode, which sends learners to the shop directly; this one covers clients that
still call the monolith.
"""

import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import get_language

from common.errors import ServiceError, Unavailable
from common.identity.service import service_headers

logger = logging.getLogger(__name__)

DOWN = "The shop is not reachable right now; nothing was bought. Try again in a moment."


@dataclass(frozen=True)
class ShopOrder:
    """The shop service's answer to a forwarded request (purchase, order, items): status and JSON body."""

    status: int
    body: dict


class ShopRefused(ServiceError):
    """The shop refused the purchase (4xx): its code, field and message, passed on."""


_session = requests.Session()


def _shop_url() -> str:
    from common.registry.base import NoInstance, get_registry

    try:
        return get_registry().choose("shop").url.rstrip("/")
    except NoInstance as exc:
        raise Unavailable(DOWN, code="shop_unavailable") from exc


def purchase_forward(*, user, item_id: int, idempotency_key: str | None = None) -> ShopOrder:
    """Start the purchase of ``item_id`` for ``user`` as a saga in the shop service."""
    url = f"{_shop_url()}/api/v1/shop/purchases"
    headers = {
        **service_headers(audience="shop", user=user),
        "Idempotency-Key": idempotency_key or uuid.uuid4().hex,
        # The buyer's language (their profile's): the shop writes the receipt in it.
        "Accept-Language": getattr(user, "preferred_language", "") or get_language() or "en",
    }
    try:
        response = _session.post(
            url, json={"item_id": item_id}, headers=headers, timeout=settings.SHOP_HTTP_TIMEOUT
        )
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("shop unreachable at %s: %s", url, exc)
        raise Unavailable(DOWN, code="shop_unavailable") from exc
    return _answer(response.status_code, body, what="a forwarded purchase")


def order_forward(*, user, order_id, wait: float = 0.0) -> ShopOrder:
    """The shop's order ``order_id`` as ``user`` sees it (the status URL of a forwarded purchase).

    The shop answers 404 for an unknown order and for anyone else's; ``wait``
    is passed on (the shop caps it) and lengthens the timeout by as much.
    """
    return _get(
        user=user,
        path=f"orders/{order_id}",
        params={"wait": wait} if wait else None,
        wait=wait,
        what="a forwarded order status",
    )


def items_forward(*, user, params: dict) -> ShopOrder:
    """The shop's items as ``user`` sees them: while purchases go to the shop, it is the seller.

    Its stock and who owns what are the shop's, so a learner who bought
    through the saga sees the item owned (and its hint) here too.
    """
    return _get(user=user, path="items", params=params or None, what="a forwarded item list")


def item_forward(*, user, item_id: int) -> ShopOrder:
    return _get(user=user, path=f"items/{item_id}", what="a forwarded item")


def _get(*, user, path: str, params: dict | None = None, wait: float = 0.0, what: str) -> ShopOrder:
    url = f"{_shop_url()}/api/v1/shop/{path}"
    try:
        response = _session.get(
            url,
            params=params,
            headers=service_headers(audience="shop", user=user),
            timeout=settings.SHOP_HTTP_TIMEOUT + wait,
        )
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("shop unreachable at %s: %s", url, exc)
        raise Unavailable(DOWN, code="shop_unavailable") from exc
    return _answer(response.status_code, body, what=what)


def _answer(status: int, body, *, what: str) -> ShopOrder:
    """The shop's answer passed on: 200/202 as they are, its refusals (4xx) as the same error."""
    if status in (200, 202) and isinstance(body, dict):
        return ShopOrder(status=status, body=body)
    if 400 <= status < 500 and status not in (401, 403) and isinstance(body, dict):
        fields = body.get("fields") or {}
        error = ShopRefused(
            str(body.get("detail") or "The shop refused this request."),
            field=next(iter(fields), None),
            code=str(body.get("code") or "invalid"),
        )
        error.status = status
        raise error
    logger.error("shop answered %s to %s: %s", status, what, body)
    raise Unavailable(DOWN, code="shop_unavailable")
