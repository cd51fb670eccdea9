"""The worker's task, run in-process over real records, store and renderer."""

import socket
import threading
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from celery import Celery
from flask import Flask

from proxyservice.config import Settings
from proxyservice.domain import ProxySize, SourceFile, TaskRecord, TaskState, file_identity
from proxyservice.factory import create_web_app
from proxyservice.plugins.html_preview import render_html_preview
from proxyservice.process.bindings import RecordingSubmitter as _RecordingSubmitter, job_name
from proxyservice.services.hashing import sha256_of
from proxyservice.services.task_queue import InMemoryTaskQueue
from proxyservice.services.task_records import RecordsUnavailable
from proxyservice.services.task_queue import RUN_PLUGIN_JOB
from proxyservice.worker import application
from proxyservice.worker.application import create_worker_app
from proxyservice.worker.jobs import (HeldByAnother, JobRefused, RecordsAway, RetryLater, resolve_job, run_plugin_job,
                                      without_paths)
from tests.conftest import TEST_SECRET, services_of
from tests.support import assert_not_blank

PLUGIN = "html_preview::HTMLPreview"
FILE_ID = "f" * 64
JOB = job_name(render_html_preview)
ENABLED = Settings.from_environ({}, ENABLED_PLUGINS=(PLUGIN,))


def queue_preview(app: Flask, task_id: str, page: Path) -> list[object]:
    """Queue a preview of ``page`` as the API does (its record, queued); the job's arguments."""
    file_id = file_identity(sha256_of(page), str(page.resolve())) if page.exists() else FILE_ID
    args: list[object] = [file_id, str(page.resolve()), 400, 300]
    source = SourceFile(file_id, str(page), 1, "text/html", ProxySize(400, 300))
    _RecordingSubmitter(task_id, PLUGIN, source, services_of(app).records, InMemoryTaskQueue())(render_html_preview, args)
    return args


def run_to_record(app: Flask, settings: Settings, task_id: str, page: Path) -> TaskRecord:
    """Queue a preview of ``page`` as the API does, run it as a worker does, return its record."""
    args = queue_preview(app, task_id, page)
    run_plugin_job(task_id, PLUGIN, JOB, args, services_of(app))
    return services_of(app).records.get(task_id)


class TestRunPluginJob:
    """One job, from queued to its outcome in the record."""

    def test_a_page_becomes_a_preview(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        record = run_to_record(app, settings, "t1", source_dir / "styled.html")
        proxy, blob = services_of(app).store.get(record.file_id, "preview")
        assert record.state is TaskState.SUCCEEDED and record.error is None
        assert (proxy.width, proxy.height) == (400, 300)
        assert_not_blank(blob)

    def test_a_page_gone_since_its_ingest_fails_with_a_readable_error(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        record = run_to_record(app, settings, "t2", source_dir / "gone.html")
        assert record.state is TaskState.FAILED
        assert record.error == "the file is no longer where it was ingested from; ingest it again"

    def test_a_page_outside_the_source_roots_is_refused_by_the_worker(self, app: Flask, settings: Settings, tmp_path: Path) -> None:
        outside = tmp_path / "outside.html"
        outside.write_text("<p>not under a source root</p>")
        record = run_to_record(app, settings, "t5", outside)
        assert record.state is TaskState.FAILED and "outside the allowed source folders" in (record.error or "")

    def test_a_render_over_the_time_limit_fails_as_timed_out(self, settings: Settings, source_dir: Path) -> None:
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(4)
            quick = Settings.from_environ({}, **{**settings.__dict__, "RENDER_TIMEOUT": 1.0,
                                                 "RENDER_ALLOWED_HOSTS": (f"127.0.0.1:{silent.getsockname()[1]}",)})
            page = source_dir / "slow.html"
            page.write_text(f'<img src="http://127.0.0.1:{silent.getsockname()[1]}/x.png">')
            record = run_to_record(create_web_app(quick), quick, "t3", page)
        assert record.state is TaskState.FAILED and "took longer than" in (record.error or "")

    def test_a_task_delivered_again_after_success_does_nothing(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        first = run_to_record(app, settings, "t4", source_dir / "plain.html")
        services = services_of(app)
        run_plugin_job("t4", PLUGIN, JOB, [FILE_ID, str(source_dir / "plain.html"), 400, 300], services)
        assert services.records.get("t4") == first

    def test_a_task_delivered_again_while_a_live_worker_holds_it_waits_its_lease(
        self, app: Flask, settings: Settings, source_dir: Path
    ) -> None:
        page = source_dir / "plain.html"
        services = services_of(app)
        records = services.records
        args = queue_preview(app, "t6", page)
        held = records.start("t6", timedelta(minutes=5))  # the first delivery, on a worker still running it
        with pytest.raises(HeldByAnother):
            run_plugin_job("t6", PLUGIN, JOB, args, services)
        assert records.get("t6") == held, "the holder's record untouched"
        assert services.store.list(str(args[0])) == [], "not rendered a second time"

    def test_a_task_without_a_record_is_not_run(self, app: Flask, settings: Settings, source_dir: Path) -> None:
        services = services_of(app)
        run_plugin_job("ghost", PLUGIN, JOB, [FILE_ID, str(source_dir / "plain.html"), 400, 300], services)
        assert services.records.find("ghost") is None
        assert services.store.list(FILE_ID) == []


    def test_a_task_whose_record_cannot_be_started_waits_for_it(self, app: Flask, source_dir: Path) -> None:
        """The database is away as the task arrives: it is delivered again later, its record still queued."""
        page = source_dir / "plain.html"
        services = services_of(app)
        args = queue_preview(app, "t7", page)
        queued = services.records.get("t7")
        with mock.patch.object(services.records, "start", side_effect=RecordsUnavailable("terminated")):
            with pytest.raises(RecordsAway):
                run_plugin_job("t7", PLUGIN, JOB, args, services)
        assert services.records.get("t7") == queued
        run_plugin_job("t7", PLUGIN, JOB, args, services)  # the database is back: delivered again, it runs
        assert services.records.get("t7").state is TaskState.SUCCEEDED

    def test_an_outcome_the_database_cannot_take_yet_is_recorded_once_it_can(self, app: Flask, source_dir: Path) -> None:
        """The database goes away as the render ends: the task waits to record its outcome, and is rendered once
        (it was acknowledged with its record still in progress, and rendered again once its lease lapsed)."""
        page = source_dir / "styled.html"
        services = services_of(app)
        records = services.records
        args = queue_preview(app, "t8", page)
        away = [RecordsUnavailable("terminating connection due to administrator command")] * 2
        mark_finished = records.mark_finished

        def database_back_on_the_third_try(*arguments: object, **options: object) -> TaskRecord:
            if away:
                raise away.pop()
            return mark_finished(*arguments, **options)  # type: ignore[arg-type]

        # time.sleep is patched for every thread of the process: only this one's waits are the job's.
        this_thread, waits = threading.current_thread(), list[float]()

        def waited(seconds: float) -> None:
            if threading.current_thread() is this_thread:
                waits.append(seconds)

        with mock.patch.object(records, "mark_finished", side_effect=database_back_on_the_third_try), \
                mock.patch("proxyservice.worker.jobs.time.sleep", side_effect=waited), \
                mock.patch.object(services.store, "ingest", wraps=services.store.ingest) as stored:
            run_plugin_job("t8", PLUGIN, JOB, args, services)
        assert records.get("t8").state is TaskState.SUCCEEDED
        made = [call.args[3] for call in stored.call_args_list]
        assert sorted(made) == ["preview", "text"], f"rendered and stored once: {made}"
        assert len(waits) == 2 and all(0 < wait <= ENABLED.TASK_LEASE / 3 for wait in waits), waits

class TestResolveJob:
    """A worker runs only functions of enabled plugins' modules."""

    def test_the_plugins_own_function(self) -> None:
        assert resolve_job(PLUGIN, JOB, ENABLED) is render_html_preview

    @pytest.mark.parametrize("job", [
        "os:system",
        "subprocess:run",
        "proxyservice.plugins.html_preview:os.system",
        "proxyservice.plugins.html_preview:Path",
        "proxyservice.plugins.html_preview:JobContext",
        "proxyservice.plugins.html_preview:logger",
        "proxyservice.plugins.html_preview:missing",
    ])
    def test_a_function_outside_the_plugin_is_refused(self, job: str) -> None:
        with pytest.raises(JobRefused):
            resolve_job(PLUGIN, job, ENABLED)

    def test_a_plugin_not_enabled_is_refused(self) -> None:
        with pytest.raises(JobRefused, match="not enabled"):
            resolve_job(PLUGIN, JOB, Settings.from_environ({}, ENABLED_PLUGINS=("image_thumbnail::ImageThumbnail",)))


class TestErrorWordsNameNoPath:
    """An error's words reach the client without the worker's paths, however the error quoted them."""

    @pytest.mark.parametrize("said, heard", [
        # Pillow's words, under a DATA_DIR with a space, parentheses or a colon in its name, or given relative.
        ("x.png is not a readable image: cannot identify image file '/srv/my data/proxies/.proxytmp/ab.png'",
         "x.png is not a readable image: cannot identify image file '…/ab.png'"),
        ("cannot identify image file '/srv/ps (2)/data/proxies/.proxytmp/ab.png'",
         "cannot identify image file '…/ab.png'"),
        ("cannot identify image file '/srv/a:b/data/ab.png'", "cannot identify image file '…/ab.png'"),
        ("cannot identify image file 'data/proxies/.proxytmp/ab.png'", "cannot identify image file '…/ab.png'"),
        ('[Errno 2] No such file or directory: "/srv/it\'s/a.png"', '[Errno 2] No such file or directory: "…/a.png"'),
        ("Symlink loop from '/srv/html/loop.css'", "Symlink loop from '…/loop.css'"),
        ("cannot read /usr/lib/x.so, try again", "cannot read …/x.so, try again"),
    ])
    def test_a_path_keeps_its_last_part_only(self, said: str, heard: str) -> None:
        assert without_paths(said) == heard

    @pytest.mark.parametrize("said", ["the book's cover/back isn't readable", "see 'https://example.org/a/b'",
                                      "1/2 of the pages"])
    def test_words_that_are_no_path_are_left_alone(self, said: str) -> None:
        assert without_paths(said) == said


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Celery:
    """The worker's Celery app, running each try at once in this process (once a module: its task names are global)."""
    settings = Settings.from_environ({}, DATA_DIR=tmp_path_factory.mktemp("worker"), AUTH_SECRET=TEST_SECRET)
    app = create_worker_app(settings)
    app.conf.task_always_eager = True
    return app


class TestWaitsWithoutLimit:
    """A task that meets something away more than three times (Celery's default limit) is tried again still."""

    @pytest.mark.parametrize("away", [RetryLater("the object storage cannot be reached"),
                                      RecordsAway("terminating connection"), HeldByAnother("t1")])
    def test_the_seventh_try_runs(self, worker: Celery, away: Exception) -> None:
        with mock.patch(f"{application.__name__}.run_plugin_job", side_effect=[away] * 6 + [None]) as tried:
            worker.tasks[RUN_PLUGIN_JOB].apply(args=("t1", PLUGIN, JOB, [])).get()
        assert tried.call_count == 7
