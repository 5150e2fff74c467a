"""audit hash chain and sign-in lockout

Revision ID: c9d4f1a27b80
Revises: 58e6b50a7af3
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9d4f1a27b80'
down_revision = '58e6b50a7af3'
branch_labels = None
depends_on = None


def upgrade():
    head = op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    # The single row whose lock orders the chain; the chain starts from an all-zero hash.
    op.bulk_insert(head, [{'id': 1, 'last_seq': 0, 'last_hash': '0' * 64}])
    # Plain ADD COLUMN (no batch copy): recreating audit_log on SQLite would drop its
    # append-only triggers.
    op.add_column('audit_log', sa.Column('chain_seq', sa.BigInteger(), nullable=True))
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_audit_log_chain_seq'), 'audit_log', ['chain_seq'], unique=True)
    op.add_column('users', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
    op.drop_index(op.f('ix_audit_log_chain_seq'), table_name='audit_log')
    for column in ('hash', 'prev_hash', 'chain_seq'):
        op.drop_column('audit_log', column)
    op.drop_table('audit_chain_head')
