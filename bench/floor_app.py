"""The least a status read can do, as a Flask app under the service's uWSGI (``bench/http_ratios.py``).

Flask, one indexed read of the task's row from the service's own database
(SQLAlchemy Core, the same table and query, a connection kept per process),
and its JSON: no token, no metrics, no request id, no status document. What
it reaches against the hello-world app is this machine's limit for a route
that reads one record, whatever the service around it does.
"""

from typing import Any

from flask import Flask, abort, jsonify
from sqlalchemy import Connection, create_engine

from proxyservice.config import Settings
from proxyservice.services.task_records.records import TASK_BY_ID

engine = create_engine(Settings.from_environ().database_url)
application = Flask(__name__)
_kept: list[Connection] = []


@application.get("/")
def ready() -> Any:
    return jsonify(ready=True)


@application.get("/status/<task_id>")
def status(task_id: str) -> Any:
    if not _kept:
        _kept.append(engine.connect())
    connection = _kept[0]
    row = connection.execute(TASK_BY_ID, {"task_id": task_id}).mappings().first()
    connection.rollback()  # the read's transaction ends, as the service's does
    if row is None:
        abort(404)
    return jsonify({name: str(value) for name, value in row.items()})
