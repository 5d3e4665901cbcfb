"""The audit log of the monolith's strangler switches (``monolith/flags.py``)."""

from django.db import models


class SwitchChange(models.Model):
    """One change of a switch, whatever made it (the admin, ``waffle_switch``, the gateway's ``strangle``)."""

    name = models.CharField(max_length=100, db_index=True)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: ``None`` when the switch did not exist before (after: it was deleted).
    before = models.BooleanField(null=True)
    after = models.BooleanField(null=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.name}: {self.before} → {self.after}"
