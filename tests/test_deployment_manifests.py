"""The deployments: config/compose.yaml (one host), config/compose.many.yaml (many) and config/k8s/.

No Docker engine and no cluster run here. So the compose files are checked against the Compose
Specification's JSON schema (as PyPI's check-jsonschema ships it) and for their wiring; the
Kubernetes manifests against Kubernetes' own JSON schemas for every version the deployment
supports (PyPI's kubernetes-validate, which bundles them: no network); the workers' health
probes are run, exactly as written, against a real worker and Redis; and the seccomp profile the
nodes get is derived from config/seccomp-worker.json and shown to let the sandbox run.
"""

import copy
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.version import Version

from proxyservice.config import SettingInvalid, Settings, cast_setting
from proxyservice.plugins.registry import BUILTIN_PLUGINS
from tests.support import ROOT, RedisServer, dockerfile_command, wait_until
from tests.test_packaging import PRIVILEGE_KEYS, WORKER_SECURITY_OPTIONS

ONE_HOST = ROOT / "config" / "compose.yaml"
MANY_HOSTS = ROOT / "config" / "compose.many.yaml"
K8S = ROOT / "config" / "k8s"
NODE_PROFILES = K8S / "nodes"
WORKER_SECCOMP = ROOT / "config" / "seccomp-worker.json"
PROXY_UID = 10001
"""The image's user proxy, as the Dockerfiles fix its uid and the manifests run it (docs/deploying.md)."""
MIN_KUBERNETES = Version("1.33")
"""User namespaces (hostUsers) and ProcMountType are on by default from here; appArmorProfile is a field from 1.30."""
NOT_SETTINGS = {"BROKER_URL", "STORE_URL", "DATABASE_URL", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION",
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PROXYSERVICE_HTTP"}
"""Variables read besides proxyservice.config.Settings: the new storage settings, boto3's own, uwsgi.ini's."""
SECRETS = {"AUTH_SECRET", "DATABASE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN")
REFERENCE = re.compile(r"(?<!\$)\$\{(?P<name>\w+)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
"""A Compose interpolation, ``${NAME}``, ``${NAME:-default}``, ``${NAME:?message}``; ``$$`` is a literal $."""
SANDBOX_TMP_MIB, RENDERER_CODE_MIB, WORKER_PROCESSES_MIB, PROBE_MIB = 64, 150, 250, 70
"""What a worker pod holds beside each render's heap (measured: 3 worker processes, one probe)."""


def _compose(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def _services(path: Path) -> dict[str, dict[str, Any]]:
    return dict(_compose(path)["services"])


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Each dependency and its condition (a bare list means started, not ready)."""
    found = service.get("depends_on") or {}
    if isinstance(found, list):
        return {name: "service_started" for name in found}
    return {name: spec.get("condition", "service_started") for name, spec in found.items()}


def _healthcheck(service: dict[str, Any]) -> list[str]:
    """The service's health test: its own, else its image's HEALTHCHECK (for a service built here); [] if none."""
    check = service.get("healthcheck")
    if check is not None:
        return [] if check.get("disable") else list(check["test"])
    if "build" not in service:
        return []
    dockerfile = ROOT / "config" / service["build"]["context"] / service["build"]["dockerfile"]
    lines = [line for line in dockerfile.read_text().splitlines() if line.startswith("HEALTHCHECK ")]
    return [test for line in lines for test in json.loads(line.split(" CMD ", 1)[1])]


def _image_healthcheck_timeout(dockerfile: str) -> int:
    """The --timeout of a Dockerfile's HEALTHCHECK, in seconds."""
    [line] = [line for line in (ROOT / dockerfile).read_text().splitlines() if line.startswith("HEALTHCHECK ")]
    found = re.search(r"--timeout=(\d+)s", line)
    assert found is not None, line
    return int(found.group(1))


def _seconds(duration: str) -> int:
    """A Compose duration of whole seconds ("20s")."""
    return int(duration.removesuffix("s"))


def _without_references(value: str) -> str:
    """``value`` with each interpolation replaced by ``REF-<its variable>``, so URLs in it parse."""
    return REFERENCE.sub(lambda found: f"REF-{found.group('name')}", value)


def unsafe_references(text: str) -> list[str]:
    """Compose interpolations of a secret that would start with a value anyone can read here."""
    return [found.group(0) for found in REFERENCE.finditer(text)
            if SECRET_NAME.search(found.group("name")) and (found.group("op") != ":?" or not found.group("arg"))]


def _manifests() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, document) for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for document in yaml.safe_load_all(path.read_text()) if document]


def _resource(kind: str, name: str) -> dict[str, Any]:
    [found] = [doc for _, doc in _manifests() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    return found


def _pod(name: str, kind: str = "Deployment") -> dict[str, Any]:
    return dict(_resource(kind, name)["spec"]["template"]["spec"])


def _mebibytes(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]] if quantity[-2:] in units else float(quantity) / 2**20


def kubernetes_versions() -> list[str]:
    """Every Kubernetes version kubernetes-validate bundles schemas for, from MIN_KUBERNETES on."""
    return sorted({v for v in kubernetes_validate.utils.all_versions() if Version(v) >= MIN_KUBERNETES}, key=Version)


def node_profile(docker_profile: dict[str, Any], arch: str) -> dict[str, Any]:
    """A Docker-format seccomp profile as Docker resolves it for a container without capabilities on ``arch``.

    moby's ``setupSeccomp``: keep an entry only if its ``includes`` (architectures, capabilities,
    kernel) hold and its ``excludes`` do not, then write the OCI runtime-spec format. containerd
    reads a Localhost profile as that format only: given Docker's, it ignores ``includes`` and
    ``excludes`` and allows all that Docker grants only with capabilities. Nodes run Linux newer than
    any ``minKernel`` here (user namespaces for pods need 6.3).
    """
    native = {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64"}[arch]
    [mapping] = [m for m in docker_profile["archMap"] if m["architecture"] == native]
    syscalls = []
    for entry in docker_profile["syscalls"]:
        includes, excludes = entry.get("includes") or {}, entry.get("excludes") or {}
        if arch in excludes.get("arches", ()) or excludes.get("minKernel"):
            continue
        if (includes.get("arches") and arch not in includes["arches"]) or includes.get("caps"):
            continue
        rule = {"names": entry["names"], "action": entry["action"]}
        rule.update({key: entry[key] for key in ("errnoRet", "args") if entry.get(key) is not None})
        syscalls.append(rule)
    return {"defaultAction": docker_profile["defaultAction"], "defaultErrnoRet": docker_profile["defaultErrnoRet"],
            "architectures": [native, *mapping["subArchitectures"]], "syscalls": syscalls}


def write_node_profiles() -> None:
    """Make config/k8s/nodes/ again from config/seccomp-worker.json (after changing that)."""
    for arch in ("amd64", "arm64"):
        text = json.dumps(node_profile(json.loads(WORKER_SECCOMP.read_text()), arch), indent=1)
        (NODE_PROFILES / f"seccomp-worker.{arch}.json").write_text(text + "\n")


class TestComposeSpecification:
    """Both compose files, against the Compose Specification's JSON schema."""

    SCHEMA = json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())

    @pytest.mark.parametrize("path", [ONE_HOST, MANY_HOSTS], ids=["one host", "many hosts"])
    def test_it_is_a_valid_compose_file(self, path: Path) -> None:
        errors = [f"{'.'.join(map(str, e.path))}: {e.message}"
                  for e in jsonschema.Draft202012Validator(self.SCHEMA).iter_errors(_compose(path))]
        assert errors == []

    def test_a_misspelt_key_is_caught(self) -> None:
        compose = _compose(MANY_HOSTS)
        compose["services"]["worker"]["healthchek"] = compose["services"]["worker"].pop("healthcheck")
        assert not jsonschema.Draft202012Validator(self.SCHEMA).is_valid(compose)


@pytest.mark.parametrize("path", [ONE_HOST, MANY_HOSTS], ids=["one host", "many hosts"])
class TestStartOrder:
    """Each service says when it is ready, and each waits for what it needs to be ready."""

    def test_every_service_has_a_healthcheck_or_is_a_one_shot_awaited_to_its_end(self, path: Path) -> None:
        services = _services(path)
        for name, service in services.items():
            if service.get("restart") == "no":
                waits = [_depends_on(other)[name] for other in services.values() if name in _depends_on(other)]
                assert waits and set(waits) == {"service_completed_successfully"}, name
            else:
                assert _healthcheck(service), f"{name} has no healthcheck"

    def test_every_dependency_is_awaited_by_its_condition(self, path: Path) -> None:
        services = _services(path)
        for name, service in services.items():
            for dependency, condition in _depends_on(service).items():
                one_shot = services[dependency].get("restart") == "no"
                assert condition == ("service_completed_successfully" if one_shot else "service_healthy"), \
                    f"{name} -> {dependency}"

    def test_the_order_has_no_cycle(self, path: Path) -> None:
        remaining = {name: set(_depends_on(service)) for name, service in _services(path).items()}
        while remaining:
            ready = {name for name, needs in remaining.items() if not needs}
            assert ready, f"a cycle among {sorted(remaining)}"
            remaining = {name: needs - ready for name, needs in remaining.items() if name not in ready}


class TestManyHosts:
    """config/compose.many.yaml: nothing shared but PostgreSQL, S3-compatible storage and the broker."""

    def test_web_runs_twice_and_workers_three_times(self) -> None:
        services = _services(MANY_HOSTS)
        assert (services["web"]["scale"], services["worker"]["scale"]) == (2, 3)
        [published] = services["web"]["ports"]
        first, last = map(int, published.split(":")[0].split("-"))
        assert last - first + 1 == services["web"]["scale"], "one host port per web instance"

    def test_each_setting_names_the_service_that_provides_it(self) -> None:
        services = _services(MANY_HOSTS)
        environment = services["web"]["environment"]
        database = urlsplit(_without_references(environment["DATABASE_URL"]))
        postgres = services["postgres"]["environment"]
        assert (database.scheme, database.hostname, database.port) == ("postgresql", "postgres", 5432)
        assert (database.username, database.path) == (postgres["POSTGRES_USER"], f"/{postgres['POSTGRES_DB']}")
        assert database.password == "REF-POSTGRES_PASSWORD" and postgres["POSTGRES_PASSWORD"].startswith(
            "${POSTGRES_PASSWORD:?")
        store = urlsplit(environment["STORE_URL"])
        assert store.scheme == "s3" and f"mc mb --ignore-existing store/{store.netloc}\n" in \
            services["minio-init"]["command"][0], "the bucket minio-init makes"
        assert urlsplit(environment["AWS_ENDPOINT_URL"])[1] == "minio:9000"
        assert urlsplit(environment["BROKER_URL"])[:2] == ("redis", "redis:6379")
        assert services["migrate"]["environment"]["DATABASE_URL"] == environment["DATABASE_URL"]

    def test_the_service_gets_credentials_for_its_bucket_only(self) -> None:
        services = _services(MANY_HOSTS)
        bucket = urlsplit(services["web"]["environment"]["STORE_URL"]).netloc
        # Compose hands the container's shell "$" for "$$".
        script = services["minio-init"]["command"][0].replace("$$", "$")
        checked = subprocess.run(["sh", "-n", "-c", script], capture_output=True, timeout=10, check=False)
        assert checked.returncode == 0, checked.stderr
        policy = re.search(r"printf '%s' '(.*?)' >", script, re.DOTALL)
        assert policy is not None
        resources = {resource for statement in json.loads(policy.group(1))["Statement"]
                     for resource in statement["Resource"]}
        assert resources == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
        assert services["web"]["environment"]["AWS_ACCESS_KEY_ID"] in script.split("mc admin user add store ")[1]

    def test_web_and_workers_have_the_same_settings_but_the_signing_secret(self) -> None:
        services = _services(MANY_HOSTS)
        web, worker = services["web"]["environment"], services["worker"]["environment"]
        assert {key: value for key, value in web.items() if key != "AUTH_SECRET"} == worker
        assert "AUTH_SECRET" in web and "AUTH_SECRET" not in worker, "workers sign nothing"
        assert tuple(worker["ENABLED_PLUGINS"].split(",")) == BUILTIN_PLUGINS

    def test_nothing_is_shared_through_a_disk(self) -> None:
        for name in ("web", "worker"):
            volumes = _services(MANY_HOSTS)[name]["volumes"]
            assert volumes == ["${FILES_DIR:-./files}:/files:ro"], "only the read-only source files"

    def test_migrations_run_from_the_web_image_before_any_web_app_or_worker(self) -> None:
        services = _services(MANY_HOSTS)
        assert services["migrate"]["build"] == services["web"]["build"]
        assert services["migrate"]["command"] == ["python", "-m", "proxyservice.services.task_records.migrate"]
        for name in ("web", "worker"):
            assert _depends_on(services[name])["migrate"] == "service_completed_successfully"
            assert _depends_on(services[name])["minio-init"] == "service_completed_successfully"

    def test_the_worker_is_confined_exactly_as_on_one_host(self) -> None:
        one, many = _services(ONE_HOST)["worker"], _services(MANY_HOSTS)["worker"]
        assert many["security_opt"] == one["security_opt"] and set(many["security_opt"]) == WORKER_SECURITY_OPTIONS
        assert many["cap_drop"] == one["cap_drop"] == ["ALL"]
        assert set(many) & PRIVILEGE_KEYS == {"security_opt", "cap_drop"}
        assert many["build"] == one["build"]
        for name, service in _services(MANY_HOSTS).items():
            assert name == "worker" or not set(service) & PRIVILEGE_KEYS, name

    def test_a_running_render_may_finish_before_the_worker_is_stopped(self) -> None:
        assert _seconds(_services(MANY_HOSTS)["worker"]["stop_grace_period"]) > Settings.TASK_TIME_LIMIT


@pytest.mark.parametrize("path", [ONE_HOST, MANY_HOSTS], ids=["one host", "many hosts"])
class TestComposeSettings:
    """What the compose files give the service: real settings, and no secret anyone could guess."""

    def test_each_variable_is_a_setting_with_a_valid_value(self, path: Path) -> None:
        fields = Settings.__dataclass_fields__
        for name in ("web", "worker"):
            for key, value in _services(path)[name]["environment"].items():
                assert key in fields or key in NOT_SETTINGS, f"{name}: {key} is no setting"
                if key in fields and not REFERENCE.search(value):
                    cast_setting(key, fields[key].type, value)

    def test_secrets_have_no_default(self, path: Path) -> None:
        assert unsafe_references(path.read_text()) == []
        for service in _services(path).values():
            for key, value in (service.get("environment") or {}).items():
                if SECRET_NAME.search(key):
                    assert REFERENCE.fullmatch(value), f"{key} must come from the environment"
                password = urlsplit(_without_references(value)).password if "://" in value else None
                assert password is None or password.startswith("REF-"), f"{key} holds a password"

    def test_a_default_secret_would_be_caught(self, path: Path) -> None:
        text = path.read_text().replace("${AUTH_SECRET:?", "${AUTH_SECRET:-changeme")
        found = unsafe_references(text)
        assert found and all(reference.startswith("${AUTH_SECRET:-changeme") for reference in found)
        assert unsafe_references("${S3_SECRET_KEY}") == ["${S3_SECRET_KEY}"]


class TestKubernetesManifests:
    """config/k8s/: valid for every supported Kubernetes version, and wired as the compose files are."""

    @pytest.mark.parametrize("version", kubernetes_versions())
    def test_every_manifest_is_valid_for_this_kubernetes(self, version: str) -> None:
        for path, document in _manifests():
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                pytest.fail(f"{path.name}, {document['kind']} {document['metadata']['name']}: "
                            f"{'.'.join(map(str, e.path))}: {e.message}")

    def test_the_validator_catches_what_kubernetes_would_refuse(self) -> None:
        worker = copy.deepcopy(_resource("Deployment", "proxyservice-worker"))
        container = worker["spec"]["template"]["spec"]["containers"][0]
        container["securityContext"]["procMont"] = container["securityContext"].pop("procMount")
        with pytest.raises(kubernetes_validate.ValidationError, match="procMont"):
            kubernetes_validate.validate(worker, str(MIN_KUBERNETES), strict=True)

    def test_kustomization_lists_every_manifest_and_image(self) -> None:
        kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
        assert sorted(kustomization["resources"]) == sorted({path.name for path, _ in _manifests()})
        images = {image["name"] for image in kustomization["images"]}
        used = {c["image"] for _, doc in _manifests() if "template" in doc.get("spec", {})
                for c in doc["spec"]["template"]["spec"]["containers"]}
        assert used == images == {"proxyservice-web", "proxyservice-worker"}

    def test_web_runs_twice_behind_a_service_and_workers_three_times(self) -> None:
        web, worker = _resource("Deployment", "proxyservice-web"), _resource("Deployment", "proxyservice-worker")
        assert (web["spec"]["replicas"], worker["spec"]["replicas"]) == (2, 3)
        for deployment in (web, worker):
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        service = _resource("Service", "proxyservice-web")
        assert service["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()
        [port] = web["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert service["spec"]["ports"][0]["targetPort"] == port["name"] and port["containerPort"] == 8000

    def test_web_probes_healthz_for_liveness_and_status_for_readiness(self) -> None:
        [web] = _pod("proxyservice-web")["containers"]
        assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert web["readinessProbe"]["httpGet"] == {"path": "/status", "port": "http"}
        assert web["readinessProbe"]["timeoutSeconds"] > 2 * Settings.STATUS_CHECK_TIMEOUT + 0.5

    def test_the_worker_probes_are_the_compose_healthcheck(self) -> None:
        [worker] = _pod("proxyservice-worker")["containers"]
        [shell, option, command] = worker["livenessProbe"]["exec"]["command"]
        compose = _services(MANY_HOSTS)["worker"]["healthcheck"]["test"]
        assert (shell, option) == ("sh", "-c") and compose == ["CMD-SHELL", command.replace("$", "$$")]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert worker[probe]["exec"]["command"] == [shell, option, command]
            assert worker[probe]["timeoutSeconds"] > 5 + 5, "the ping's own bound, and the app's import"

    def test_the_worker_is_confined_as_compose_confines_it(self) -> None:
        pod = _pod("proxyservice-worker")
        [worker] = pod["containers"]
        context = worker["securityContext"]
        assert pod["hostUsers"] is False, "Kubernetes allows procMount Unmasked only in a user namespace"
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == PROXY_UID
        assert context == {
            "allowPrivilegeEscalation": False,  # no-new-privileges:true
            "capabilities": {"drop": ["ALL"]},  # cap_drop: [ALL]
            "readOnlyRootFilesystem": True,
            "seccompProfile": {"type": "Localhost", "localhostProfile": "proxyservice/seccomp-worker.json"},
            "appArmorProfile": {"type": "Unconfined"},  # apparmor=unconfined
            "procMount": "Unmasked",  # systempaths=unconfined
        }
        assert pod["terminationGracePeriodSeconds"] > Settings.TASK_TIME_LIMIT

    @pytest.mark.parametrize("name, kind", [("proxyservice-web", "Deployment"), ("proxyservice-migrate", "Job")])
    def test_the_web_app_and_the_migration_meet_the_restricted_level(self, name: str, kind: str) -> None:
        pod = _pod(name, kind)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == PROXY_UID
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert "hostUsers" not in pod, "runs on any cluster"
        [container] = pod["containers"]
        assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                                "readOnlyRootFilesystem": True}

    @pytest.mark.parametrize("name, kind", [("proxyservice-web", "Deployment"), ("proxyservice-worker", "Deployment"),
                                            ("proxyservice-migrate", "Job")])
    def test_every_pod_writes_only_to_its_own_scratch_folders(self, name: str, kind: str) -> None:
        pod = _pod(name, kind)
        [container] = pod["containers"]
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        mounts = {mount["mountPath"]: volumes[mount["name"]] for mount in container["volumeMounts"]}
        assert set(mounts) == {"/tmp", "/data"} and all("emptyDir" in volume for volume in mounts.values())
        assert pod["automountServiceAccountToken"] is False, "no pod talks to the Kubernetes API"

    def test_settings_come_from_the_configmap_and_secrets_from_the_secret(self) -> None:
        settings = _resource("ConfigMap", "proxyservice-settings")["data"]
        secret = _resource("Secret", "proxyservice-secrets")["stringData"]
        fields = Settings.__dataclass_fields__
        for key, value in settings.items():
            assert key in fields or key in NOT_SETTINGS, f"{key} is no setting"
            if key in fields:
                cast_setting(key, fields[key].type, value)
        assert set(secret) == SECRETS and not set(settings) & SECRETS
        assert tuple(settings["ENABLED_PLUGINS"].split(",")) == BUILTIN_PLUGINS
        wanted = {"proxyservice-web": SECRETS, "proxyservice-worker": SECRETS - {"AUTH_SECRET"},
                  "proxyservice-migrate": {"DATABASE_URL"}}
        for name, kind in (("proxyservice-web", "Deployment"), ("proxyservice-worker", "Deployment"),
                           ("proxyservice-migrate", "Job")):
            [container] = _pod(name, kind)["containers"]
            refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
            assert all(ref == {"name": "proxyservice-secrets", "key": key} for key, ref in refs.items())
            assert set(refs) == wanted[name], name
            for source in container.get("envFrom", []):
                assert source == {"configMapRef": {"name": "proxyservice-settings"}}

    def test_the_placeholder_secrets_cannot_work(self) -> None:
        secret = _resource("Secret", "proxyservice-secrets")["stringData"]
        assert all("REPLACE-ME" in value for value in secret.values())
        with pytest.raises(SettingInvalid, match="at least 32 characters"):
            _ = Settings.from_environ({"AUTH_SECRET": secret["AUTH_SECRET"]}).auth_secret

    def test_the_worker_memory_limit_holds_its_renders(self) -> None:
        [worker] = _pod("proxyservice-worker")["containers"]
        command = dockerfile_command("Dockerfile-worker")
        [concurrency] = [int(arg.split("=")[1]) for arg in command if arg.startswith("--concurrency=")]
        render = int(_resource("ConfigMap", "proxyservice-settings")["data"]["RENDER_MEMORY_MB"])
        needed = concurrency * (render + RENDERER_CODE_MIB + SANDBOX_TMP_MIB) + WORKER_PROCESSES_MIB + PROBE_MIB
        resources = worker["resources"]
        assert _mebibytes(resources["limits"]["memory"]) >= needed
        assert _mebibytes(resources["requests"]["memory"]) <= _mebibytes(resources["limits"]["memory"])

    def test_the_migration_is_the_compose_one(self) -> None:
        [migrate] = _pod("proxyservice-migrate", "Job")["containers"]
        assert migrate["command"] == _services(MANY_HOSTS)["migrate"]["command"]
        assert migrate["image"] == "proxyservice-web"

    def test_the_images_user_has_the_uid_the_manifests_run_as(self) -> None:
        for dockerfile in ("Dockerfile", "Dockerfile-worker"):
            assert re.search(rf"useradd [^&]*--uid {PROXY_UID} ", (ROOT / dockerfile).read_text()), dockerfile


class TestNodeSeccompProfile:
    """config/k8s/nodes/: the worker's seccomp profile in the format containerd reads."""

    @pytest.mark.parametrize("arch", ["amd64", "arm64"])
    def test_it_is_the_worker_profile_as_docker_resolves_it(self, arch: str) -> None:
        written = json.loads((NODE_PROFILES / f"seccomp-worker.{arch}.json").read_text())
        assert written == node_profile(json.loads(WORKER_SECCOMP.read_text()), arch), \
            "run tests.test_deployment_manifests.write_node_profiles() after changing config/seccomp-worker.json"

    def test_read_as_it_is_the_docker_profile_would_grant_what_needs_capabilities(self) -> None:
        """Why the nodes do not get config/seccomp-worker.json itself: containerd ignores includes."""
        docker = json.loads(WORKER_SECCOMP.read_text())
        resolved = node_profile(docker, "amd64")

        def unconditional(profile: dict[str, Any]) -> set[str]:
            return {name for entry in profile["syscalls"] if entry["action"] == "SCMP_ACT_ALLOW"
                    and not entry.get("args") for name in entry["names"]}

        assert {"setns", "bpf", "fsmount", "move_mount", "clone", "unshare"} <= \
            unconditional(docker) - unconditional(resolved)

    @pytest.mark.skipif(os.geteuid() != 0, reason="making the container's mount namespace needs root")
    def test_the_sandbox_runs_under_it_as_kubernetes_runs_the_worker(self) -> None:
        from tests.test_seccomp_profile import ARCHITECTURES, Container, run_sandbox_in

        if platform.machine() not in ARCHITECTURES:
            pytest.skip("architecture not modelled")
        arch = ARCHITECTURES[platform.machine()][0]
        # No capabilities, allowPrivilegeEscalation false, procMount Unmasked, user 10001.
        found = run_sandbox_in(Container(str(NODE_PROFILES / f"seccomp-worker.{arch}.json"), (), PROXY_UID,
                                         no_new_privileges=True, systempaths_unconfined=True))
        assert found.get("check", "").startswith("bubblewrap "), found
        assert found["wrote"] == "ok" and found["nested_user_namespace"] != 0
        assert found["mount_errno"] == 1, "outside bubblewrap's namespaces, mount is still refused"


@pytest.fixture(scope="module")
def worker_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real worker, started with its image's own command (so Celery's default node name), and its settings."""
    from proxyservice.services.task_queue import TaskQueue

    folder = tmp_path_factory.mktemp("probes")
    redis = RedisServer(folder / "redis").start()
    environment = {"DATA_DIR": str(folder / "data"), "REDIS_URL": redis.url, "BROKER_URL": redis.url}
    log = (folder / "worker.log").open("wb")
    process = subprocess.Popen(dockerfile_command("Dockerfile-worker"), cwd=ROOT, env={**os.environ, **environment},
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        queue = TaskQueue(Settings.from_environ(environment))
        wait_until(lambda: f"celery@{socket.gethostname()}" in queue.workers_answering(0.5), 60, "the worker")
        yield environment
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        redis.stop()


def _probe(command: list[str], environment: dict[str, str], hostname: str) -> tuple[int, float]:
    """Run a probe as the container runtime does: the container's environment, HOSTNAME its hostname."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **environment, "HOSTNAME": hostname, "PATH": path},
                            capture_output=True, timeout=60, check=False)
    return result.returncode, time.monotonic() - started


class TestWorkerProbes:
    """The workers' healthchecks, exactly as written, against a real worker and Redis."""

    def _commands(self) -> dict[str, list[str]]:
        [kind, command] = _services(ONE_HOST)["worker"]["healthcheck"]["test"]
        assert kind == "CMD-SHELL" and _services(MANY_HOSTS)["worker"]["healthcheck"]["test"] == [kind, command]
        [worker] = _pod("proxyservice-worker")["containers"]
        # Compose hands the container's shell "$" for "$$".
        return {"compose": ["/bin/sh", "-c", command.replace("$$", "$")],
                "kubernetes": worker["livenessProbe"]["exec"]["command"],
                "image": _healthcheck({"build": {"context": "..", "dockerfile": "Dockerfile-worker"}})}

    @pytest.mark.parametrize("where", ["compose", "kubernetes", "image"])
    def test_a_worker_that_answers_is_healthy(self, where: str, worker_environment: dict[str, str]) -> None:
        returncode, _ = _probe(self._commands()[where], worker_environment, socket.gethostname())
        assert returncode == 0

    @pytest.mark.parametrize("where", ["compose", "kubernetes", "image"])
    def test_a_worker_that_does_not_answer_is_unhealthy_within_the_probe_timeout(
            self, where: str, worker_environment: dict[str, str]) -> None:
        returncode, seconds = _probe(self._commands()[where], worker_environment, "another-host")
        [worker] = _pod("proxyservice-worker")["containers"]
        timeouts = (worker["livenessProbe"]["timeoutSeconds"],
                    _seconds(_services(MANY_HOSTS)["worker"]["healthcheck"]["timeout"]),
                    _seconds(_services(ONE_HOST)["worker"]["healthcheck"]["timeout"]),
                    _image_healthcheck_timeout("Dockerfile-worker"))
        assert returncode != 0 and seconds < min(timeouts)
