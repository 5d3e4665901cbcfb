"""Keystroke-to-peer latency of the live interview pad, through the gateway and direct.

Starts the whole platform as ``make run`` does (``e2e.stack``; or uses the one named by
``E2E_STACK=<port base>:<var dir>``, see e2e/README.md), opens one pad per path for the
demo recruiter's team and connects two editors to each with the candidate's link. Editor A
pushes one character at a time (the message ``@codemirror/collab`` sends for a keystroke)
and the time until editor B receives it is measured: through the gateway (gunicorn gevent,
the WebSocket spliced by ``gateway_proxy/proxy/websocket.py``) and directly on the
``monolith-ws`` process (daphne), the baseline, interleaved in the same run.
Prints p50/p95/mean per path and the gateway's added time; writes bench/results/pad.json.

    make bench-pad                  # BENCH_KEYSTROKES (default 300) per path
"""

import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from e2e.stack import Stack, free_port_base  # noqa: E402

KEYSTROKES = int(os.environ.get("BENCH_KEYSTROKES", "300"))
WARMUP = 20
OPEN_PAD = (
    "from monolith.accounts.models import Team; from monolith.interviews.pad import services; "
    "from django.contrib.auth import get_user_model; "
    "u = get_user_model().objects.get(username='recruiter'); "
    "t = Team.objects.filter(kind='recruiting', memberships__user=u).first(); "
    "p = services.pad_open(team=t, by=u, title='bench', language='python')"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Pair:
    """Two editors of one pad; ``keystroke`` is one character typed by A, timed until B has it."""

    def __init__(self, url: str, origin: str):
        self.url, self.origin = url, origin

    async def __aenter__(self):
        self.a = await connect(self.url, origin=self.origin, max_size=None)
        self.b = await connect(self.url, origin=self.origin, max_size=None)
        hello_a = json.loads(await self.a.recv())
        json.loads(await self.b.recv())
        self.version, self.length = hello_a["version"], len(hello_a["doc"])
        return self

    async def __aexit__(self, *exc):
        await self.a.close()
        await self.b.close()

    async def keystroke(self) -> float:
        changes = [self.length, [0, "x"]] if self.length else [[0, "x"]]
        message = {
            "type": "push",
            "version": self.version,
            "updates": [{"clientID": "a", "changes": changes}],
        }
        started = time.perf_counter()
        await self.a.send(json.dumps(message))
        while True:
            got = json.loads(await self.b.recv())
            if got["type"] == "updates":
                break
        elapsed = time.perf_counter() - started
        while json.loads(await self.a.recv())["type"] != "updates":  # A's own confirmation
            pass
        self.version += 1
        self.length += 1
        return elapsed


async def measure(paths: dict[str, str], origin: str) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in paths}
    pairs = {name: Pair(url, origin) for name, url in paths.items()}
    for pair in pairs.values():
        await pair.__aenter__()
    try:
        for index in range(WARMUP + KEYSTROKES):
            for name, pair in pairs.items():  # interleaved: both paths see the same machine load
                elapsed = await pair.keystroke()
                if index >= WARMUP:
                    samples[name].append(elapsed * 1000)
    finally:
        for pair in pairs.values():
            await pair.__aexit__(None, None, None)
    return samples


def main() -> None:
    if os.environ.get("E2E_STACK"):
        base, var_dir = os.environ["E2E_STACK"].split(":", 1)
        stack, owned = Stack(Path(var_dir), int(base)), False
    else:
        stack, owned = (
            Stack(Path(tempfile.mkdtemp(prefix="polycode-bench-pad-")) / "var", free_port_base()),
            True,
        )
        print("starting the platform (bin/run)…", flush=True)
        stack.start()
    try:
        tokens = [stack.query("monolith", OPEN_PAD, "services.link_token(p)") for _ in range(2)]
        gateway = f"ws://localhost:{stack.port('gateway')}/pad/ws/c/{tokens[0]}"
        direct = f"ws://127.0.0.1:{stack.port('monolith-ws')}/pad/ws/c/{tokens[1]}"
        samples = asyncio.run(measure({"direct": direct, "gateway": gateway}, origin=stack.url))
    finally:
        if owned:
            stack.stop()
    result = {
        "what": "keystroke-to-peer latency of the live pad: a push by editor A until editor B has it (ms)",
        "keystrokes_per_path": KEYSTROKES,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "layer": "in-memory channel layer (embedded default), SQLite",
        "paths": {},
    }
    for name, values in samples.items():
        result["paths"][name] = {
            "p50_ms": round(percentile(values, 0.50), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
            "mean_ms": round(statistics.fmean(values), 2),
        }
    for key in ("p50_ms", "p95_ms", "mean_ms"):
        result.setdefault("gateway_added", {})[key] = round(
            result["paths"]["gateway"][key] - result["paths"]["direct"][key], 2
        )
    print(f"{'path':<10} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, row in result["paths"].items():
        print(f"{name:<10} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['mean_ms']:>8}")
    added = result["gateway_added"]
    print(f"gateway adds {added['p50_ms']} ms at p50, {added['p95_ms']} ms at p95")
    out = ROOT / "bench" / "results" / "pad.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
