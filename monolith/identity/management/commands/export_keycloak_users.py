"""``manage.py export_keycloak_users``: accounts as a Keycloak import file, passwords kept.

Django's ``pbkdf2_sha256$<iterations>$<salt>$<hash>`` maps one to one onto
Keycloak's ``pbkdf2-sha256`` credential (salt as base64 of its bytes, hash as
is; Keycloak takes the key length from the stored hash), so users sign in to
Keycloak with the password they had. Accounts whose hash cannot be carried
over (another algorithm, unusable password) are exported without a credential
and must set a new password (``UPDATE_PASSWORD``).
"""

import base64
import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from monolith.identity.roles import user_roles


def keycloak_credential(encoded: str) -> dict | None:
    """The Keycloak password credential of a Django password hash, or ``None``."""
    parts = encoded.split("$")
    if len(parts) != 4 or parts[0] != "pbkdf2_sha256":
        return None
    _, iterations, salt, digest = parts
    return {
        "type": "password",
        "userLabel": "migrated from PolyCode",
        "secretData": json.dumps(
            {"value": digest, "salt": base64.b64encode(salt.encode()).decode(), "additionalParameters": {}}
        ),
        "credentialData": json.dumps(
            {"hashIterations": int(iterations), "algorithm": "pbkdf2-sha256", "additionalParameters": {}}
        ),
    }


def keycloak_user(user) -> dict:
    credential = keycloak_credential(user.password or "")
    exported = {
        "username": user.get_username(),
        "email": user.email or None,
        "emailVerified": bool(user.email),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "enabled": user.is_active,
        "attributes": {"polycode_uid": [str(user.pk)]},
        "realmRoles": user_roles(user),
        "credentials": [credential] if credential else [],
        "requiredActions": [] if credential else ["UPDATE_PASSWORD"],
    }
    return {k: v for k, v in exported.items() if v is not None}


class Command(BaseCommand):
    help = "Write every account as a Keycloak user import file (pbkdf2-sha256 passwords carried over)."

    def add_arguments(self, parser):
        parser.add_argument("--realm", default="polycode")
        parser.add_argument("--output", default="-", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        users = [keycloak_user(u) for u in get_user_model().objects.order_by("pk").iterator()]
        document = {"realm": options["realm"], "users": users}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        without = sum(1 for u in users if not u["credentials"])
        self.stderr.write(f"exported {len(users)} users ({without} must set a new password)")
