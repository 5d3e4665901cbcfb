"""The chart rendered by the real Helm engine, as a library, for each value set.

``helm-python-sdk`` binds Helm's own Go SDK (no helm binary): ``Chart.load(...).render``
is what ``helm template`` does, and ``lint`` is ``helm lint``. No cluster runs here.
"""

from pathlib import Path

import helm_python as helm
import pytest
import yaml

CHART = Path(__file__).resolve().parents[1] / "polycode"
VALUE_SETS = {
    "default": None,
    "production": CHART / "values-production.yaml",
    "minimal": CHART / "values-minimal.yaml",
}
RELEASE, NAMESPACE = "polycode", "polycode"


def values_of(value_set: str) -> dict | None:
    path = VALUE_SETS[value_set]
    return yaml.safe_load(path.read_text()) if path else None


def render(values: dict | None) -> list[dict]:
    """Every object the chart renders (hooks included), in a stable order."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    objects = []
    for path in sorted(manifests):
        if path.endswith("NOTES.txt"):  # shown to the installer, not applied
            continue
        objects.extend(d for d in yaml.safe_load_all(manifests[path]) if d)
    return objects


_rendered: dict[str, list[dict]] = {}


@pytest.fixture(params=list(VALUE_SETS), scope="session")
def value_set(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def objects(value_set) -> list[dict]:
    if value_set not in _rendered:
        _rendered[value_set] = render(values_of(value_set))
    return _rendered[value_set]


def pod_specs(objects: list[dict]) -> list[tuple[str, dict, dict]]:
    """(name, pod template metadata, pod spec) of every workload."""
    found = []
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            template = obj["spec"]["template"]
            found.append((obj["metadata"]["name"], template["metadata"], template["spec"]))
    return found


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def settings(value_set: str) -> dict:
    """The values the release used (defaults overlaid with the value set)."""
    with helm.Chart.load(CHART) as chart:
        return chart.merge_values(values_of(value_set))


def selects(selector: dict, labels: dict) -> bool:
    """Whether a label selector (matchLabels, matchExpressions) selects these labels."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        value = labels.get(expression["key"])
        if expression["operator"] == "In" and value not in expression["values"]:
            return False
        if expression["operator"] == "NotIn" and value in expression["values"]:
            return False
        if expression["operator"] == "Exists" and value is None:
            return False
    return True


def policies_for(objects, labels):
    return [p for p in of_kind(objects, "NetworkPolicy") if selects(p["spec"]["podSelector"], labels)]
