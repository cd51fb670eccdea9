"""A task whose file is deleted while it runs: what it stored is removed when it ends."""

from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask

from proxyservice.process.deletion import delete_file
from proxyservice.worker.jobs import run_plugin_job
from tests.conftest import services_of
from tests.test_tasks import JOB, PLUGIN, queue_preview


class TestDeletedWhileRunning:
    """``DELETE /files/<id>`` arrives after the job stored its first proxy, before it ended."""

    def test_nothing_of_the_file_is_left(self, app: Flask, source_dir: Path) -> None:
        services = services_of(app)
        args = queue_preview(app, "t1", source_dir / "styled.html")
        file_id = str(args[0])
        ingest = services.store.ingest
        deleted: list[bool] = []

        def stored_then_deleted(*arguments: Any, **options: Any) -> Any:
            proxy = ingest(*arguments, **options)
            if not deleted:
                deleted.append(delete_file(file_id, services.records, services.store, services.sources).found)
            return proxy

        with mock.patch.object(services.store, "ingest", side_effect=stored_then_deleted):
            run_plugin_job("t1", PLUGIN, JOB, args, services)

        assert deleted == [True]
        assert services.store.list(file_id) == [], "the proxies stored after the deletion are removed"
        assert services.records.metadata_of(file_id) == {}
        assert services.records.find("t1") is None, "the task is not recorded again"

    def test_a_queued_task_of_a_deleted_file_is_not_run(self, app: Flask, source_dir: Path) -> None:
        services = services_of(app)
        args = queue_preview(app, "t2", source_dir / "styled.html")
        file_id = str(args[0])
        assert delete_file(file_id, services.records, services.store, services.sources).found

        run_plugin_job("t2", PLUGIN, JOB, args, services)

        assert services.store.list(file_id) == [] and services.records.find("t2") is None
