#!/usr/bin/env python3
"""Gateway benchmark: the same endpoints called directly, through the gateway, through nginx.

Starts, on loopback ports: the upstream (gunicorn gthread), the gateway
(gunicorn gevent as in the Procfile, a route to the upstream, bearer-token
authentication and rate limiting on), the same gateway under the threaded workers it
ran under before (gthread, 2 x 8: the cost of gevent's slow-client protection) and
nginx as a plain reverse proxy with upstream keep-alive. wrk drives each at
concurrency 1, 16 and 64, two passes.
Prints added p50/p99 latency and throughput ratios against direct, and the
CPU time each proxy spends per request (from /proc/<pid>/stat), and writes
everything to bench/results/gateway.json.

``--old-tree DIR`` (or ``BENCH_OLD_TREE``) also starts the gateway of another
checkout (e.g. ``git worktree add --detach DIR <previous commit>``) the same way
(gevent), measured in the same run as ``gateway-old``; the new/old ratios of added
p50 and CPU per request go to bench/results/gateway-new-vs-old.json.
``BENCH_CONCURRENCY``, ``BENCH_PASSES``, ``BENCH_SECONDS`` change the runs;
``BENCH_RESULTS_TAG`` is appended to the result files' names.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(HERE)]

from bench.cpu import cpu_seconds  # noqa: E402 - importable once the root is on the path
from common.messaging.testing import free_port, wait_for_port  # noqa: E402

PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
DURATION = int(os.environ.get("BENCH_SECONDS", "4"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,16,64").split(",")]
PASSES = int(os.environ.get("BENCH_PASSES", "2"))
ENDPOINTS = {"trivial": "/bench/trivial", "db": "/bench/items"}
# As in the Procfile: one gateway process per core.
GATEWAY_WORKERS = os.environ.get("BENCH_GATEWAY_WORKERS", "2")
# Appended to the result files' names, e.g. "-c1" for a run at concurrency 1 only.
RESULTS_TAG = os.environ.get("BENCH_RESULTS_TAG", "")


def ensure_tools() -> None:
    missing = [
        pkg
        for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light"))
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}")
    ]
    if missing:
        print(f"installing {' '.join(missing)} from Debian's packages", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env={**os.environ,
                       "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip


def family(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *(int(c) for c in children)]


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse_wrk(out: str) -> dict:
    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * _UNITS[m.group(2)]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk(url: str, concurrency: int, headers: dict[str, str], duration: int = DURATION) -> dict:
    args = ["wrk", "--latency", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d", f"{duration}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    upstream bench {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://bench;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--old-tree", default=os.environ.get("BENCH_OLD_TREE", ""),
                        help="a checkout of the previous gateway, measured beside this one")  # fmt: skip
    args = parser.parse_args()
    old_tree = Path(args.old_tree).resolve() if args.old_tree else None
    ensure_tools()
    from upstream import create_db

    from gateway_proxy.tests.servers import Issuer

    work = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    procs: list[subprocess.Popen] = []
    issuer = Issuer()
    try:
        db = work / "items.sqlite3"
        create_db(str(db))
        up_port, gw_port, nx_port, gt_port = free_port(), free_port(), free_port(), free_port()
        env = {**os.environ, "BENCH_DB": str(db), "PYTHONPATH": f"{ROOT}:{HERE}"}
        procs.append(subprocess.Popen(
            [GUNICORN, "upstream:application", "-b", f"127.0.0.1:{up_port}", "-k", "gthread",
             "-w", "1", "--threads", "32", "--log-level", "warning"], cwd=ROOT, env=env))  # fmt: skip

        from common.identity.keys import generate_private_pem

        gw_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "gateway_proxy.settings.production",
            "SECRET_KEY": "bench-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GATEWAY_DATABASE_URL": f"sqlite:///{work / 'gateway.sqlite3'}",
            "POLYCODE_VAR_DIR": str(work),
            "OIDC_ISSUER": issuer.issuer,
            "OIDC_RP_CLIENT_ID": "polycode-gateway",
            "OIDC_RP_CLIENT_SECRET": "bench",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "GATEWAY_ASSERTION_PRIVATE_KEY": generate_private_pem(),
            "SERVICE_ASSERTION_PRIVATE_KEY": generate_private_pem(),
            "SERVICE_URL_BENCH": f"http://127.0.0.1:{up_port}",
            "GATEWAY_RATE_LIMIT_USER": "100000000",
            "GATEWAY_RATE_LIMIT_IP": "100000000",
            "LOG_LEVEL": "INFO",  # the access log stays on, as in production (to a file here)
        }
        manage = [PY, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=gw_env, check=True)
        subprocess.run([*manage, "route", "set", "/bench/", "--mode", "extracted", "--legacy", "",
                        "--extracted", "bench", "--actor", "bench"], cwd=ROOT, env=gw_env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        gateway = subprocess.Popen(
            [GUNICORN, "gateway_proxy.wsgi:application", "-b", f"127.0.0.1:{gw_port}", "-k", "gevent",
             "-w", GATEWAY_WORKERS, "--worker-connections", "1000", "--log-level", "warning"],
            cwd=ROOT, env=gw_env, stderr=(work / "gateway.log").open("w"))  # fmt: skip
        procs.append(gateway)
        # The same gateway under the threaded workers it ran under before gevent (2 x 8 threads),
        # measured in the same run: what the slow-client protection costs.
        threaded = subprocess.Popen(
            [GUNICORN, "gateway_proxy.wsgi:application", "-b", f"127.0.0.1:{gt_port}", "-k", "gthread",
             "-w", GATEWAY_WORKERS, "--threads", "8", "--log-level", "warning"],
            cwd=ROOT, env=gw_env, stderr=(work / "gateway-threads.log").open("w"))  # fmt: skip
        procs.append(threaded)
        old_port = free_port()
        if old_tree:
            # The previous gateway's code, started as the Procfile starts this one, on the same
            # route table and upstream.
            old = subprocess.Popen(
                [GUNICORN, "gateway_proxy.wsgi:application", "-b", f"127.0.0.1:{old_port}", "-k", "gevent",
                 "-w", GATEWAY_WORKERS, "--worker-connections", "1000", "--log-level", "warning"],
                cwd=old_tree, env={**gw_env, "PYTHONPATH": f"{old_tree}:{HERE}"},
                stderr=(work / "gateway-old.log").open("w"))  # fmt: skip
            procs.append(old)
        (work / "nginx").mkdir()
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=work / "nginx", upstream=up_port, port=nx_port))
        nginx = subprocess.Popen(
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-c",
                str(conf),
                "-p",
                str(work / "nginx"),
                "-g",
                "daemon off;",
            ]
        )
        procs.append(nginx)
        for port in (up_port, gw_port, gt_port, nx_port, *([old_port] if old_tree else [])):
            if not wait_for_port(port, 30):
                raise RuntimeError(f"nothing listens on {port}")
        time.sleep(0.5)

        token = issuer.token(sub="1", username="bench", ttl=3600)
        auth = {"Authorization": f"Bearer {token}"}
        targets = {
            "direct": (f"http://127.0.0.1:{up_port}", {}, procs[0].pid),
            "gateway": (f"http://127.0.0.1:{gw_port}", auth, gateway.pid),
            "gateway-threads": (f"http://127.0.0.1:{gt_port}", auth, threaded.pid),
            "nginx": (f"http://127.0.0.1:{nx_port}", {}, nginx.pid),
        }
        if old_tree:
            targets["gateway-old"] = (f"http://127.0.0.1:{old_port}", auth, old.pid)
        for base, headers, _ in targets.values():  # warm up pools, JWKS, token cache
            wrk(base + ENDPOINTS["db"], 4, headers, duration=1)

        runs = []
        for pass_no in range(1, PASSES + 1):
            for endpoint, path in ENDPOINTS.items():
                for concurrency in CONCURRENCY:
                    for name, (base, headers, pid) in targets.items():
                        pids = family(pid) if pid else []
                        before = sum(map(cpu_seconds, pids))
                        result = wrk(base + path, concurrency, headers)
                        spent = sum(map(cpu_seconds, pids)) - before
                        result.update(
                            pass_no=pass_no, endpoint=endpoint, concurrency=concurrency, target=name
                        )
                        if pid:
                            result["proxy_cpu_ms_per_request"] = round(
                                1000 * spent / max(1, result["requests"]), 3
                            )
                        runs.append(result)
                        print(
                            f"pass {pass_no} {endpoint:<7} c={concurrency:<3} {name:<15} "
                            f"p50={result['p50_ms']:.2f}ms p99={result['p99_ms']:.2f}ms "
                            f"rps={result['rps']:.0f}"
                            + (f" cpu/req={result['proxy_cpu_ms_per_request']:.3f}ms" if pid else "")
                            + (f" NON-2XX={result['non_2xx']}" if result["non_2xx"] else ""),
                            flush=True,
                        )
        summary = summarise(runs, PROXIES + (("gateway-old",) if old_tree else ()))
        print_summary(summary)
        out = ROOT / "bench" / "results" / f"gateway{RESULTS_TAG}.json"
        out.write_text(
            json.dumps({"duration_s": DURATION, "runs": runs, "summary": summary}, indent=2) + "\n"
        )
        print(f"\nwritten to {out.relative_to(ROOT)}")
        if old_tree:
            old_commit = subprocess.run(["git", "-C", str(old_tree), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()  # fmt: skip
            new_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()  # fmt: skip
            rows = compare(summary)
            print_comparison(rows)
            out = ROOT / "bench" / "results" / f"gateway-new-vs-old{RESULTS_TAG}.json"
            out.write_text(json.dumps({"duration_s": DURATION, "new": new_commit, "old": old_commit,
                                       "rows": rows}, indent=2) + "\n")  # fmt: skip
            print(f"written to {out.relative_to(ROOT)}")
        return 0
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        issuer.close()
        shutil.rmtree(work, ignore_errors=True)


PROXIES = ("gateway", "gateway-threads", "nginx")


def summarise(runs: list[dict], proxies: tuple[str, ...]) -> list[dict]:
    rows = []
    for pass_no in sorted({r["pass_no"] for r in runs}):
        for endpoint in ENDPOINTS:
            for concurrency in CONCURRENCY:
                key = (pass_no, endpoint, concurrency)
                pick = {
                    r["target"]: r for r in runs if (r["pass_no"], r["endpoint"], r["concurrency"]) == key
                }
                direct = pick["direct"]
                for proxy in proxies:
                    r = pick[proxy]
                    rows.append({
                        "pass": pass_no, "endpoint": endpoint, "concurrency": concurrency, "proxy": proxy,
                        "added_p50_ms": round(r["p50_ms"] - direct["p50_ms"], 3),
                        "added_p99_ms": round(r["p99_ms"] - direct["p99_ms"], 3),
                        "throughput_ratio": round(r["rps"] / direct["rps"], 3),
                        "cpu_ms_per_request": r.get("proxy_cpu_ms_per_request"),
                    })  # fmt: skip
    return rows


def print_summary(rows: list[dict]) -> None:
    print("\nadded latency and throughput against direct (same run)")
    print(
        f"{'pass':<5}{'endpoint':<9}{'conc':<6}{'proxy':<16}{'+p50 ms':>9}{'+p99 ms':>9}"
        f"{'x direct':>10}{'CPU ms/req':>12}"
    )
    for r in rows:
        print(
            f"{r['pass']:<5}{r['endpoint']:<9}{r['concurrency']:<6}{r['proxy']:<16}{r['added_p50_ms']:>9.2f}"
            f"{r['added_p99_ms']:>9.2f}{r['throughput_ratio']:>10.2f}{r['cpu_ms_per_request']:>12.3f}"
        )


def ratio(new: float, old: float) -> float | None:
    return round(new / old, 3) if old > 0 else None


def compare(summary: list[dict]) -> list[dict]:
    """New/old ratios of added p50 and CPU per request, per pass, endpoint and concurrency."""
    rows = []
    for new in (r for r in summary if r["proxy"] == "gateway"):
        old = next(
            r for r in summary
            if r["proxy"] == "gateway-old" and (r["pass"], r["endpoint"], r["concurrency"])
            == (new["pass"], new["endpoint"], new["concurrency"])
        )  # fmt: skip
        rows.append({
            "pass": new["pass"], "endpoint": new["endpoint"], "concurrency": new["concurrency"],
            "added_p50_ms_new": new["added_p50_ms"], "added_p50_ms_old": old["added_p50_ms"],
            "added_p50_ratio": ratio(new["added_p50_ms"], old["added_p50_ms"]),
            "cpu_ms_new": new["cpu_ms_per_request"], "cpu_ms_old": old["cpu_ms_per_request"],
            "cpu_ratio": round(new["cpu_ms_per_request"] / old["cpu_ms_per_request"], 3),
            "throughput_ratio": round(new["throughput_ratio"] / old["throughput_ratio"], 3),
        })  # fmt: skip
    return rows


def print_comparison(rows: list[dict]) -> None:
    print("\nthis gateway against the old tree's (same run): new / old")
    print(f"{'pass':<5}{'endpoint':<9}{'conc':<6}{'+p50 new':>9}{'+p50 old':>9}{'ratio':>7}"
          f"{'CPU new':>9}{'CPU old':>9}{'ratio':>7}{'rps ratio':>10}")  # fmt: skip
    for r in rows:
        p50_ratio = f"{r['added_p50_ratio']:.2f}" if r["added_p50_ratio"] is not None else "-"
        print(f"{r['pass']:<5}{r['endpoint']:<9}{r['concurrency']:<6}{r['added_p50_ms_new']:>9.2f}"
              f"{r['added_p50_ms_old']:>9.2f}{p50_ratio:>7}{r['cpu_ms_new']:>9.3f}{r['cpu_ms_old']:>9.3f}"
              f"{r['cpu_ratio']:>7.2f}{r['throughput_ratio']:>10.2f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
