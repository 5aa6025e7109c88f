"""lean intake: the author name's skeleton key, indexed, for the repeat and flood checks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""


import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_key', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_comments_author_key_created', ['author_key', 'created_at'],
                              unique=False)
    _fill_author_keys()


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_author_key_created')
        batch_op.drop_column('author_key')


def _fill_author_keys() -> None:
    """Key the comments already stored, one UPDATE per distinct name.

    The key is the service's (``service.comments.names.author_key``); imported here
    rather than copied, so that both always agree.
    """
    from service.comments.names import author_key

    connection = op.get_bind()
    comments = sa.table('comments', sa.column('author', sa.String), sa.column('author_key', sa.String))
    names = connection.execute(sa.select(comments.c.author).distinct()).scalars().all()
    for name in names:
        connection.execute(comments.update().where(comments.c.author == name)
                           .values(author_key=author_key(name)))
