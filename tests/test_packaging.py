"""What can be checked of the Docker images, the compose file and the web image's nginx without a Docker engine.

The images' CMDs themselves are run by the end-to-end tests (tests.support.dockerfile_command).
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery.app.utils import find_app

from proxyservice.config import Settings
from proxyservice.factory import UPLOAD_OVERHEAD_BYTES
from tests.support import ROOT, dockerfile_command

DOCKERFILES = ("Dockerfile", "Dockerfile-worker")
WORKER_SECURITY_OPTIONS = {"seccomp=./seccomp-worker.json", "apparmor=unconfined", "systempaths=unconfined",
                           "no-new-privileges:true"}
"""What the converter sandbox needs of Docker (docs/deploying.md, "The worker's container";
tests/test_seccomp_profile.py shows why)."""
PRIVILEGE_KEYS = {"security_opt", "cap_add", "cap_drop", "privileged", "user", "userns_mode", "pid", "ipc",
                  "devices", "sysctls"}
DEFAULT_SECCOMP = ROOT / "tests" / "fixtures" / "docker-default-seccomp.json"
DEFAULT_SECCOMP_SHA256 = "536529b665dd0972c37bfb569f5d4ac8a53592e7b00752bc39ff063ca9864c74"
"""moby/profiles seccomp/default.json at seccomp/v0.2.3 (836ae4d37ef2ec995c77c99fc55f5b5f3af3a897), unmodified."""
WORKER_SECCOMP = ROOT / "config" / "seccomp-worker.json"
CLONE_NEWUSER = 0x10000000
NGINX_SH = ROOT / "config" / "nginx.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
"""As config/nginx.sh finds it: Debian's /usr/sbin is not on an ordinary user's PATH."""


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "config" / "compose.yaml").read_text()))


def _rules(profile: dict[str, Any]) -> list[tuple[str, str, str]]:
    """One (syscall, action, conditions) per name in each entry, conditions as canonical JSON."""
    return sorted(
        (name, entry["action"], json.dumps({key: entry.get(key) for key in ("args", "includes", "excludes",
                                                                              "errnoRet")}, sort_keys=True))
        for entry in profile["syscalls"] for name in entry["names"])


class TestDockerfiles:
    """Both images."""

    def test_they_are_based_on_bookworm_which_still_ships_wkhtmltopdf(self) -> None:
        for name in DOCKERFILES:
            text = (ROOT / name).read_text()
            assert re.search(r"^FROM \S+-bookworm$", text, re.MULTILINE), name
            assert "--no-install-recommends" in text, name
            for package in ("wkhtmltopdf", "poppler-utils", "libmagic1", "fonts-dejavu-core"):
                assert package in text, f"{name} lacks {package}"

    def test_every_copied_path_exists(self) -> None:
        for name in DOCKERFILES:
            for line in (ROOT / name).read_text().splitlines():
                if line.startswith("COPY ") and not line.startswith("COPY --from="):
                    for source in line.split()[1:-1]:
                        assert (ROOT / source).exists(), f"{name}: {source}"

    def test_the_worker_image_has_the_sandbox_and_runs_as_its_own_user(self) -> None:
        text = (ROOT / "Dockerfile-worker").read_text()
        installed = re.search(r"apt-get install ([^&]*)", text)
        assert installed is not None
        assert {"bubblewrap", "tinyproxy-bin", "socat"} <= set(installed.group(1).split())
        # The fonts pages name, by those names, in the cache the sandbox shows (as config/install.sh does).
        assert {"fonts-liberation2", "fonts-noto-core"} <= set(installed.group(1).split())
        assert "COPY config/fonts/60-proxyservice-aliases.conf /etc/fonts/conf.d/" in text
        assert text.index("/etc/fonts/conf.d/") < text.index("fc-cache -f")
        # Root in the worker, with the system paths the sandbox needs writable, could write the host's sysctls.
        users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
        assert users and users[-1] == "10001:10001", "the user proxy, by number (runAsNonRoot can check it)"
        assert not re.search(r"chmod\s+(u\+s|[0-7]*4[0-7]{3})\b", text), "bubblewrap stays non-setuid"

    def test_the_commands_name_what_exists(self) -> None:
        web = dockerfile_command("Dockerfile")
        assert web[1:] == ["--ini", "uwsgi.ini"] and (ROOT / "uwsgi.ini").is_file()
        worker = dockerfile_command("Dockerfile-worker")
        module = worker[worker.index("-A") + 1]
        # As Celery finds it: the module's app, or its package's `celery` module's (proxyservice.worker.celery).
        assert find_app(module).main == "proxyservice"


def stages(dockerfile: str) -> list[str]:
    """The text of each stage (FROM to the next FROM) of one of the project's Dockerfiles."""
    return re.split(r"^(?=FROM )", (ROOT / dockerfile).read_text(), flags=re.M)[1:]


def pinned(lock: str) -> set[str]:
    """The names of the distributions a requirements/ lock pins, normalized."""
    text = (ROOT / "requirements" / lock).read_text()
    return {re.sub(r"[-_.]+", "-", name).lower() for name in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)}


def required(*extras: str) -> set[str]:
    """The names pyproject.toml asks for, with those extras."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [req for extra in extras for req in project["optional-dependencies"][extra]]
    return {re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", req).group(0)).lower() for req in wanted}  # type: ignore[union-attr]


class TestLockedImages:
    """Both images install pinned, hash-checked dependencies before the code, and keep no compiler."""

    @pytest.mark.parametrize("dockerfile, lock, extras", [("Dockerfile", "web.txt", ("web",)),
                                                          ("Dockerfile-worker", "worker.txt", ())])
    def test_each_image_installs_its_lock_first_then_the_code_not_editable(
            self, dockerfile: str, lock: str, extras: tuple[str, ...]) -> None:
        build, final = stages(dockerfile)
        assert build.startswith("FROM python:3.11-slim-bookworm AS build")
        install = build.index("--require-hashes -r /tmp/requirements.txt")
        assert build.index(f"COPY requirements/{lock} /tmp/requirements.txt") < install < build.index("COPY proxyservice")
        assert final.index("COPY --from=build /venv /venv") < final.index("COPY proxyservice")
        text = build + final
        assert " -e " not in text and "--editable" not in text
        assert not re.search(r"\b(gcc|libc6-dev|build-essential)\b", final), "no compiler in the final image"
        assert required(*extras) <= pinned(lock), "every dependency is pinned"

    def test_uwsgi_is_the_web_image_s_alone_playwright_the_worker_s_and_the_dev_lock_has_everything(self) -> None:
        assert "uwsgi" in pinned("web.txt") and "uwsgi" not in pinned("worker.txt")
        assert "playwright" in pinned("worker.txt") and "playwright" not in pinned("web.txt")
        assert required("web", "chromium", "test") <= pinned("dev.txt")
        assert pinned("web.txt") | pinned("worker.txt") <= pinned("dev.txt")

    def test_locks_pin_with_hashes_and_name_no_local_index(self) -> None:
        for lock in ("worker.txt", "web.txt", "dev.txt"):
            text = (ROOT / "requirements" / lock).read_text()
            pins = re.findall(r"^[A-Za-z0-9_.-]+==\S+ \\\n    --hash=sha256:[0-9a-f]{64}", text, re.M)
            assert len(pins) == len(pinned(lock)), f"{lock}: every pin carries its hashes"
            assert not re.search(r"^--(extra-index-url|index-url|find-links)", text, re.M), lock

    def test_make_run_and_make_test_install_from_the_dev_lock(self) -> None:
        text = (ROOT / "config" / "install.sh").read_text()
        assert "--require-hashes -r requirements/dev.txt" in text and "--no-deps -e ." in text

    def test_hadolint_finds_nothing_in_either_dockerfile(self) -> None:
        hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
        result = subprocess.run([hadolint, "--no-color", *DOCKERFILES], cwd=ROOT, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0 and result.stdout == "", result.stdout


class TestCompose:
    """config/compose.yaml."""

    def test_web_and_worker_share_broker_and_data(self) -> None:
        services = _compose()["services"]
        assert {"redis", "web", "worker"} <= set(services)
        for name, dockerfile in (("web", "Dockerfile"), ("worker", "Dockerfile-worker")):
            build = services[name]["build"]
            assert (ROOT / "config" / build["context"] / build["dockerfile"]).resolve() == (ROOT / dockerfile).resolve()
            assert services[name]["environment"]["BROKER_URL"] == "redis://redis:6379/0"
        assert services["web"]["volumes"] == services["worker"]["volumes"]

    def test_the_worker_gets_what_the_converter_sandbox_needs_and_no_more(self) -> None:
        worker = _compose()["services"]["worker"]
        assert set(worker["security_opt"]) == WORKER_SECURITY_OPTIONS
        assert len(worker["security_opt"]) == len(WORKER_SECURITY_OPTIONS)
        assert worker["cap_drop"] == ["ALL"]
        assert set(worker) & PRIVILEGE_KEYS == {"security_opt", "cap_drop"}, "the image's user, no capability"
        # Compose reads a seccomp profile relative to the compose file's folder.
        [seccomp] = [option.split("=", 1)[1] for option in worker["security_opt"] if option.startswith("seccomp=")]
        assert (ROOT / "config" / seccomp).resolve() == WORKER_SECCOMP.resolve()

    def test_the_other_services_get_none_of_it(self) -> None:
        services = _compose()["services"]
        for name in set(services) - {"worker"}:
            assert not set(services[name]) & PRIVILEGE_KEYS, name

    def test_redis_keeps_queued_work_across_a_restart(self) -> None:
        command = _compose()["services"]["redis"]["command"]
        assert command[command.index("--appendonly") + 1] == "yes"
        assert "appendonly yes" in (ROOT / "config" / "redis.conf").read_text()


class TestWorkerSeccompProfile:
    """config/seccomp-worker.json: Docker's default profile, untouched, and bubblewrap's few additions."""

    def test_the_fixture_is_mobys_default_unmodified(self) -> None:
        assert hashlib.sha256(DEFAULT_SECCOMP.read_bytes()).hexdigest() == DEFAULT_SECCOMP_SHA256

    def test_a_diff_against_the_default_shows_only_additions(self) -> None:
        default, worker = DEFAULT_SECCOMP.read_text(), WORKER_SECCOMP.read_text()
        closing = "\n\t]\n}"
        assert default.endswith(closing) and worker.endswith(closing)
        assert worker.startswith(default[: -len(closing)] + ",\n")

    def test_it_parses_and_adds_only_what_bubblewrap_calls(self) -> None:
        default, worker = json.loads(DEFAULT_SECCOMP.read_text()), json.loads(WORKER_SECCOMP.read_text())
        assert {key: value for key, value in worker.items() if key != "syscalls"} == \
            {key: value for key, value in default.items() if key != "syscalls"}
        kept, added = _rules(default), _rules(worker)
        assert [rule for rule in kept if rule not in added] == [], "nothing of Docker's is taken away"
        for rule in kept:
            added.remove(rule)
        assert {(name, action) for name, action, _ in added} == {
            (name, "SCMP_ACT_ALLOW") for name in ("clone", "unshare", "mount", "umount2", "pivot_root", "sethostname")}
        assert len(added) == 7, "clone twice (s390 passes its flags second), each other call once"

    def test_namespaces_only_come_with_a_user_namespace(self) -> None:
        additions = json.loads(WORKER_SECCOMP.read_text())["syscalls"][
            len(json.loads(DEFAULT_SECCOMP.read_text())["syscalls"]):]
        for entry in additions:
            assert entry["comment"].startswith("proxyservice worker: ")
            assert "includes" not in entry or "caps" not in entry["includes"]
            if entry["names"] == ["clone"]:
                [condition] = entry["args"]
                assert condition["op"] == "SCMP_CMP_MASKED_EQ"
                assert condition["value"] == condition["valueTwo"] == CLONE_NEWUSER
            if entry["names"] == ["unshare"]:
                assert entry["args"] == [{"index": 0, "value": CLONE_NEWUSER, "op": "SCMP_CMP_EQ"}]


def _render(folder: Path, address: str = "127.0.0.1:8000", **environment: str) -> subprocess.CompletedProcess[str]:
    """config/nginx.sh render, as uwsgi.ini runs it, into ``folder``."""
    return subprocess.run(["sh", str(NGINX_SH), "render", str(folder), address, str(folder / "uwsgi.sock")],
                          env={**os.environ, **environment}, capture_output=True, text=True, timeout=30)


@pytest.fixture
def runtime(tmp_path: Path) -> Path:
    """A private runtime folder, as uwsgi.ini makes one (mktemp -d)."""
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    return folder


class TestNginxInFront:
    """config/nginx.conf, rendered by config/nginx.sh as uwsgi.ini does, and what the web image needs for it."""

    def test_the_rendered_config_passes_nginx_t(self, runtime: Path) -> None:
        rendered = _render(runtime, "0.0.0.0:8000")
        assert rendered.returncode == 0, rendered.stderr
        checked = subprocess.run([NGINX, "-t", "-p", f"{runtime}/", "-c", "nginx.conf", "-e", "stderr"],
                                 capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0 and "test is successful" in checked.stderr, checked.stderr
        config = (runtime / "nginx.conf").read_text()
        assert not re.search(r"@[A-Z_]+@", config) and "listen 0.0.0.0:8000;" in config
        assert f"uwsgi_pass unix:{runtime}/uwsgi.sock;" in config

    def test_the_body_limit_follows_max_source_bytes(self, runtime: Path) -> None:
        assert _render(runtime).returncode == 0
        default = Settings.MAX_SOURCE_BYTES + UPLOAD_OVERHEAD_BYTES
        assert f"client_max_body_size {default};" in (runtime / "nginx.conf").read_text()
        assert _render(runtime, MAX_SOURCE_BYTES="1000").returncode == 0
        assert f"client_max_body_size {1000 + UPLOAD_OVERHEAD_BYTES};" in (runtime / "nginx.conf").read_text()

    @pytest.mark.parametrize("environment, address, message", [
        ({"MAX_SOURCE_BYTES": "50_000_000"}, "127.0.0.1:8000", "MAX_SOURCE_BYTES='50_000_000'"),
        ({}, "127.0.0.1:8000; include /etc/passwd", "is not host:port"),
        ({}, "", "is not host:port"),
    ])
    def test_what_nginx_cannot_take_stops_it_with_a_reason(self, runtime: Path, environment: dict[str, str],
                                                           address: str, message: str) -> None:
        rendered = _render(runtime, address, **environment)
        assert rendered.returncode != 0 and message in rendered.stderr

    def test_it_renders_only_into_a_private_folder(self, tmp_path: Path) -> None:
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        rendered = _render(shared)
        assert rendered.returncode != 0 and "mode 0700" in rendered.stderr
        assert not (shared / "nginx.conf").exists()
        # mktemp -d failed (TMPDIR not writable): uwsgi.ini passes an empty folder.
        empty = subprocess.run(["sh", str(NGINX_SH), "render", "", "127.0.0.1:8000", "/uwsgi.sock"],
                               capture_output=True, text=True, timeout=30)
        assert empty.returncode != 0 and "not an absolute path" in empty.stderr

    def test_uwsgi_ini_renders_then_supervises_it(self) -> None:
        ini = (ROOT / "uwsgi.ini").read_text()
        options = dict(re.findall(r"^([a-z0-9-]+) = (.*)$", ini, re.M))
        assert options["socket"] == "%(proxyservice-runtime)/uwsgi.sock", "the workers only on the private socket"
        assert not {"http", "http-socket", "fastrouter", "https"} & set(options)
        exec_asap = re.findall(r"^exec-asap = (.*)$", ini, re.M)
        assert "config/nginx.sh\" render" in exec_asap[0], "nginx's config is checked before anything else"
        assert "config/nginx.sh\" run" in options["attach-daemon2"] and "control=1" in options["attach-daemon2"]

    def test_uwsgi_ini_never_lets_harakiri_kill_a_worker_mid_upload(self) -> None:
        """uWSGI 2.0 keeps one harakiri deadline per process (unbit/uwsgi#2706): with threads and
        post-buffering, a quick request ending beside an upload re-arms it in 1970 and the worker is
        killed at once. The many-hosts test met it: nginx's auth subrequest, then the upload, a 502."""
        ini = (ROOT / "uwsgi.ini").read_text()
        options = dict(re.findall(r"^([a-z0-9-]+) = (.*)$", ini, re.M))
        if int(options.get("harakiri", "0")) and int(options.get("post-buffering", "0")):
            assert int(options.get("threads", "1")) == 1

    def test_its_defaults_are_the_apps(self) -> None:
        script = NGINX_SH.read_text()
        assert f"DEFAULT_MAX_SOURCE_BYTES={Settings.MAX_SOURCE_BYTES} " in script
        assert f"UPLOAD_OVERHEAD_BYTES={UPLOAD_OVERHEAD_BYTES} " in script

    def test_the_web_image_and_install_sh_bring_nginx(self) -> None:
        text = stages("Dockerfile")[-1]  # the image that runs, not its build stage
        installed = re.search(r"apt-get install ([^&]*)", text)
        assert installed is not None and "nginx" in installed.group(1).split()
        assert re.search(r"^COPY .*config/nginx\.conf.*config/nginx\.sh", text, re.M)
        assert "packages+=(nginx)" in (ROOT / "config" / "install.sh").read_text()
