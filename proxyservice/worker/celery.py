"""Worker entry point: ``celery -A proxyservice.worker worker`` finds the app here (Celery looks for a ``celery`` module)."""

import atexit
import os
import shutil
import tempfile

# Before prometheus-client is first imported: the main process and its pool count into one folder
# (multiprocess mode), which the worker's metrics port sums. A folder of this start's own, gone at exit.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="proxyservice-worker-metrics-")
    _main, _folder = os.getpid(), os.environ["PROMETHEUS_MULTIPROC_DIR"]

    @atexit.register
    def _remove_metrics_folder() -> None:
        if os.getpid() == _main:  # the main process, not a pool child
            shutil.rmtree(_folder, ignore_errors=True)

from .application import create_worker_app  # noqa: E402

app = create_worker_app()
