"""audit log append-only: triggers refuse UPDATE and DELETE

Revision ID: b2a7e0c41f3d
Revises: 7d1d356a6213
Create Date: 2026-11-23 11:40:00

"""
from alembic import op

from app.audit.immutability import CREATE_TRIGGERS, DROP_TRIGGERS

# revision identifiers, used by Alembic.
revision = 'b2a7e0c41f3d'
down_revision = '7d1d356a6213'
branch_labels = None
depends_on = None


def upgrade():
    for statement in CREATE_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
