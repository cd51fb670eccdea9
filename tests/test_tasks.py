"""The worker's task, run in-process over real records, store and renderer."""

from pathlib import Path

import pytest
from flask import Flask

from proxyservice.config import Settings
from proxyservice.domain import TaskState
from proxyservice.factory import create_web_app
from proxyservice.process.ingest import job_name
from proxyservice.services.store import ProxyStore
from proxyservice.services.task_queue import InMemoryTaskQueue
from proxyservice.services.task_records import TaskRecords
from proxyservice.tasks import JobRefused, resolve_job, run_plugin_job
from tests.support import assert_not_blank
from proxyservice.plugins.html_preview import render_html_preview

PLUGIN = "html_preview::HTMLPreview"
FILE_ID = "f" * 64


def queued(app: Flask, task_id: str, args: list[object]) -> None:
    from proxyservice.process.ingest import _RecordingSubmitter  # the same path the API takes
    from proxyservice.domain import ProxySize, SourceFile

    source = SourceFile(FILE_ID, str(args[1]), 1, "text/html", ProxySize(400, 300))
    with app.app_context():
        _RecordingSubmitter(task_id, PLUGIN, source, TaskRecords.current_session(), InMemoryTaskQueue())(
            render_html_preview, args
        )


def run(app: Flask, settings: Settings, task_id: str, job: str, args: list[object]) -> None:
    with app.app_context():
        run_plugin_job(task_id, PLUGIN, job, args, settings)


class TestRunPluginJob:
    """One job, from queued to its outcome in the record."""

    def test_a_page_becomes_a_preview(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        args: list[object] = [FILE_ID, str(source_dir / "styled.html"), 400, 300]
        queued(app, "t1", args)
        run(app, settings, "t1", job_name(render_html_preview), args)
        with app.app_context():
            record = TaskRecords.current_session().get("t1")
            proxy, blob = ProxyStore.current_session().get(FILE_ID, "preview")
        assert record.state is TaskState.SUCCEEDED and record.error is None
        assert (proxy.width, proxy.height) == (400, 300)
        assert_not_blank(blob)

    def test_a_page_that_makes_no_image_fails_with_a_readable_error(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        args: list[object] = [FILE_ID, str(source_dir / "gone.html"), 400, 300]
        queued(app, "t2", args)
        run(app, settings, "t2", job_name(render_html_preview), args)
        with app.app_context():
            record = TaskRecords.current_session().get("t2")
        assert record.state is TaskState.FAILED
        assert "gone.html made no image" in (record.error or "")

    def test_a_page_outside_the_source_roots_is_refused_by_the_worker(self, app: Flask, settings: Settings, tmp_path: Path) -> None:
        outside = tmp_path / "outside.html"
        outside.write_text("<p>not under a source root</p>")
        args: list[object] = [FILE_ID, str(outside), 400, 300]
        queued(app, "t5", args)
        run(app, settings, "t5", job_name(render_html_preview), args)
        with app.app_context():
            record = TaskRecords.current_session().get("t5")
        assert record.state is TaskState.FAILED and "outside the allowed source folders" in (record.error or "")

    def test_a_render_over_the_time_limit_fails_as_timed_out(self, settings: Settings, source_dir: Path) -> None:
        import socket

        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(4)
            page = source_dir / "slow.html"
            page.write_text(f'<img src="http://127.0.0.1:{silent.getsockname()[1]}/x.png">')
            quick = Settings.from_environ({}, **{**settings.__dict__, "RENDER_TIMEOUT": 1.0})
            app = create_web_app(quick)
            args: list[object] = [FILE_ID, str(page), 400, 300]
            queued(app, "t3", args)
            run(app, quick, "t3", job_name(render_html_preview), args)
        with app.app_context():
            record = TaskRecords.current_session().get("t3")
        assert record.state is TaskState.FAILED and "timed out" in (record.error or "")

    def test_a_task_delivered_again_after_success_does_nothing(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        args: list[object] = [FILE_ID, str(source_dir / "plain.html"), 400, 300]
        queued(app, "t4", args)
        run(app, settings, "t4", job_name(render_html_preview), args)
        with app.app_context():
            first = TaskRecords.current_session().get("t4")
        run(app, settings, "t4", job_name(render_html_preview), args)
        with app.app_context():
            assert TaskRecords.current_session().get("t4") == first


class TestResolveJob:
    """A worker runs only functions of enabled plugins' modules."""

    def test_the_plugins_own_function(self) -> None:
        assert resolve_job(PLUGIN, job_name(render_html_preview), (PLUGIN,)) is render_html_preview

    @pytest.mark.parametrize("job", ["os:system", "proxyservice.plugins.html_preview:os.system", "subprocess:run"])
    def test_a_function_outside_the_plugin_is_refused(self, job: str) -> None:
        with pytest.raises(JobRefused):
            resolve_job(PLUGIN, job, (PLUGIN,))

    def test_a_plugin_not_enabled_is_refused(self) -> None:
        with pytest.raises(JobRefused, match="not enabled"):
            resolve_job(PLUGIN, job_name(render_html_preview), ())
