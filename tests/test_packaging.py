"""What can be checked of the Docker images and compose file without a Docker engine.

The images' CMDs themselves are run by the end-to-end tests (tests.support.dockerfile_command).
"""

import importlib
import re

import yaml

from tests.support import ROOT, dockerfile_command

DOCKERFILES = ("Dockerfile", "Dockerfile-worker")


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
                if line.startswith("COPY "):
                    for source in line.split()[1:-1]:
                        assert (ROOT / source).exists(), f"{name}: {source}"

    def test_the_commands_name_what_exists(self) -> None:
        web = dockerfile_command("Dockerfile")
        assert web[1:] == ["--ini", "uwsgi.ini"] and (ROOT / "uwsgi.ini").is_file()
        worker = dockerfile_command("Dockerfile-worker")
        module = worker[worker.index("-A") + 1]
        assert importlib.import_module(module).app.main == "proxyservice"


class TestCompose:
    """config/compose.yaml."""

    def test_web_and_worker_share_broker_and_data(self) -> None:
        compose = yaml.safe_load((ROOT / "config" / "compose.yaml").read_text())
        services = compose["services"]
        assert {"redis", "web", "worker"} <= set(services)
        for name, dockerfile in (("web", "Dockerfile"), ("worker", "Dockerfile-worker")):
            build = services[name]["build"]
            assert (ROOT / "config" / build["context"] / build["dockerfile"]).resolve() == (ROOT / dockerfile).resolve()
            assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services["web"]["volumes"] == services["worker"]["volumes"]

    def test_redis_keeps_queued_work_across_a_restart(self) -> None:
        compose = yaml.safe_load((ROOT / "config" / "compose.yaml").read_text())
        command = compose["services"]["redis"]["command"]
        assert command[command.index("--appendonly") + 1] == "yes"
        assert "appendonly yes" in (ROOT / "config" / "redis.conf").read_text()
