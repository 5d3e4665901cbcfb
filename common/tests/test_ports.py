"""One variable moves every development port; without it the ports are the documented ones."""

import re
import subprocess
import sys
from pathlib import Path

from common import ports

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_base_the_ports_are_the_usual_ones(monkeypatch):
    monkeypatch.delenv("POLYCODE_PORT_BASE", raising=False)

    assert {name: ports.dev_port(name) for name in ports.PORTS} == {
        "gateway": 8000,
        "monolith": 8001,
        "shop": 8002,
        "runner": 8003,
        "mailer": 8004,
        "monolith-ws": 8005,
        "smtp": 1025,
    }


def test_a_base_moves_every_port_by_the_same_distance(monkeypatch):
    monkeypatch.setenv("POLYCODE_PORT_BASE", "8100")

    assert ports.dev_port("gateway") == 8100
    assert ports.dev_url("monolith") == "http://127.0.0.1:8101"
    assert ports.dev_port("smtp") == 1125
    assert ports.dev_port("smtp", base=20000) == 13025


def test_the_shell_asks_for_a_port_by_name():
    env = {"POLYCODE_PORT_BASE": "9000", "PATH": "/usr/bin:/bin"}

    printed = subprocess.run(
        [sys.executable, "-m", "common.ports", "runner"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    unknown = subprocess.run(
        [sys.executable, "-m", "common.ports", "nope"], cwd=ROOT, capture_output=True, text=True
    )

    assert printed.stdout == "9003\n"
    assert unknown.returncode == 2
    assert "usage" in unknown.stderr


def test_no_process_of_the_procfile_has_a_port_of_its_own():
    procfile = (ROOT / "Procfile").read_text()

    asked = re.findall(r"\$\(\.venv/bin/python -m common\.ports (\w+)\)", procfile)

    assert not re.search(r"127\.0\.0\.1:\d", procfile), "a literal port in the Procfile"
    assert sorted(asked) == ["gateway", "mailer", "monolith", "runner", "shop"]
