"""The switch audit log, and the strangler switches created off (so ``waffle_switch NAME on`` works on a fresh stack)."""

from django.db import migrations, models

# Frozen here: the names of monolith/flags.py when this migration was written.
SWITCHES = ("mail_via_queue", "purchase_via_saga", "runner_via_service")


def create_switches(apps, schema_editor):
    switch = apps.get_model("waffle", "Switch")
    change = apps.get_model("switches", "SwitchChange")
    for name in SWITCHES:
        _, created = switch.objects.get_or_create(
            name=name, defaults={"active": False, "note": "Strangler switch (monolith/flags.py): off is the legacy path."}
        )
        if created:
            change.objects.create(name=name, actor="migration", before=None, after=False, reason="created off")


class Migration(migrations.Migration):
    initial = True

    dependencies = [("waffle", "0004_update_everyone_nullbooleanfield")]

    operations = [
        migrations.CreateModel(
            name="SwitchChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(db_index=True, max_length=100)),
                ("actor", models.CharField(max_length=150)),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("before", models.BooleanField(null=True)),
                ("after", models.BooleanField(null=True)),
                ("reason", models.CharField(blank=True, max_length=500)),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
        migrations.RunPython(create_switches, migrations.RunPython.noop),
    ]
