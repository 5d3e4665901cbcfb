"""The ``purchases_paused`` switch, created off (``strangle`` turns it on while the shop's seller changes)."""

from django.db import migrations

NAME = "purchases_paused"  # frozen: monolith/flags.py's name when this migration was written


def create_switch(apps, schema_editor):
    switch = apps.get_model("waffle", "Switch")
    change = apps.get_model("switches", "SwitchChange")
    _, created = switch.objects.get_or_create(
        name=NAME,
        defaults={"active": False, "note": "On while strangle changes who sells: purchases answer 503, retry."},
    )
    if created:
        change.objects.create(name=NAME, actor="migration", before=None, after=False, reason="created off")


class Migration(migrations.Migration):
    dependencies = [("switches", "0001_initial")]

    operations = [migrations.RunPython(create_switch, migrations.RunPython.noop)]
