"""Helpers for the shop's tests and the saga benchmark: the account side, processes, clients.

The saga spans two services, so its tests run the monolith's side for real:
its own PostgreSQL database (created and migrated here, set up by
``bench/saga/account_tool.py`` running under the monolith's settings, read back
with plain SQL to check the invariants), its account worker and outbox relay
as processes. Only tests and benchmarks import this module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from common.messaging.testing import ROOT, ProcessGroup, WorkerProcess, wait_until, with_database

ACCOUNT_TOOL = ROOT / "bench" / "saga" / "account_tool.py"
MONOLITH_SETTINGS = "monolith.settings.test"


def _pg_admin(url: str):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


class AccountSide:
    """The monolith's database for a saga run (PostgreSQL), created and migrated on ``create``."""

    def __init__(self, base_url: str, name: str):
        self.name = name
        self.url = with_database(base_url, name)

    @property
    def env(self) -> dict[str, str]:
        return {"DJANGO_SETTINGS_MODULE": MONOLITH_SETTINGS, "POLYCODE_ENV": "test", "DATABASE_URL": self.url}

    def create(self) -> AccountSide:
        self.drop()
        admin = _pg_admin(self.url)
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        admin.close()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
            cwd=ROOT,
            env={**os.environ, **self.env},
            check=True,
            timeout=180,
        )
        return self

    def drop(self) -> None:
        admin = _pg_admin(self.url)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        admin.close()

    def tool(self, *args) -> object:
        """Run ``account_tool.py`` under the monolith's settings; its JSON output."""
        out = subprocess.run(
            [sys.executable, str(ACCOUNT_TOOL), *map(str, args)],
            cwd=ROOT,
            env={**os.environ, **self.env, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def query(self, sql: str, params=()) -> list[tuple]:
        import psycopg

        conn = psycopg.connect(self.url)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def balances(self, user_ids) -> dict[int, int]:
        rows = self.query(
            "SELECT user_id, balance FROM accounts_wallet WHERE user_id = ANY(%s)", (list(user_ids),)
        )
        return dict(rows)

    def order_ledger(self) -> list[tuple[str, int, int]]:
        """``(reference, amount, user_id)`` of every ledger entry a shop order made."""
        return self.query(
            "SELECT e.reference, e.amount, w.user_id FROM accounts_ledgerentry e "
            "JOIN accounts_wallet w ON w.user_id = e.wallet_id WHERE e.reference LIKE 'shop:order:%%'"
        )

    def unlocks(self) -> set[tuple[int, int]]:
        return set(self.query("SELECT user_id, validator_id FROM learning_validatorunlock"))


class ServiceProcess(ProcessGroup):
    """A non-Celery process of a service (an outbox relay) in its own process group."""

    def __init__(self, *, argv: list[str], env: dict[str, str], log_path: Path, name: str):
        self.argv, self.env, self.log_path, self.name = argv, env, log_path, name
        self.process: subprocess.Popen | None = None

    def start(self) -> ServiceProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env={**os.environ, **self.env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self


def relay_process(*, service_env: dict[str, str], log_path: Path, name: str) -> ServiceProcess:
    return ServiceProcess(
        argv=[sys.executable, "manage.py", "outbox_relay"], env=service_env, log_path=log_path, name=name
    )


def beat_process(*, app: str, env: dict[str, str], log_path: Path, name: str = "beat") -> ServiceProcess:
    """Celery beat of ``app``: the process that schedules its periodic tasks."""
    return ServiceProcess(
        argv=[sys.executable, "-m", "celery", "-A", app, "beat", "-l", "INFO"],
        env=env,
        log_path=log_path,
        name=name,
    )


def worker_process(
    *, app: str, queue: str, env: dict[str, str], log_path: Path, name: str, threads: int = 4
) -> WorkerProcess:
    return WorkerProcess(
        app=app, queue=queue, env=env, log_path=log_path, name=name, pool="threads", concurrency=threads
    )


def identity_header(*, user_id: int, username: str, email: str = "") -> dict[str, str]:
    """A fresh gateway identity assertion for the shop, as the gateway would forward it."""
    from common.identity.assertion import HEADER, Identity, issue

    identity = Identity(user_id=str(user_id), username=username, email=email, request_id=uuid.uuid4().hex)
    return {HEADER: issue(identity, audience="shop")}


__all__ = [
    "AccountSide",
    "ServiceProcess",
    "beat_process",
    "identity_header",
    "relay_process",
    "wait_until",
    "worker_process",
]
