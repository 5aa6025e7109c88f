"""nudges before posting: one row per nudge shown, and what the writer did next (no text)

Revision ID: 0015_nudges
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_nudges"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_nudges_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    with op.batch_alter_table("nudges") as batch:
        batch.create_index("ix_nudges_outcome_created", ["outcome", "created_at"], unique=False)
        batch.create_index("ix_nudges_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        batch.drop_index("ix_nudges_created")
        batch.drop_index("ix_nudges_outcome_created")
    op.drop_table("nudges")
