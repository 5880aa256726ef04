"""The deployment files: Kubernetes manifests against the Kubernetes schemas, the KEDA
ScaledObjects against their CRD's required fields, and docker-compose.yml against the
rules of this project (no Docker client runs here to `docker compose config` it)."""

import re
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from ops.infra.install import kafka_version
from shared.runtime.settings import PROJECT_ROOT

K8S = PROJECT_ROOT / "deploy" / "k8s"
SERVICES = ("posts", "matching", "notifications", "gateway")


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


ALL = [(p.name, d) for p in sorted(K8S.glob("*.yaml")) for d in documents(p)]


@pytest.mark.parametrize(("name", "doc"), [a for a in ALL if a[1]["kind"] != "ScaledObject"],
                         ids=lambda v: v if isinstance(v, str) else v["kind"])  # fmt: skip
def test_every_manifest_is_valid_kubernetes(name, doc):
    kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_each_service_has_a_deployment_a_service_probes_and_its_autoscaler():
    by_kind: dict[str, dict[str, dict]] = {}
    for _, doc in ALL:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    for service in SERVICES:
        container = by_kind["Deployment"][service]["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert service in by_kind["Service"]
    assert set(by_kind["HorizontalPodAutoscaler"]) == {"posts", "gateway"}
    assert set(by_kind["ScaledObject"]) == {"matching", "notifications"}


def test_the_keda_scaled_objects_scale_on_consumer_lag():
    for _, doc in ALL:
        if doc["kind"] != "ScaledObject":
            continue
        assert doc["apiVersion"] == "keda.sh/v1alpha1"
        spec = doc["spec"]
        assert spec["scaleTargetRef"]["name"] == doc["metadata"]["name"]
        (trigger,) = spec["triggers"]
        assert trigger["type"] == "kafka"
        assert {"bootstrapServers", "consumerGroup", "topic", "lagThreshold"} <= set(
            trigger["metadata"]
        )
        assert int(trigger["metadata"]["lagThreshold"]) > 0
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= 12


def test_compose_runs_every_service_with_health_checks_and_the_pinned_kafka():
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for node in ("kafka-1", "kafka-2", "kafka-3"):
        assert services[node]["image"] == f"apache/kafka:{kafka_version()}"
        assert services[node]["environment"]["KAFKA_MIN_INSYNC_REPLICAS"] == 2
    assert services["posts"]["environment"]["ENTRAIDE_KAFKA_REPLICATION_FACTOR"] == 3
    for name in SERVICES:
        service = services[name]
        assert (PROJECT_ROOT / service["build"]["dockerfile"]).exists()
        assert service["build"]["args"]["SERVICE_MODULE"].startswith(f"services.{name}.")
        assert "healthcheck" in service
        assert service["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    # Scaled services must not pin one host port each.
    for name in ("matching", "notifications"):
        assert "ports" not in services[name]
    assert services["gateway"]["ports"] == ["127.0.0.1:18004-18013:18004"]
    for name in ("kafka-1", "kafka-2", "kafka-3", "postgres", "redis"):
        assert "healthcheck" in services[name]


def test_kafka_runs_as_three_nodes_in_kubernetes_with_the_same_settings():
    [statefulset] = [d for name, d in ALL if d["kind"] == "StatefulSet"]
    assert statefulset["metadata"]["name"] == "kafka" and statefulset["spec"]["replicas"] == 3
    env = {e["name"]: e.get("value") for e in
           statefulset["spec"]["template"]["spec"]["containers"][0]["env"]}  # fmt: skip
    assert (
        env["KAFKA_MIN_INSYNC_REPLICAS"] == "2" and env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
    )
    config = next(d for _, d in ALL if d["kind"] == "ConfigMap")["data"]
    assert config["ENTRAIDE_KAFKA_REPLICATION_FACTOR"] == "3"
    assert len(config["ENTRAIDE_KAFKA_BOOTSTRAP"].split(",")) == 3


def test_what_compose_runs_from_the_services_image_is_in_that_image():
    """The image copies ``shared`` and ``services`` only (not the operator's ``ops``):
    a container that ran `entraide ...` would fail, and every service waits on it."""
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    dockerfile = (PROJECT_ROOT / "deploy" / "docker" / "service.Dockerfile").read_text()
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    # The image also installs the project's dependencies (pyproject.toml's, not dev's).
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    installed = {re.split(r"[=<>\[]", d)[0] for d in project["dependencies"]}
    built = {n: s for n, s in compose["services"].items() if "build" in s}
    for name, service in built.items():
        command = service.get("command") or []
        assert "entraide" not in command, f"{name} would need the operator's tools"
        if "-m" in command:
            module = command[command.index("-m") + 1]
            top = module.split(".")[0]
            assert top in copied or top in installed, f"{name} runs {module}, not in the image"
    assert compose["services"]["topics"]["command"][-1] == "shared.runtime.kafka.topics"
