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
client) spent per purchase, and writes ``bench/results/saga.json``. PostgreSQL's
figure is every server process of the machine; ``postgres_backends_ms`` is the
CPU of the connections to the benchmark's two databases only (the machine is shared).
``BENCH_SAGA_PURCHASES`` (default 3000: 60 per buyer, long enough that the
ramp-up and the last buyers' tail do not weigh on the rate) sets the purchases
of each concurrent pass.

Side by side with previous code: ``BENCH_SAGA_BASELINE=<checkout>`` names a
checkout of an earlier commit (``git worktree add``) with its own ``.venv``
(its requirements installed); each of ``BENCH_SAGA_ROUNDS`` (default 2) rounds
measures this checkout and that one, one after the other (the order alternating
between rounds), each stack started from its own checkout with its own Python,
and the results give both and the ratio new/old of each figure.
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
from statistics import median
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parents[2]
#: The checkout whose code is measured: this one, or ``BENCH_SAGA_TREE`` (set for a baseline's run).
ROOT = Path(os.environ.get("BENCH_SAGA_TREE") or HERE).resolve()
sys.path.insert(0, str(ROOT))

PG = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BROKER = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
PURCHASES = int(os.environ.get("BENCH_SAGA_PURCHASES", "3000"))
SINGLE = int(os.environ.get("BENCH_SAGA_SINGLE", "200"))
BUYERS = 50
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "8"))
BASELINE = os.environ.get("BENCH_SAGA_BASELINE", "")
ROUNDS = int(os.environ.get("BENCH_SAGA_ROUNDS", "2"))
RESULTS = HERE / "bench" / "results" / "saga.json"
LOGS = ROOT / "var" / "bench-logs"
#: The runs so far of a side-by-side benchmark (kept if a later run fails).
PARTIAL = HERE / "var" / "bench-saga-runs.json"
DATABASES = ("bench_saga_shop", "bench_saga_account")
TARGET_RATE, TARGET_P95_MS, TARGET_CPU_MS = 150.0, 50.0, 15.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:  # one run of the checkout ROOT, results to a file
        Path(sys.argv[2]).write_text(json.dumps(measure()))
        return
    trees = {"new": HERE} | ({"old": Path(BASELINE).resolve()} if BASELINE else {})
    runs: dict[str, list[dict]] = {label: [] for label in trees}
    for round_ in range(ROUNDS if BASELINE else 1):
        order = list(trees.items())
        for label, tree in order[::-1] if round_ % 2 else order:
            print(f"--- round {round_ + 1}: {label} ({tree})", flush=True)
            try:
                runs[label].append(_run_tree(tree))
            except subprocess.CalledProcessError:
                # A shared server can refuse a connection now and then ("too many clients"): once more.
                print(f"--- round {round_ + 1}: {label} failed, running it again", flush=True)
                runs[label].append(_run_tree(tree))
            PARTIAL.write_text(json.dumps(runs))
    report(runs)


def _run_tree(tree: Path) -> dict:
    """One run of ``measure`` on the checkout ``tree``, with that checkout's Python."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-saga-{uuid.uuid4().hex[:8]}.json"
    python = tree / ".venv" / "bin" / "python"
    try:
        subprocess.run(
            [str(python if python.exists() else sys.executable), __file__, "--measure", str(out)],
            env={**os.environ, "BENCH_SAGA_TREE": str(tree)},
            check=True,
        )
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def measure() -> dict:
    """Start the stack of the checkout ``ROOT`` and run the passes; the saga's and the legacy figures."""
    from common.messaging.testing import RabbitVhost, WorkerProcess, free_port, wait_until
    from extracted.shop.testing import AccountSide, ServiceProcess, _pg_admin, with_database

    shop_url = with_database(PG, "bench_saga_shop")
    account = AccountSide(PG, "bench_saga_account").create()
    shop_db = AccountSide(PG, "bench_saga_shop")  # only its create/drop helpers
    shop_db.drop()
    admin = _pg_admin(PG)
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
        results = run(account, base, groups, backends=lambda: _backend_pids(_pg_admin))
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
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {"commit": commit, "saga": results, "legacy": legacy}


def _backend_pids(pg_admin) -> list[int]:
    """The server processes of the connections to the benchmark's databases."""
    admin = pg_admin(PG)
    try:
        cursor = admin.cursor()
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname IN (%s, %s)", list(DATABASES))
        return [row[0] for row in cursor.fetchall()]
    finally:
        admin.close()


def _backends_cpu(pids: list[int]) -> dict[int, float]:
    from bench.cpu import cpu_seconds

    return {pid: cpu_seconds(pid) for pid in pids}


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


def run(account, base: str, groups: dict[str, int], backends) -> dict:
    from bench.cpu import per_unit_ms, snapshot
    from extracted.shop.testing import identity_header

    local = threading.local()
    address = urlsplit(base)

    def call(method: str, path: str, *, headers: dict, body: dict | None = None) -> tuple[int, dict]:
        # A keep-alive connection per buyer thread, with the standard library's client:
        # the load generator shares the machine, so it should spend as little CPU as it can
        # (its share is reported as "benchmark").
        payload = json.dumps(body).encode() if body is not None else None
        if payload is not None:
            headers = {**headers, "Content-Type": "application/json"}
        for attempt in range(2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                return response.status, json.loads(response.read())
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # The server closed an idle keep-alive connection (a pause between passes):
                # send again on a new one (a purchase carries its Idempotency-Key).
                conn.close()
                local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

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
        cpu_before, pg_before = snapshot(groups), _backends_cpu(backends())
        timings = [buy(buyer, item) for item in items]
        cpu_after, pg_after = snapshot(groups), _backends_cpu(backends())
        latencies = [t for t, _ in timings]
        out["single"].append(
            {
                "purchases": len(timings),
                "p50_ms": pct(latencies, 0.5),
                "p95_ms": pct(latencies, 0.95),
                "completed": sum(1 for _, s in timings if s == "completed"),
                "cpu_ms_per_purchase": per_unit_ms(cpu_before, cpu_after, len(timings)),
                "postgres_backends_ms": _backends_ms(pg_before, pg_after, len(timings)),
            }
        )
    for _ in range(2):
        buyers, items = _buyers(account, BUYERS), _items(PURCHASES // BUYERS)
        jobs = [[(b, i) for i in items] for b in buyers]

        def one_buyer(pairs):
            return [buy(b, i) for b, i in pairs]

        cpu_before, pg_before = snapshot(groups), _backends_cpu(backends())
        started = time.perf_counter()
        with ThreadPoolExecutor(BUYERS) as pool:
            timings = [t for result in pool.map(one_buyer, jobs) for t in result]
        wall = time.perf_counter() - started
        cpu_after, pg_after = snapshot(groups), _backends_cpu(backends())
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
                "postgres_backends_ms": _backends_ms(pg_before, pg_after, len(timings)),
            }
        )
    return out


def _backends_ms(before: dict[int, float], after: dict[int, float], units: int) -> float:
    """CPU ms per unit of the benchmark's connections (one that started in the pass counts whole)."""
    return round(sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items()) * 1000 / units, 2)


def summary(runs: list[dict]) -> dict:
    """Medians over every pass of ``runs`` (best rate too): the figures compared between checkouts."""
    single = [p for r in runs for p in r["saga"]["single"]]
    concurrent = [p for r in runs for p in r["saga"]["concurrent"]]
    legacy = [p for r in runs for p in r["legacy"]]

    def mid(passes, key):
        return round(median(key(p) for p in passes), 2)

    return {
        "single_p50_ms": mid(single, lambda p: p["p50_ms"]),
        "single_p95_ms": mid(single, lambda p: p["p95_ms"]),
        "per_second": mid(concurrent, lambda p: p["per_second"]),
        "best_per_second": max(p["per_second"] for p in concurrent),
        "concurrent_p95_ms": mid(concurrent, lambda p: p["p95_ms"]),
        "cpu_ms_per_purchase_single": mid(single, lambda p: p["cpu_ms_per_purchase"]["total"]),
        "cpu_ms_per_purchase_concurrent": mid(concurrent, lambda p: p["cpu_ms_per_purchase"]["total"]),
        "postgres_backends_ms_concurrent": mid(concurrent, lambda p: p["postgres_backends_ms"]),
        "cpu_ms_concurrent_by_process": {
            label: mid(concurrent, lambda p, label=label: p["cpu_ms_per_purchase"][label])
            for label in concurrent[0]["cpu_ms_per_purchase"]
        },
        "legacy_per_second": mid(legacy, lambda p: p["concurrent_per_second"]),
    }


def report(runs: dict[str, list[dict]]) -> None:
    figures = {label: summary(tree_runs) for label, tree_runs in runs.items()}
    new = figures["new"]
    result = {
        "machine": {"cpus": os.cpu_count()},
        "settings": {
            "outbox": True,
            "publisher_confirms": True,
            "late_acks": True,
            "fast_path": True,
            "worker_threads": THREADS,
            "buyers": BUYERS,
            "rounds": len(runs["new"]),
        },
        "commits": {label: [r["commit"] for r in tree_runs] for label, tree_runs in runs.items()},
        "summary": figures,
        "ratio_saga_to_legacy_throughput": round(new["per_second"] / new["legacy_per_second"], 3),
        "targets": {
            "per_second": TARGET_RATE,
            "single_p95_ms": TARGET_P95_MS,
            "cpu_ms_per_purchase": TARGET_CPU_MS,
            "per_second_met": new["best_per_second"] >= TARGET_RATE,
            "single_p95_met": new["single_p95_ms"] <= TARGET_P95_MS,
            "cpu_ms_per_purchase_met": new["cpu_ms_per_purchase_concurrent"] <= TARGET_CPU_MS,
        },
        "runs": runs,
    }
    if "old" in figures:
        old = figures["old"]
        result["ratio_new_to_old"] = {
            key: round(value / old[key], 3) for key, value in new.items() if isinstance(value, float | int)
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for label, tree_runs in runs.items():
        for r in tree_runs:
            print(f"{label} ({r['commit']})")
            print(f"  {'path':<26}{'pass':>5}{'purchases/s':>13}{'p50 ms':>10}{'p95 ms':>10}{'CPU ms':>8}")
            for name, passes in (
                ("saga, one buyer", r["saga"]["single"]),
                ("saga, 50 buyers", r["saga"]["concurrent"]),
            ):
                for n, p in enumerate(passes, 1):
                    rate = p.get("per_second", "")
                    cpu = p["cpu_ms_per_purchase"]["total"]
                    print(f"  {name:<26}{n:>5}{rate:>13}{p['p50_ms']:>10}{p['p95_ms']:>10}{cpu:>8}")
            for n, p in enumerate(r["legacy"], 1):
                print(f"  {'legacy, 50 threads':<26}{n:>5}{p['concurrent_per_second']:>13}")
    keys = list(new)
    print(
        f"{'median of passes':<34}"
        + "".join(f"{label:>12}" for label in figures)
        + ("   new/old" if "old" in figures else "")
    )
    for key in keys:
        if isinstance(new[key], dict):
            continue
        ratio = f"{result['ratio_new_to_old'][key]:>10}" if "old" in figures else ""
        print(f"{key:<34}" + "".join(f"{figures[label][key]:>12}" for label in figures) + ratio)
    for label in figures:
        shares = ", ".join(f"{k} {v}" for k, v in figures[label]["cpu_ms_concurrent_by_process"].items())
        print(f"CPU ms per purchase, 50 buyers, {label}: {shares}")
    targets = result["targets"]
    print(
        f"targets (new): >= {TARGET_RATE}/s {'met' if targets['per_second_met'] else 'NOT met'}, "
        f"single p95 <= {TARGET_P95_MS} ms {'met' if targets['single_p95_met'] else 'NOT met'}, "
        f"CPU <= {TARGET_CPU_MS} ms per purchase at 50 buyers "
        f"{'met' if targets['cpu_ms_per_purchase_met'] else 'NOT met'}"
    )
    print(f"written to {RESULTS.relative_to(HERE)}")


if __name__ == "__main__":
    main()
