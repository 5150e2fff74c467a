"""report settings: where each at-risk rule starts

Revision ID: 1593dfa82c6c
Revises: 146686bb52d9
Create Date: 2026-12-07 15:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1593dfa82c6c"
down_revision = "146686bb52d9"
branch_labels = None
depends_on = None


def upgrade():
    # existing rows take the defaults; a batch rebuilds the table on SQLite for the check
    with op.batch_alter_table("report_settings") as batch:
        batch.add_column(
            sa.Column("risk_broken_promises", sa.Integer(), nullable=False, server_default="2")
        )
        batch.add_column(
            sa.Column("risk_paying_slower_days", sa.Integer(), nullable=False, server_default="15")
        )
        batch.add_column(
            sa.Column(
                "risk_credit_use_pct",
                sa.Numeric(precision=5, scale=2),
                nullable=False,
                server_default="90",
            )
        )
        batch.add_column(
            sa.Column(
                "risk_sales_fall_pct",
                sa.Numeric(precision=5, scale=2),
                nullable=False,
                server_default="50",
            )
        )
        batch.add_column(
            sa.Column(
                "risk_sales_floor",
                sa.Numeric(precision=14, scale=2),
                nullable=False,
                server_default="100000",
            )
        )
        batch.create_check_constraint(
            op.f("ck_report_settings_ck_report_settings_risk"),
            "risk_broken_promises >= 1 AND risk_paying_slower_days >= 0"
            " AND risk_credit_use_pct > 0 AND risk_sales_fall_pct > 0"
            " AND risk_sales_fall_pct < 100 AND risk_sales_floor >= 0",
        )
    # the model has no server defaults: drop them, as create_table would have made it
    with op.batch_alter_table("report_settings") as batch:
        for name in (
            "risk_broken_promises",
            "risk_paying_slower_days",
            "risk_credit_use_pct",
            "risk_sales_fall_pct",
            "risk_sales_floor",
        ):
            batch.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table("report_settings") as batch:
        batch.drop_constraint(op.f("ck_report_settings_ck_report_settings_risk"), type_="check")
        for name in (
            "risk_sales_floor",
            "risk_sales_fall_pct",
            "risk_credit_use_pct",
            "risk_paying_slower_days",
            "risk_broken_promises",
        ):
            batch.drop_column(name)
