"""Give every existing account with an email a primary EmailAddress.

Accounts created before addresses had their own model only have
``User.email``. Each becomes the user's primary address, unverified (nothing
proves it was ever verified). When several accounts share one address
(``User.email`` was never unique), only the oldest account gets it; the
others must add and verify an address of their own.
"""

from django.db import migrations
from django.db.models.functions import Lower


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("accounts", "EmailAddress")
    taken = {e.lower() for e in EmailAddress.objects.annotate(l=Lower("email")).values_list("l", flat=True)}
    with_address = set(EmailAddress.objects.values_list("user_id", flat=True))
    batch = []
    for user_id, email in User.objects.exclude(email="").order_by("date_joined", "id").values_list("id", "email"):
        key = email.strip().lower()
        if user_id in with_address or key in taken:
            continue
        taken.add(key)
        batch.append(EmailAddress(user_id=user_id, email=email.strip(), primary=True, verified=False))
    EmailAddress.objects.bulk_create(batch, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_email_addresses_and_teams"),
    ]

    operations = [
        # Reversing removes the model's table in 0002 anyway; nothing to undo here.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
