"""Strangler switches of the monolith.

Each switch chooses between a legacy in-process path (off, the default) and
the extracted service (on). They are django-waffle switches: flipped in the
admin (Waffle > Switches) or with ``manage.py waffle_switch NAME on``, and
read on every call, so a flip takes effect without a restart.
"""

from waffle import switch_is_active

#: Mail goes through the outbox to the mailer service instead of being sent in-process.
MAIL_VIA_QUEUE = "mail_via_queue"
#: Purchases run as a saga with the shop service instead of one local transaction.
PURCHASE_VIA_SAGA = "purchase_via_saga"
#: Code runs on the runner service over HTTP instead of the in-process sandbox.
RUNNER_VIA_SERVICE = "runner_via_service"
#: Purchases are refused for a few seconds (503 ``purchases_paused``) while the seller changes:
#: set by ``strangle`` around ``purchase_via_saga`` so no sale falls between the two shops' copies.
PURCHASES_PAUSED = "purchases_paused"

ALL = (MAIL_VIA_QUEUE, PURCHASE_VIA_SAGA, RUNNER_VIA_SERVICE, PURCHASES_PAUSED)


def is_on(name: str) -> bool:
    if name not in ALL:
        raise ValueError(f"unknown switch {name!r}")
    return switch_is_active(name)
