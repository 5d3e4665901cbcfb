"""docker/compose.yaml: valid by the compose specification, and the whole real stack.

The schema is the Compose Specification's JSON schema
(github.com/compose-spec/compose-spec, schema/compose-spec.json) as vendored by
check-jsonschema (``--builtin-schema vendor.compose-spec``), pinned with it in
requirements/dev.txt. No container engine runs here: ``docker compose -f
docker/compose.yaml up --build`` starts the stack where Docker exists.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from common.identity.keys import load_public_keys

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
# The Procfile's local SMTP printer is replaced by mailpit, a real SMTP sink with an inbox.
DEVELOPMENT_ONLY = {"smtp"}


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_compose_file_validates_against_the_compose_specification():
    done = check_jsonschema(COMPOSE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validation_rejects_a_malformed_compose_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: when_ready", 1))
    done = check_jsonschema(broken)
    assert done.returncode == 1
    assert "when_ready" in done.stdout


def test_every_procfile_process_runs_from_the_image_entrypoint(compose):
    services = compose["services"]
    for process, command in procfile().items():
        if process in DEVELOPMENT_ONLY:
            continue
        assert process in services, f"no compose service runs the {process} process"
        assert services[process]["image"].startswith("polycode/"), process
        assert services[process]["command"][0] in ("web", "worker", "relay", "beat"), process
        if "runserver" in command or "gunicorn" in command:
            assert services[process]["command"] == ["web", process]
            assert "/ready" in " ".join(services[process]["healthcheck"]["test"])


def test_the_real_infrastructure_is_in_the_stack(compose):
    services = compose["services"]
    for name in ("postgres", "rabbitmq", "redis", "keycloak", "consul", "mailpit"):
        assert name in services
    keycloak = services["keycloak"]
    assert "--import-realm" in keycloak["command"]
    assert any("polycode-realm.json:/opt/keycloak/data/import/" in v for v in keycloak["volumes"])


def test_each_service_has_its_own_database_created_and_migrated(compose):
    script = (ROOT / "docker/postgres/create-databases.sql").read_text()
    created = re.findall(r"CREATE DATABASE (\w+);", script)
    environment = compose["x-polycode"]["environment"]
    urls = {k: v for k, v in environment.items() if k.endswith("DATABASE_URL")}
    names = {url.rsplit("/", 1)[1] for url in urls.values()}
    assert len(names) == len(urls) == 4
    assert names <= set(created)
    for service in ("monolith", "mailer", "shop", "gateway"):
        assert compose["services"][f"migrate-{service}"]["command"] == ["migrate", service]


def test_the_gateway_resolves_services_through_consul_and_logs_in_with_keycloak(compose):
    gateway = compose["services"]["gateway"]["environment"]
    assert gateway["SERVICE_REGISTRY"] == "consul"
    assert gateway["OIDC_ISSUER"] == "http://keycloak.localhost:8080/realms/polycode"
    assert compose["services"]["keycloak"]["environment"]["KC_HOSTNAME"] == "http://keycloak.localhost:8080"
    assert "keycloak.localhost" in compose["services"]["keycloak"]["networks"]["default"]["aliases"]


def test_consul_registers_every_web_service_with_a_readiness_check(compose):
    web = {p for p, c in procfile().items() if "runserver" in c or "gunicorn" in c or "daphne" in c}
    registered = json.loads((ROOT / "docker/consul/services.json").read_text())["services"]
    # A registry name has no "-" (SERVICE_URL_<NAME>): the process monolith-ws is the service monolith_ws.
    assert {s["address"] for s in registered} == web
    for service in registered:
        assert service["name"] == service["address"].replace("-", "_")
        assert service["checks"][0]["http"] == f"http://{service['address']}:8000/ready"


def test_no_secret_is_written_in_the_compose_file(compose):
    text = COMPOSE.read_text()
    assert "PRIVATE KEY" not in text
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD|PRIVATE_KEY", name) and not name.endswith("_FILE"):
                assert str(value).startswith("${"), f"{name} must come from the environment"


def test_every_process_of_a_service_gets_the_environment_of_its_web_process(compose):
    """Relays, workers and migrations load the same production settings as the web process."""
    services = compose["services"]
    owner = {"worker": {"account": "monolith"}}
    for name, service in services.items():
        command = service.get("command") or []
        if not service.get("image", "").startswith("polycode/") or command[:1] == ["web"] or not command:
            continue
        kind, target = command[0], command[1]
        web = owner.get(kind, {}).get(target, target)
        assert service["environment"] == services[web]["environment"], name


def interpolated(value: str) -> str:
    """Compose's ``${NAME:-default}`` with nothing set in the environment: the default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))


def make_keys(directory: Path) -> Path:
    """The keys volume's files, made as the compose file's one-shot ``keys`` service makes them."""
    subprocess.run(
        [sys.executable, "docker/compose_keys.py", str(directory)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    return directory


def manage(compose: dict, service: str, keys: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """``entrypoint.sh manage SERVICE ARGS`` in the compose file's environment of ``service``."""
    app = compose["services"][service]["command"][1].replace("monolith-ws", "monolith")
    environment = {
        name: interpolated(value).replace("/run/polycode/keys", str(keys))
        for name, value in compose["services"][service]["environment"].items()
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SERVICE_URL_", "POLYCODE_"))}
    base = {k: v for k, v in base.items() if not k.endswith("DATABASE_URL") and k != "BROKER_URL"}
    return subprocess.run(
        [str(ROOT / "docker" / "entrypoint.sh"), "manage", app, *args],
        cwd=ROOT,
        env={
            **base,
            **environment,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "POLYCODE_VAR_DIR": str(keys.parent / "var"),
            "RUNNER_SANDBOX_AT_START": "false",
            **extra,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("service", ["gateway", "monolith", "shop", "mailer", "runner"])
def test_each_service_loads_its_production_settings_from_the_compose_environment(compose, service, tmp_path):
    """The compose environment is complete: Django's checks pass (keys made as the keys service does)."""
    done = manage(compose, service, make_keys(tmp_path / "keys"), "check")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


SIGNERS = """
import json
from common.identity import keys
from common.identity.assertion import service_signing_key_pem, signing_key_pem
print(json.dumps({
    "service": keys.key_id(keys.load_private_key(service_signing_key_pem()).public_key()),
    "users": keys.key_id(keys.load_private_key(signing_key_pem()).public_key()),
}))
"""
TRUSTED = """
import json
from common.identity.assertion import trusted_keys
print(json.dumps({kid: principal for kid, (principal, _) in trusted_keys().items()}))
"""


def test_the_monolith_and_the_shop_trust_the_gateways_own_key_for_the_gateways_calls_only(compose, tmp_path):
    """manage.py strangle on the gateway signs with its service key; the monolith accepts it as the
    gateway calling (``polycode-service:gateway``), the shop too (the strangler's data steps) beside
    the monolith's key, and the gateway's users' key only as the gateway's."""
    keys = make_keys(tmp_path / "keys")
    signed = manage(compose, "gateway", keys, "shell", "-c", SIGNERS)
    assert signed.returncode == 0, signed.stderr
    gateway = json.loads(signed.stdout.strip().splitlines()[-1])
    (monolith_key,) = load_public_keys((keys / "monolith-assertion.pub.pem").read_text())
    callers = {"monolith": ["gateway"], "monolith-ws": ["gateway"], "shop": ["gateway", "monolith"]}
    callers |= {"shop-worker": callers["shop"], "runner": ["monolith"]}
    for service, accepted in callers.items():
        trusted = manage(compose, service, keys, "shell", "-c", TRUSTED)
        assert trusted.returncode == 0, trusted.stderr
        ring = json.loads(trusted.stdout.strip().splitlines()[-1])
        assert sorted(ring.values()) == ["", *accepted], service  # nobody else calls it
        assert ring[gateway["users"]] == "", service  # the gateway's users' assertions
        if "gateway" in accepted:
            assert ring[gateway["service"]] == "gateway", service
        else:  # the runner accepts the monolith, not the gateway's service key
            assert gateway["service"] not in ring, service
        if "monolith" in accepted:
            assert ring[monolith_key] == "monolith", service
