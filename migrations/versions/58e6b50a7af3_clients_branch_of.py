"""clients: branch_of

Revision ID: 58e6b50a7af3
Revises: b2a7e0c41f3d
Create Date: 2026-11-23 11:49:34

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '58e6b50a7af3'
down_revision = 'b2a7e0c41f3d'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode would rebuild clients, and dropping the old table fails while contacts,
        # addresses and notes point to it; SQLite takes the reference inline in ADD COLUMN.
        op.execute(
            'ALTER TABLE clients ADD COLUMN branch_of_id INTEGER '
            'CONSTRAINT fk_clients_branch_of_id_clients REFERENCES clients (id)'
        )
    else:
        op.add_column('clients', sa.Column('branch_of_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_clients_branch_of_id_clients'), 'clients', 'clients', ['branch_of_id'], ['id']
        )
    op.create_index(op.f('ix_clients_branch_of_id'), 'clients', ['branch_of_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_clients_branch_of_id'), table_name='clients')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot drop a column that references a table, so batch mode rebuilds clients;
        # with foreign keys on, that works only while no other row points to a client.
        with op.batch_alter_table('clients', schema=None) as batch_op:
            batch_op.drop_column('branch_of_id')
    else:
        op.drop_constraint(op.f('fk_clients_branch_of_id_clients'), 'clients', type_='foreignkey')
        op.drop_column('clients', 'branch_of_id')
