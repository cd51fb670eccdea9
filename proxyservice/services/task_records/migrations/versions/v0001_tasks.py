"""The tasks table and its index by state, as the records made them before they had migrations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TIME = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")
"""ISO 8601 text on SQLite, as the records always kept times there; timestamptz on PostgreSQL."""


def upgrade() -> None:
    # A SQLite file the records made before they had migrations has both already: it is taken as it is.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("tasks"):
        op.create_table(
            "tasks",
            sa.Column("task_id", sa.Text(), primary_key=True),
            sa.Column("file_id", sa.Text(), nullable=False),
            sa.Column("plugin", sa.Text(), nullable=False),
            sa.Column("state", sa.Text(), nullable=False),
            sa.Column("submitted", TIME, nullable=False),
            sa.Column("job", sa.Text(), nullable=False),
            sa.Column("args", sa.Text(), nullable=False),
            sa.Column("started", TIME),
            sa.Column("finished", TIME),
            sa.Column("error", sa.Text()),
            sa.Column("warnings", sa.Text(), nullable=False),
        )
    if "tasks_by_state" not in {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("tasks")}:
        op.create_index("tasks_by_state", "tasks", ["state"])


def downgrade() -> None:
    op.drop_index("tasks_by_state", table_name="tasks")
    op.drop_table("tasks")
