"""sentence vectors: a text's mean-pooled middle-layer state and scores, and the vector space
a candidate was fitted in

Revision ID: 0014_sentence_vectors
Revises: 0013_trust_edges
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_sentence_vectors"
down_revision = "0013_trust_edges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentence_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("site", sa.String(length=80), nullable=True),
        sa.Column("rejected", sa.Boolean(), nullable=True),
        sa.Column("space", sa.String(length=200), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("scale", sa.Float(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_sentence_vectors_comment_id_comments")),
        sa.ForeignKeyConstraint(["label_id"], ["perspective_labels.id"],
                                name=op.f("fk_sentence_vectors_label_id_perspective_labels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentence_vectors")),
    )
    with op.batch_alter_table("sentence_vectors") as batch:
        batch.create_index("uq_sentence_vectors_comment_space", ["comment_id", "space"],
                           unique=True)
        batch.create_index("uq_sentence_vectors_label_space", ["label_id", "space"],
                           unique=True)
        batch.create_index("ix_sentence_vectors_site_space", ["site", "space"], unique=False)
        batch.create_index(batch.f("ix_sentence_vectors_created_at"), ["created_at"],
                           unique=False)
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("space", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("space")
    with op.batch_alter_table("sentence_vectors") as batch:
        batch.drop_index(batch.f("ix_sentence_vectors_created_at"))
        batch.drop_index("ix_sentence_vectors_site_space")
        batch.drop_index("uq_sentence_vectors_label_space")
        batch.drop_index("uq_sentence_vectors_comment_space")
    op.drop_table("sentence_vectors")
