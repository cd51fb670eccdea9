"""Worker entrypoint: ``celery -A proxyservice.worker worker``."""

from .tasks import create_worker_app

flask_app, celery_app = create_worker_app()
app = celery_app
