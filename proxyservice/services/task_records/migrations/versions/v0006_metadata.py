"""Metadata: each file's fields, by the namespace of the plugin that read them (GIN-indexed on PostgreSQL); a
file's tasks found by an index.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

TIME = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")
FIELDS = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "metadata",
        sa.Column("file_id", sa.Text(), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("fields", FIELDS, nullable=False),
        sa.Column("updated", TIME, nullable=False),
        sa.PrimaryKeyConstraint("file_id", "namespace"),
    )
    op.create_index("tasks_by_file", "tasks", ["file_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Containment (fields @> '{"pages": 12}'), the searches of GET /files, by index.
        op.create_index("metadata_fields", "metadata", ["fields"], postgresql_using="gin",
                        postgresql_ops={"fields": "jsonb_path_ops"})


def downgrade() -> None:
    op.drop_table("metadata")
    op.drop_index("tasks_by_file", "tasks")
