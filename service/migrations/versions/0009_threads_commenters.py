"""threads and commenters: articles with a headline, a link, closed and pre-moderated
flags; signed-in commenters with a standing; each comment's commenter. The threads of
the comments already stored are made from them (no headline).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("closed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("premoderation", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_threads_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint("site_id", "key", name="uq_threads_site_id_key"),
    )
    op.create_table(
        "commenters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="normal", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), server_default="", nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_commenters_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenters")),
        sa.UniqueConstraint("site_id", "sub", name="uq_commenters_site_id_sub"),
    )
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("commenter_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_comments_commenter_id"), ["commenter_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_comments_commenter_id_commenters"), "commenters",
                                 ["commenter_id"], ["id"])
    comments = sa.table("comments", sa.column("site_id", sa.Integer()),
                        sa.column("thread_id", sa.String()),
                        sa.column("created_at", sa.DateTime()))
    threads = sa.table("threads", sa.column("site_id", sa.Integer()),
                       sa.column("key", sa.String()), sa.column("closed", sa.Boolean()),
                       sa.column("premoderation", sa.Boolean()),
                       sa.column("created_at", sa.DateTime()))
    op.execute(threads.insert().from_select(
        ["site_id", "key", "closed", "premoderation", "created_at"],
        sa.select(comments.c.site_id, comments.c.thread_id, sa.false(), sa.false(),
                  sa.func.min(comments.c.created_at))
        .group_by(comments.c.site_id, comments.c.thread_id)))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint(batch.f("fk_comments_commenter_id_commenters"), type_="foreignkey")
        batch.drop_index(batch.f("ix_comments_commenter_id"))
        batch.drop_column("commenter_id")
    op.drop_table("commenters")
    op.drop_table("threads")
