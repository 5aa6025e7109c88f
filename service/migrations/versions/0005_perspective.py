"""perspective-compatible scoring: API keys, analyses kept for calibration, labels

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('perspective_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('site', sa.String(length=80), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('quota_per_second', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perspective_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_perspective_keys_key_hash'))
    )
    op.create_table('perspective_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('client_token', sa.String(length=200), nullable=True),
    sa.Column('community_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['perspective_keys.id'], name=op.f('fk_perspective_analyses_key_id_perspective_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perspective_analyses'))
    )
    with op.batch_alter_table('perspective_analyses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perspective_analyses_key_id'), ['key_id'], unique=False)

    op.create_table('perspective_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=80), nullable=False),
    sa.Column('attribute', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('client_token', sa.String(length=200), nullable=True),
    sa.Column('community_id', sa.String(length=200), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['perspective_keys.id'], name=op.f('fk_perspective_labels_key_id_perspective_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perspective_labels'))
    )
    with op.batch_alter_table('perspective_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perspective_labels_client_token'), ['client_token'], unique=False)
        batch_op.create_index(batch_op.f('ix_perspective_labels_key_id'), ['key_id'], unique=False)
        batch_op.create_index('ix_perspective_labels_site_created', ['site', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('perspective_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_perspective_labels_site_created')
        batch_op.drop_index(batch_op.f('ix_perspective_labels_key_id'))
        batch_op.drop_index(batch_op.f('ix_perspective_labels_client_token'))

    op.drop_table('perspective_labels')
    with op.batch_alter_table('perspective_analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perspective_analyses_key_id'))

    op.drop_table('perspective_analyses')
    op.drop_table('perspective_keys')
