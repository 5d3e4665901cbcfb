from waffle import get_waffle_switch_model

from monolith import flags
from monolith.switches.models import SwitchChange


def switch_states() -> dict[str, bool]:
    """Every strangler switch and whether it is on (a missing one is off)."""
    found = dict(get_waffle_switch_model().objects.filter(name__in=flags.ALL).values_list("name", "active"))
    return {name: bool(found.get(name, False)) for name in flags.ALL}


def recent_changes(*, limit: int = 50):
    return SwitchChange.objects.all()[:limit]
