"""Alembic's environment for the task records: runs the migrations on the connection it is handed.

:func:`proxyservice.services.task_records.schema.upgrade` hands the
connection over, inside a transaction of its own; no URL is read here, so
none is written to a file or a log.
"""

from alembic import context

from proxyservice.services.task_records.schema import VERSION_TABLE
from proxyservice.services.task_records.table import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the task records' migrations run on a connection: use proxyservice.services.task_records.migrate(url)"
        " or python -m proxyservice.services.task_records.migrate"
    )
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
