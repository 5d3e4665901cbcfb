"""Accounts move to Keycloak with their passwords (pbkdf2-sha256 credentials)."""

import base64
import hashlib
import json

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from monolith.accounts.tests.factories import UserFactory
from monolith.identity.management.commands.export_keycloak_users import keycloak_credential


def keycloak_verifies(credential: dict, password: str) -> bool:
    """What Keycloak's pbkdf2-sha256 provider computes to check a password."""
    secret = json.loads(credential["secretData"])
    data = json.loads(credential["credentialData"])
    expected = base64.b64decode(secret["value"])
    derived = hashlib.pbkdf2_hmac(
        "sha256",
        password.encode(),
        base64.b64decode(secret["salt"]),
        data["hashIterations"],
        dklen=len(expected),
    )
    return data["algorithm"] == "pbkdf2-sha256" and derived == expected


def test_a_django_pbkdf2_hash_becomes_a_keycloak_credential_for_the_same_password():
    encoded = PBKDF2PasswordHasher().encode("correct horse", "saltsaltsalt", iterations=1000)

    credential = keycloak_credential(encoded)

    assert keycloak_verifies(credential, "correct horse")
    assert not keycloak_verifies(credential, "wrong horse")


def test_other_hashes_are_not_carried_over():
    assert keycloak_credential("md5$salt$abc") is None
    assert keycloak_credential("!unusable") is None


@pytest.mark.django_db
def test_the_export_lists_every_account_with_its_id_roles_and_password(tmp_path):
    ada = UserFactory(username="ada", email="ada@example.com", is_staff=True)
    ada.password = PBKDF2PasswordHasher().encode("ada-password", "adasalt12345", iterations=1000)
    ada.save()
    UserFactory(username="grace")  # test settings hash with MD5: not portable
    out = tmp_path / "users.json"

    call_command("export_keycloak_users", "--output", str(out))

    document = json.loads(out.read_text())
    users = {u["username"]: u for u in document["users"]}
    assert document["realm"] == "polycode"
    assert users["ada"]["attributes"]["polycode_uid"] == [str(ada.pk)]
    assert users["ada"]["realmRoles"] == ["learner", "staff"]
    assert keycloak_verifies(users["ada"]["credentials"][0], "ada-password")
    assert users["grace"]["credentials"] == []
    assert users["grace"]["requiredActions"] == ["UPDATE_PASSWORD"]
