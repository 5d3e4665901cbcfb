"""``manage.py strangle`` under production settings: the gateway's own key pair, no development key.

The monolith runs under gunicorn with its production settings on a fresh PostgreSQL database and
accepts the gateway's calls as a release configures it (``SERVICE_ASSERTION_CALLERS=gateway``,
``SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY``); the command runs as a production gateway process with
its ``SERVICE_ASSERTION_PRIVATE_KEY``. The shop runs the same way on a database of its own and
accepts the gateway's calls (strangle's data steps) beside the monolith's
(``SERVICE_ASSERTION_CALLERS=monolith,gateway``). Every key is generated here, each signer its own
(the gateway's users' key, its service key, the monolith's): production settings generate none, so
no key of the development ``var/`` directory can stand in for a missing one.
"""

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests

from common.identity import keys
from common.identity.assertion import HEADER, Identity, issue
from common.identity.tests.test_replay_across_processes import SERVICE_KEY as MONOLITH_KEY
from common.identity.tests.test_replay_across_processes import production_env as service_production_env
from common.messaging.testing import ROOT
from gateway_proxy.tests import production
from gateway_proxy.tests.stack import Stack

pytestmark = pytest.mark.postgres

SWITCH = "runner_via_service"  # the runner's capability: the switch alone, no data to move


def monolith_env(var_dir: Path, **extra) -> dict:
    return service_production_env(
        var_dir,
        DJANGO_SETTINGS_MODULE="monolith.settings.production",
        POLYCODE_SERVICE="monolith",
        POLYCODE_ENV="production",
        GATEWAY_ASSERTION_PUBLIC_KEY=keys.public_pem(production.KEY),
        SERVICE_ASSERTION_CALLERS="gateway",
        SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY=keys.public_pem(production.SERVICE_KEY),
        **extra,
    )


def shop_env(var_dir: Path, **extra) -> dict:
    """The shop as a release configures it: the monolith's calls (its key from the shared
    production environment) and the gateway's, each verified with its caller's key."""
    return service_production_env(
        var_dir,
        DJANGO_SETTINGS_MODULE="extracted.shop.settings.production",
        POLYCODE_SERVICE="shop",
        POLYCODE_ENV="production",
        GATEWAY_ASSERTION_PUBLIC_KEY=keys.public_pem(production.KEY),
        SERVICE_ASSERTION_CALLERS="monolith,gateway",
        SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY=keys.public_pem(production.SERVICE_KEY),
        **extra,
    )


def gateway_env(var_dir: Path, **extra) -> dict:
    return production.production_env(var_dir, POLYCODE_SERVICE="gateway", POLYCODE_ENV="production", **extra)


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def plant_development_keys(var_dir: Path) -> None:
    """The key files development would generate and trust: production must ignore them."""
    var_dir.mkdir(parents=True, exist_ok=True)
    for filename in (keys.DEV_KEY_FILENAME, *map(keys.dev_service_key_filename, ("gateway", "monolith"))):
        (var_dir / filename).write_text(keys.generate_private_pem())


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The monolith (production, gunicorn, PostgreSQL) and a migrated production gateway's environment."""
    processes = Stack(broker_url="")
    try:
        mono_var, gw_var = tmp_path_factory.mktemp("monolith-var"), tmp_path_factory.mktemp("gateway-var")
        mono = monolith_env(mono_var, DATABASE_URL=processes.database("keys_mono"))
        for env in (mono, gateway_env(gw_var)):
            migrated = manage(env, "migrate", "--noinput", "-v0")
            assert migrated.returncode == 0, migrated.stderr
        monolith = processes.web("monolith.wsgi:application", mono, "monolith-production")
        yield {
            "monolith": monolith.url,
            "database": mono["DATABASE_URL"],
            "gateway": gateway_env(gw_var, SERVICE_URL_MONOLITH=monolith.url),
            "var_dirs": (mono_var, gw_var),
        }
    finally:
        processes.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The shop (production, gunicorn, its own PostgreSQL database); a production gateway's environment."""
    processes = Stack(broker_url="")
    try:
        shop_var, gw_var = tmp_path_factory.mktemp("shop-var"), tmp_path_factory.mktemp("gateway-var")
        env = shop_env(shop_var, SHOP_DATABASE_URL=processes.database("keys_shop"))
        migrated = manage(env, "migrate", "--noinput", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        web = processes.web("extracted.shop.wsgi:application", env, "shop-production")
        yield {"url": web.url, "gateway": gateway_env(gw_var), "var_dirs": (shop_var, gw_var)}
    finally:
        processes.close()


def shop_items(url: str, token: str) -> requests.Response:
    """The shop's catalogue (an asserted user required) asked with ``token``."""
    return requests.get(f"{url}/api/v1/shop/items", headers={HEADER: token}, timeout=10)


ADA = Identity(user_id="7", username="ada")
#: Run in a production gateway process: its SERVICE_ASSERTION_PRIVATE_KEY signs, as strangle's calls.
GATEWAY_SIGNS = (
    "from common.identity.assertion import Identity, issue; "
    "print(issue(Identity(user_id='7', username='ada'), audience='shop', caller='gateway'))"
)


def switch_row(database: str) -> tuple:
    """The switch's state and its latest audited change, read from the monolith's own database."""
    with psycopg.connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT active FROM waffle_switch WHERE name = %s", [SWITCH])
        (active,) = cursor.fetchone()
        cursor.execute(
            "SELECT actor, before, after, reason FROM switches_switchchange WHERE name = %s "
            "ORDER BY at DESC, id DESC LIMIT 1",
            [SWITCH],
        )
        return active, cursor.fetchone()


def test_strangle_reads_and_moves_a_switch_with_the_gateways_own_key(stack):
    gateway = stack["gateway"]
    status = manage(gateway, "strangle", "runner")
    assert status.returncode == 0, status.stderr
    assert f"switch {SWITCH}: off" in status.stdout

    moved = manage(gateway, "strangle", "runner", "extracted", "--force", "--reason=own key", "--actor=ops")
    # The runner is not deployed here: its health check fails and is forced past; the switch API is not.
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "[ok] monolith switch API" in moved.stdout
    assert "[FAIL] runner healthy" in moved.stdout
    assert f"switch {SWITCH}: off → on" in moved.stdout
    assert switch_row(stack["database"]) == (True, ("cli:ops", False, True, "[forced] own key"))

    status = manage(gateway, "strangle", "runner")
    assert f"switch {SWITCH}: on" in status.stdout
    assert "cli:ops off → on [forced] own key" in status.stdout  # the monolith's audit log, read back

    back = manage(gateway, "strangle", "runner", "legacy", "--reason=back", "--actor=ops")
    assert back.returncode == 0, back.stdout + back.stderr
    assert switch_row(stack["database"]) == (False, ("cli:ops", True, False, "back"))
    for var_dir in stack["var_dirs"]:
        assert not list(var_dir.glob("*.pem")), var_dir  # no development key was generated


@pytest.mark.parametrize(
    ("signing_key", "refusal"),
    [
        pytest.param(keys.generate_private_pem(), "signed with an unknown key", id="another-key"),
        # Trusted for the users' assertions the gateway forwards, not for the gateway's own calls.
        pytest.param(production.KEY, "names an issuer other than its key's", id="users-key"),
    ],
)
def test_a_key_the_monolith_does_not_trust_for_the_gateways_calls_moves_nothing(stack, signing_key, refusal):
    gateway = {**stack["gateway"], "SERVICE_ASSERTION_PRIVATE_KEY": signing_key}
    before = switch_row(stack["database"])

    status = manage(gateway, "strangle", "runner")
    moved = manage(gateway, "strangle", "runner", "extracted", "--force", "--reason", "intruder")

    for refused in (status, moved):  # --force does not pass it
        assert refused.returncode != 0
        assert "refused: the monolith's switch API answered 401" in refused.stderr, refused.stderr
        assert refusal in refused.stderr
    assert switch_row(stack["database"]) == before


def test_the_shop_accepts_the_gateways_own_assertion_beside_the_monolith(shop):
    signed = manage(shop["gateway"], "shell", "-c", GATEWAY_SIGNS)
    assert signed.returncode == 0, signed.stderr
    token = signed.stdout.strip().splitlines()[-1]

    accepted = shop_items(shop["url"], token)
    replayed = shop_items(shop["url"], token)
    monolith_token = issue(ADA, audience="shop", caller="monolith", private_pem=MONOLITH_KEY)
    from_monolith = shop_items(shop["url"], monolith_token)

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["results"] == []  # a fresh shop: nothing to sell yet
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "assertion_replayed"
    assert from_monolith.status_code == 200, from_monolith.text  # the monolith's forwarded purchases
    for var_dir in shop["var_dirs"]:
        assert not list(var_dir.glob("*.pem")), var_dir  # no development key was generated


@pytest.mark.parametrize(
    ("signing_key", "refusal"),
    [
        pytest.param(keys.generate_private_pem(), "is signed with an unknown key", id="another-key"),
        # Trusted for the users' assertions the gateway forwards, not for the gateway's own calls.
        pytest.param(production.KEY, "names an issuer other than its key's", id="users-key"),
        # Trusted for the monolith's calls only.
        pytest.param(MONOLITH_KEY, "names an issuer other than its key's", id="monolith-key"),
    ],
)
def test_a_key_the_shop_does_not_trust_for_the_gateways_calls_is_refused(shop, signing_key, refusal):
    refused = shop_items(shop["url"], issue(ADA, audience="shop", caller="gateway", private_pem=signing_key))

    assert refused.status_code == 401
    assert refused.json() == {"code": "assertion_invalid", "detail": f"Identity assertion {refusal}."}


def start(wsgi: str, env: dict) -> subprocess.CompletedProcess:
    """Load a service's WSGI application (its settings and middleware) as gunicorn's worker does."""
    return subprocess.run(
        [sys.executable, "-c", f"from {wsgi} import application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_without_its_key_each_side_refuses_to_start_even_beside_development_keys(tmp_path):
    plant_development_keys(tmp_path)
    monolith, shop, gateway = monolith_env(tmp_path), shop_env(tmp_path), gateway_env(tmp_path)
    assert start("monolith.wsgi", monolith).returncode == 0
    assert start("extracted.shop.wsgi", shop).returncode == 0
    assert start("gateway_proxy.wsgi", gateway).returncode == 0

    del monolith["SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY"]
    del shop["SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY"]
    del gateway["SERVICE_ASSERTION_PRIVATE_KEY"]
    monolith_started, gateway_started = start("monolith.wsgi", monolith), start("gateway_proxy.wsgi", gateway)
    shop_started = start("extracted.shop.wsgi", shop)

    for callee in (monolith_started, shop_started):
        assert callee.returncode != 0
        assert "ImproperlyConfigured: SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY must be set" in callee.stderr
    assert gateway_started.returncode != 0
    assert "Set the SERVICE_ASSERTION_PRIVATE_KEY environment variable" in gateway_started.stderr


TRUSTED = (
    "from common.identity.assertion import trusted_keys; "
    "print(sorted({principal for principal, _ in trusted_keys().values()}))"
)


def test_a_production_shop_not_told_of_the_gateway_trusts_the_monolith_only(tmp_path):
    plant_development_keys(tmp_path)  # the gateway's development key is not taken for a missing one
    shop = shop_env(tmp_path)
    del shop["SERVICE_ASSERTION_CALLERS"], shop["SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY"]

    trusted = manage(shop, "shell", "-c", TRUSTED)

    assert trusted.returncode == 0, trusted.stderr
    # The gateway's users' keys ("") and the monolith's.
    assert trusted.stdout.strip().splitlines()[-1] == "['', 'monolith']"


def test_a_production_gateway_reads_the_shops_data_step_export_with_its_own_key(shop):
    """What ``strangle shop`` does on its way back, from a gateway process on production settings."""
    script = (
        "import json; from gateway_proxy import datamove; "
        "print(json.dumps(sorted(json.loads(datamove.export('shop')))))"
    )
    read = manage({**shop["gateway"], "SERVICE_URL_SHOP": shop["url"]}, "shell", "-c", script)

    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == '["exported_at", "format", "pending", "sales", "stock"]'
    # A user's assertion, even the gateway's own users' key, does not reach the data step.
    user = requests.get(
        f"{shop['url']}/api/v1/shop/migration/export",
        headers={HEADER: issue(ADA, audience="shop", private_pem=production.KEY)}, timeout=10,
    )  # fmt: skip
    assert user.status_code == 403
