"""Runner benchmark: sandboxed runs against the same program as a bare subprocess.

For each language a trivial program is built once, then run N times bare
(``subprocess.run`` in a temporary directory) and N times in the sandbox (the
run step only, as a judge does after its single compile), in the same process.
Then: end-to-end runs per second over HTTP with 2 concurrent clients against a
real runner process (gunicorn), and one 10-test judge call. Prints a table and
writes ``bench/results/runner.json``.

``--against REV`` measures the runner of git revision ``REV`` side by side in the same
run: a ``git worktree`` of ``REV`` and this tree are benchmarked in alternating rounds
(``--rounds``, each in its own process), and the file gets both series and the ratios
new/old of the medians.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from common.identity import keys  # noqa: E402
from common.identity.assertion import HEADER, Identity, issue  # noqa: E402
from common.messaging.testing import wait_for_port  # noqa: E402
from extracted.runner.sandbox import Limits, Sandbox  # noqa: E402

PROGRAMS = {
    "python": "print('hello')\n",
    "javascript": "console.log('hello');\n",
    "c": '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n',
    "cpp": '#include <iostream>\nint main(){std::cout<<"hello"<<std::endl;}\n',
    "java": 'public class Main{public static void main(String[] a){System.out.println("hello");}}\n',
    "rust": 'fn main(){println!("hello");}\n',
}
RUNS = {"java": 15}
DEFAULT_RUNS = 40
PORT = int(os.environ.get("BENCH_RUNNER_PORT", "8013"))
RESULTS = Path("bench") / "results" / "runner.json"
THROUGHPUT_SECONDS = 8.0
# The runner admits callers by identity assertion: the benchmark calls as the monolith does.
MONOLITH_KEY = keys.generate_private_pem()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(fn, count: int) -> list[float]:
    fn()  # warm caches
    times = []
    for _ in range(count):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def bench_language(box: Sandbox, language_id: str) -> dict:
    lang = box.language(language_id)
    limits = Limits()
    with box._workspace({lang.source_name: PROGRAMS[language_id].encode()}) as build:
        failed = box._compile(lang, build, {lang.source_name: b""})
        assert failed is None, failed
        step = lang.run(lang, limits)
        bare_dir = Path(tempfile.mkdtemp(prefix="bench-bare-"))
        try:
            for entry in build.iterdir():
                if entry.is_file():
                    shutil.copy2(entry, bare_dir / entry.name)
                elif entry.is_dir():
                    shutil.copytree(entry, bare_dir / entry.name)

            def bare():
                done = subprocess.run(step.argv, cwd=bare_dir, capture_output=True, check=False)
                assert done.stdout.strip() == b"hello", done

            def sandboxed():
                outcome = box._run_step(lang, build, limits, b"")
                assert outcome.stdout.strip() == b"hello", outcome

            count = RUNS.get(language_id, DEFAULT_RUNS)
            bare_ms = timed(bare, count)
            box_ms = timed(sandboxed, count)
        finally:
            shutil.rmtree(bare_dir, ignore_errors=True)
    bare_p50, box_p50 = statistics.median(bare_ms), statistics.median(box_ms)
    return {
        "runs": count,
        "bare_p50_ms": round(bare_p50, 1),
        "bare_p95_ms": round(percentile(bare_ms, 95), 1),
        "sandbox_p50_ms": round(box_p50, 1),
        "sandbox_p95_ms": round(percentile(box_ms, 95), 1),
        "overhead_p50_ms": round(box_p50 - bare_p50, 1),
        "ratio_p50": round(box_p50 / bare_p50, 2),
    }


def post(conn: http.client.HTTPConnection, path: str, body: dict) -> dict:
    assertion = issue(Identity(), audience="runner", caller="monolith", private_pem=MONOLITH_KEY)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", HEADER: assertion})
    response = conn.getresponse()
    data = json.loads(response.read())
    assert response.status == 200, (response.status, data)
    return data


def bench_http() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extracted.runner.settings.production",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RUNNER_LANGUAGES": "python",
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(keys.generate_private_pem()),
        "SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH": keys.public_pem(MONOLITH_KEY),
        # Production keeps used assertions in Redis, shared by every worker.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [
            gunicorn,
            "extracted.runner.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-k",
            "gthread",
            "--threads",
            "8",
            "-w",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if not wait_for_port(PORT, 30):
            raise RuntimeError(f"runner did not start: {server.stderr.read().decode()[-2000:]}")
        body = {"language": "python", "source": "print(input())", "stdin": "hello\n"}
        counts = [0, 0]
        latencies: list[float] = []
        stop = time.monotonic() + THROUGHPUT_SECONDS

        def client(index: int):
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            while time.monotonic() < stop:
                began = time.perf_counter()
                result = post(conn, "/api/runs", body)
                latencies.append((time.perf_counter() - began) * 1000)
                assert result["verdict"] == "accepted", result
                counts[index] += 1
            conn.close()

        began = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        tests = [{"id": str(i), "stdin": f"{i}\n", "expected_stdout": f"{i}\n"} for i in range(10)]
        judge_times = []
        for _ in range(3):
            began_judge = time.perf_counter()
            report = post(
                conn, "/api/judge", {"language": "python", "source": "print(input())", "tests": tests}
            )
            judge_times.append((time.perf_counter() - began_judge) * 1000)
            assert report["summary"]["passed"] == 10, report
        conn.close()
        return {
            "clients": 2,
            "seconds": round(elapsed, 2),
            "runs": sum(counts),
            "runs_per_second": round(sum(counts) / elapsed, 1),
            "latency_p50_ms": round(statistics.median(latencies), 1),
            "latency_p95_ms": round(percentile(latencies, 95), 1),
            "judge_10_tests_ms": round(statistics.median(judge_times), 1),
        }
    finally:
        server.terminate()
        server.wait(10)


def measure() -> dict:
    box = Sandbox()
    languages = {}
    for language_id in PROGRAMS:
        if language_id in box.languages:
            languages[language_id] = bench_language(box, language_id)
    box.close()
    http_numbers = bench_http()
    header = f"{'language':<11} {'bare p50':>9} {'bare p95':>9} {'sandbox p50':>12} {'sandbox p95':>12}"
    print(f"{header} {'overhead p50':>13} {'ratio':>6}")
    for name, row in languages.items():
        print(
            f"{name:<11} {row['bare_p50_ms']:>7.1f}ms {row['bare_p95_ms']:>7.1f}ms "
            f"{row['sandbox_p50_ms']:>10.1f}ms {row['sandbox_p95_ms']:>10.1f}ms "
            f"{row['overhead_p50_ms']:>11.1f}ms {row['ratio_p50']:>5.2f}x"
        )
    print()
    print(
        f"HTTP /api/runs, python, 2 concurrent clients for {http_numbers['seconds']} s: "
        f"{http_numbers['runs_per_second']} runs/s (target >= 30), "
        f"latency p50 {http_numbers['latency_p50_ms']} ms, p95 {http_numbers['latency_p95_ms']} ms"
    )
    print(f"HTTP /api/judge, python, 10 tests: {http_numbers['judge_10_tests_ms']} ms (median of 3)")
    python = languages.get("python", {})
    print(f"Python sandbox overhead p50: {python.get('overhead_p50_ms')} ms (target <= 15 ms)")
    return {
        "cores": os.cpu_count(),
        "cgroups": box.cgroups.report()["detail"],
        "languages": languages,
        "http": http_numbers,
    }


def _round(tree: Path) -> dict:
    """One benchmark run of the runner in ``tree``, in its own process; its figures."""
    subprocess.run([sys.executable, str(tree / "bench" / "runner" / "bench_runner.py")], cwd=tree, check=True)
    return json.loads((tree / RESULTS).read_text())


def _median_of(rounds: list[dict], *path: str) -> float:
    values = []
    for figures in rounds:
        for key in path:
            figures = figures[key]
        values.append(figures)
    return statistics.median(values)


def compare(rev: str, rounds: int) -> dict:
    """This tree against ``rev`` in alternating rounds: both series and the ratios new/old."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    old_tree = Path(tempfile.mkdtemp(prefix="bench-runner-baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), commit], cwd=ROOT, check=True)
    new, old = [], []
    try:
        for _ in range(rounds):
            old.append(_round(old_tree))
            new.append(_round(ROOT))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False)
    ratios = {}
    for language_id in new[0]["languages"]:
        if all(language_id in figures["languages"] for figures in old):
            for figure in ("overhead_p50_ms", "sandbox_p50_ms"):
                newer = _median_of(new, "languages", language_id, figure)
                older = _median_of(old, "languages", language_id, figure)
                ratios[f"{language_id}_{figure}"] = round(newer / older, 3) if older else None
    for figure in ("runs_per_second", "latency_p50_ms", "judge_10_tests_ms"):
        ratios[f"http_{figure}"] = round(_median_of(new, "http", figure) / _median_of(old, "http", figure), 3)
    print(f"\nnew / old ({rounds} alternating rounds, medians; baseline {commit[:12]}):")
    for name, ratio in ratios.items():
        print(f"  {name:<32} {ratio}")
    return {
        **new[-1],
        "comparison": {"baseline": commit, "rounds": rounds, "new": new, "old": old, "ratio_new_old": ratios},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also measure git revision REV, side by side")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds with --against (3)")
    args = parser.parse_args()
    results = compare(args.against, args.rounds) if args.against else measure()
    out = ROOT / RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
