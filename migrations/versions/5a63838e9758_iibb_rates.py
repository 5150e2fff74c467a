"""iibb rates

Revision ID: 5a63838e9758
Revises: c9d4f1a27b80
Create Date: 2026-11-23 12:35:44.345418

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a63838e9758'
down_revision = 'c9d4f1a27b80'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('iibb_jurisdictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('province', sa.String(length=60), nullable=False),
    sa.Column('registry_format', sa.String(length=10), nullable=False),
    sa.Column('default_rate', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('minimum_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('include_multilateral', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iibb_jurisdictions')),
    sa.UniqueConstraint('code', name=op.f('uq_iibb_jurisdictions_code'))
    )
    op.create_table('iibb_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('tax_id', sa.String(length=11), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('contributor_type', sa.String(length=1), nullable=False),
    sa.Column('rate_group', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['iibb_jurisdictions.id'], name=op.f('fk_iibb_rates_jurisdiction_id_iibb_jurisdictions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iibb_rates'))
    )
    with op.batch_alter_table('iibb_rates', schema=None) as batch_op:
        batch_op.create_index('ix_iibb_rates_lookup', ['jurisdiction_id', 'tax_id', 'valid_from'], unique=False)
        batch_op.create_index('ix_iibb_rates_period', ['jurisdiction_id', 'valid_from', 'valid_to'], unique=False)


def downgrade():
    with op.batch_alter_table('iibb_rates', schema=None) as batch_op:
        batch_op.drop_index('ix_iibb_rates_period')
        batch_op.drop_index('ix_iibb_rates_lookup')

    op.drop_table('iibb_rates')
    op.drop_table('iibb_jurisdictions')
