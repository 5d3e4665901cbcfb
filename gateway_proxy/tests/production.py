"""The gateway as ``make run`` starts it (the Procfile's command), under production settings.

Attack tests run it on a free loopback port with the Procfile's server, worker
class and worker count, its own SQLite database, and the environment given.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from common.identity import keys
from common.messaging.testing import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
KEY = keys.generate_private_pem()
#: The gateway's own service key (its calls to the monolith's switch API), never its user assertion key.
SERVICE_KEY = keys.generate_private_pem()


def procfile_command(name: str, port: int) -> list[str]:
    """The Procfile's command of process ``name``, bound to ``port``, without its leading variables."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            # The port is asked of common.ports in the shell: "$(… -m common.ports gateway)".
            command = re.sub(r"\$\([^)]*\)", "PORT", line.partition(":")[2])
            words = [w for w in shlex.split(command) if "=" not in w or w.startswith("-")]
            break
    else:
        raise LookupError(f"no {name} process in the Procfile")
    words[0] = str(Path(sys.executable).with_name(Path(words[0]).name))
    bind = words.index("--bind")
    words[bind + 1] = f"127.0.0.1:{port}"
    return words


def production_env(workdir: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gateway_proxy.settings.production",
        "SECRET_KEY": "attack-suite-secret-key-0123456789abcdef0123456789",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "GATEWAY_DATABASE_URL": f"sqlite:///{workdir / 'gateway.sqlite3'}",
        "POLYCODE_VAR_DIR": str(workdir),
        "OIDC_ISSUER": "http://127.0.0.1:9/o",
        "OIDC_RP_CLIENT_ID": "polycode-gateway",
        "OIDC_RP_CLIENT_SECRET": "attack-suite-client-secret",
        "GATEWAY_ASSERTION_PRIVATE_KEY": KEY,
        "SERVICE_ASSERTION_PRIVATE_KEY": SERVICE_KEY,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "GATEWAY_ACCESS_LOG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


class GatewayProcess:
    def __init__(self, workdir: Path, **extra_env):
        self.env = production_env(workdir, **extra_env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env=self.env, check=True, timeout=120,
        )  # fmt: skip
        self.port = free_port()
        self.process = subprocess.Popen(procfile_command("gateway", self.port), cwd=ROOT, env=self.env)
        if not wait_for_port(self.port, 30):
            self.process.kill()
            pytest.fail("the gateway did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)
