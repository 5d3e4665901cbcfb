"""Data moved inside a strangler step, with the services' own commands (no table is read across).

The shop: on its way back (the switch going off), what the shop sold itself and its stock are
exported by the shop (``export_shop_sales``) and recorded by the monolith (``import_shop_sales``:
ownership without a charge, the legacy stock set to the shop's), before the switch goes off and
again after, until no order of the shop is still in its saga.

On its way out of the monolith (``legacy → shadow``) its catalogue and purchase history
are exported by the monolith (``export_legacy_shop``) and imported by the shop
(``import_legacy_shop``: a dry run first, then the import; idempotent, verified per item by
purchase counts, points and stock). The same dry run is the ``data verified`` pre-check of the
later steps.

Each command runs as its own service (``POLYCODE_SERVICE``, with this process's
``POLYCODE_ENV`` and environment), so the control must run where every service's configuration
is (a one-host deployment, or an operator's toolbox with every service's settings).
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from gateway_proxy.prechecks import Check

COMMAND_TIMEOUT = 300


@dataclass(frozen=True)
class Run:
    ok: bool
    output: str


def run_as(service: str, *args: str) -> Run:
    """``manage.py ARGS`` as the service named ``service``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["POLYCODE_SERVICE"] = service
    manage = Path(settings.BASE_DIR) / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), *args], env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )
    return Run(done.returncode == 0, (done.stdout + done.stderr).strip())


def _export(directory: str) -> tuple[Path | None, str]:
    path = Path(directory) / "legacy_shop.json"
    run = run_as("monolith", "export_legacy_shop", "--output", str(path))
    if not run.ok:
        return None, f"export failed: {run.output[-800:]}"
    raw = path.read_bytes()
    document = json.loads(raw)
    summary = (
        f"exported {len(document['items'])} item(s), {len(document['purchases'])} purchase(s), "
        f"{sum(p['price_paid'] for p in document['purchases'])} points; "
        f"sha256 {hashlib.sha256(raw).hexdigest()[:16]}"
    )
    return path, summary


def shop_verified() -> Check:
    """The shop holds what the monolith exports now (dry run of the import: nothing written)."""
    with tempfile.TemporaryDirectory() as directory:
        path, summary = _export(directory)
        if path is None:
            return Check("shop data verified", False, summary)
        run = run_as("shop", "import_legacy_shop", "--source", str(path), "--dry-run")
    ok = run.ok and "items 0 new" in run.output and "orders 0 new" in run.output
    last = run.output.splitlines()[0] if run.output else ""
    detail = f"{summary}; {last}" + ("" if ok else " (not imported yet, or differs)")
    return Check("shop data verified", ok, detail)


def shop_import(out) -> bool:
    """Export, dry run, import; prints each report through ``out``. False when any part failed."""
    with tempfile.TemporaryDirectory() as directory:
        path, summary = _export(directory)
        out(summary)
        if path is None:
            return False
        for label, extra in (("dry run", ("--dry-run",)), ("import", ())):
            run = run_as("shop", "import_legacy_shop", "--source", str(path), *extra)
            out(f"{label}:\n{run.output}")
            if not run.ok:
                return False
    return True


def shop_sales_back(out, *, settle_seconds: float = 30.0) -> bool:
    """The shop's own sales and stock into the legacy shop (export, dry run, import), repeated until
    no order of the shop is still in its saga (at most ``settle_seconds``). False when a part failed."""
    deadline = time.monotonic() + settle_seconds
    while True:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "shop_sales.json"
            run = run_as("shop", "export_shop_sales", "--output", str(path))
            out(run.output)
            if not run.ok:
                return False
            pending = json.loads(path.read_bytes()).get("pending", 0)
            for label, extra in (("dry run", ("--dry-run",)), ("record", ())):
                run = run_as("monolith", "import_shop_sales", "--source", str(path), *extra)
                out(f"{label}:\n{run.output}")
                if not run.ok:
                    return False
        if not pending:
            return True
        if time.monotonic() > deadline:
            out(f"{pending} order(s) of the shop still pending after {settle_seconds:.0f} s")
            return False
        time.sleep(1.0)


VERIFY = {"shop": shop_verified}
IMPORT = {"shop": shop_import}
EXPORT_BACK = {"shop": shop_sales_back}
