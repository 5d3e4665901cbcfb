"""Policies every rendered release keeps, for each value set (default, production, minimal)."""

import re
from pathlib import Path

import pytest

from conftest import CHART, of_kind, pod_specs, policies_for, selects, settings

ROOT = Path(__file__).resolve().parents[2]
# The Procfile's local SMTP printer is for development only; clusters use a real SMTP server.
DEVELOPMENT_ONLY = {"smtp"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PRIVATE_KEY|TOKEN")


def containers(objects):
    for name, _, spec in pod_specs(objects):
        for container in spec["containers"]:
            yield name, spec, container


def component(metadata) -> str:
    return metadata["labels"]["app.kubernetes.io/component"]


def kubernetes_name(registry_name: str) -> str:
    """A registry name (SERVICE_URL_<NAME>, Consul, intentions) as its Kubernetes objects' name."""
    return f"polycode-{registry_name.replace('_', '-')}"


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    found = dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {k: v for k, v in found.items() if k not in DEVELOPMENT_ONLY}


# --- containers ------------------------------------------------------------------------------
def test_every_container_has_cpu_and_memory_requests_and_limits(objects):
    for name, _, container in containers(objects):
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"].get(bound, {})), (name, bound)


def test_every_long_running_container_has_startup_liveness_and_readiness_probes(objects):
    for obj in of_kind(objects, "Deployment"):
        for container in obj["spec"]["template"]["spec"]["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert container.get(probe), (obj["metadata"]["name"], probe)


def test_web_processes_are_live_on_health_and_ready_on_ready(objects):
    for obj in of_kind(objects, "Deployment"):
        container = obj["spec"]["template"]["spec"]["containers"][0]
        if container["args"][0] == "web":
            assert container["livenessProbe"]["httpGet"]["path"] == "/health"
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
            allowed = next(v["value"] for v in container["env"] if v["name"] == "ALLOWED_HOSTS").split(",")
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                host = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}["Host"]
                assert host in allowed


def test_every_container_runs_non_root_read_only_without_capabilities(objects):
    for name, spec, container in containers(objects):
        pod, own = spec["securityContext"], container["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert own["runAsNonRoot"] is True
        assert own["runAsUser"] != 0
        assert own["readOnlyRootFilesystem"] is True, name
        assert own["allowPrivilegeEscalation"] is False, name
        assert own["capabilities"] == {"drop": ["ALL"]}, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}


def test_every_pod_but_the_runner_keeps_the_runtime_default_seccomp_profile(objects):
    for name, _, container in containers(objects):
        profile = container["securityContext"]["seccompProfile"]
        if name.endswith("-runner"):
            assert profile["type"] in ("Unconfined", "Localhost")
        else:
            assert profile == {"type": "RuntimeDefault"}, name


def test_the_runner_gets_exactly_what_bubblewrap_needs_and_the_readme_says_why(objects):
    runner = next(spec for name, _, spec in pod_specs(objects) if name.endswith("-runner"))
    security = runner["containers"][0]["securityContext"]
    assert runner["hostUsers"] is False
    assert security["procMount"] == "Unmasked"
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["allowPrivilegeEscalation"] is False
    readme = (CHART / "README.md").read_text()
    for word in ("hostUsers: false", "procMount: Unmasked", "seccomp", "user namespaces"):
        assert word in readme
    others = [spec for name, _, spec in pod_specs(objects) if not name.endswith("-runner")]
    assert all("hostUsers" not in spec for spec in others)


def test_writable_paths_are_empty_dirs(objects):
    for name, spec, container in containers(objects):
        volumes = {v["name"]: v for v in spec["volumes"]}
        for mount in container["volumeMounts"]:
            assert "emptyDir" in volumes[mount["name"]], (name, mount)
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}


# --- secrets ------------------------------------------------------------------------------------
def test_no_secret_value_is_rendered_only_references_to_existing_secrets(objects, value_set):
    values = settings(value_set)
    existing = {s["existingSecret"] for s in values["services"].values()}
    existing |= {values["rabbitmq"]["existingSecret"]} | {values["redis"]["existingSecret"]} - {""}
    assert not of_kind(objects, "Secret")
    for name, _, container in containers(objects):
        for variable in container["env"]:
            if SECRET_NAME.search(variable["name"]):
                assert set(variable) == {"name", "valueFrom"}, (name, variable["name"])
            reference = (variable.get("valueFrom") or {}).get("secretKeyRef")
            if reference:
                assert reference["name"] in existing
            if "value" in variable and "://" in variable["value"]:
                # URLs carry their password by reference to a variable set from a Secret.
                assert not re.search(r"://[^/@$]+:[^$@]+@", variable["value"]), variable
    for auth in of_kind(objects, "TriggerAuthentication"):
        assert {r["name"] for r in auth["spec"]["secretTargetRef"]} == {values["rabbitmq"]["existingSecret"]}


def test_external_servers_come_from_values(objects, value_set):
    values = settings(value_set)
    env = {v["name"]: v.get("value", "") for _, _, c in containers(objects) for v in c["env"]}
    assert values["postgres"]["host"] in env["DATABASE_URL"]
    assert values["rabbitmq"]["host"] in env["BROKER_URL"]
    assert values["redis"]["host"] in env["REDIS_URL"]
    assert env["OIDC_ISSUER"] == values["keycloak"]["issuer"]


# --- workloads -----------------------------------------------------------------------------------
def test_every_procfile_process_has_a_deployment_running_its_entrypoint_command(objects):
    deployments = {
        component(o["spec"]["template"]["metadata"]): o["spec"]["template"]["spec"]["containers"][0]["args"]
        for o in of_kind(objects, "Deployment")
    }
    assert set(deployments) == set(procfile())
    for process, command in procfile().items():
        service = re.search(r"POLYCODE_SERVICE=(\w+)", command)
        service = service.group(1) if service else "monolith"
        if "outbox_relay" in command:
            expected = ["relay", service]
        elif " worker " in command:
            expected = ["worker", re.search(r"-Q (\w+)", command).group(1)]
        elif " beat " in command:
            expected = ["beat", service]
        else:
            expected = ["web", process]
        assert deployments[process] == expected


def test_a_migration_hook_job_per_service_database(objects, value_set):
    values = settings(value_set)
    # A second process of an application (`app`: monolith_ws) shares its database and its Job.
    with_database = sorted(s for s, v in values["services"].items() if v.get("database") and not v.get("app"))
    jobs = of_kind(objects, "Job")
    assert sorted(j["spec"]["template"]["spec"]["containers"][0]["args"][1] for j in jobs) == with_database
    for job in jobs:
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert job["spec"]["template"]["spec"]["containers"][0]["args"][0] == "migrate"


def test_every_deployment_has_a_disruption_budget(objects):
    budgets = [p["spec"]["selector"] for p in of_kind(objects, "PodDisruptionBudget")]
    for obj in of_kind(objects, "Deployment"):
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert sum(selects(b, labels) for b in budgets) == 1, obj["metadata"]["name"]


def test_web_deployments_scale_on_cpu_and_workers_on_their_queue_length(objects, value_set):
    values = settings(value_set)
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(objects, "HorizontalPodAutoscaler")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(objects, "ScaledObject")}
    for name, settings_ in values["components"].items():
        deployment = f"polycode-{name}"
        enabled = settings_.get("autoscaling", {}).get("enabled")
        if settings_["kind"] == "web" and enabled:
            hpa = targets.pop(deployment)
            assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
            assert hpa["spec"]["minReplicas"] == settings_["autoscaling"]["minReplicas"]
        if settings_["kind"] == "worker" and enabled:
            keda = scaled.pop(deployment)
            trigger = keda["spec"]["triggers"][0]
            assert trigger["type"] == "rabbitmq"
            assert trigger["metadata"]["mode"] == "QueueLength"
            assert trigger["metadata"]["queueName"] == settings_["queue"]
            assert keda["spec"]["minReplicaCount"] == settings_["autoscaling"]["minReplicas"]
            assert keda["spec"]["maxReplicaCount"] == settings_["autoscaling"]["maxReplicas"]
    assert targets == {}
    assert scaled == {}
    if value_set != "minimal":
        assert {s for s, v in values["components"].items() if v["kind"] == "worker"} == {
            "mailer-worker",
            "shop-worker",
            "account-worker",
        }


def test_one_ingress_and_it_leads_to_the_gateway(objects):
    (ingress,) = of_kind(objects, "Ingress")
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"polycode-gateway"}


# --- network ---------------------------------------------------------------------------------------
def test_every_pod_is_selected_by_the_default_deny_and_by_its_own_policy(objects):
    for name, metadata, _ in pod_specs(objects):
        policies = policies_for(objects, metadata["labels"])
        names = {p["metadata"]["name"] for p in policies}
        assert "polycode-default-deny" in names, name
        assert len(names) == 2, (name, names)
        for policy in policies:
            assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}


def test_the_runner_reaches_nothing_but_its_replay_memory(objects, value_set):
    peers = settings(value_set)["networkPolicy"]["peers"]
    for name, metadata, _ in pod_specs(objects):
        if name.endswith("-runner"):
            reached = [
                rule["to"]
                for p in policies_for(objects, metadata["labels"])
                for rule in p["spec"].get("egress") or []
            ]
            assert sorted(map(str, reached)) == sorted(map(str, [peers["dns"], peers["redis"]])), name


def test_only_the_gateway_accepts_traffic_from_the_ingress_controller(objects, value_set):
    controller = settings(value_set)["networkPolicy"]["ingressController"]
    for policy in of_kind(objects, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress") or []:
            if rule["from"] == controller:
                assert policy["metadata"]["name"] == "polycode-gateway"


def test_each_service_accepts_only_its_allowed_callers(objects, value_set):
    intentions = settings(value_set)["mesh"]["intentions"]
    for name, metadata, spec in pod_specs(objects):
        policy = next(p for p in policies_for(objects, metadata["labels"]) if p["metadata"]["name"] == name)
        sources = set()
        for rule in policy["spec"].get("ingress") or []:
            for peer in rule["from"]:
                for expression in (peer.get("podSelector") or {}).get("matchExpressions", []):
                    sources |= set(expression["values"])
        is_web = spec["containers"][0]["args"][0] == "web"
        service = metadata["labels"]["polycode.io/service"]
        expected = set(intentions.get(service, [])) if is_web else set()
        assert sources == expected, name
        if not is_web:
            assert not policy["spec"].get("ingress"), name


def test_databases_and_brokers_are_reached_only_by_their_owners(objects, value_set):
    values = settings(value_set)
    peers = values["networkPolicy"]["peers"]
    for name, metadata, spec in pod_specs(objects):
        policy = next(p for p in policies_for(objects, metadata["labels"]) if p["metadata"]["name"] == name)
        reached = [rule["to"] for rule in policy["spec"].get("egress") or []]
        service = values["services"][metadata["labels"]["polycode.io/service"]]
        assert (peers["postgres"] in reached) == bool(service.get("database")), name
        if spec["containers"][0]["args"][0] != "migrate":
            assert (peers["rabbitmq"] in reached) == bool(service.get("broker")), name
            assert (peers["redis"] in reached) == bool(service.get("redis")), name


# --- mesh -------------------------------------------------------------------------------------------
def test_every_pod_says_whether_the_mesh_injects_it(objects):
    for name, metadata, _ in pod_specs(objects):
        assert metadata["annotations"]["consul.hashicorp.com/connect-inject"] in ("true", "false"), name


def test_under_the_mesh_calls_go_to_the_local_sidecar_upstreams(objects, value_set):
    values = settings(value_set)
    for obj in of_kind(objects, "Deployment"):
        metadata = obj["spec"]["template"]["metadata"]
        annotations = metadata["annotations"]
        env = {v["name"]: v.get("value") for v in obj["spec"]["template"]["spec"]["containers"][0]["env"]}
        urls = {
            k.removeprefix("SERVICE_URL_").lower(): v for k, v in env.items() if k.startswith("SERVICE_URL_")
        }
        if annotations["consul.hashicorp.com/connect-inject"] != "true":
            assert all(u.startswith("http://polycode-") for u in urls.values()), urls
            continue
        assert values["mesh"]["enabled"]
        upstreams = annotations["consul.hashicorp.com/connect-service-upstreams"]
        declared = dict(u.split(":") for u in upstreams.split(",") if u)
        for destination, url in urls.items():
            if destination == "runner":
                assert url == "http://polycode-runner:8000"
            else:
                assert url == f"http://127.0.0.1:{declared[kubernetes_name(destination)]}"
    assert values["mesh"]["enabled"] == (value_set != "minimal")


def test_intentions_let_the_gateway_call_all_the_monolith_the_runner_and_shop_and_the_shop_none(
    objects, value_set
):
    intentions = settings(value_set)["mesh"]["intentions"]
    callees = {
        caller: {d for d, callers in intentions.items() if caller in callers}
        for caller in ("gateway", "monolith", "monolith_ws", "shop")
    }
    assert callees == {
        "gateway": {"monolith", "monolith_ws", "runner", "shop", "mailer"},
        "monolith": {"runner", "shop"},
        "monolith_ws": {"runner"},
        "shop": set(),
    }
    by_kubernetes_name = {kubernetes_name(d): callers for d, callers in intentions.items()}
    for resource in of_kind(objects, "ServiceIntentions"):
        sources = resource["spec"]["sources"]
        assert sources[-1] == {"name": "*", "action": "deny"}
        callers = by_kubernetes_name[resource["spec"]["destination"]["name"]]
        assert {s["name"] for s in sources[:-1]} == {kubernetes_name(c) for c in callers}


@pytest.mark.parametrize("value_set", ["default"])
def test_a_release_without_network_policies_renders_none(value_set):
    from conftest import render

    values = {"networkPolicy": {"enabled": False}}
    assert not of_kind(render(values), "NetworkPolicy")


def test_with_the_consul_registry_every_process_asks_consul_and_names_no_url():
    from conftest import render

    values = {"discovery": {"registry": "consul"}, "consul": {"existingSecret": "polycode-consul"}}
    for name, _, container in containers(render(values)):
        env = {v["name"]: v for v in container["env"]}
        assert env["SERVICE_REGISTRY"]["value"] == "consul", name
        assert env["CONSUL_HTTP_ADDR"]["value"] == "http://consul-server.consul.svc:8500"
        token = env["CONSUL_HTTP_TOKEN"]["valueFrom"]["secretKeyRef"]
        assert token == {"name": "polycode-consul", "key": "token"}
        assert not [k for k in env if k.startswith("SERVICE_URL_")], name
