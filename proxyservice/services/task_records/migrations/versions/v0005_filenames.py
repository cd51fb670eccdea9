"""File names: each task keeps its file's base name, and the newest tasks are found by an index.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Tasks submitted before keep an empty name: their files' names were never written.
    op.add_column("tasks", sa.Column("filename", sa.Text, nullable=False, server_default=""))
    op.create_index("tasks_by_submitted", "tasks", ["submitted"])


def downgrade() -> None:
    op.drop_index("tasks_by_submitted", "tasks")
    with op.batch_alter_table("tasks") as table:
        table.drop_column("filename")
