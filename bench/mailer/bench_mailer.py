"""Mailer benchmark: emails per second from outbox rows to an SMTP server, next to the legacy path.

Queue path: N ``mail.requested`` rows are written to an outbox, then the
relay (its own process) publishes them with confirms to RabbitMQ and 1, then
2, mailer worker processes deliver them to an SMTP server on loopback
(aiosmtpd); the clock runs from the relay's start to the last ``sent`` row.
Legacy path, in the same run: the monolith's ``mail_request`` with the switch
off, which renders and sends each mail synchronously through Django's SMTP
backend, one connection per mail. Also measured: how long a producer's call
to ``mail_request`` takes on each path (the queue path only writes a row and,
after commit, publishes it).

Uses RabbitMQ and PostgreSQL on 127.0.0.1 when they answer (``BROKER_URL`` /
``DATABASE_URL`` override), else the embedded defaults. Prints a table and
writes ``bench/results/mailer.json``. ``BENCH_MAILS`` sets N (default 2000).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.cpu import cpu_seconds  # noqa: E402 - importable once the root is on the path
from common.messaging.testing import port_open, with_database  # noqa: E402

MAILS = int(os.environ.get("BENCH_MAILS", "2000"))
WARMUP = 100
#: Threads of each worker process: messages it holds (prefetch 1 per thread) and works on at once.
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "4"))
LATENCY_CALLS = int(os.environ.get("BENCH_LATENCY_CALLS", "300"))
TARGET = 300.0
RESULTS = ROOT / "bench" / "results" / "mailer.json"
LOGS = ROOT / "var" / "bench-logs"
PG = "postgres://postgres@127.0.0.1:5432"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )
    with admin.cursor() as cur:
        name = parts.path.lstrip("/")
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


class CountingSmtp:
    """SMTP on loopback that only counts, and remembers each Message-ID (cheaply)."""

    MESSAGE_ID = re.compile(rb"^Message-ID: <([^>]+)>", re.MULTILINE | re.IGNORECASE)

    def __init__(self):
        from common.messaging.testing import free_port

        self.port = free_port()
        self.ids: Counter = Counter()
        self.accepted = 0
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        match = self.MESSAGE_ID.search(envelope.original_content or envelope.content)
        with self._lock:
            self.accepted += 1
            if match:
                self.ids[match.group(1).decode()] += 1
        return "250 2.0.0 Accepted"

    def start(self) -> CountingSmtp:
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def reset(self) -> None:
        with self._lock:
            self.ids.clear()
            self.accepted = 0


def configure(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    settings.OUTBOX_FAST_PATH = False


def write_outbox(count: int, tag: str) -> list[str]:
    from django.db import transaction

    import contracts
    from common.messaging.models import OutboxMessage
    from contracts.mail import MAIL_REQUESTED_V1, MailKind

    kinds = [k.value for k in MailKind]
    examples = ROOT / "contracts" / "examples" / "mail.requested.v1"
    payloads = {k: json.loads((examples / f"{k}.json").read_text())["payload"] for k in kinds}
    rows = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        payload = {**payloads[kind], "to": f"{tag}-{i}@example.com", "language": ("en", "fr")[i % 2]}
        message = contracts.build(MAIL_REQUESTED_V1, payload, producer="bench")
        rows.append(
            OutboxMessage(
                id=message.id,
                type="mail.requested",
                version=1,
                task=MAIL_REQUESTED_V1.task,
                queue=MAIL_REQUESTED_V1.queue,
                body=message.to_json_dict(),
            )
        )
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(rows, batch_size=500)
    return [str(r.id) for r in rows]


def sent_count(ids: list[str] | None = None) -> int:
    from extracted.mailer.deliveries.models import DeliveryLog

    queryset = DeliveryLog.objects.filter(status=DeliveryLog.Status.SENT)
    return queryset.count() if ids is None else queryset.filter(message_id__in=ids).count()


def truncate() -> None:
    from common.messaging.models import InboxMessage, OutboxMessage
    from extracted.mailer.deliveries.models import DeliveryLog

    for model in (DeliveryLog, InboxMessage, OutboxMessage):
        model.objects.all().delete()


def start_relay(env: dict, log_name: str) -> subprocess.Popen:
    log = (LOGS / log_name).open("ab")
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_relay", "--interval", "0.05"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def drain(count: int, *, timeout: float) -> float:
    """Seconds until ``count`` deliveries are sent (polling the delivery log)."""
    started = time.perf_counter()
    while sent_count() < count:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"only {sent_count()} of {count} mails sent after {timeout}s")
        time.sleep(0.02)
    return time.perf_counter() - started


def queue_path(workers: int, *, env: dict, smtp: CountingSmtp) -> dict:
    from common.messaging.testing import WorkerProcess
    from extracted.mailer.deliveries.models import DeliveryLog

    truncate()
    procs = [
        WorkerProcess(
            app="extracted.mailer.worker",
            queue="mailer",
            env=env,
            log_path=LOGS / f"worker-{workers}-{i}.log",
            name="bench",
            pool="threads",
            concurrency=THREADS,
            loglevel="WARNING",
        ).start()
        for i in range(workers)
    ]
    relay = start_relay(env, f"relay-{workers}.log")
    try:
        write_outbox(WARMUP, f"warmup{workers}")
        drain(WARMUP, timeout=120)
        truncate()
        smtp.reset()
        relay.terminate()
        relay.wait(timeout=20)
        ids = write_outbox(MAILS, f"w{workers}")
        cpu_before = {
            "workers": sum(cpu_seconds(p.process.pid) for p in procs),
            "driver": cpu_seconds(os.getpid()),
        }
        load = os.getloadavg()[0]
        relay = start_relay(env, f"relay-{workers}.log")
        seconds = drain(MAILS, timeout=600)
        cpu = {
            "workers": sum(cpu_seconds(p.process.pid) for p in procs) - cpu_before["workers"],
            "relay": cpu_seconds(relay.pid),
            "smtp_server_and_driver": cpu_seconds(os.getpid()) - cpu_before["driver"],
        }
    finally:
        relay.terminate()
        relay.wait(timeout=20)
        for proc in procs:
            proc.stop()
    duplicates_sent = sum(1 for i in ids if smtp.ids.get(f"{i}@polycode.mailer", 0) > 1)
    missing = sum(1 for i in ids if f"{i}@polycode.mailer" not in smtp.ids)
    return {
        "workers": workers,
        "mails": MAILS,
        "seconds": round(seconds, 3),
        "emails_per_second": round(MAILS / seconds, 1),
        "smtp_accepted": smtp.accepted,
        "sent_twice": duplicates_sent,
        "missing": missing,
        "redeliveries_ignored": sum(DeliveryLog.objects.values_list("duplicates", flat=True)),
        # Where the CPU went (PostgreSQL and RabbitMQ not counted), and how busy the machine was.
        "cpu_ms_per_mail": {name: round(value / MAILS * 1000, 2) for name, value in cpu.items()},
        "load_average_at_start": round(load, 2),
        "threads_per_worker": THREADS,
    }


def legacy_path(*, monolith_db: str, broker_url: str, smtp: CountingSmtp, var_dir: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "monolith.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": monolith_db,
        "BROKER_URL": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "POLYCODE_VAR_DIR": var_dir,
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    smtp.reset()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("legacy_probe.py")), str(MAILS), str(LATENCY_CALLS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["smtp_accepted"] = smtp.accepted
    return result


def main() -> int:
    from common.messaging.testing import RabbitVhost, rabbitmqctl_available

    LOGS.mkdir(parents=True, exist_ok=True)
    base_broker = os.environ.get("BROKER_URL") or (
        "amqp://guest:guest@127.0.0.1:5672//" if port_open(5672) else "filesystem://"
    )
    base_db = os.environ.get("DATABASE_URL") or (PG + "/postgres" if port_open(5432) else "")
    var_dir = tempfile.mkdtemp(prefix="polycode-bench-")
    vhost = None
    if base_broker.startswith("amqp") and rabbitmqctl_available():
        vhost = RabbitVhost(base_broker, prefix="polycode-bench").create()
        broker_url = vhost.url
    else:
        broker_url = base_broker
    if base_db.startswith("postgres"):
        mailer_db = with_database(base_db, "polycode_bench_mailer")
        monolith_db = with_database(base_db, "polycode_bench_monolith")
        recreate_database(mailer_db)
        recreate_database(monolith_db)
    else:
        mailer_db = f"sqlite:///{var_dir}/mailer.sqlite3"
        monolith_db = f"sqlite:///{var_dir}/monolith.sqlite3"
    smtp = CountingSmtp().start()
    env = {
        "DJANGO_SETTINGS_MODULE": "extracted.mailer.settings.local",
        "POLYCODE_SERVICE": "mailer",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "BROKER_URL": broker_url,
        "MAILER_DATABASE_URL": mailer_db,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "POLYCODE_VAR_DIR": var_dir,
        "OUTBOX_FAST_PATH": "false",
    }
    try:
        configure(env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(
            f"mailer benchmark: {MAILS} mails, broker {broker_url.split('://')[0]}, "
            f"database {mailer_db.split('://')[0]}, {os.cpu_count()} cores",
            flush=True,
        )
        runs = []
        for workers in (1, 2):
            run = queue_path(workers, env=env, smtp=smtp)
            runs.append(run)
            print(f"  queue path, {workers} worker(s): {run['emails_per_second']:8.1f} emails/s", flush=True)
        # Last: its queue-path latency calls publish messages nobody needs to consume.
        legacy = legacy_path(monolith_db=monolith_db, broker_url=broker_url, smtp=smtp, var_dir=var_dir)
        print(f"  legacy path:            {legacy['emails_per_second']:8.1f} emails/s", flush=True)
    finally:
        smtp.stop()
        if vhost is not None:
            vhost.delete()
    two = runs[1]["emails_per_second"]
    result = {
        "mails": MAILS,
        "broker": broker_url.split("://")[0],
        "database": mailer_db.split("://")[0],
        "cores": os.cpu_count(),
        "legacy_path": legacy,
        "queue_path": {f"workers_{r['workers']}": r for r in runs},
        "ratio_1_worker_vs_legacy": round(runs[0]["emails_per_second"] / legacy["emails_per_second"], 2),
        "ratio_2_workers_vs_legacy": round(two / legacy["emails_per_second"], 2),
        "ratio_2_vs_1_workers": round(two / runs[0]["emails_per_second"], 2),
        "target_emails_per_second_2_workers": TARGET,
        "target_met": two >= TARGET,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    lat = legacy["producer_call_ms"]
    print()
    print(f"{'path':<28}{'emails/s':>10}{'vs legacy':>11}")
    print(f"{'legacy (1 SMTP conn/mail)':<28}{legacy['emails_per_second']:>10.1f}{1.0:>10.2f}x")
    for run in runs:
        ratio = run["emails_per_second"] / legacy["emails_per_second"]
        label = f"queue, {run['workers']} worker(s)"
        print(f"{label:<28}{run['emails_per_second']:>10.1f}{ratio:>10.2f}x")
    print(
        f"\nproducer's mail_request call, median: legacy {lat['legacy_p50']:.2f} ms, "
        f"queue {lat['queue_p50']:.2f} ms ({lat['legacy_p50'] / lat['queue_p50']:.1f}x shorter)"
    )
    print(f"each mail exactly once: {all(r['sent_twice'] == 0 and r['missing'] == 0 for r in runs)}")
    print(f"target >= {TARGET:.0f} emails/s with 2 workers: {'met' if result['target_met'] else 'NOT met'}")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
