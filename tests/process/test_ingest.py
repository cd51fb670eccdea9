"""The ingest use-case, over in-memory records and queue."""

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Sequence

import pytest

from proxyservice.domain import PluginStatus, ProxyFile, ProxySize, SourceFile, TaskRecord, TaskState
from proxyservice.plugins.html_preview import HTMLPreview, render_html_preview
from proxyservice.process.ingest import ingest_file, job_name
from proxyservice.process.task_ids import task_id_for
from proxyservice.services.task_queue import InMemoryTaskQueue, QueueUnavailable
from proxyservice.services.task_records import InMemoryTaskRecords

FILE_ID = "a" * 64
SOURCE = SourceFile(FILE_ID, "/src/page.html", 100, "text/html", ProxySize(400, 300))
HTML = ("html_preview::HTMLPreview", HTMLPreview)
PROXY = ProxyFile(FILE_ID, "preview", "preview.png", "image/png", 400, 300, 10, "b" * 64, "html_preview")


class Proxies:
    def __init__(self, proxies: list[ProxyFile] | None = None) -> None:
        self.proxies = proxies or []

    def list(self, file_id: str) -> list[ProxyFile]:
        return [p for p in self.proxies if p.file_id == file_id]


class SyncPlugin(HTMLPreview):
    def is_async(self) -> bool:
        return False

    def process(self, id_: str, file_: str, fileinfo: Any = None) -> PluginStatus:
        return PluginStatus.SUCCESS


class BrokenPlugin(HTMLPreview):
    def process(self, id_: str, file_: str, fileinfo: Any = None) -> PluginStatus:
        raise RuntimeError("boom")


def earlier(state: TaskState) -> TaskRecord:
    task_id = task_id_for(FILE_ID, HTML[0], SOURCE.proxy_size)
    now = datetime.now(timezone.utc)
    return TaskRecord(task_id, FILE_ID, HTML[0], state, now, finished=now if state.is_finished else None)


class TestNewFile:
    """A file never seen before is given to its plugin."""

    def test_the_record_is_written_before_the_task_is_sent(self) -> None:
        book = InMemoryTaskRecords()
        seen_at_send: list[TaskRecord | None] = []

        class CheckingQueue(InMemoryTaskQueue):
            def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None:
                seen_at_send.append(book.find(task_id))
                super().send(task_id, plugin, job, args)

        queue = CheckingQueue()
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies())

        assert seen_at_send and seen_at_send[0] is not None
        assert seen_at_send[0].state is TaskState.QUEUED
        task_id, plugin, job, args = queue.sent[0]
        assert job == job_name(render_html_preview)
        assert args == [FILE_ID, "/src/page.html", 400, 300]
        assert outcome.pending[0].task_id == task_id
        assert book.get(task_id).job == job

    def test_the_task_id_follows_from_file_plugin_and_size(self) -> None:
        first = task_id_for(FILE_ID, HTML[0], ProxySize(400, 300))
        assert first == task_id_for(FILE_ID, HTML[0], ProxySize(400, 300))
        assert first != task_id_for(FILE_ID, HTML[0], ProxySize(200, 150))
        assert first != task_id_for(FILE_ID, "other::Plugin", ProxySize(400, 300))
        assert first != task_id_for("c" * 64, HTML[0], ProxySize(400, 300))


class TestSameBytesAgain:
    """Content that was ingested before."""

    def test_a_finished_proxy_is_not_made_again(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.SUCCEEDED))
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies([PROXY]))
        assert queue.sent == []
        assert outcome.succeeded and outcome.tasks[0].reused

    def test_force_makes_it_again(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.SUCCEEDED))
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies([PROXY]), force=True)
        assert len(queue.sent) == 1
        assert outcome.pending

    def test_a_proxy_made_at_another_size_since_is_still_reused(self) -> None:
        # Each size is kept under a name of its own: the later one replaced nothing.
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.SUCCEEDED))
        other = task_id_for(FILE_ID, HTML[0], ProxySize(100, 100))
        book.put(TaskRecord(other, FILE_ID, HTML[0], TaskState.SUCCEEDED, datetime.now(timezone.utc),
                            finished=datetime.now(timezone.utc)))
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies([PROXY]))
        assert queue.sent == [] and outcome.succeeded and outcome.tasks[0].reused

    def test_each_size_asked_for_is_a_task_of_its_own(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        sizes = [ProxySize(200, 150), ProxySize(1024, 768)]
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies([]), sizes=sizes)
        assert [task.task_id for task in outcome.tasks] == [task_id_for(FILE_ID, HTML[0], size) for size in sizes]
        assert [sent[3][2:] for sent in queue.sent] == [[200, 150], [1024, 768]]

    def test_a_succeeded_task_whose_proxy_is_gone_runs_again(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.SUCCEEDED))
        ingest_file(SOURCE, [HTML], book, queue, Proxies())
        assert len(queue.sent) == 1

    @pytest.mark.parametrize("state", [TaskState.QUEUED, TaskState.IN_PROGRESS])
    def test_a_pending_task_is_not_sent_twice(self, state: TaskState) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(state))
        outcome = ingest_file(SOURCE, [HTML], book, queue, Proxies())
        assert queue.sent == []
        assert outcome.pending[0].reused

    def test_a_failed_task_runs_again(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.FAILED))
        ingest_file(SOURCE, [HTML], book, queue, Proxies())
        assert len(queue.sent) == 1


class TestBrokerDown:
    """The job engine cannot be reached."""

    def test_nothing_is_recorded_and_the_error_is_kept(self) -> None:
        book = InMemoryTaskRecords()
        outcome = ingest_file(SOURCE, [HTML], book, InMemoryTaskQueue(available=False), Proxies())
        assert book.records == {}
        assert isinstance(outcome.send_errors[0], QueueUnavailable)
        assert outcome.tasks[0].state is TaskState.FAILED
        assert not outcome.pending


class TestInProcessPlugins:
    """Plugins that work inside process()."""

    def test_a_sync_success_is_recorded_as_succeeded(self) -> None:
        book = InMemoryTaskRecords()
        outcome = ingest_file(SOURCE, [("sync::SyncPlugin", SyncPlugin)], book, InMemoryTaskQueue(), Proxies())
        assert outcome.succeeded
        assert book.get(outcome.tasks[0].task_id).state is TaskState.SUCCEEDED

    def test_a_plugin_that_raises_fails_its_task_with_the_reason(self) -> None:
        book = InMemoryTaskRecords()
        outcome = ingest_file(
            SOURCE, [("broken::BrokenPlugin", BrokenPlugin), HTML], book, InMemoryTaskQueue(), Proxies()
        )
        broken = book.get(outcome.tasks[0].task_id)
        assert broken.state is TaskState.FAILED and "boom" in (broken.error or "")
        assert outcome.tasks[1].state is TaskState.QUEUED  # the other plugin still ran


class FinishingMeanwhile(InMemoryTaskRecords):
    """Records where the task ends, and its worker takes the callbacks, just before a request adds its own."""

    def add_callback(self, task_id: str, url: str) -> None:
        self.mark_finished(task_id, TaskState.SUCCEEDED)
        assert self.take_callbacks(task_id) == [], "the worker found none yet"
        super().add_callback(task_id, url)


class TestCallbacks:
    def test_a_task_under_way_is_called_back_by_its_worker_not_by_the_ingest(self) -> None:
        records, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        outcome = ingest_file(SOURCE, [HTML], records, queue, Proxies(), callback_url="http://files.example/hook")
        [task] = outcome.tasks
        assert queue.callbacks == [] and records.take_callbacks(task.task_id) == ["http://files.example/hook"]

    def test_a_task_that_ended_as_the_request_joined_it_is_called_back_once_all_the_same(self) -> None:
        records, queue = FinishingMeanwhile(), InMemoryTaskQueue()
        outcome = ingest_file(SOURCE, [HTML], records, queue, Proxies(), callback_url="http://files.example/hook")
        [task] = outcome.tasks
        assert queue.callbacks == [(task.task_id, "http://files.example/hook")]
        assert records.take_callbacks(task.task_id) == [], "taken once"


class TestFinishingWhileAnIngestReads:
    """The same task ends between an ingest's two reads (its record, the store): it is neither sent nor rewritten."""

    def test_the_ingest_joins_or_reuses_it_and_keeps_its_submitted_time(self) -> None:
        book = InMemoryTaskRecords()
        queued = earlier(TaskState.IN_PROGRESS)
        book.put(queued)
        proxies = Proxies()
        reads: list[str] = []

        def finish() -> None:
            """The worker: the proxy is stored, then the record says so (the worker's order)."""
            proxies.proxies.append(PROXY)
            book.mark_finished(queued.task_id, TaskState.SUCCEEDED)

        class Racing(InMemoryTaskRecords):
            def find(self, task_id: str) -> TaskRecord | None:
                reads.append("record")
                found = book.find(task_id)
                if len(reads) == 1:
                    finish()  # right after the ingest's first read, whichever it is
                return found

        class RacingProxies(Proxies):
            def list(self, file_id: str) -> list[ProxyFile]:
                reads.append("proxies")
                listed = proxies.list(file_id)
                if len(reads) == 1:
                    finish()
                return listed

        racing = Racing()
        racing.put = book.put  # type: ignore[method-assign]
        racing.claim = book.claim  # type: ignore[method-assign]
        queue = InMemoryTaskQueue()
        outcome = ingest_file(SOURCE, [HTML], racing, queue, RacingProxies())
        assert queue.sent == [], "the task is not sent again"
        assert [task.reused for task in outcome.tasks] == [True]
        assert book.get(queued.task_id).submitted == queued.submitted, "submitted is not overwritten"
        assert reads[0] == "record", "the record is read before the proxies"


class PagedPlugin(HTMLPreview):
    """A plugin whose job makes numbered pages (as the PDF plugin's does), on HTML for the test."""

    MAKES_PAGES = True


class TestPages:
    """A request asks for numbered pages (``pages``)."""

    def test_a_paged_plugin_gets_the_pages_as_its_jobs_last_argument(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        paged = replace(SOURCE, pages=12)
        outcome = ingest_file(paged, [("paged::PagedPlugin", PagedPlugin)], book, queue, Proxies())
        assert queue.sent[0][3] == [FILE_ID, "/src/page.html", 400, 300, 12]
        assert outcome.tasks[0].task_id == task_id_for(FILE_ID, "paged::PagedPlugin", SOURCE.proxy_size, 12)

    def test_the_task_that_made_one_page_is_not_reused_for_twelve(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        plugin = ("paged::PagedPlugin", PagedPlugin)
        first = ingest_file(SOURCE, [plugin], book, queue, Proxies())
        book.mark_finished(first.tasks[0].task_id, TaskState.SUCCEEDED)
        again = ingest_file(replace(SOURCE, pages=12), [plugin], book, queue, Proxies([PROXY]))
        assert not again.tasks[0].reused and len(queue.sent) == 2
        assert queue.sent[0][3] == [FILE_ID, "/src/page.html", 400, 300], "without pages, the job it always had"

    def test_a_plugin_that_makes_no_pages_keeps_its_task(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        book.put(earlier(TaskState.SUCCEEDED))
        outcome = ingest_file(replace(SOURCE, pages=12), [HTML], book, queue, Proxies([PROXY]))
        assert queue.sent == [] and outcome.tasks[0].reused

    def test_the_task_id_differs_by_pages(self) -> None:
        size = ProxySize(400, 300)
        assert task_id_for(FILE_ID, HTML[0], size, None) == task_id_for(FILE_ID, HTML[0], size)
        assert len({task_id_for(FILE_ID, HTML[0], size, pages) for pages in (None, 1, 12, 100)}) == 4
