"""The whole platform, started the way ``make run`` starts it, for the browser tests.

``bin/run`` migrates every service, loads the demo content, registers the gateway's OIDC
client and hands over to honcho with the Procfile: the processes a newcomer gets. The
stack here runs in its own ``POLYCODE_VAR_DIR`` (SQLite files, the file broker, the mails
the SMTP sink keeps) and on its own ``POLYCODE_PORT_BASE``, so it runs beside a developer's
``make run`` and leaves nothing behind.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing, suppress
from pathlib import Path

from common.ports import PORTS, dev_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

# The monolith's strangler switches (docs/strangler.md): off, legacy paths; on, the extracted services.
SWITCHES = ("runner_via_service", "mail_via_queue", "purchase_via_saga")
# Each process reads a switch through a cache of WAFFLE_SWITCH_TTL (3 s) seconds.
SWITCH_TTL = 3.0
HEALTH_CHECKED = ("gateway", "monolith", "monolith-ws", "shop", "runner", "mailer")

# Variables of the calling shell (or of the test run) that would point the stack elsewhere:
# it must use its embedded defaults, as on a fresh clone.
LEFT_OUT_PREFIXES = ("SERVICE_URL_", "EMAIL_", "OIDC_", "PYTEST_")
LEFT_OUT = {
    "DJANGO_SETTINGS_MODULE",
    "POLYCODE_SERVICE",
    "POLYCODE_ENV",
    "DATABASE_URL",
    "MAILER_DATABASE_URL",
    "SHOP_DATABASE_URL",
    "GATEWAY_DATABASE_URL",
    "BROKER_URL",
    "REDIS_URL",
    "SITE_URL",
    "SECRET_KEY",
    "DEBUG",
}


def _port_free(port: int) -> bool:
    with closing(socket.socket()) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_base(start: int = 20000, stop: int = 30000, step: int = 10) -> int:
    """A base whose every port (gateway .. mailer, SMTP) is free, starting from a per-process spot."""
    first = start + (os.getpid() * step) % (stop - start)
    for offset in range(0, stop - start, step):
        base = start + (first - start + offset) % (stop - start)
        if all(_port_free(dev_port(name, base)) for name in PORTS):
            return base
    raise RuntimeError("no free port range for the test stack")


class Stack:
    def __init__(self, var_dir: Path, port_base: int):
        self.var_dir = var_dir
        self.port_base = port_base
        self.log_path = var_dir.parent / "stack.log"
        self.process: subprocess.Popen | None = None
        self.url = f"http://localhost:{port_base}"

    def port(self, name: str) -> int:
        return dev_port(name, self.port_base)

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in LEFT_OUT and not key.startswith(LEFT_OUT_PREFIXES)
        }
        env.update(
            POLYCODE_VAR_DIR=str(self.var_dir), POLYCODE_PORT_BASE=str(self.port_base), PYTHONUNBUFFERED="1"
        )
        # Every process traces, one JSON span per line in one file (common/observability/tracing.py).
        env.update(OTEL_TRACES_EXPORTER="console", OTEL_TRACES_FILE=str(self.traces_path))
        return env

    @property
    def traces_path(self) -> Path:
        return self.var_dir / "traces.jsonl"

    def start(self, timeout: float = 180.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        # bin/run ends in `exec honcho`: the process started here is honcho, which starts
        # each Procfile process in a session of its own and stops them all on SIGTERM.
        self.process = subprocess.Popen(
            ["bin/run"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        try:
            self._wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(HEALTH_CHECKED) | {"smtp"}
        while waiting:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited with {self.process.returncode}\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"not up after {timeout:.0f}s: {', '.join(sorted(waiting))}\n{self.tail()}"
                )
            waiting = {name for name in waiting if not self._answers(name)}
            time.sleep(0.5)

    def _answers(self, name: str) -> bool:
        if name == "smtp":
            return not _port_free(self.port("smtp"))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port(name)}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def manage(self, *args: str, service: str = "monolith", check: bool = True) -> str:
        """``manage.py ARGS`` of ``service`` against this stack's databases; its output."""
        done = subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=ROOT,
            env={**self.env, "POLYCODE_SERVICE": service},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} ({service}) failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def query(self, service: str, setup: str, expression: str) -> str:
        """The printed value of ``expression`` in ``service``'s Django shell, after ``setup`` (imports)."""
        output = self.manage("shell", "-c", f"{setup}; print({expression})", service=service)
        return output.strip().splitlines()[-1]  # after what the shell says about its imports

    def output_size(self) -> int:
        return self.log_path.stat().st_size

    def output_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return "---- last lines of the stack's output ----\n" + "\n".join(text.splitlines()[-lines:])

    def _processes(self) -> list[int]:
        """honcho and every process under it (each Procfile process leads its own session)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return found

    def _ours(self, pid: int) -> bool:
        """Whether ``pid`` is still a process of this stack (a pid can be reused once it ended)."""
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False
        return f"POLYCODE_VAR_DIR={self.var_dir}".encode() in environ

    def stop(self, grace: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        everything = self._processes()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            print(f"the stack did not stop within {grace:.0f}s: killing it", file=sys.stderr)
            self.process.kill()
            self.process.wait(timeout=10)
        # Whatever outlived honcho (a process that ignored SIGTERM) is killed.
        for pid in everything:
            if self._ours(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def main() -> None:
    """``python -m e2e.stack``: start a stack and keep it up, to run tests against it repeatedly."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="polycode-e2e-"))
    stack = Stack(root / "var", free_port_base())
    started = time.monotonic()
    stack.start()
    print(f"up on {stack.url} in {time.monotonic() - started:.0f}s; its output: {stack.log_path}")
    print(f"run tests against it with: E2E_STACK={stack.port_base}:{stack.var_dir} pytest e2e ...")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
