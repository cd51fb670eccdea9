"""Alembic's migrations of the task records' schema (run by :mod:`..schema`; no ``alembic.ini``).

A new migration is a new module in ``versions/``, named ``vNNNN_what.py``,
whose ``down_revision`` is the newest one's: write it by hand, or start it with
``alembic.command.revision(alembic_config(), "what it does")`` from
``proxyservice.services.task_records.schema``. Migrations only add (tables,
columns with defaults, indexes), so that processes of the previous release keep
working on the new schema during a rolling deploy; take away in a later
release, once no process uses what goes.
"""
