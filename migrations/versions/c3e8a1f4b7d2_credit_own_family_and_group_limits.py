"""credit: a client's own limits, a family's shared limit, policies of zones, segments,
categories and families

Revision ID: c3e8a1f4b7d2
Revises: 33676b3ef681
Create Date: 2026-12-07 15:10:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3e8a1f4b7d2"
down_revision = "33676b3ef681"
branch_labels = None
depends_on = None

# the groups a credit policy may be assigned to besides client types
GROUPS = ("zones", "segments", "categories", "families")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in GROUPS:
        name = f"fk_{table}_credit_policy_id_credit_policies"
        if sqlite:
            # batch mode would rebuild tables that clients point to; SQLite takes the
            # reference inline in ADD COLUMN
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN credit_policy_id INTEGER "
                f"CONSTRAINT {name} REFERENCES credit_policies (id)"
            )
        else:
            op.add_column(table, sa.Column("credit_policy_id", sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(name), table, "credit_policies", ["credit_policy_id"], ["id"]
            )
    op.add_column(
        "families", sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=True)
    )
    op.add_column(
        "clients",
        sa.Column("credit_money_limit", sa.Numeric(precision=14, scale=2), nullable=True),
    )
    op.add_column("clients", sa.Column("credit_max_documents", sa.Integer(), nullable=True))
    op.add_column("clients", sa.Column("credit_max_age_days", sa.Integer(), nullable=True))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in ("credit_max_age_days", "credit_max_documents", "credit_money_limit"):
        op.drop_column("clients", column)
    op.drop_column("families", "credit_limit")
    for table in reversed(GROUPS):
        if sqlite:
            # SQLite cannot drop a column that references a table: batch mode rebuilds it
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_column("credit_policy_id")
        else:
            op.drop_constraint(
                op.f(f"fk_{table}_credit_policy_id_credit_policies"), table, type_="foreignkey"
            )
            op.drop_column(table, "credit_policy_id")
