"""Fresh stacks for the strangler's tests: real services as their own processes on new databases.

A ``Stack`` creates PostgreSQL databases of its own (dropped by ``close``), runs the services'
``manage.py`` commands, and starts web processes (gunicorn), Celery workers, outbox relays and
the development SMTP server (``common/devsmtp.py``), each logging to
``var/test-logs/strangle-<name>.log``; ``close`` stops them all. The gateway (the test's own
process) reaches the services over HTTP only, and the tests read their databases with psycopg,
as an operator would: no service's code is imported here.
"""

import contextlib
import email
import email.policy
import io
import os
import subprocess
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.core.management import call_command

from common.identity import keys
from common.identity.assertion import HEADER, Identity, issue
from common.messaging.testing import (
    ROOT,
    ProcessGroup,
    WorkerProcess,
    free_port,
    wait_for_port,
    with_database,
)

LOG_DIR = Path(ROOT) / "var" / "test-logs"


class Web(ProcessGroup):
    def __init__(self, *, wsgi: str, env: dict, name: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with (LOG_DIR / f"strangle-{name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", wsgi, "-b", f"127.0.0.1:{self.port}", "-w", "1",
                 "--threads", "4"],
                cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        assert wait_for_port(self.port, timeout=60), f"{name} did not start"


class Relay(ProcessGroup):
    def __init__(self, *, env: dict, name: str):
        with (LOG_DIR / f"strangle-{name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "outbox_relay"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, start_new_session=True,
            )  # fmt: skip


class DevSmtp(ProcessGroup):
    """``python -m common.devsmtp`` on a free port, keeping every mail it accepts in ``directory``."""

    def __init__(self, *, directory: Path, name: str = "smtp"):
        self.port = free_port()
        self.directory = directory
        with (LOG_DIR / f"strangle-{name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "common.devsmtp", "--port", str(self.port), "--dir", str(directory)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        assert wait_for_port(self.port, timeout=30), "the development SMTP server did not start"

    def mails(self) -> list[EmailMessage]:
        """Every mail kept so far, oldest first (a file appears whole: it is written aside, then renamed)."""
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.directory.glob("*.eml"))
        ]


class Stack:
    """Databases and processes of one test module; ``close`` stops the processes and drops the databases."""

    def __init__(self, *, broker_url: str):
        self.base = os.environ.get("DATABASE_URL", "")
        if not self.base.startswith("postgres"):
            pytest.skip("the stack runs on PostgreSQL (set DATABASE_URL)")
        self.suffix = uuid.uuid4().hex[:6]
        self.broker_url = broker_url
        self.databases: list[str] = []
        self.processes: list[ProcessGroup] = []

    def database(self, label: str) -> str:
        """A new, empty database ``strangle_<label>_<suffix>``; its URL."""
        name = f"strangle_{label}_{self.suffix}"
        self.databases.append(name)
        admin = psycopg.connect(with_database(self.base, "postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return with_database(self.base, name)

    def env(self, service: str, settings_module: str, **values: str) -> dict:
        """The environment of one of ``service``'s processes (its settings, this stack's broker)."""
        return {"POLYCODE_ENV": "test", "BROKER_URL": self.broker_url, "POLYCODE_SERVICE": service,
                "DJANGO_SETTINGS_MODULE": settings_module, **values}  # fmt: skip

    def manage(self, env: dict, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, timeout=300
        )

    def start(self, process: ProcessGroup) -> ProcessGroup:
        self.processes.append(process)
        return process

    def web(self, wsgi: str, env: dict, name: str, port: int | None = None) -> Web:
        return self.start(Web(wsgi=wsgi, env=env, name=name, port=port))

    def worker(self, app: str, queue: str, env: dict) -> WorkerProcess:
        worker = WorkerProcess(
            app=app, queue=queue, env=env, log_path=LOG_DIR / f"strangle-worker-{queue}.log", name=queue
        )
        self.start(worker)
        return worker.start()

    def relay(self, env: dict, name: str) -> Relay:
        return self.start(Relay(env=env, name=name))

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.databases:
            admin = psycopg.connect(with_database(self.base, "postgres"))
            admin.autocommit = True
            with admin.cursor() as cursor:
                for name in self.databases:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


@contextlib.contextmanager
def environ(**values: str):
    """This process's environment with ``values`` (the commands a step runs inherit it), then as it was."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def strangle(*args) -> str:
    """``manage.py strangle ARGS --actor ops`` in the gateway (this process); what it printed."""
    out = io.StringIO()
    call_command("strangle", *args, "--actor", "ops", stdout=out)
    return out.getvalue()


def rows(url: str, sql: str, params=()) -> list[tuple]:
    connection = psycopg.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def count(url: str, sql: str, params=()) -> int:
    return rows(url, sql, params)[0][0]


def as_learner(user_id: int | None = None, username: str = "", *, audience: str = "monolith") -> dict:
    """The identity assertion the gateway sends for this learner (none given: a visitor)."""
    identity = Identity(user_id=str(user_id or ""), username=username, request_id=uuid.uuid4().hex)
    key = keys.dev_private_pem(settings.VAR_DIR)  # the services' development gateway key
    return {HEADER: issue(identity, audience=audience, private_pem=key)}


def register_learner(monolith: str, username: str, *, language: str = "en", email: str = "") -> tuple:
    """A learner signed up through the monolith's API as a visitor of the gateway: (id, username, email)."""
    response = requests.post(
        f"{monolith}/api/v1/accounts/register",
        json={"username": username, "email": email or f"{username}@example.com",
              "password": f"walk-{uuid.uuid4().hex}", "preferred_language": language},
        headers=as_learner(), timeout=30,
    )  # fmt: skip
    assert response.status_code == 201, response.text[:500]
    body = response.json()
    return body["id"], body["username"], body["email"]
