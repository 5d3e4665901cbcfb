"""One step of a capability's migration: pre-checks, data, switch and route together, audited.

``manage.py strangle`` and the dashboard's action both call ``strangle_step``. Order:

1. where the capability is now (its route's mode; its switch for a capability without route);
2. the move is one step forward, or back to any earlier stage (else refused, unless forced);
3. pre-checks, each printed; a failed one refuses the move unless forced with a reason;
4. data moved inside the step (the shop: the monolith's catalogue imported while the monolith
   still sells, i.e. on every forward step with the switch off);
5. forward: the switch first, then the route (the monolith forwards to the extracted service
   before the gateway sends anyone there); back: the route first, then the switch;
6. when the switch changes who sells (``_seller_change``): writes paused on the monolith, the
   old seller's sales copied to the new one before and after the switch, writes resumed.

Every route change is audited by ``services.route_update`` (the gateway's ``RouteChange``),
every switch change by the monolith (its ``SwitchChange``, with the same actor and reason); the
dashboard and ``strangle history`` show both in one log.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from gateway_proxy import capabilities, datamove, prechecks, services, switches
from gateway_proxy.capabilities import CANARY, EXTRACTED, LEGACY, SHADOW, Capability, Stage, StepRefused
from gateway_proxy.models import Route


class StrangleRefused(Exception):
    pass


@dataclass
class Outcome:
    capability: str
    before: str
    after: str
    checks: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    forced: bool = False


def capability_get(name: str) -> Capability:
    try:
        return capabilities.CAPABILITIES[name]
    except KeyError:
        raise StrangleRefused(
            f"unknown capability {name!r} (one of {', '.join(capabilities.CAPABILITIES)})"
        ) from None


def current_stage(capability: Capability) -> Stage:
    if capability.route:
        route = Route.objects.get(prefix=capability.route)
        return Stage(route.mode, Decimal(route.canary_percent) if route.mode == CANARY else Decimal("0"))
    try:
        return Stage(EXTRACTED if switches.switch_state(capability.switch) else LEGACY)
    except switches.SwitchApiError as exc:
        raise StrangleRefused(str(exc)) from None


def stage_of(mode: str, percent=None) -> Stage:
    if mode not in capabilities.ORDER:
        raise StrangleRefused(f"unknown stage {mode!r} (one of {', '.join(capabilities.ORDER)})")
    if mode == CANARY:
        if percent is None:
            raise StrangleRefused("canary needs a percentage: canary 50")
        return Stage(CANARY, Decimal(str(percent)))
    return Stage(mode)


def checks_for(
    capability: Capability, target: Stage, *, switch_on: bool, paused: bool = False
) -> list[prechecks.Check]:
    checks = [prechecks.switch_api_reachable()]
    if target.mode == LEGACY:
        checks.append(prechecks.service_healthy("monolith"))
        return checks
    checks.append(prechecks.service_healthy(capability.service))
    checks.extend(prechecks.queue_consumed(queue) for queue in capability.queues)
    verify = datamove.VERIFY.get(capability.data)
    if verify is not None and switch_on and not paused:
        # The monolith no longer sells by itself: what it sold is in the shop already (unless a
        # step stopped half-way, writes paused: running it again copies what is missing).
        checks.append(verify())
    return checks


def strangle_step(
    *, name: str, target: Stage, actor: str, reason: str = "", force: bool = False, out=lambda line: None
) -> Outcome:
    """Move capability ``name`` to ``target``; ``StrangleRefused`` (nothing changed) when it may not."""
    capability = capability_get(name)
    if force and not reason.strip():
        raise StrangleRefused("--force needs a --reason")
    try:
        current = current_stage(capability)
    except Route.DoesNotExist:
        raise StrangleRefused(f"no gateway route {capability.route}") from None
    outcome = Outcome(capability=name, before=str(current), after=str(target), forced=force)

    def say(line: str) -> None:
        outcome.lines.append(line)
        out(line)

    try:
        direction = capabilities.check_step(capability, current, target)
    except StepRefused as exc:
        if not force:
            raise StrangleRefused(f"{exc} (or --force with a --reason)") from None
        say(f"forced past: {exc}")
        direction = "forward"
    say(f"{name}: {current} → {target} ({direction})")
    try:
        switch_on = switches.switch_state(capability.switch)
        paused = bool(capability.pause) and switches.switch_state(capability.pause)
    except switches.SwitchApiError:
        switch_on = paused = None
    outcome.checks = checks_for(capability, target, switch_on=bool(switch_on), paused=bool(paused))
    for check in outcome.checks:
        say(str(check))
    failed = [check for check in outcome.checks if not check.ok]
    if failed and not force:
        raise StrangleRefused(
            f"{len(failed)} pre-check(s) failed: {', '.join(c.name for c in failed)}; nothing changed "
            "(fix them, or --force with a --reason)"
        )
    if switch_on is None:
        raise StrangleRefused("the monolith's switch API cannot be reached: the switch cannot move")
    want_on = capabilities.SWITCH_ON[target.mode]
    full_reason = (f"[forced] {reason}" if failed or force else reason).strip()
    try:
        _move(capability, target, direction, switch_on, want_on, paused, (actor, full_reason, say), outcome)
    except switches.SwitchApiError as exc:
        # A switch could not be set half-way: the lines above say how far the step went.
        raise StrangleRefused(f"{exc}; the step stopped after: {_tail(outcome)} (run it again)") from None
    say(f"{name} is {target}")
    return outcome


def _move(
    capability: Capability,
    target: Stage,
    direction: str,
    switch_on: bool,
    want_on: bool,
    paused: bool,
    acting,
    outcome: Outcome,
) -> None:
    """Data, switch and route in their order (the module's docstring, 4 to 6)."""
    say = acting[2]
    to_service = datamove.TO_SERVICE.get(capability.data)  # the monolith's sales into the service
    to_monolith = datamove.TO_MONOLITH.get(capability.data)  # the service's sales into the monolith
    if direction == "back":
        _route(capability, target, *acting)  # nobody reaches the service directly any more
    if want_on != switch_on and (to_service or to_monolith):
        _seller_change(capability, want_on, to_service if want_on else to_monolith, *acting)
    else:
        if direction == "forward" and to_service and not switch_on:
            say("data: the monolith's catalogue and purchases into the service")
            if not to_service(say):
                raise StrangleRefused(
                    f"the data import failed or did not verify; nothing else changed:\n{_tail(outcome)}"
                )
        if to_monolith and not want_on and (direction == "same" or paused):
            # Again at a stage where the monolith sells (or after a step back that stopped half-way):
            # record what the service sold since (idempotent).
            say("data: what the service sold, into the monolith")
            if not to_monolith(say):
                raise StrangleRefused(
                    f"recording the service's sales in the monolith failed:\n{_tail(outcome)}"
                )
        if to_service and want_on and paused:
            # A step out that stopped after the switch went on: copy what the monolith sold (idempotent).
            say("data: the monolith's sales into the service, again")
            if not to_service(say):
                raise StrangleRefused(f"the data import failed; writes stay paused:\n{_tail(outcome)}")
        _switch(capability.switch, want_on, switch_on, *acting)
        _resume(capability, *acting)  # a step that stopped half-way left the writes paused
    if direction != "back":
        _route(capability, target, *acting)  # the monolith forwards before the gateway sends anyone


def _tail(outcome: Outcome) -> str:
    return outcome.lines[-1][-1500:] if outcome.lines else ""


def _seller_change(capability: Capability, want_on: bool, sync, actor, reason, say) -> None:
    """Change who sells with no sale between the two sides' copies of each other's sales.

    The capability's writes are paused on the monolith (the route already keeps everyone off the
    service's own API on a way back; on a way out it does not send anyone there yet), every process
    is given time to see it, the new seller receives the old one's sales, the switch flips, and
    after the same wait the sales copied again (those that were in flight) before writes resume.
    A failure before the switch moves resumes the writes and changes nothing else; a failure
    after it leaves them paused — selling then could charge someone twice — until the step is
    run again.
    """
    label = "the monolith's sales into the service" if want_on else "what the service sold, into the monolith"
    if capability.pause:
        _switch(capability.pause, True, None, actor, reason, say)
        _settle(say)
    say(f"data: {label}")
    if not sync(say):
        _resume(capability, actor, reason, say)
        raise StrangleRefused(f"copying {label} failed (its report is above); the switch did not move")
    _switch(capability.switch, want_on, not want_on, actor, reason, say)
    _settle(say)
    say(f"data: {label}, again (what was in flight)")
    if not sync(say):
        raise StrangleRefused(
            f"copying {label} after the switch moved failed; "
            + (f"{capability.pause} stays on: " if capability.pause else "")
            + "run the step again"
        )
    _resume(capability, actor, reason, say)


def _settle(say) -> None:
    seconds = settings.STRANGLER_SETTLE_SECONDS
    say(f"waiting {seconds:g} s for every process to see it")
    time.sleep(seconds)


def _resume(capability: Capability, actor, reason, say) -> None:
    """Writes resume (the pause switch off), if the capability has a pause and it is on."""
    if capability.pause and switches.switch_state(capability.pause):
        _switch(capability.pause, False, True, actor, reason, say)


def _switch(name: str, want_on: bool, is_on: bool | None, actor, reason, say) -> None:
    """Set switch ``name``; ``is_on`` is its known state (``None``: ask the monolith)."""
    if is_on is None:
        is_on = switches.switch_state(name)
    if want_on == is_on:
        say(f"switch {name} stays {'on' if is_on else 'off'}")
        return
    switches.switch_set(name=name, active=want_on, actor=actor, reason=reason)
    say(f"switch {name}: {'off → on' if want_on else 'on → off'}")


def _route(capability, target: Stage, actor, reason, say) -> None:
    if not capability.route:
        return
    route = Route.objects.get(prefix=capability.route)
    changes = {"mode": target.mode}
    if target.mode == CANARY:
        changes["canary_percent"] = target.percent
    if target.mode in (SHADOW, CANARY) and capability.shadow_ignore:
        changes["shadow_ignore_fields"] = sorted(
            set(route.shadow_ignore_fields) | set(capability.shadow_ignore)
        )
    services.route_update(route=route, actor=actor, reason=reason, **changes)
    say(f"route {capability.route}: {route.mode} → {target}")
