"""The gateway's own service key in every rendered release: ``manage.py strangle`` reaches the switch API.

The gateway moves the monolith's switches through its switch API with its own service assertion
(``iss polycode-service:gateway``), signed with ``SERVICE_ASSERTION_PRIVATE_KEY`` from its Secret;
every monolith process accepts it (``SERVICE_ASSERTION_CALLERS=gateway``) with the public half
from ``identity.gatewayServicePublicKey``, and every shop process too, beside the monolith's
(``SERVICE_ASSERTION_CALLERS=monolith,gateway``: strangle's data steps). The last tests run the
services' production settings in the environment the chart gives their pods and have the monolith
and the shop verify the gateway's assertion.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from common.identity import keys
from common.identity.assertion import Identity, issue
from conftest import pod_specs, policies_for, render, selects, settings, values_of

ROOT = Path(__file__).resolve().parents[2]


def service_of(metadata) -> str:
    return metadata["labels"]["polycode.io/service"]


def env_of(spec) -> dict:
    return {v["name"]: v.get("value", v.get("valueFrom")) for v in spec["containers"][0]["env"]}


def test_every_gateway_process_signs_its_own_calls_with_the_service_key_of_its_secret(objects, value_set):
    gateway_secret = settings(value_set)["services"]["gateway"]["existingSecret"]
    workloads = [(n, env_of(spec)) for n, meta, spec in pod_specs(objects) if service_of(meta) == "gateway"]
    # The web process (strangle runs there, the dashboard too) and its migration Job: production
    # settings require the key in every process of the gateway.
    assert {name for name, _ in workloads} == {"polycode-gateway", "polycode-migrate-gateway"}
    for name, env in workloads:
        reference = {"name": gateway_secret, "key": "SERVICE_ASSERTION_PRIVATE_KEY"}
        assert env["SERVICE_ASSERTION_PRIVATE_KEY"] == {"secretKeyRef": reference}, name
        # Not the key of the users' assertions.
        assert env["GATEWAY_ASSERTION_PRIVATE_KEY"]["secretKeyRef"]["key"] == "GATEWAY_ASSERTION_PRIVATE_KEY"


#: The applications that accept the gateway's own calls, and every caller each accepts.
CALLERS = {"monolith": "gateway", "shop": "monolith,gateway"}


def test_every_monolith_and_shop_process_and_no_other_accepts_the_gateways_calls(objects, value_set):
    public = settings(value_set)["identity"]["gatewayServicePublicKey"]
    accepting = {}
    for name, metadata, spec in pod_specs(objects):
        env = env_of(spec)
        app = env["POLYCODE_SERVICE"]
        if app in CALLERS:  # web (monolith-ws too), relay, worker, beat, migrations
            accepting.setdefault(service_of(metadata), set()).add(name)
            assert env["SERVICE_ASSERTION_CALLERS"] == CALLERS[app], name
            assert env.get("SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY") == (public or None), name
        else:
            assert "SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY" not in env, name
            assert "gateway" not in (env.get("SERVICE_ASSERTION_CALLERS") or ""), name
    assert set(accepting) == {"monolith", "monolith_ws", "shop"}
    shop = {"polycode-shop", "polycode-shop-worker", "polycode-shop-relay", "polycode-shop-beat"}
    assert accepting["shop"] == shop | {"polycode-migrate-shop"}


def test_the_production_values_hold_three_distinct_ed25519_public_keys():
    identity = values_of("production")["identity"]
    kids = {}
    for name in ("gatewayPublicKey", "monolithPublicKey", "gatewayServicePublicKey"):
        (kid,) = keys.load_public_keys(identity[name])  # one Ed25519 key each, no private half
        assert "PRIVATE" not in identity[name]
        kids[name] = kid
    # A key trusted for two issuers stops the monolith (common/identity/assertion.py).
    assert len(set(kids.values())) == 3, kids


@pytest.mark.parametrize("callee", ["monolith", "shop"])
def test_the_gateway_reaches_each_callee_directly_or_through_its_sidecar(objects, value_set, callee):
    labels = {
        name: metadata["labels"]
        for name, metadata, _ in pod_specs(objects)
        if name in ("polycode-gateway", f"polycode-{callee}")
    }
    mesh = settings(value_set)["mesh"]
    in_mesh = mesh["enabled"]
    ports = [{"port": 8000, "protocol": "TCP"}] + ([{"port": 20000, "protocol": "TCP"}] if in_mesh else [])

    def own_policy(name):
        (policy,) = [p for p in policies_for(objects, labels[name]) if p["metadata"]["name"] == name]
        return policy["spec"]

    def admits(peers, pod_labels):
        return any("podSelector" in peer and selects(peer["podSelector"], pod_labels) for peer in peers)

    gateway, target = labels["polycode-gateway"], labels[f"polycode-{callee}"]
    egress = [r for r in own_policy("polycode-gateway")["egress"] if admits(r["to"], target)]
    ingress = [r for r in own_policy(f"polycode-{callee}")["ingress"] if admits(r["from"], gateway)]
    assert [rule["ports"] for rule in egress] == [ports]
    assert [rule["ports"] for rule in ingress] == [ports]
    (spec,) = [spec for name, _, spec in pod_specs(objects) if name == "polycode-gateway"]
    url = env_of(spec)[f"SERVICE_URL_{callee.upper()}"]
    port = mesh["upstreamPorts"][callee]
    assert url == (f"http://127.0.0.1:{port}" if in_mesh else f"http://polycode-{callee}:8000")


# --- the rendered environment under the services' own production settings ---------------------------
GATEWAY_USER_KEY = keys.generate_private_pem()
GATEWAY_SERVICE_KEY = keys.generate_private_pem()
MONOLITH_SERVICE_KEY = keys.generate_private_pem()
SECRETS = {
    ("polycode-gateway", "GATEWAY_ASSERTION_PRIVATE_KEY"): GATEWAY_USER_KEY,
    ("polycode-gateway", "SERVICE_ASSERTION_PRIVATE_KEY"): GATEWAY_SERVICE_KEY,
    ("polycode-monolith", "SERVICE_ASSERTION_PRIVATE_KEY"): MONOLITH_SERVICE_KEY,
}
SIGN = "from common.identity.service import service_assertion; print(service_assertion(audience='{}'))"
#: Verified by the service the pod runs, for itself (its SERVICE_NAME is the audience).
VERIFY = """
import json, os
from common.identity.assertion import InvalidAssertion, verify
answers = []
for token in json.loads(os.environ["TOKENS"]):
    try:
        identity = verify(token)
        answers.append({"caller": identity.caller, "anonymous": identity.anonymous})
    except InvalidAssertion as exc:
        answers.append({"refused": exc.detail})
print(json.dumps(answers))
"""


def pod_environment(container: dict) -> dict:
    """The container's environment as Kubernetes builds it: Secrets read, ``$(NAME)`` expanded."""
    env = {}
    for variable in container["env"]:
        if "valueFrom" in variable:
            reference = variable["valueFrom"]["secretKeyRef"]
            key = reference["key"]
            value = SECRETS.get((reference["name"], key), f"chart-test-{key.lower()}")
        else:
            value = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), variable["value"])
        env[variable["name"]] = value
    return env


def manage_shell(container: dict, code: str, tmp_path: Path, **extra: str) -> str:
    """``python manage.py shell -c CODE`` in the pod's environment, as ``kubectl exec`` would run it."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "POLYCODE_VAR_DIR": str(tmp_path / "var"),
            **pod_environment(container),
            **extra,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def released_containers() -> dict:
    """The containers of a release holding this module's keys, by workload name."""
    objects = render(
        {
            "identity": {
                "gatewayPublicKey": keys.public_pem(GATEWAY_USER_KEY),
                "monolithPublicKey": keys.public_pem(MONOLITH_SERVICE_KEY),
                "gatewayServicePublicKey": keys.public_pem(GATEWAY_SERVICE_KEY),
            },
            "redis": {"host": "127.0.0.1"},  # the replay memory of the services' checks: this machine's
        }
    )
    return {name: spec["containers"][0] for name, _, spec in pod_specs(objects)}


@pytest.mark.parametrize("value_set", ["default"])
def test_the_monolith_as_released_accepts_the_gateways_own_assertion_and_no_other_key(value_set, tmp_path):
    containers = released_containers()

    token = manage_shell(containers["polycode-gateway"], SIGN.format("monolith"), tmp_path)
    tokens = [
        token,
        token,  # single use
        issue(Identity(), audience="monolith", caller="gateway", private_pem=GATEWAY_USER_KEY),
        issue(Identity(), audience="monolith", caller="gateway", private_pem=keys.generate_private_pem()),
    ]
    answers = json.loads(
        manage_shell(containers["polycode-monolith"], VERIFY, tmp_path, TOKENS=json.dumps(tokens))
    )

    assert answers[0] == {"caller": "gateway", "anonymous": True}
    assert answers[1] == {"refused": "Identity assertion was already used."}
    assert answers[2] == {"refused": "Identity assertion names an issuer other than its key's."}
    assert answers[3] == {"refused": "Identity assertion is signed with an unknown key."}
    assert not (tmp_path / "var").exists() or not list((tmp_path / "var").glob("*.pem"))  # nothing generated


@pytest.mark.parametrize("value_set", ["default"])
def test_the_shop_as_released_accepts_the_gateways_own_assertion_beside_the_monolith_and_no_other_key(
    value_set, tmp_path
):
    containers = released_containers()
    ada = Identity(user_id="7", username="ada")

    token = manage_shell(containers["polycode-gateway"], SIGN.format("shop"), tmp_path)
    tokens = [
        token,
        token,  # single use
        issue(ada, audience="shop", caller="monolith", private_pem=MONOLITH_SERVICE_KEY),
        issue(ada, audience="shop", caller="gateway", private_pem=GATEWAY_USER_KEY),
        issue(ada, audience="shop", caller="gateway", private_pem=MONOLITH_SERVICE_KEY),
        issue(ada, audience="shop", caller="gateway", private_pem=keys.generate_private_pem()),
        manage_shell(containers["polycode-gateway"], SIGN.format("monolith"), tmp_path),
    ]
    answers = json.loads(
        manage_shell(containers["polycode-shop"], VERIFY, tmp_path, TOKENS=json.dumps(tokens))
    )

    assert answers[0] == {"caller": "gateway", "anonymous": True}
    assert answers[1] == {"refused": "Identity assertion was already used."}
    assert answers[2] == {"caller": "monolith", "anonymous": False}  # the monolith's forwarded purchases
    assert answers[3] == {"refused": "Identity assertion names an issuer other than its key's."}
    assert answers[4] == {"refused": "Identity assertion names an issuer other than its key's."}
    assert answers[5] == {"refused": "Identity assertion is signed with an unknown key."}
    assert answers[6] == {"refused": "Identity assertion is not for shop."}
    assert not (tmp_path / "var").exists() or not list((tmp_path / "var").glob("*.pem"))  # nothing generated
