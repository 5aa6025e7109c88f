"""The Kubernetes manifests: valid against the API's schemas, and wired to each other."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.config import SETTINGS

KUBERNETES = Path(__file__).parents[2] / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30.0"
ROLES = {
    "web": ["web", "--host", "0.0.0.0", "--port", "8000"],
    "scoring-workers": ["worker", "--queue", "analyze", "--queue", "scoring", "--queue", "explain"],
    "webhook-workers": ["worker", "--queue", "webhooks"],
    "sweeper": ["sweep"],
    "moderation-migrate": ["db", "upgrade"],
}


def documents() -> list[dict]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    return [document for name in kustomization["resources"]
            for document in yaml.safe_load_all((KUBERNETES / name).read_text()) if document]


def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents() if doc["kind"] == kind}


def test_the_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}

    assert set(kustomization["resources"]) == files


def test_every_builtin_resource_is_valid_against_the_kubernetes_schema():
    validation = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is not installed (pip install "
        "-e '.[test]'); the manifests were not checked against the Kubernetes schemas")
    builtin = [doc for doc in documents() if "." not in doc["apiVersion"].split("/")[0]
               or doc["apiVersion"].split("/")[0].endswith(".k8s.io")]

    assert {doc["kind"] for doc in builtin} >= {
        "ConfigMap", "Secret", "Deployment", "Service", "Job", "StatefulSet",
        "HorizontalPodAutoscaler"}
    for doc in builtin:
        validation.validate(doc, KUBERNETES_VERSION, strict=True)


def test_each_role_runs_the_one_image_as_a_non_root_user_with_its_command():
    workloads = by_kind("Deployment") | by_kind("Job")
    images = set()
    for name, command in ROLES.items():
        pod = workloads[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        images.add(container["image"])
        assert container["args"] == command, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        sources = {ref.get("configMapRef", ref.get("secretRef"))["name"]
                   for ref in container["envFrom"]}
        assert sources == {"moderation-config", "moderation-secrets"}, name
    assert len(images) == 1


def test_configuration_names_only_real_settings():
    known = {setting.name for setting in SETTINGS}
    config = by_kind("ConfigMap")["moderation-config"]["data"]
    secret = by_kind("Secret")["moderation-secrets"]["stringData"]

    assert set(config) | set(secret) <= known
    assert {"DATABASE_URL", "SECRET_KEY"} <= set(secret)


def test_the_web_takes_its_shape_from_the_settings_for_the_cores_it_requests():
    [container] = by_kind("Deployment")["web"]["spec"]["template"]["spec"]["containers"]
    known = {setting.name for setting in SETTINGS}
    environment = {variable["name"]: variable["value"] for variable in container["env"]}

    assert not {"--workers", "--threads"} & set(container["args"])
    assert set(environment) <= known
    assert environment == {"WEB_WORKERS": "3", "WEB_THREADS": "2"}
    assert container["resources"]["requests"]["cpu"] == "2"  # a process per core, and one


def test_services_select_the_pods_of_a_workload():
    workloads = by_kind("Deployment") | by_kind("StatefulSet")
    labels = [workload["spec"]["template"]["metadata"]["labels"]
              for workload in workloads.values()]
    for name, service in by_kind("Service").items():
        selector = service["spec"]["selector"]
        assert any(selector.items() <= pod.items() for pod in labels), name


def test_the_scoring_workers_scale_on_the_depth_of_the_scoring_queue():
    scaled = by_kind("ScaledObject")["scoring-workers"]

    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"]["name"] in by_kind("Deployment")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "scoring-workers"
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == "rq:queue:scoring"
    assert int(trigger["metadata"]["listLength"]) > 0
    redis_host = trigger["metadata"]["address"].split(".")[0]
    assert redis_host in by_kind("Service")
