"""Identity assertion benchmark: per-request signing and verification with PyJWT against the former hand path.

Each request through the gateway costs one ``issue`` (the gateway signs) and one
``verify`` (the upstream checks signature, audience, issuer, lifetime and the replay
cache; a local-memory cache here). The library path is ``common.identity.assertion``
as it is; the hand path, kept below only as this benchmark's baseline, is the
previous code: the JWS signing input built with ``base64``/``json`` and the header
read with the standard library (the rest of ``verify`` is the same). Both run in
alternating repeats in one process. The extra cost of the library is set against the
gateway's end-to-end figures per request at concurrency 1 from
``bench/results/gateway.json`` (CPU of the gateway, added latency). Prints a table and
writes ``bench/results/identity.json``.
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

from common.identity import keys  # noqa: E402

PRIVATE_PEM = keys.generate_private_pem()
settings.configure(
    SERVICE_NAME="monolith",
    GATEWAY_ASSERTION_PRIVATE_KEY=PRIVATE_PEM,
    GATEWAY_ASSERTION_PUBLIC_KEY=keys.public_pem(PRIVATE_PEM),
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10**6},
        }
    },
)
django.setup()

from common.identity import assertion  # noqa: E402

CALLS = 2000
REPEATS = 7
USER = assertion.Identity(
    user_id="7", username="ada", email="ada@example.com", roles=("learner",), request_id="req-12345678"
)


# -- the former hand path (baseline only) ------------------------------------------------


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


KEY = keys.load_private_key(PRIVATE_PEM)
HAND_HEADER = _b64(
    json.dumps(
        {"alg": "EdDSA", "kid": keys.key_id(KEY.public_key()), "typ": "JWT"}, separators=(",", ":")
    ).encode()
)


def hand_issue(identity, *, audience: str, ttl: int = assertion.DEFAULT_TTL_SECONDS) -> str:
    payload = assertion.claims(identity, audience=audience, ttl=ttl)
    signing_input = HAND_HEADER + b"." + _b64(json.dumps(payload, separators=(",", ":")).encode())
    return (signing_input + b"." + _b64(KEY.sign(signing_input))).decode()


def hand_header(token: str) -> dict:
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError) as exc:
        raise assertion.InvalidAssertion("Malformed identity assertion.") from exc
    if not isinstance(header, dict):
        raise assertion.InvalidAssertion("Malformed identity assertion.")
    return header


# -- measurement -------------------------------------------------------------------------


def per_call_us(fn, items) -> float:
    """CPU time per call (this process's, so time the shared cores spend elsewhere is not counted)."""
    began = time.process_time()
    for item in items:
        fn(item)
    return (time.process_time() - began) / len(items) * 1e6


def one_repeat(path: str) -> dict:
    library_header = assertion._unverified_header
    sign = (
        (lambda _: assertion.issue(USER, audience="monolith"))
        if path == "library"
        else (lambda _: hand_issue(USER, audience="monolith"))
    )
    sign_us = per_call_us(sign, range(CALLS))
    tokens = [sign(None) for _ in range(CALLS)]
    if path == "hand":
        assertion._unverified_header = hand_header
    try:
        verify_us = per_call_us(assertion.verify, tokens)
    finally:
        assertion._unverified_header = library_header
    return {"sign_us": sign_us, "verify_us": verify_us, "request_us": sign_us + verify_us}


def gateway_figures() -> dict:
    """The gateway's per-request figures at concurrency 1 (median over passes and endpoints)."""
    summary = json.loads((ROOT / "bench" / "results" / "gateway.json").read_text())["summary"]
    rows = [row for row in summary if row["proxy"] == "gateway" and row["concurrency"] == 1]
    return {
        "cpu_ms_per_request": statistics.median(row["cpu_ms_per_request"] for row in rows),
        "added_p50_ms": statistics.median(row["added_p50_ms"] for row in rows),
    }


def main() -> int:
    assert assertion.verify(assertion.issue(USER, audience="monolith")) == USER
    assert assertion.verify(hand_issue(USER, audience="monolith")) == USER
    series = {"library": [], "hand": []}
    for path in ("library", "hand"):
        one_repeat(path)  # warm up
    for _ in range(REPEATS):
        for path in ("library", "hand"):
            series[path].append(one_repeat(path))
    # The best repeat of each path: the least disturbed by other work on the machine.
    best = {
        path: {figure: round(min(r[figure] for r in rows), 1) for figure in rows[0]}
        for path, rows in series.items()
    }
    extra_us = best["library"]["request_us"] - best["hand"]["request_us"]
    gateway = gateway_figures()
    share = {
        "library_request_of_gateway_cpu": round(
            best["library"]["request_us"] / 1000 / gateway["cpu_ms_per_request"], 3
        ),
        "library_extra_of_gateway_cpu": round(extra_us / 1000 / gateway["cpu_ms_per_request"], 3),
        "library_extra_of_gateway_added_p50": round(extra_us / 1000 / gateway["added_p50_ms"], 3),
    }
    print(f"{'path':<8} {'sign':>9} {'verify':>9} {'per request':>12}  (CPU, best of {REPEATS})")
    for path, row in best.items():
        print(f"{path:<8} {row['sign_us']:>7.1f}us {row['verify_us']:>7.1f}us {row['request_us']:>10.1f}us")
    print(
        f"library - hand: {extra_us:.1f} us per request = {share['library_extra_of_gateway_cpu']:.1%} of the "
        f"gateway's {gateway['cpu_ms_per_request']} CPU-ms per request, "
        f"{share['library_extra_of_gateway_added_p50']:.1%} of its {gateway['added_p50_ms']} ms added p50 "
        f"(the 15 % rule does not apply to security code: the library is used)"
    )
    results = {
        "calls": CALLS,
        "repeats": REPEATS,
        "best_cpu_us": best,
        "library_extra_us_per_request": round(extra_us, 1),
        "ratio_library_hand_per_request": round(
            best["library"]["request_us"] / best["hand"]["request_us"], 3
        ),
        "gateway_per_request": gateway,
        "share": share,
    }
    out = ROOT / "bench" / "results" / "identity.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
