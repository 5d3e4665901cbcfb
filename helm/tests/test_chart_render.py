"""The chart renders, lints and validates for the default, production and minimal values.

Kubernetes objects are validated with kubernetes-validate against the pinned
Kubernetes version in strict mode (unknown fields are errors); KEDA and Consul
objects against their projects' CRD schemas, vendored in crds/ (see SOURCES.md),
just as strictly. Where a cluster exists, ``helm upgrade --install --dry-run=server``
is the same check against the live API server.
"""

from pathlib import Path

import helm_python as helm
import jsonschema
import kubernetes_validate
import pytest
import yaml

from conftest import CHART, VALUE_SETS, of_kind, render, values_of

KUBERNETES_VERSION = "1.34.0"
CRDS = Path(__file__).resolve().parent / "crds"
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("consul.hashicorp.com/v1alpha1", "ServiceIntentions"),
    ("consul.hashicorp.com/v1alpha1", "ServiceDefaults"),
}


def strict(schema):
    """A CRD's OpenAPI schema as a JSON schema that refuses unknown fields (like kubectl --strict)."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


def crd_schemas() -> dict[tuple[str, str], dict]:
    schemas = {}
    for path in CRDS.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            # apiVersion, kind and metadata are the API server's to check; the body is the CRD's.
            schema["properties"]["metadata"] = {"type": "object"}
            schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


SCHEMAS = crd_schemas()


def validate(obj: dict) -> None:
    key = (obj["apiVersion"], obj["kind"])
    if key in SCHEMAS:
        jsonschema.validate(obj, SCHEMAS[key])
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_chart_lints_clean_with_helm(value_set):
    report = helm.lint(CHART, values_of(value_set), strict=True, kube_version=f"v{KUBERNETES_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_every_rendered_object_validates_against_its_schema(objects):
    assert objects
    for obj in objects:
        validate(obj)


def test_the_vendored_crd_schemas_cover_every_custom_kind_the_chart_uses(objects):
    assert set(SCHEMAS) >= CUSTOM_KINDS
    builtin = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
    assert {(o["apiVersion"], o["kind"]) for o in objects if o["apiVersion"] not in builtin} <= CUSTOM_KINDS


@pytest.mark.parametrize(
    ("kind", "spoil"),
    [
        ("Deployment", lambda o: o["spec"]["template"]["spec"]["containers"][0].update(imagePullPolicy=3)),
        ("Deployment", lambda o: o["spec"]["template"]["spec"].update(hostUser=False)),
        ("Ingress", lambda o: o["spec"]["rules"][0]["http"]["paths"][0].update(backend="gateway")),
        ("ScaledObject", lambda o: o["spec"].update(minReplicas=1)),
        ("ServiceIntentions", lambda o: o["spec"]["sources"][0].update(allow=True)),
    ],
)
def test_validation_rejects_a_spoiled_object(kind, spoil):
    obj = next(o for o in render(values_of("default")) if o["kind"] == kind)
    spoil(obj)
    with pytest.raises(jsonschema.ValidationError):
        validate(obj)


def test_the_three_value_sets_are_the_ones_shipped():
    assert sorted(p.name for p in CHART.glob("values*.yaml")) == [
        "values-minimal.yaml",
        "values-production.yaml",
        "values.yaml",
    ]
    assert set(VALUE_SETS) == {"default", "production", "minimal"}


def test_minimal_needs_neither_keda_nor_consul(objects, value_set):
    custom = [o["kind"] for o in objects if (o["apiVersion"], o["kind"]) in CUSTOM_KINDS]
    if value_set == "minimal":
        assert custom == []
    else:
        assert len(of_kind(objects, "ScaledObject")) == 3
        assert of_kind(objects, "ServiceIntentions")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mesh": {"enabled": "yes"}}, "/mesh/enabled"),
        ({"postgres": {"hots": "db"}}, "hots"),
        ({"discovery": {"registry": "eureka"}}, "/discovery/registry"),
        ({"components": {"runner": {"kind": "daemon"}}}, "/components/runner/kind"),
    ],
)
def test_bad_values_are_refused_naming_the_field(values, field):
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as refused:
        chart.render(values, name="polycode")
    assert field in str(refused.value)
