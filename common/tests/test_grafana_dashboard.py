"""The Grafana dashboard in docs/grafana/ shows metrics that the code exports."""

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from common.observability import metrics  # noqa: F401 - registers the domain metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "polycode.json"


def test_every_polycode_metric_of_the_dashboard_is_exported():
    dashboard = json.loads(DASHBOARD.read_text())
    shown = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bpolycode_[a-z_]+", target["expr"])
    }
    exported = {sample.name for family in REGISTRY.collect() for sample in family.samples} | {
        family.name + suffix for family in REGISTRY.collect() for suffix in ("", "_total")
    }

    assert shown, "the dashboard shows no PolyCode metric"
    assert shown <= exported, shown - exported
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
