"""trust at the edges: each site's longest commenter-token life; when a thread's headline
was last fetched from its article

Revision ID: 0013_trust_edges
Revises: 0015_nudges
Create Date: 2026-12-07
"""


import sqlalchemy as sa
from alembic import op

revision = "0013_trust_edges"
down_revision = "0015_nudges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("token_max_age", sa.Integer(), server_default="86400",
                                   nullable=False))
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("headline_checked_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("headline_checked_at")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("token_max_age")
