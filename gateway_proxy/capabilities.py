"""The capabilities the strangler moves, and the steps between their stages.

A capability is moved by one control (``manage.py strangle``, the dashboard): a gateway route
(HTTP traffic) and a monolith switch (what the monolith does inside a request) set together.

    legacy → shadow → canary N % → extracted        (forward: one step at a time)
    extracted → canary N % → shadow → legacy        (back: to any earlier stage at once)

| stage | route mode | switch |
|---|---|---|
| legacy | legacy | off |
| shadow | shadow | off (the monolith still does it itself; the extracted side only answers copies of reads) |
| canary N | canary N % | on (both sides' writes reach the extracted service: one seller, one stock) |
| extracted | extracted | on |

A capability without a route of its own (runner, mailer: the monolith calls them) has two
stages, ``legacy`` and ``extracted``: the switch alone.
"""

from dataclasses import dataclass, field
from decimal import Decimal

LEGACY, SHADOW, CANARY, EXTRACTED = "legacy", "shadow", "canary", "extracted"
ORDER = (LEGACY, SHADOW, CANARY, EXTRACTED)
#: Whether the capability's monolith switch is on at each stage.
SWITCH_ON = {LEGACY: False, SHADOW: False, CANARY: True, EXTRACTED: True}


@dataclass(frozen=True)
class Capability:
    name: str
    #: The monolith switch (``monolith/flags.py``).
    switch: str
    #: The extracted service (registry name).
    service: str
    #: The gateway route moved with it; empty when the monolith alone calls the service.
    route: str = ""
    #: Queues whose consumers must be alive (``service`` workers and the monolith's).
    queues: tuple[str, ...] = ()
    #: Data moved inside the step (``gateway_proxy/datamove.py``): legacy → service on the way out.
    data: str = ""
    #: The monolith switch that refuses the capability's writes while its seller changes (if any).
    pause: str = ""
    #: Fields the extracted side may answer differently, each with its reason (shadow ignore list).
    shadow_ignore: dict[str, str] = field(default_factory=dict)

    @property
    def stages(self) -> tuple[str, ...]:
        return ORDER if self.route else (LEGACY, EXTRACTED)


CAPABILITIES = {
    "shop": Capability(
        name="shop",
        switch="purchase_via_saga",
        service="shop",
        route="/api/v1/shop/",
        queues=("shop", "account"),
        data="shop",
        pause="purchases_paused",
        shadow_ignore={
            "created_at": "the shop's items have no creation time of their own in its contract (v1): "
            "they are created by the import, the legacy time is not carried",
        },
    ),
    "runner": Capability(name="runner", switch="runner_via_service", service="runner"),
    "mailer": Capability(name="mailer", switch="mail_via_queue", service="mailer", queues=("mailer",)),
}


@dataclass(frozen=True)
class Stage:
    mode: str
    percent: Decimal = Decimal("0")

    def __str__(self) -> str:
        return f"canary {self.percent.normalize():f} %" if self.mode == CANARY else self.mode


class StepRefused(Exception):
    """A move that is not one step (or not a stage of the capability)."""


def check_step(capability: Capability, current: Stage, target: Stage) -> str:
    """``"forward"``, ``"back"`` or ``"same"``; ``StepRefused`` for a jump forward or an unknown stage."""
    if target.mode not in capability.stages:
        raise StepRefused(
            f"{capability.name} has no {target.mode} stage (stages: {', '.join(capability.stages)})"
        )
    if target.mode == CANARY and not Decimal("0") < target.percent <= Decimal("100"):
        raise StepRefused("canary needs a percentage above 0 and at most 100")
    here = capability.stages.index(current.mode) if current.mode in capability.stages else 0
    there = capability.stages.index(target.mode)
    if there == here:
        if target.mode != CANARY or target.percent == current.percent:
            return "same"
        return "forward" if target.percent > current.percent else "back"
    if there < here:
        return "back"
    if there > here + 1:
        raise StepRefused(
            f"{capability.name}: {current} → {target} skips "
            f"{', '.join(capability.stages[here + 1 : there])}; move one step at a time"
        )
    return "forward"
