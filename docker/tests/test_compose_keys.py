"""docker/compose_keys.py: one Ed25519 key pair per signer, made once, added to an existing volume."""

import os
import subprocess
import sys
from pathlib import Path

from common.identity import keys

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ("gateway-assertion", "monolith-assertion", "gateway-service-assertion")


def keys_service(directory: Path) -> str:
    """What the compose file's one-shot ``keys`` service prints, run on ``directory``."""
    done = subprocess.run(
        [sys.executable, "docker/compose_keys.py", str(directory)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_each_signer_gets_a_key_pair_of_its_own_readable_by_the_services_only(tmp_path):
    keys_service(tmp_path)

    kids = set()
    for name in PAIRS:
        private = (tmp_path / f"{name}.pem").read_text()
        public = (tmp_path / f"{name}.pub.pem").read_text()
        assert "PRIVATE" not in public
        assert keys.load_public_keys(public) == keys.load_public_keys(keys.public_pem(private)), name
        kids |= set(keys.load_public_keys(public))
        for path in (tmp_path / f"{name}.pem", tmp_path / f"{name}.pub.pem"):
            assert oct(path.stat().st_mode)[-3:] == "640", path
    # One key trusted for two issuers stops the monolith: the gateway's two keys differ.
    assert len(kids) == len(PAIRS)


def test_a_volume_made_before_the_gateways_service_key_gets_it_and_keeps_every_other_file(tmp_path):
    keys_service(tmp_path)
    for suffix in (".pem", ".pub.pem"):
        (tmp_path / f"gateway-service-assertion{suffix}").unlink()
    before = {path.name: path.read_text() for path in tmp_path.iterdir()}

    printed = keys_service(tmp_path)

    assert printed == "keys created: gateway-service-assertion.pem, gateway-service-assertion.pub.pem"
    assert {name: (tmp_path / name).read_text() for name in before} == before
    service = keys.load_public_keys((tmp_path / "gateway-service-assertion.pub.pem").read_text())
    users = keys.load_public_keys((tmp_path / "gateway-assertion.pub.pem").read_text())
    assert service.keys().isdisjoint(users)
    assert keys_service(tmp_path) == "keys created: none (all present)"
