"""Purchase saga benchmark: HTTP POST to a terminal order, over RabbitMQ and PostgreSQL.

Stack (every reliability setting on): the shop web (gunicorn, gthread), the shop
worker (queue ``shop``; no beat: nothing times out here), the monolith's account worker (queue
``account``), both outbox relays; transactional outbox with the on-commit fast
path, publisher confirms, late acks, prefetch 1, quorum queues, in a RabbitMQ
vhost of its own; each service on its own PostgreSQL database.

Measured, two passes each:

- (a) one buyer at a time: time from ``POST /api/v1/shop/purchases?wait=5`` to
  the order seen terminal (the POST answers once the order ended, or the
  client follows ``GET /orders/<id>?wait=5``), p50/p95;
- (b) 50 concurrent buyers: completed purchases per second, p50/p95;
- the legacy path in the same run: the monolith's one-transaction
  ``purchase_create`` (in process, no HTTP), one at a time and 50 threads.

Prints a table, with the CPU each process (and PostgreSQL, RabbitMQ, this
client) spent per purchase, and writes ``bench/results/saga.json``.
``BENCH_SAGA_PURCHASES`` (default 3000: 60 per buyer, long enough that the
ramp-up and the last buyers' tail do not weigh on the rate) sets the purchases
of each concurrent pass.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BROKER = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
PURCHASES = int(os.environ.get("BENCH_SAGA_PURCHASES", "3000"))
SINGLE = int(os.environ.get("BENCH_SAGA_SINGLE", "200"))
BUYERS = 50
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "8"))
RESULTS = ROOT / "bench" / "results" / "saga.json"
LOGS = ROOT / "var" / "bench-logs"
TARGET_RATE, TARGET_P95_MS = 150.0, 50.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def main() -> None:
    from common.messaging.testing import RabbitVhost, WorkerProcess, free_port, wait_until
    from extracted.shop.testing import AccountSide, ServiceProcess, with_database

    shop_url = with_database(PG, "bench_saga_shop")
    account = AccountSide(PG, "bench_saga_account").create()
    shop_db = AccountSide(PG, "bench_saga_shop")  # only its create/drop helpers
    shop_db.drop()
    import psycopg

    admin = psycopg.connect(with_database(PG, "postgres"), autocommit=True)
    admin.cursor().execute('CREATE DATABASE "bench_saga_shop"')
    admin.close()

    vhost = RabbitVhost(BROKER, prefix="polycode-bench-saga").create()
    common = {"BROKER_URL": vhost.url, "DEBUG": "false", "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
    shop_env = {
        **common,
        "POLYCODE_SERVICE": "shop",
        "POLYCODE_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "extracted.shop.settings.local",
        "SHOP_DATABASE_URL": shop_url,
    }
    account_env = {
        **common,
        "POLYCODE_SERVICE": "monolith",
        "POLYCODE_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "monolith.settings.local",
        "DATABASE_URL": account.url,
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**os.environ, **shop_env}, check=True
    )
    os.environ.update(shop_env)
    import django

    django.setup()

    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    processes = [
        ServiceProcess(
            argv=[
                sys.executable, "-m", "gunicorn", "extracted.shop.wsgi:application", "--bind",
                f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "2", "--threads", "28",
                "--log-level", "warning",
            ],
            env=shop_env, log_path=LOGS / "saga-shop-web.log", name="shop-web",
        ),
        ServiceProcess(argv=[sys.executable, "manage.py", "outbox_relay"], env=shop_env,
                       log_path=LOGS / "saga-shop-relay.log", name="shop-relay"),
        ServiceProcess(argv=[sys.executable, "manage.py", "outbox_relay"], env=account_env,
                       log_path=LOGS / "saga-account-relay.log", name="account-relay"),
    ]  # fmt: skip
    workers = [
        WorkerProcess(app="extracted.shop.worker", queue="shop", env=shop_env,
                      log_path=LOGS / "saga-shop-worker.log", name="shop", pool="threads",
                      concurrency=THREADS, loglevel="WARNING"),
        WorkerProcess(app="monolith.worker", queue="account", env=account_env,
                      log_path=LOGS / "saga-account-worker.log", name="account", pool="threads",
                      concurrency=THREADS, loglevel="WARNING"),
    ]  # fmt: skip
    try:
        for p in processes:
            p.start()
        for w in workers:
            w.start()
        import requests

        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(requests, base), timeout=30, what="the shop web")
        groups = {p.name: p.process.pid for p in processes} | {
            f"{w.name.rsplit('-', 1)[0]}-worker": w.process.pid for w in workers
        }
        results = run(account, base, groups)
    finally:
        for w in workers:
            w.stop()
        for p in processes:
            p.stop()
        vhost.delete()
    # The legacy path in the same run, once the saga's processes have let go of their connections.
    try:
        legacy = [account.tool("legacy-buy", PURCHASES, BUYERS, SINGLE) for _ in range(2)]
    finally:
        account.drop()
        shop_db.drop()
    report(results, legacy)


def _answers(requests, base) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _items(count: int) -> list[int]:
    from extracted.shop.store.models import Item

    return [
        Item.objects.create(
            exercise_id=1, title=f"Bench hint {uuid.uuid4().hex[:6]}", hint_text="x", cost=1, stock=10**6
        ).id
        for _ in range(count)
    ]


def _buyers(account, count: int) -> list[dict]:
    return account.tool("users", count, 10**6, f"bench{uuid.uuid4().hex[:6]}_")


def run(account, base: str, groups: dict[str, int]) -> dict:
    from bench.cpu import per_unit_ms, snapshot
    from extracted.shop.testing import identity_header

    local = threading.local()
    address = urlsplit(base)

    def call(method: str, path: str, *, headers: dict, body: dict | None = None) -> tuple[int, dict]:
        # A keep-alive connection per buyer thread, with the standard library's client:
        # the load generator shares the machine, so it should spend as little CPU as it can
        # (its share is reported as "benchmark").
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        payload = json.dumps(body).encode() if body is not None else None
        if payload is not None:
            headers = {**headers, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())

    def buy(buyer: dict, item_id: int) -> tuple[float, str]:
        started = time.perf_counter()
        headers = {
            **identity_header(user_id=buyer["id"], username=buyer["username"]),
            "Idempotency-Key": uuid.uuid4().hex,
        }
        status, order = call(
            "POST", "/api/v1/shop/purchases?wait=5", headers=headers, body={"item_id": item_id}
        )
        assert status == 202, order
        while order["state"] == "pending":
            _, order = call(
                "GET",
                f"{order['status_url']}?wait=5",
                headers=identity_header(user_id=buyer["id"], username=buyer["username"]),
            )
        return time.perf_counter() - started, order["state"]

    out = {"single": [], "concurrent": []}
    # Warm up connections and code paths.
    warm_buyers, warm_items = _buyers(account, 10), _items(5)
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda pair: buy(*pair), [(b, i) for b in warm_buyers for i in warm_items]))
    for _ in range(2):
        buyer, items = _buyers(account, 1)[0], _items(SINGLE)
        cpu_before = snapshot(groups)
        timings = [buy(buyer, item) for item in items]
        cpu_after = snapshot(groups)
        latencies = [t for t, _ in timings]
        out["single"].append(
            {
                "purchases": len(timings),
                "p50_ms": pct(latencies, 0.5),
                "p95_ms": pct(latencies, 0.95),
                "completed": sum(1 for _, s in timings if s == "completed"),
                "cpu_ms_per_purchase": per_unit_ms(cpu_before, cpu_after, len(timings)),
            }
        )
    for _ in range(2):
        buyers, items = _buyers(account, BUYERS), _items(PURCHASES // BUYERS)
        jobs = [[(b, i) for i in items] for b in buyers]

        def one_buyer(pairs):
            return [buy(b, i) for b, i in pairs]

        cpu_before = snapshot(groups)
        started = time.perf_counter()
        with ThreadPoolExecutor(BUYERS) as pool:
            timings = [t for result in pool.map(one_buyer, jobs) for t in result]
        wall = time.perf_counter() - started
        cpu_after = snapshot(groups)
        latencies = [t for t, _ in timings]
        done = sum(1 for _, s in timings if s == "completed")
        out["concurrent"].append(
            {
                "purchases": len(timings),
                "completed": done,
                "seconds": round(wall, 2),
                "per_second": round(done / wall, 1),
                "p50_ms": pct(latencies, 0.5),
                "p95_ms": pct(latencies, 0.95),
                "cpu_ms_per_purchase": per_unit_ms(cpu_before, cpu_after, len(timings)),
            }
        )
    return out


def report(saga: dict, legacy: list[dict]) -> None:
    best_rate = max(p["per_second"] for p in saga["concurrent"])
    best_legacy = max(p["concurrent_per_second"] for p in legacy)
    single_p95 = min(p["p95_ms"] for p in saga["single"])
    result = {
        "machine": {"cpus": os.cpu_count()},
        "settings": {
            "outbox": True,
            "publisher_confirms": True,
            "late_acks": True,
            "fast_path": True,
            "worker_threads": THREADS,
            "buyers": BUYERS,
        },
        "saga": saga,
        "legacy": legacy,
        "ratio_saga_to_legacy_throughput": round(best_rate / best_legacy, 3),
        "targets": {
            "per_second": TARGET_RATE,
            "single_p95_ms": TARGET_P95_MS,
            "per_second_met": best_rate >= TARGET_RATE,
            "single_p95_met": single_p95 <= TARGET_P95_MS,
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'path':<28}{'pass':>5}{'purchases/s':>13}{'p50 ms':>10}{'p95 ms':>10}")
    for n, p in enumerate(saga["single"], 1):
        print(f"{'saga, one buyer':<28}{n:>5}{'':>13}{p['p50_ms']:>10}{p['p95_ms']:>10}")
    for n, p in enumerate(saga["concurrent"], 1):
        print(f"{'saga, 50 buyers':<28}{n:>5}{p['per_second']:>13}{p['p50_ms']:>10}{p['p95_ms']:>10}")
    for n, p in enumerate(legacy, 1):
        print(f"{'legacy, one buyer':<28}{n:>5}{'':>13}{p['single_p50_ms']:>10}{p['single_p95_ms']:>10}")
        print(
            f"{'legacy, 50 threads':<28}{n:>5}{p['concurrent_per_second']:>13}"
            f"{p['concurrent_p50_ms']:>10}{p['concurrent_p95_ms']:>10}"
        )
    for label, passes in (("one buyer", saga["single"]), ("50 buyers", saga["concurrent"])):
        for n, p in enumerate(passes, 1):
            shares = ", ".join(f"{k} {v}" for k, v in p["cpu_ms_per_purchase"].items())
            print(f"CPU ms per purchase, {label}, pass {n}: {shares}")
    print(f"saga / legacy throughput: {result['ratio_saga_to_legacy_throughput']}")
    rate_met = "met" if result["targets"]["per_second_met"] else "NOT met"
    p95_met = "met" if result["targets"]["single_p95_met"] else "NOT met"
    print(f"targets: >= {TARGET_RATE}/s {rate_met}, single p95 <= {TARGET_P95_MS} ms {p95_met}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
