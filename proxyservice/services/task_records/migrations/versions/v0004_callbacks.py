"""Callbacks: the URLs to call back when a task ends, one row per request that asked.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
    )
    op.create_index("callbacks_by_task", "callbacks", ["task_id"])


def downgrade() -> None:
    op.drop_table("callbacks")
