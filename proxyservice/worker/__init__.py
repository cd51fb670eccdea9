"""The worker: the Celery app (:mod:`.application`), a plugin's job (:mod:`.jobs`), callbacks, recovery and status.

Started as ``celery -A proxyservice.worker worker``: Celery finds the app in
:mod:`.celery`, the entry point, which builds it once. Nothing here imports the
entry point, so the modules can be used (and tested) without a running worker.
"""
