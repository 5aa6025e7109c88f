"""learning from moderators: candidates, their shadow decisions, rescoring runs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("site", sa.String(length=80), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("shadow_since", sa.DateTime(), nullable=True),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.Column("promoted_by", sa.String(length=80), nullable=True),
        sa.Column("promoted_report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("name", name=op.f("uq_candidates_name")),
    )
    with op.batch_alter_table("candidates") as batch:
        batch.create_index("ix_candidates_site_status", ["site", "status"], unique=False)
    op.create_table(
        "shadow_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("live_outcome", sa.String(length=16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_shadow_decisions_candidate_id_candidates")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_shadow_decisions_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_decisions")),
    )
    with op.batch_alter_table("shadow_decisions") as batch:
        batch.create_index(batch.f("ix_shadow_decisions_candidate_id"), ["candidate_id"],
                           unique=False)
        batch.create_index(batch.f("ix_shadow_decisions_comment_id"), ["comment_id"],
                           unique=False)
        batch.create_index("uq_shadow_decisions_candidate_comment",
                           ["candidate_id", "comment_id"], unique=True)
    op.create_table(
        "rescore_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rescored", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=400), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescore_runs")),
    )


def downgrade() -> None:
    op.drop_table("rescore_runs")
    with op.batch_alter_table("shadow_decisions") as batch:
        batch.drop_index("uq_shadow_decisions_candidate_comment")
        batch.drop_index(batch.f("ix_shadow_decisions_comment_id"))
        batch.drop_index(batch.f("ix_shadow_decisions_candidate_id"))
    op.drop_table("shadow_decisions")
    with op.batch_alter_table("candidates") as batch:
        batch.drop_index("ix_candidates_site_status")
    op.drop_table("candidates")
