"""The runner, under its own settings with assertions required, admits whom it should.

Run in a child process (Django is configured once per process) with the keys
given through the environment, as in production; probed with Django's test
client on ``POST /api/judge`` with an empty body: 400 (the body is refused)
means the caller was admitted, 401 that it was not.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.identity import keys

ROOT = Path(__file__).resolve().parents[3]

PROBE = r"""
import json, sys
import django
django.setup()
from django.test import Client
from common.identity.assertion import Identity, issue

gateway, monolith, shop = sys.argv[1:4]
ada = Identity(user_id="7", username="ada", roles=("learner",))
nobody = Identity()
client = Client()

def status(token=None):
    headers = {"HTTP_X_POLYCODE_IDENTITY": token} if token else {}
    response = client.post("/api/judge", {}, content_type="application/json", **headers)
    code = response.json().get("code") if response.status_code == 401 else None
    return [response.status_code, code]

print(json.dumps({
    "monolith_for_a_learner": status(issue(ada, audience="runner", caller="monolith", private_pem=monolith)),
    "monolith_on_its_own": status(issue(nobody, audience="runner", caller="monolith", private_pem=monolith)),
    "gateway_learner": status(issue(ada, audience="runner", private_pem=gateway)),
    "gateway_anonymous": status(issue(nobody, audience="runner", private_pem=gateway)),
    "shop": status(issue(ada, audience="runner", caller="shop", private_pem=shop)),
    "monolith_key_as_gateway": status(issue(ada, audience="runner", private_pem=monolith)),
    "none": status(),
}))
"""


def probe(env_extra: dict, *pems: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extracted.runner.settings.test",
        "REQUIRE_GATEWAY_ASSERTION": "true",
        **env_extra,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *pems], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pems() -> dict:
    return {name: keys.generate_private_pem() for name in ("gateway", "monolith", "shop")}


def trust(pems: dict, *callers: str) -> dict:
    return {
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(pems["gateway"]),
        **{f"SERVICE_ASSERTION_PUBLIC_KEY_{name.upper()}": keys.public_pem(pems[name]) for name in callers},
    }


def test_the_runner_admits_the_monolith_and_gateway_users_and_refuses_everyone_else(pems):
    seen = probe(trust(pems, "monolith", "shop"), pems["gateway"], pems["monolith"], pems["shop"])

    assert seen["monolith_for_a_learner"] == [400, None]
    assert seen["monolith_on_its_own"] == [400, None]
    assert seen["gateway_learner"] == [400, None]
    assert seen["gateway_anonymous"] == [401, "not_authenticated"]
    # The shop's key is known here, but the shop is not one of the runner's callers.
    assert seen["shop"] == [401, "assertion_invalid"]
    assert seen["monolith_key_as_gateway"] == [401, "assertion_invalid"]
    assert seen["none"] == [401, "assertion_missing"]


def test_the_runner_can_be_told_to_accept_other_callers_only(pems):
    seen = probe(
        {**trust(pems, "monolith", "shop"), "SERVICE_ASSERTION_CALLERS": "shop"},
        pems["gateway"],
        pems["monolith"],
        pems["shop"],
    )

    assert seen["shop"] == [400, None]
    assert seen["monolith_for_a_learner"] == [401, "assertion_invalid"]
