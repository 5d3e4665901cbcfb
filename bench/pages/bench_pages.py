"""Server time of the pages people see, through the gateway, against the monolith direct.

Starts the whole platform as ``make run`` does (``e2e.stack``: SQLite, the file broker,
the demo content) on free ports, signs the demo learner in through the gateway (OIDC), then
times each page over one kept-alive connection: anonymous pages directly on the monolith
(the baseline, same run) and through the gateway, and signed-in pages through the gateway.
Prints p50/p95 side by side with the ratio gateway/direct; writes bench/results/pages.json.

    make bench-pages
"""

import http.client
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from e2e.stack import Stack, free_port_base  # noqa: E402

REQUESTS = 60
ANONYMOUS = ["/learn/", "/learn/modules/1/", "/leaderboard/", "/campaigns/", "/signup/"]
SIGNED_IN = ["/dashboard/", "/learn/", "/learn/submissions/", "/leaderboard/", "/settings/", "/teams/"]


def sign_in(base: str) -> str:
    """The gateway session cookie of the demo learner, signed in through the OIDC flow."""
    browser = requests.Session()
    form = browser.get(f"{base}/oidc/authenticate/?next=/dashboard/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    nxt = re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&")
    done = browser.post(
        form.url,
        data={
            "username": "learner",
            "password": "learner-dev-password",
            "csrfmiddlewaretoken": csrf,
            "next": nxt,
        },
        headers={"Referer": form.url, "Origin": base},
        timeout=10,
    )
    assert done.url == urljoin(base, "/dashboard/"), done.url
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def timed(port: int, host: str, path: str, cookie: str = "") -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status)
    connection.close()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2)}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as var_dir:
        stack = Stack(Path(var_dir), free_port_base())
        stack.start()
        try:
            gateway, monolith = stack.port("gateway"), stack.port("monolith")
            host = f"localhost:{gateway}"
            cookie = sign_in(f"http://{host}")
            rows = []
            for path in ANONYMOUS:
                direct = timed(monolith, host, path)
                through = timed(gateway, host, path)
                rows.append({"page": path, "who": "anonymous", "direct": direct, "gateway": through})
            for path in SIGNED_IN:
                rows.append({"page": path, "who": "learner", "gateway": timed(gateway, host, path, cookie)})
        finally:
            stack.stop()
    print(f"{'page':<22}{'who':<11}{'direct p50':>11}{'gateway p50':>13}{'p95':>8}{'ratio':>8}")
    for row in rows:
        direct = row.get("direct")
        ratio = f"{row['gateway']['p50_ms'] / direct['p50_ms']:.2f}" if direct else "-"
        print(
            f"{row['page']:<22}{row['who']:<11}{(direct or {}).get('p50_ms', '-'):>11}"
            f"{row['gateway']['p50_ms']:>13}{row['gateway']['p95_ms']:>8}{ratio:>8}"
        )
    out = ROOT / "bench" / "results" / "pages.json"
    out.write_text(json.dumps({"requests_per_page": REQUESTS, "rows": rows}, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
