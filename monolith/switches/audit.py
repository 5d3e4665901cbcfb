"""Every change of a waffle switch is recorded in ``SwitchChange``: who, when, before, after, why.

Whoever changes a switch — the admin, ``manage.py waffle_switch``, the switch API the gateway's
``strangle`` command calls — goes through ``Switch.save()``/``delete()``; the signals here record
it. The actor is the one set by ``acting_as`` (the API and the service), else the signed-in admin
user of the request being handled, else the operating-system user of a management command.
"""

import contextlib
import contextvars
import getpass

from django.db.models.signals import post_delete, post_save, pre_save
from waffle import get_waffle_switch_model

from common.identity.middleware import current_request
from monolith.switches.models import SwitchChange

_acting: contextvars.ContextVar = contextvars.ContextVar("switch_actor", default=None)


@contextlib.contextmanager
def acting_as(actor: str, reason: str = ""):
    token = _acting.set((actor, reason))
    try:
        yield
    finally:
        _acting.reset(token)


def _actor() -> tuple[str, str]:
    acting = _acting.get()
    if acting is not None:
        return acting
    request = current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return f"admin:{user.get_username()}", ""
    try:
        return f"cli:{getpass.getuser()}", ""
    except (KeyError, OSError):
        return "cli", ""


def _remember_before(sender, instance, **kwargs):
    previous = (
        sender.objects.filter(pk=instance.pk).values_list("active", flat=True).first()
        if instance.pk
        else None
    )
    instance._audit_before = previous


def _record_save(sender, instance, created, **kwargs):
    before = None if created else getattr(instance, "_audit_before", None)
    if not created and before == instance.active:
        return
    actor, reason = _actor()
    SwitchChange.objects.create(
        name=instance.name, actor=actor, before=before, after=instance.active, reason=reason
    )


def _record_delete(sender, instance, **kwargs):
    actor, reason = _actor()
    SwitchChange.objects.create(
        name=instance.name, actor=actor, before=instance.active, after=None, reason=reason
    )


def connect() -> None:
    switch = get_waffle_switch_model()
    pre_save.connect(_remember_before, sender=switch, dispatch_uid="switch_audit_before")
    post_save.connect(_record_save, sender=switch, dispatch_uid="switch_audit_save")
    post_delete.connect(_record_delete, sender=switch, dispatch_uid="switch_audit_delete")
