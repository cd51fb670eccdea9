"""proxyservice.client, and the command line through it, against the real service: uWSGI, a real worker."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from proxyservice.client import (Forbidden, NotFound, ProxyServiceClient, Refused, ServiceUnreachable,
                                 Unauthorized)
from proxyservice.config import Settings
from tests.conftest import bearer
from tests.e2e.conftest import Service
from tests.e2e.test_ingest_to_proxy import unique_copy
from tests.e2e.served import running_uwsgi
from tests.support import assert_not_blank, free_port, pictures


@pytest.fixture(scope="module")
def client(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyServiceClient]:
    with running_uwsgi(service, tmp_path_factory.mktemp("client") / "uwsgi.log") as url:
        token = bearer(Settings.from_environ(service.environment)).removeprefix("Bearer ")
        yield ProxyServiceClient(url, token)


class TestClient:
    def test_ingest_wait_list_and_fetch_then_the_same_file_is_done_at_once(
            self, client: ProxyServiceClient, service: Service) -> None:
        page = unique_copy(service, "styled.html")
        result = client.ingest_path(page)
        assert not result.done and [task.plugin for task in result.tasks] == ["html_preview::HTMLPreview"]
        status = client.wait(result.tasks[0].task_id, timeout=60)
        assert status.status == "succeeded" and status.file_id == result.file_id and status.error is None
        [proxy] = pictures(client.proxies(result.file_id))
        assert (proxy.typeidentifier, proxy.mimetype, proxy.width, proxy.height) == ("preview", "image/png", 400, 300)
        png = client.proxy_bytes(result.file_id, proxy.typeidentifier)
        assert len(png) == proxy.bytes and assert_not_blank(png).size == (400, 300)
        again = client.ingest_path(page)
        assert again.done and again.file_id == result.file_id and again.tasks[0].reused

    def test_an_upload_of_bytes_at_another_size(self, client: ProxyServiceClient) -> None:
        result = client.upload(io.BytesIO(b"<h1>Sent by the client</h1>"), "client.html", size=(200, 150))
        assert client.wait(result.tasks[0].task_id, timeout=60).status == "succeeded"
        [proxy] = pictures(client.proxies(result.file_id))
        assert (proxy.typeidentifier, proxy.width, proxy.height) == ("preview@thumbnail", 200, 150)

    def test_an_upload_at_named_sizes(self, client: ProxyServiceClient, tmp_path: Path) -> None:
        page = tmp_path / "sized.html"
        page.write_text(f"<h1>Sizes {tmp_path.name}</h1>")
        result = client.upload(page, sizes=["large", "preview"])
        for task in result.tasks:
            assert client.wait(task.task_id, timeout=60).status == "succeeded"
        made = {proxy.typeidentifier: (proxy.width, proxy.height) for proxy in pictures(client.proxies(result.file_id))}
        assert made == {"preview": (400, 300), "preview@large": (1024, 768)}

    def test_a_file_found_by_its_metadata_then_whole(self, client: ProxyServiceClient, tmp_path: Path) -> None:
        title = f"Found by the client {tmp_path.name}"
        result = client.upload(io.BytesIO(f"<title>{title}</title><h1>x</h1>".encode()), "found.html")
        assert client.wait(result.tasks[0].task_id, timeout=60).status == "succeeded"
        page = client.files(name="FOUND.HTML", mimetype="text/", **{"html_preview.title": title})
        [listed] = page.files
        assert (listed.file_id, listed.name, listed.mimetype, page.next) == (result.file_id, "found.html",
                                                                              "text/html", None)
        assert listed.metadata["html_preview"]["title"] == title and listed.url == f"/files/{result.file_id}"
        whole = client.file(listed.file_id)
        assert whole.metadata == listed.metadata and [p.typeidentifier for p in whole.proxies] == ["preview", "text"]
        assert [task.status for task in whole.tasks] == ["succeeded"]
        sizes = [f.metadata["file"]["size"] for f in client.all_files(**{"file.size.max": 10**9})]
        assert len(sizes) >= 1
        with pytest.raises(Refused, match="html_preview.colour: no enabled plugin declares"):
            client.files(**{"html_preview.colour": "red"})

    def test_the_apis_errors_are_exceptions_with_its_words(self, client: ProxyServiceClient, service: Service,
                                                         tmp_path: Path) -> None:
        with pytest.raises(NotFound, match="404"):
            client.ingest_path(service.sources / "no-such-page.html")
        outside = tmp_path / "outside.html"
        outside.write_text("<p>x</p>")
        with pytest.raises(Forbidden) as forbidden:
            client.ingest_path(outside)
        assert forbidden.value.status == 403 and "outside" in forbidden.value.message
        with pytest.raises(Refused) as refused:
            client.ingest_path(service.sources / "plain.html", callback_url="http://169.254.169.254/")
        assert refused.value.status == 400 and "callback_url" in refused.value.message
        with pytest.raises(NotFound):
            client.task("no-such-task")
        with pytest.raises(Unauthorized):
            ProxyServiceClient(client.url, "not-a-token").proxies("f" * 64)
        with pytest.raises(ServiceUnreachable):
            ProxyServiceClient(f"http://127.0.0.1:{free_port()}", "t", timeout=2).task("x")


def run_remote(url: str, token: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The installed ``proxyservice`` command, on a host with none of the service's settings: only its URL and a token."""
    command = [str(Path(sys.executable).parent / "proxyservice"), *arguments]
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
                   "PROXYSERVICE_URL": url, "PROXYSERVICE_TOKEN": token}
    if "PYTHONPATH" in os.environ:  # the code under test, where it is not the one installed
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)


class TestRemoteCommandLine:
    """add-file and status against the service over HTTP, from a host that has only its URL and a token."""

    def test_add_file_sends_the_file_waits_and_status_reads_it(self, client: ProxyServiceClient,
                                                               tmp_path: Path) -> None:
        page = tmp_path / "remote page.html"
        page.write_text(f"<h1>Sent from elsewhere {tmp_path.name}</h1>")
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        added = run_remote(client.url, token, "add-file", str(page), "--wait", "--json")
        assert added.returncode == 0, added.stderr
        body = json.loads(added.stdout)
        [task] = body["tasks"]
        assert task["status"] == "succeeded" and body["filename"] == "remote_page.html"
        assert client.proxies(body["file_id"])[0].typeidentifier == "preview"
        status = run_remote(client.url, token, "status", task["task_id"])
        assert status.returncode == 0 and f"task_id: {task['task_id']}" in status.stdout
        assert "status: succeeded" in status.stdout and f"proxies_url: /proxies/{body['file_id']}" in status.stdout

    def test_a_reused_task_shows_its_warnings(self, client: ProxyServiceClient, tmp_path: Path) -> None:
        """The same bytes again: the earlier task is reused, and what it warned of is said again."""
        page = tmp_path / "warns.html"
        page.write_text(f'<h1>Warns {tmp_path.name}</h1><img src="missing.png">')
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        first = json.loads(run_remote(client.url, token, "add-file", str(page), "--wait", "--json").stdout)
        [warned] = first["tasks"]
        assert warned["warnings"], "the page refers to a file that was not sent"
        again = run_remote(client.url, token, "add-file", str(page), "--json")
        [reused] = json.loads(again.stdout)["tasks"]
        assert reused["reused"] and reused["warnings"] == warned["warnings"]

    def test_show_finds_a_sent_file_by_its_path(self, client: ProxyServiceClient, tmp_path: Path) -> None:
        page = tmp_path / "shown.html"
        page.write_text(f"<title>Shown {tmp_path.name}</title><h1>Shown</h1>")
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        added = json.loads(run_remote(client.url, token, "add-file", str(page), "--wait", "--json").stdout)
        shown = run_remote(client.url, token, "show", str(page))
        assert shown.returncode == 0, shown.stderr
        lines = shown.stdout.splitlines()
        assert lines[:3] == [f"file_id: {added['file_id']}", "name: shown.html", "mimetype: text/html"]
        assert "  html_preview:" in lines and f"    title: Shown {tmp_path.name}" in lines
        as_json = json.loads(run_remote(client.url, token, "show", added["file_id"], "--json").stdout)
        assert as_json["proxies"][0]["typeidentifier"] == "preview" and as_json["tasks"][0]["status"] == "succeeded"

    def test_its_errors_are_the_services_words(self, client: ProxyServiceClient) -> None:
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        missing = run_remote(client.url, token, "status", "no-such-task")
        assert missing.returncode == 1 and "the service answered 404" in missing.stderr
        denied = run_remote(client.url, "not-a-token", "status", "no-such-task")
        assert denied.returncode == 1 and "401" in denied.stderr

    @pytest.mark.parametrize(("url", "said"), [
        ("http://127.0.0.1:{port}", "nothing listens there (connection refused); is the service running?"),
        ("http://no-such-host.invalid:8000", "no host by that name"),
        ("127.0.0.1:8000", "is not a service URL (write it as http://host:port)"),
    ])
    def test_a_wrong_url_is_said_in_words(self, url: str, said: str) -> None:
        result = run_remote(url.format(port=free_port()), "token", "status", "some-task")
        [line] = result.stderr.splitlines()
        assert result.returncode == 1 and line.startswith("Error: the service did not answer: ") and line.endswith(said)


class TestRemoteIngest:
    """ingest DIR against the service over HTTP: each file sent, the rendering followed, the summary true."""

    def test_a_tree_is_sent_followed_and_summed_up_then_found_unchanged(self, client: ProxyServiceClient,
                                                                        tmp_path: Path) -> None:
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        tree = tmp_path / "tree"
        (tree / "deeper").mkdir(parents=True)
        (tree / "one.html").write_text(f"<h1>One {tmp_path.name}</h1>")
        two_name = f"two-{tmp_path.name}.html"
        (tree / "deeper" / two_name).write_text(f"<h1>Two {tmp_path.name}</h1>")
        (tree / "deeper" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
        (tree / "archive.bin").write_bytes(bytes(range(256)) * 4)
        result = run_remote(client.url, token, "ingest", str(tree), "--wait", "--timeout", "60", "--json")
        summary = json.loads(result.stdout)
        assert result.returncode == 1, result.stderr  # one file fails
        assert result.stderr.splitlines() == ["Submitting", "Rendering"], "a bar for each phase"
        assert summary["submitted"] == 3 and summary["files"]["unsupported"] == [str(tree / "archive.bin")]
        assert list(summary["failed"]) == [str(tree / "deeper" / "broken.png")]
        assert "not a readable image" in summary["failed"][str(tree / "deeper" / "broken.png")]
        assert summary["rendering"] == {"tasks": 3, "succeeded": 2, "failed": 1, "unfinished": 0}
        [two] = client.tasks(name=two_name.upper(), state="succeeded")
        assert client.proxies(two.file_id)[0].typeidentifier == "preview"
        again = run_remote(client.url, token, "ingest", str(tree), "--include", "*.html", "--json")
        assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] == 2

    def test_a_service_that_refuses_the_token_stops_the_run_at_once(self, client: ProxyServiceClient,
                                                                    tmp_path: Path) -> None:
        for name in ("a.html", "b.html"):
            (tmp_path / name).write_text("<p>x</p>")
        result = run_remote(client.url, "not-a-token", "ingest", str(tmp_path))
        assert result.returncode == 1
        assert "Stopped: the service answered 401: a bearer token granting proxy:create is required" in result.stdout
        assert "submitted:             0" in result.stdout
