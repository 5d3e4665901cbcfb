"""gunicorn settings of every PolyCode service (read from the working directory).

gunicorn would take the request's scheme from ``X-Forwarded-Proto`` when the peer
is on loopback; the services decide that themselves, from the proxies configured
by address (``common/identity/proxies.py``).

Metrics (common/observability/metrics.py): the workers of one gunicorn share a fresh
prometheus_client multiprocess directory, so a scrape of /metrics, whichever worker
answers it, sums every worker's samples. A directory given in PROMETHEUS_MULTIPROC_DIR
is used as is (it must be emptied before the server starts).
"""

import os
import shutil
import tempfile

forwarded_allow_ips = ""
secure_scheme_headers = {}

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="polycode-metrics-")
    _own_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
else:
    _own_metrics_dir = None


def when_ready(server):
    # Processes without Django's /metrics of their own (the gateway, whose public port
    # refuses /metrics) export on METRICS_PORT, served by the master.
    if port := os.environ.get("METRICS_PORT"):
        from common.observability.metrics import serve

        serve(int(port))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
