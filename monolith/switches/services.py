"""Writes of the switches: one audited way to turn a strangler switch on or off."""

from django.core.exceptions import ValidationError
from django.db import transaction
from waffle import get_waffle_switch_model

from monolith import flags
from monolith.switches.audit import acting_as


@transaction.atomic
def switch_set(*, name: str, active: bool, actor: str, reason: str = ""):
    """Turn the strangler switch ``name`` on or off; audited (a no-op when it already is)."""
    if name not in flags.ALL:
        raise ValidationError({"name": f"{name!r} is not a strangler switch ({', '.join(flags.ALL)})."})
    model = get_waffle_switch_model()
    switch, _ = model.objects.select_for_update().get_or_create(name=name, defaults={"active": False})
    if switch.active != active:
        with acting_as(actor, reason):
            switch.active = active
            switch.save()
    return switch
