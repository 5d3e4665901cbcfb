"""Data moved inside a strangler step, through the services' own data-step APIs (no table read across).

Each side of the shop serves ``GET /api/v1/shop/migration/export`` and ``POST
/api/v1/shop/migration/import[?dry_run=true]`` (``common/api/documents.py``) to the gateway
calling on its own behalf (its service assertion): the gateway carries one side's export, a
``contracts.shop`` document, to the other side's import.

On its way out of the monolith (every forward step while the monolith sells) the legacy shop's
catalogue and purchase history go to the shop (a dry run first, then the import; idempotent,
verified per item by purchase counts, points and stock). The same dry run is the ``data
verified`` pre-check of the later steps.

On its way back (the switch going off), what the shop sold itself and its stock are recorded by
the monolith (ownership without a charge, the legacy stock set to the shop's), repeated until no
order of the shop is still in its saga.
"""

import hashlib
import json
import time

import requests

from common.identity.service import service_headers
from common.registry.base import NoInstance, get_registry
from gateway_proxy.prechecks import Check

#: A whole shop's history is exported and imported in one call.
TIMEOUT = 300.0
EXPORT_PATH = "/api/v1/shop/migration/export"
IMPORT_PATH = "/api/v1/shop/migration/import"
_session = requests.Session()


class DataStepError(Exception):
    pass


def _call(service: str, method: str, path: str, **kwargs) -> requests.Response:
    try:
        base = get_registry().choose(service).url.rstrip("/")
    except NoInstance as exc:
        raise DataStepError(f"{service} is not registered: {exc}") from exc
    headers = {**service_headers(audience=service), "Content-Type": "application/json"}
    try:
        return _session.request(method, f"{base}{path}", headers=headers, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise DataStepError(f"{service} cannot be reached: {exc}") from exc


def export(service: str) -> bytes:
    """``service``'s export document, as it sent it."""
    response = _call(service, "GET", EXPORT_PATH)
    if response.status_code != 200:
        raise DataStepError(f"{service}'s export answered {response.status_code}: {response.text[:500]}")
    return response.content


def import_into(service: str, document: bytes, *, dry_run: bool) -> tuple[bool, str]:
    """``(ok, report)`` of ``service`` importing ``document`` (``dry_run``: verified, rolled back)."""
    response = _call(service, "POST", IMPORT_PATH + ("?dry_run=true" if dry_run else ""), data=document)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (200, 409) and isinstance(body, dict) and isinstance(body.get("report"), list):
        return response.status_code == 200 and body.get("ok") is True, "\n".join(map(str, body["report"]))
    raise DataStepError(f"{service}'s import answered {response.status_code}: {response.text[:500]}")


def _legacy_export() -> tuple[bytes, str]:
    raw = export("monolith")
    document = json.loads(raw)
    summary = (
        f"exported {len(document['items'])} item(s), {len(document['purchases'])} purchase(s), "
        f"{sum(p['price_paid'] for p in document['purchases'])} points; "
        f"sha256 {hashlib.sha256(raw).hexdigest()[:16]}"
    )
    return raw, summary


def shop_verified() -> Check:
    """The shop holds what the monolith exports now (dry run of the import: nothing written)."""
    try:
        raw, summary = _legacy_export()
        ok, report = import_into("shop", raw, dry_run=True)
    except DataStepError as exc:
        return Check("shop data verified", False, str(exc))
    ok = ok and "items 0 new" in report and "orders 0 new" in report
    first = report.splitlines()[0] if report else ""
    detail = f"{summary}; {first}" + ("" if ok else " (not imported yet, or differs)")
    return Check("shop data verified", ok, detail)


def _dry_run_then_import(service: str, document: bytes, label: str, out) -> bool:
    """``service`` imports ``document`` once for a dry run, then for real if that verified."""
    for step, dry_run in (("dry run", True), (label, False)):
        ok, report = import_into(service, document, dry_run=dry_run)
        out(f"{step}:\n{report}")
        if not ok:
            return False
    return True


def shop_import(out) -> bool:
    """Export, dry run, import; prints each report through ``out``. False when any part failed."""
    try:
        raw, summary = _legacy_export()
        out(summary)
        if not _dry_run_then_import("shop", raw, "import", out):
            return False
    except DataStepError as exc:
        out(str(exc))
        return False
    return True


def shop_sales_back(out, *, settle_seconds: float = 30.0) -> bool:
    """The shop's own sales and stock into the legacy shop (export, dry run, import), repeated until
    no order of the shop is still in its saga (at most ``settle_seconds``). False when a part failed."""
    deadline = time.monotonic() + settle_seconds
    while True:
        try:
            raw = export("shop")
            document = json.loads(raw)
            pending = document.get("pending", 0)
            out(
                f"exported {len(document['sales'])} sale(s), {len(document['stock'])} stock line(s), "
                f"{pending} order(s) pending"
            )
            if not _dry_run_then_import("monolith", raw, "record", out):
                return False
        except DataStepError as exc:
            out(str(exc))
            return False
        if not pending:
            return True
        if time.monotonic() > deadline:
            out(f"{pending} order(s) of the shop still pending after {settle_seconds:.0f} s")
            return False
        time.sleep(1.0)


#: Per capability's ``data``: the pre-check, the copy to the service, the copy back to the monolith.
VERIFY = {"shop": shop_verified}
TO_SERVICE = {"shop": shop_import}
TO_MONOLITH = {"shop": shop_sales_back}
