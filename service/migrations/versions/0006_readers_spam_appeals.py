"""readers, spam, reasons and appeals: what the spam rules compare on each comment, the
author's token, a reason code on decisions, the site's spam and reader settings, reader
reports and appeals

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("client", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("link_sites", sa.String(length=400), nullable=True))
        batch.add_column(sa.Column("author_token_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_comments_created", ["created_at"], unique=False)
        batch.create_index(batch.f("ix_comments_client"), ["client"], unique=False)
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("code", sa.String(length=40), nullable=True))
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(sa.Column("spam", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("readers", sa.JSON(), nullable=True))
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("reporter", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_reports_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports") as batch:
        batch.create_index(batch.f("ix_reports_comment_id"), ["comment_id"], unique=False)
        batch.create_index("uq_reports_comment_reporter", ["comment_id", "reporter"],
                           unique=True)
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_appeals_comment_id_comments")),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"],
                                name=op.f("fk_appeals_decision_id_decisions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_appeals_decision_id")),
    )
    with op.batch_alter_table("appeals") as batch:
        batch.create_index(batch.f("ix_appeals_comment_id"), ["comment_id"], unique=False)
        batch.create_index("ix_appeals_status_created", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.drop_index("ix_appeals_status_created")
        batch.drop_index(batch.f("ix_appeals_comment_id"))
    op.drop_table("appeals")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("uq_reports_comment_reporter")
        batch.drop_index(batch.f("ix_reports_comment_id"))
    op.drop_table("reports")
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("readers")
        batch.drop_column("spam")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("code")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index(batch.f("ix_comments_client"))
        batch.drop_index("ix_comments_created")
        batch.drop_column("author_token_hash")
        batch.drop_column("link_sites")
        batch.drop_column("fingerprint")
        batch.drop_column("client")
