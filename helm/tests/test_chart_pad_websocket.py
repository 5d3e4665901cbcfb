"""The live interview pad's WebSocket process (Procfile ``monolith-ws``) in every rendered release.

The gateway routes ``/pad/ws/`` to the registry name ``monolith_ws`` (its migration 0008);
Kubernetes names may not hold ``_``, so the chart serves that name as the Service, the
ServiceAccount and the mesh service ``polycode-monolith-ws``.
"""

import asyncio
import importlib
import re

import helm_python as helm
import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings as django_settings

from conftest import CHART, of_kind, policies_for, render, selects, settings

NAME = "polycode-monolith-ws"
REGISTRY_NAME = "monolith_ws"
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def deployment(objects, name):
    return next(o for o in of_kind(objects, "Deployment") if o["metadata"]["name"] == name)


def container(objects, name):
    return deployment(objects, name)["spec"]["template"]["spec"]["containers"][0]


def env(container_):
    return {v["name"]: v.get("value", v.get("valueFrom")) for v in container_["env"]}


def test_the_gateway_routes_the_pad_socket_to_the_name_the_chart_serves():
    routes = importlib.import_module("gateway_proxy.migrations.0008_pad_routes")
    (socket_route,) = [r for r in routes.SEEDS if r.get("websocket")]
    assert socket_route["legacy_service"] == REGISTRY_NAME == django_settings.PAD_WEBSOCKET_SERVICE


def test_the_pad_socket_runs_daphne_from_the_monolith_image_with_its_settings(objects):
    ws, monolith = container(objects, NAME), container(objects, "polycode-monolith")
    spec = deployment(objects, NAME)["spec"]["template"]["spec"]
    assert ws["args"] == ["web", "monolith-ws"]  # docker/entrypoint.sh: daphne, monolith.asgi
    assert ws["image"] == monolith["image"]
    assert ws["securityContext"] == monolith["securityContext"]
    assert set(ws["resources"]) == {"requests", "limits"}
    variables = env(ws)
    assert variables["POLYCODE_SERVICE"] == "monolith"
    for same in (
        "SECRET_KEY",
        "DATABASE_URL",
        "DATABASE_PASSWORD",
        "SERVICE_ASSERTION_PRIVATE_KEY",
        "REDIS_URL",
    ):
        assert variables[same] == env(monolith)[same], same
    # The pad neither queues work nor sends mail.
    assert not {"BROKER_URL", "EMAIL_HOST"} & set(variables)
    assert NAME in variables["ALLOWED_HOSTS"].split(",")
    assert spec["serviceAccountName"] == NAME


def test_the_pad_socket_is_probed_over_http_on_the_asgi_server_and_drains_before_stopping(objects):
    ws = container(objects, NAME)
    assert ws["startupProbe"]["httpGet"]["path"] == "/health"
    assert ws["livenessProbe"]["httpGet"]["path"] == "/health"
    assert ws["readinessProbe"]["httpGet"]["path"] == "/ready"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert ws[probe]["httpGet"]["port"] == "http"
    # A restart drops every open socket: liveness gives a busy event loop a minute.
    live = ws["livenessProbe"]
    assert live["periodSeconds"] * live["failureThreshold"] >= 60
    assert ws["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}
    assert deployment(objects, NAME)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 5


def test_the_asgi_application_answers_the_probes_paths_and_nothing_else_over_http(objects):
    from monolith.asgi import application

    async def exchange(path: str, host: str) -> int:
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"host", host.encode())],
        }
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(5)
        await communicator.receive_output(5)
        return start["status"]

    def get(path: str, host: str) -> int:
        return asyncio.run(exchange(path, host))

    ws = container(objects, NAME)
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        request = ws[probe]["httpGet"]
        host = {h["name"]: h["value"] for h in request["httpHeaders"]}["Host"]
        assert get(request["path"], host) == 200, probe
    assert get("/pad/", "localhost") == 404


def test_the_gateway_finds_the_pad_socket_under_its_registry_name(objects, value_set):
    values = settings(value_set)
    (service,) = [s for s in of_kind(objects, "Service") if s["metadata"]["name"] == NAME]
    assert service["metadata"]["annotations"]["consul.hashicorp.com/service-name"] == REGISTRY_NAME
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
    ]
    selected = [
        d["metadata"]["name"]
        for d in of_kind(objects, "Deployment")
        if selects({"matchLabels": service["spec"]["selector"]}, d["spec"]["template"]["metadata"]["labels"])
    ]
    assert selected == [NAME]
    gateway = deployment(objects, "polycode-gateway")["spec"]["template"]
    url = env(gateway["spec"]["containers"][0])["SERVICE_URL_MONOLITH_WS"]
    if values["mesh"]["enabled"]:
        port = values["mesh"]["upstreamPorts"][REGISTRY_NAME]
        assert url == f"http://127.0.0.1:{port}"
        upstreams = gateway["metadata"]["annotations"]["consul.hashicorp.com/connect-service-upstreams"]
        assert f"{NAME}:{port}" in upstreams.split(",")
        local_ports = [u.split(":")[1] for u in upstreams.split(",")]
        assert len(set(local_ports)) == len(local_ports), upstreams
        pod = deployment(objects, NAME)["spec"]["template"]["metadata"]["annotations"]
        assert pod["consul.hashicorp.com/connect-service"] == NAME
    else:
        assert url == f"http://{NAME}:8000"


def test_the_mesh_carries_the_pad_socket_as_tcp_and_lets_only_the_gateway_open_it(objects, value_set):
    defaults = {d["metadata"]["name"]: d["spec"]["protocol"] for d in of_kind(objects, "ServiceDefaults")}
    intentions = {i["metadata"]["name"]: i["spec"]["sources"] for i in of_kind(objects, "ServiceIntentions")}
    if not settings(value_set)["mesh"]["enabled"]:
        assert defaults == intentions == {}
        return
    assert defaults.pop(NAME) == "tcp"
    assert set(defaults.values()) == {"http"}
    assert intentions[NAME] == [
        {"name": "polycode-gateway", "action": "allow"},
        {"name": "*", "action": "deny"},
    ]


def test_the_pad_socket_accepts_the_gateway_only_and_reaches_its_database_redis_dns_and_the_runner(
    objects, value_set
):
    values = settings(value_set)
    peers = values["networkPolicy"]["peers"]
    labels = deployment(objects, NAME)["spec"]["template"]["metadata"]["labels"]
    (policy,) = [p for p in policies_for(objects, labels) if p["metadata"]["name"] == NAME]
    (ingress,) = policy["spec"]["ingress"]
    (source,) = ingress["from"]
    assert source["podSelector"]["matchExpressions"] == [
        {"key": "polycode.io/service", "operator": "In", "values": ["gateway"]}
    ]
    reached = [rule["to"] for rule in policy["spec"]["egress"]]
    expected = [peers["dns"], peers["postgres"], peers["redis"]]
    if values["mesh"]["enabled"]:
        expected.append(peers["consul"])
    pods = [r for r in reached if r not in expected]
    assert [r for r in reached if r in expected] == expected
    (runner,) = pods
    assert runner[0]["podSelector"]["matchExpressions"][0]["values"] == ["runner"]
    # ...and the runner's own policy lets it in, as it lets the monolith in.
    runner_labels = deployment(objects, "polycode-runner")["spec"]["template"]["metadata"]["labels"]
    (runner_policy,) = [
        p for p in policies_for(objects, runner_labels) if p["metadata"]["name"] == "polycode-runner"
    ]
    admitted = [peer["podSelector"] for rule in runner_policy["spec"]["ingress"] for peer in rule["from"]]
    assert any(selects(selector, labels) for selector in admitted)


@pytest.mark.parametrize("value_set", ["default"])
@pytest.mark.parametrize("replicas", [1, 3])
def test_the_pad_socket_cannot_be_released_without_redis(value_set, replicas):
    """Production settings need REDIS_URL, and more than one replica shares a pad only over the
    Redis channel layer: the schema refuses a release without it, naming the value."""
    values = {
        "services": {"monolith_ws": {"redis": False}},
        "components": {"monolith-ws": {"replicas": replicas}},
    }
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as refused:
        chart.render(values, name="polycode")
    assert "/services/monolith_ws/redis" in str(refused.value)


@pytest.mark.parametrize("value_set", ["default"])
def test_one_pad_socket_replica_per_process_still_gets_the_redis_layer(value_set):
    objects = render({"components": {"monolith-ws": {"replicas": 1}}})
    assert deployment(objects, NAME)["spec"]["replicas"] == 1
    assert env(container(objects, NAME))["REDIS_URL"].startswith("redis://")


def test_every_service_account_and_service_is_named_by_a_dns_label(objects):
    for obj in of_kind(objects, "Service") + of_kind(objects, "ServiceAccount"):
        assert DNS_LABEL.match(obj["metadata"]["name"]), obj["metadata"]["name"]
    for defaults in of_kind(objects, "ServiceDefaults"):
        assert DNS_LABEL.match(defaults["metadata"]["name"])
