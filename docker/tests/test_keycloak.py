"""Keycloak as the identity provider: the realm file and the users export are what Keycloak imports.

Both are validated, strictly (unknown fields are errors), against Keycloak's own
RealmRepresentation schema as its operator publishes it (schemas/SOURCES.md).
Keycloak itself cannot run here (no container engine, no package of it on the
reachable registries): the import and a login are checked where Docker exists with
``docker compose -f docker/compose.yaml up`` (Keycloak imports the realm at start).
That an exported password still verifies is checked with Keycloak's pbkdf2-sha256
computation in monolith/identity/tests/test_export_keycloak_users.py.
"""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from monolith.accounts.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
REALM = ROOT / "docker" / "keycloak" / "polycode-realm.json"
CRD = Path(__file__).resolve().parent / "schemas" / "keycloakrealmimports.k8s.keycloak.org-v1.yml"


def strict(schema):
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


def realm_schema() -> dict:
    crd = yaml.safe_load(CRD.read_text())
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v2alpha1")
    return strict(version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["realm"])


REALM_SCHEMA = realm_schema()


def test_the_realm_file_is_a_keycloak_realm_representation():
    realm = json.loads(REALM.read_text())
    jsonschema.validate(realm, REALM_SCHEMA)
    assert realm["realm"] == "polycode"


def test_the_schema_rejects_what_keycloak_would_refuse():
    realm = json.loads(REALM.read_text())
    realm["clients"][0]["redirectUri"] = "http://localhost:8000/"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(realm, REALM_SCHEMA)


def test_the_gateway_client_matches_the_gateways_settings_in_compose():
    realm = json.loads(REALM.read_text())
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    gateway = compose["services"]["gateway"]["environment"]
    client = next(c for c in realm["clients"] if c["clientId"] == gateway["OIDC_RP_CLIENT_ID"])
    assert gateway["OIDC_ISSUER"].endswith(f"/realms/{realm['realm']}")
    assert "http://localhost:8000/oidc/callback/" in client["redirectUris"]
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    # The secret is substituted from the environment at import, never written in the file.
    assert client["secret"] == "${OIDC_RP_CLIENT_SECRET}"


@pytest.mark.django_db
def test_the_users_export_is_a_realm_import_keycloak_accepts(tmp_path):
    ada = UserFactory(username="ada", email="ada@example.com", is_staff=True)
    ada.password = PBKDF2PasswordHasher().encode("ada-password", "adasalt12345", iterations=1000)
    ada.save()
    UserFactory(username="grace", email="")
    out = tmp_path / "polycode-users-0.json"

    call_command("export_keycloak_users", "--output", str(out))

    document = json.loads(out.read_text())
    jsonschema.validate(document, REALM_SCHEMA)
    realm_roles = {r["name"] for r in json.loads(REALM.read_text())["roles"]["realm"]}
    for user in document["users"]:
        assert set(user["realmRoles"]) <= realm_roles, user["username"]
    assert {u["username"] for u in document["users"]} == {"ada", "grace"}


@pytest.mark.django_db
def test_a_malformed_user_fails_the_keycloak_schema(tmp_path):
    UserFactory(username="ada")
    out = tmp_path / "users.json"
    call_command("export_keycloak_users", "--output", str(out))
    document = json.loads(out.read_text())
    document["users"][0]["credentials"] = [{"type": "password", "hash": "x"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, REALM_SCHEMA)
