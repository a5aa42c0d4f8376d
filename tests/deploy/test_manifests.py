"""Static checks of the Kubernetes manifests in deploy/kubernetes: no cluster, no Docker needed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
K8S_DIR = PROJECT_DIR / "deploy" / "kubernetes"
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
SECRET_EXAMPLE = K8S_DIR / "secret.example.yaml"
POSTGRES_VALUES = K8S_DIR / "values-postgresql.yaml"
# Files that are not Kubernetes objects for kustomize: Helm values and the placeholder Secret.
NOT_RESOURCES = {"kustomization.yaml", "secret.example.yaml", "values-postgresql.yaml", "values-redis.yaml"}

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
POD_KINDS = (*WORKLOAD_KINDS, "CronJob")
# bot/tickets/db.py creates its engines with SQLAlchemy's QueuePool defaults: 5 + 10 overflow.
SQLALCHEMY_DEFAULT_CONNECTIONS = 5 + 10
POSTGRES_DEFAULT_RESERVED = 3  # superuser_reserved_connections
PUBLIC_RASA_PATHS = {"/webhooks/", "/socket.io/"}
ENV_LINE = re.compile(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
VARIABLE_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
TMP_MOUNT = "/tmp"  # noqa: S108 - a mount path in the manifests, not a temporary file of this test


def yaml_files() -> list[Path]:
    return sorted([*K8S_DIR.glob("*.yaml"), *K8S_DIR.glob("*.yml")])


def load(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [document for document in yaml.safe_load_all(handle) if document is not None]


def kustomization() -> dict[str, Any]:
    return load(K8S_DIR / "kustomization.yaml")[0]


def resources() -> list[dict[str, Any]]:
    """Every object kustomize renders (the files listed under resources)."""
    return [obj for name in kustomization()["resources"] for obj in load(K8S_DIR / name)]


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected exactly one {kind} {name}, found {len(matches)}"
    return matches[0]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"].get("labels", {})
    return obj["spec"]["template"]["metadata"].get("labels", {})


def pod_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] in POD_KINDS]


def all_containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def config_maps(objects: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {obj["metadata"]["name"]: obj.get("data", {}) for obj in objects if obj["kind"] == "ConfigMap"}


def env_names(container: dict[str, Any], maps: dict[str, dict[str, str]]) -> set[str]:
    """The variables a container gets: its env entries and the keys of the ConfigMaps it loads."""
    names = {entry["name"] for entry in container.get("env", [])}
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"{container['name']}: only ConfigMaps are loaded whole, not Secrets"
        names |= set(maps[source["configMapRef"]["name"]])
    return names


def env_value(container: dict[str, Any], maps: dict[str, dict[str, str]], name: str) -> str | None:
    for entry in container.get("env", []):
        if entry["name"] == name:
            return entry.get("value")
    for source in container.get("envFrom", []):
        data = maps[source["configMapRef"]["name"]]
        if name in data:
            return data[name]
    return None


def is_rasa(container: dict[str, Any]) -> bool:
    return container.get("command", [])[:2] == ["rasa", "run"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def size_in_bytes(text: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmM]?)", str(text))
    assert match, f"not an nginx size: {text!r}"
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024 * 1024}[match[2].lower()]


def test_every_yaml_file_parses_into_named_objects():
    files = yaml_files()
    assert {path.name for path in files} >= {"kustomization.yaml", *NOT_RESOURCES}
    for path in files:
        documents = load(path)
        assert documents, f"{path.name} is empty"
        for document in documents:
            assert isinstance(document, dict), f"{path.name}: a document is not a mapping"
            if path.name in NOT_RESOURCES - {"secret.example.yaml"}:
                continue
            assert document.get("apiVersion") and document.get("kind"), f"{path.name}: apiVersion/kind missing"
            assert document.get("metadata", {}).get("name") or document["kind"] == "Kustomization", \
                f"{path.name}: a {document['kind']} without metadata.name"


def test_kustomization_lists_every_manifest_but_not_the_example_secret_or_helm_values():
    listed = set(kustomization()["resources"])
    manifests = {path.name for path in yaml_files()} - NOT_RESOURCES
    assert listed == manifests
    assert not listed & NOT_RESOURCES


def test_workloads_have_resources_probes_and_run_as_non_root():
    workloads = [obj for obj in resources() if obj["kind"] in POD_KINDS]
    assert {obj["kind"] for obj in workloads} == set(POD_KINDS)
    for obj in workloads:
        name = obj["metadata"]["name"]
        spec = pod_spec(obj)
        for container in all_containers(spec):
            where = f"{name}/{container['name']}"
            requests = container.get("resources", {}).get("requests", {})
            limits = container.get("resources", {}).get("limits", {})
            assert requests.get("cpu") and requests.get("memory"), f"{where}: cpu and memory requests"
            assert limits.get("memory"), f"{where}: a memory limit"
            security = container.get("securityContext", {})
            assert security.get("runAsNonRoot", spec.get("securityContext", {}).get("runAsNonRoot")) is True, \
                f"{where}: runAsNonRoot"
            assert security.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation false"
            assert security.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: drop all capabilities"
            # Every server (a container with a port) is probed on that port.
            ports = {port.get("name") for port in container.get("ports", [])} | {
                port["containerPort"] for port in container.get("ports", [])}
            if obj["kind"] in WORKLOAD_KINDS and ports:
                for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                    assert container.get(probe, {}).get("httpGet", {}).get("port") in ports, \
                        f"{where}: {probe} on its own port"
        if obj["kind"] in WORKLOAD_KINDS:
            assert any("readinessProbe" in container for container in spec["containers"]), f"{name}: no probe"


def test_root_filesystems_are_read_only_with_a_writable_tmp():
    for obj in pod_objects(resources()):
        spec = pod_spec(obj)
        empty_dirs = {volume["name"] for volume in spec.get("volumes", []) if "emptyDir" in volume}
        for container in all_containers(spec):
            where = f"{obj['metadata']['name']}/{container['name']}"
            assert container.get("securityContext", {}).get("readOnlyRootFilesystem") is True, where
            tmp = [mount for mount in container.get("volumeMounts", []) if mount["mountPath"] == TMP_MOUNT]
            assert tmp and tmp[0]["name"] in empty_dirs, f"{where}: /tmp must be an emptyDir"


def test_no_secret_in_the_kustomization_carries_values():
    for obj in resources():
        if obj["kind"] == "Secret":
            assert not obj.get("data") and not obj.get("stringData"), \
                f"Secret {obj['metadata']['name']} carries values; create it with kubectl instead"
    for generator in kustomization().get("secretGenerator", []):
        assert not generator.get("literals"), f"secretGenerator {generator.get('name')} has literal values"


def test_example_secrets_hold_placeholders_only_and_cover_every_reference():
    secrets = load(SECRET_EXAMPLE)
    assert all(obj["kind"] == "Secret" and not obj.get("data") and obj.get("stringData") for obj in secrets)
    examples = {obj["metadata"]["name"]: obj["stringData"] for obj in secrets}
    for name, values in examples.items():
        for key, value in values.items():
            assert "change-me" in value, f"{name}/{key} must be a placeholder containing change-me"
    for obj in pod_objects(resources()):
        for container in all_containers(pod_spec(obj)):
            for entry in container.get("env", []):
                reference = entry.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    assert reference["key"] in examples.get(reference["name"], {}), \
                        f"{container['name']}: {reference['name']}/{reference['key']} is not in secret.example.yaml"


def test_rasa_and_action_servers_run_at_least_two_replicas_with_a_disruption_budget():
    objects = resources()
    rasa = find(objects, "Deployment", "zorgroute-rasa")
    actions = find(objects, "StatefulSet", "zorgroute-actions")
    for workload in (rasa, actions):
        assert workload["spec"]["replicas"] >= 2, f"{workload['metadata']['name']}: at least 2 replicas"
        budgets = [obj for obj in objects if obj["kind"] == "PodDisruptionBudget"
                   and selects(obj["spec"]["selector"]["matchLabels"], pod_labels(workload))]
        assert len(budgets) == 1 and budgets[0]["spec"].get("minAvailable") == 1, \
            f"{workload['metadata']['name']}: one PodDisruptionBudget with minAvailable 1"


def test_every_replica_serves_the_baked_in_model_of_one_image():
    objects = resources()
    images = kustomization()["images"]
    assert [image["name"] for image in images] == ["zorgroute"]
    assert images[0].get("newTag") not in (None, "", "latest")
    for obj in pod_objects(objects):
        for container in all_containers(pod_spec(obj)):
            assert container["image"] == "zorgroute", f"{container['name']}: the one image, tag set by kustomize"
    command = find(objects, "Deployment", "zorgroute-rasa")["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[command.index("--model") + 1] == "models/zorgroute.tar.gz"
    assert command[command.index("--endpoints") + 1] == "deploy/endpoints.prod.yml"
    assert "--remote-storage" not in command and "--model-server" not in " ".join(command)


def test_variables_in_commands_are_defined_in_the_container():
    # Kubernetes leaves an undefined $(NAME) as literal text, e.g. as Rasa's API token.
    objects = resources()
    maps = config_maps(objects)
    for obj in pod_objects(objects):
        for container in all_containers(pod_spec(obj)):
            used = VARIABLE_REFERENCE.findall(" ".join(container.get("command", []) + container.get("args", [])))
            missing = set(used) - env_names(container, maps)
            assert not missing, f"{container['name']}: {sorted(missing)} not defined"


def connection_budget(objects: list[dict[str, Any]]) -> dict[str, int]:
    """Most PostgreSQL connections each workload can hold at once, including rolling-update surge."""
    maps = config_maps(objects)
    budget = {}
    for obj in pod_objects(objects):
        spec = pod_spec(obj)

        def ceiling(container: dict[str, Any]) -> int:
            if "DATABASE_URL" not in env_names(container, maps):
                return 0
            if is_rasa(container):
                return sum(int(env_value(container, maps, name) or 0) for name in ("SQL_POOL_SIZE", "SQL_MAX_OVERFLOW"))
            return SQLALCHEMY_DEFAULT_CONNECTIONS

        init = max((ceiling(container) for container in spec.get("initContainers", [])), default=0)
        per_pod = max(init, sum(ceiling(container) for container in spec["containers"]))
        if obj["kind"] == "CronJob":
            assert obj["spec"].get("concurrencyPolicy") == "Forbid", f"{obj['metadata']['name']}: one run at a time"
            pods = 1
        elif obj["kind"] == "Deployment":
            replicas = obj["spec"].get("replicas", 1)
            strategy = obj["spec"].get("strategy", {})
            surge = strategy.get("rollingUpdate", {}).get("maxSurge", "25%")
            if strategy.get("type") == "Recreate":
                surge = 0
            elif isinstance(surge, str):
                surge = math.ceil(replicas * int(surge.rstrip("%")) / 100)
            pods = replicas + surge
        else:  # a StatefulSet replaces its pods one at a time, without surge
            pods = obj["spec"].get("replicas", 1)
        budget[f"{obj['kind']} {obj['metadata']['name']}"] = pods * per_pod
    return budget


def postgres_setting(name: str, default: int | None = None) -> int:
    primary = load(POSTGRES_VALUES)[0]["primary"]
    text = primary.get("extendedConfiguration", "") + "\n" + primary.get("configuration", "")
    found = re.findall(rf"^\s*{name}\s*=\s*(\d+)", text, re.MULTILINE)
    if not found:
        assert default is not None, f"{name} is not set in values-postgresql.yaml"
        return default
    return int(found[-1])


def test_postgres_connections_stay_below_max_connections():
    objects = resources()
    config = config_maps(objects)["zorgroute-config"]
    assert int(config["SQL_POOL_SIZE"]) + int(config["SQL_MAX_OVERFLOW"]) <= 20, "Rasa's defaults are 50 + 100"
    budget = connection_budget(objects)
    rasa = find(objects, "Deployment", "zorgroute-rasa")
    assert budget["Deployment zorgroute-rasa"] >= rasa["spec"]["replicas"] * (
        int(config["SQL_POOL_SIZE"]) + int(config["SQL_MAX_OVERFLOW"])), "the Rasa pool is counted"
    assert budget["StatefulSet zorgroute-actions"] > 0, "the action servers' pool is counted"
    usable = postgres_setting("max_connections") - postgres_setting(
        "superuser_reserved_connections", POSTGRES_DEFAULT_RESERVED)
    assert sum(budget.values()) < usable, f"{sum(budget.values())} connections possible, {usable} usable: {budget}"


def test_chat_body_limits_agree():
    objects = resources()
    maps = config_maps(objects)
    rasa = find(objects, "Deployment", "zorgroute-rasa")["spec"]["template"]["spec"]["containers"][0]
    hard_limit = int(env_value(rasa, maps, "SANIC_REQUEST_MAX_SIZE") or 0)
    assert int(maps["zorgroute-config"]["ZORGROUTE_CHAT_MAX_BYTES"]) < hard_limit
    for obj in objects:
        if obj["kind"] == "Ingress":
            annotation = obj["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
            assert size_in_bytes(annotation) == hard_limit, obj["metadata"]["name"]
    # The action server is a Sanic app too and receives whole trackers: no SANIC_ limit for it.
    for name, data in maps.items():
        assert not [key for key in data if key.startswith("SANIC_")], f"ConfigMap {name} reaches every Sanic app"


def test_ingress_exposes_only_the_chat_paths_of_rasa_and_sticks_socket_io_sessions():
    objects = resources()
    services = {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == "Service"}
    routes: dict[str, str] = {}
    for ingress in (obj for obj in objects if obj["kind"] == "Ingress"):
        backends = set()
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]
                assert service["name"] in services, f"{path['path']}: unknown Service {service['name']}"
                port_names = {port.get("name") for port in services[service["name"]]["spec"]["ports"]}
                assert service["port"].get("name") in port_names, f"{path['path']}: unknown port"
                routes[path["path"]] = service["name"]
                backends.add(service["name"])
        if "zorgroute-rasa" in backends:
            annotations = ingress["metadata"]["annotations"]
            assert annotations.get("nginx.ingress.kubernetes.io/affinity") == "cookie"
            assert annotations.get("nginx.ingress.kubernetes.io/session-cookie-path") == "/socket.io/"
    assert {path for path, service in routes.items() if service == "zorgroute-rasa"} == PUBLIC_RASA_PATHS
    assert routes.get("/") == "zorgroute-web"
    assert "zorgroute-actions" not in routes.values()


def test_services_select_their_pods():
    objects = resources()
    pods = pod_objects(objects)
    for service in (obj for obj in objects if obj["kind"] == "Service"):
        selected = [obj for obj in pods if selects(service["spec"]["selector"], pod_labels(obj))]
        assert len(selected) == 1, f"Service {service['metadata']['name']} selects {len(selected)} workloads"
        container_ports = {port.get("name") for container in pod_spec(selected[0])["containers"]
                           for port in container.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in container_ports, f"{service['metadata']['name']}: {port['targetPort']}"


def test_only_rasa_pods_reach_the_action_servers():
    objects = resources()
    actions = find(objects, "StatefulSet", "zorgroute-actions")
    rasa = find(objects, "Deployment", "zorgroute-rasa")
    policies = [obj for obj in objects if obj["kind"] == "NetworkPolicy"
                and selects(obj["spec"]["podSelector"]["matchLabels"], pod_labels(actions))]
    assert len(policies) == 1
    spec = policies[0]["spec"]
    assert "Ingress" in spec["policyTypes"]
    assert len(spec["ingress"]) == 1
    sources = spec["ingress"][0]["from"]
    assert len(sources) == 1 and set(sources[0]) == {"podSelector"}, "pods of this namespace only, no other sources"
    assert selects(sources[0]["podSelector"]["matchLabels"], pod_labels(rasa))
    assert not selects(sources[0]["podSelector"]["matchLabels"], pod_labels(find(objects, "Deployment",
                                                                                 "zorgroute-web")))
    assert [port["port"] for port in spec["ingress"][0]["ports"]] == [5055]


def test_action_pods_keep_their_outbox_on_a_volume_shared_with_the_drain_sidecar():
    objects = resources()
    actions = find(objects, "StatefulSet", "zorgroute-actions")
    outbox = config_maps(objects)["zorgroute-config"]["ZORGROUTE_OUTBOX_DIR"]
    claims = {claim["metadata"]["name"] for claim in actions["spec"]["volumeClaimTemplates"]}
    containers = {container["name"]: container for container in pod_spec(actions)["containers"]}
    for container in containers.values():
        mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
        assert mounts.get(outbox) in claims, f"{container['name']}: {outbox} on the pod's volume claim"
    commands = [container["command"] for container in containers.values()]
    assert any(command[:5] == ["python", "-m", "bot", "tickets", "drain"] and "--watch" in command
               for command in commands)


def env_example_names() -> set[str]:
    return set(ENV_LINE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def manifest_env_names() -> set[str]:
    objects = resources()
    maps = config_maps(objects)
    names: set[str] = set()
    for obj in pod_objects(objects):
        for container in all_containers(pod_spec(obj)):
            names |= env_names(container, maps)
    return names


def test_every_variable_in_the_manifests_is_documented_in_env_example():
    assert ENV_EXAMPLE.is_file(), ".env.example is missing"
    missing = manifest_env_names() - env_example_names()
    assert not missing, f"add to .env.example: {', '.join(sorted(missing))}"


@pytest.mark.parametrize("line, name", [("DATABASE_URL=x", "DATABASE_URL"), ("# REDIS_HOST=", "REDIS_HOST"),
                                        ("export SQL_POOL_SIZE=5", "SQL_POOL_SIZE")])
def test_env_example_lines_are_recognised(line: str, name: str):
    assert ENV_LINE.findall(line) == [name]


def test_env_example_prose_is_not_a_variable():
    assert ENV_LINE.findall("# Copy to .env and adjust; every value has a default (see README.md).") == []
