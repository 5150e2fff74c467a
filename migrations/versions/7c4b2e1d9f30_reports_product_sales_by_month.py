"""reports: each product's sales, cost and quantity by month, kept by triggers

Revision ID: 7c4b2e1d9f30
Revises: 5e3c0d7a9b21
Create Date: 2026-12-07 18:30:00

A product ranking of the whole company adds whole months from product_months instead of
every line (2,300,000 lines a year at 1,000,000 documents). A standing invoice's, debit
note's or credit note's line adds to its product's month when it is inserted (credit notes
negative, in pesos at the document's rate); a void takes its lines back out. Filled here.
"""
from alembic import op
import sqlalchemy as sa


revision = '7c4b2e1d9f30'
down_revision = '5e3c0d7a9b21'
branch_labels = None
depends_on = None

SALE = "('invoice', 'debit_note', 'credit_note')"
SIGN = "CASE WHEN d.kind = 'credit_note' THEN -1 ELSE 1 END"
STANDING = f"d.reverses_id IS NULL AND d.state != 'void' AND d.kind IN {SALE}"

SQLITE = [
    f"""
    CREATE TRIGGER trg_product_months_line AFTER INSERT ON ledger_document_lines
    BEGIN
      INSERT INTO product_months (product_id, month, sales, cost, quantity, lines)
      SELECT NEW.product_id, date(d.date, 'start of month'),
             {SIGN} * NEW.amount * d.exchange_rate,
             {SIGN} * coalesce(NEW.cost, 0) * d.exchange_rate,
             {SIGN} * NEW.quantity, 1
      FROM ledger_documents d WHERE d.id = NEW.document_id AND {STANDING}
      ON CONFLICT (product_id, month) DO UPDATE
      SET sales = sales + excluded.sales, cost = cost + excluded.cost,
          quantity = quantity + excluded.quantity, lines = lines + 1;
    END
    """,
    f"""
    CREATE TRIGGER trg_product_months_void AFTER UPDATE OF state ON ledger_documents
    WHEN NEW.state = 'void' AND OLD.state != 'void' AND NEW.reverses_id IS NULL
      AND NEW.kind IN {SALE}
    BEGIN
      UPDATE product_months
      SET sales = sales - (
            SELECT sum(l.amount) FROM ledger_document_lines l
            WHERE l.document_id = NEW.id AND l.product_id = product_months.product_id
          ) * NEW.exchange_rate * (CASE WHEN NEW.kind = 'credit_note' THEN -1 ELSE 1 END),
          cost = cost - (
            SELECT sum(coalesce(l.cost, 0)) FROM ledger_document_lines l
            WHERE l.document_id = NEW.id AND l.product_id = product_months.product_id
          ) * NEW.exchange_rate * (CASE WHEN NEW.kind = 'credit_note' THEN -1 ELSE 1 END),
          quantity = quantity - (
            SELECT sum(l.quantity) FROM ledger_document_lines l
            WHERE l.document_id = NEW.id AND l.product_id = product_months.product_id
          ) * (CASE WHEN NEW.kind = 'credit_note' THEN -1 ELSE 1 END),
          lines = lines - (
            SELECT count(*) FROM ledger_document_lines l
            WHERE l.document_id = NEW.id AND l.product_id = product_months.product_id
          )
      WHERE month = date(NEW.date, 'start of month')
        AND product_id IN (
          SELECT l.product_id FROM ledger_document_lines l WHERE l.document_id = NEW.id);
    END
    """,
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION product_months_line() RETURNS trigger AS $$
    BEGIN
      INSERT INTO product_months (product_id, month, sales, cost, quantity, lines)
      SELECT NEW.product_id, date_trunc('month', d.date)::date,
             {SIGN} * NEW.amount * d.exchange_rate,
             {SIGN} * coalesce(NEW.cost, 0) * d.exchange_rate,
             {SIGN} * NEW.quantity, 1
      FROM ledger_documents d WHERE d.id = NEW.document_id AND {STANDING}
      ON CONFLICT (product_id, month) DO UPDATE
      SET sales = product_months.sales + excluded.sales,
          cost = product_months.cost + excluded.cost,
          quantity = product_months.quantity + excluded.quantity,
          lines = product_months.lines + 1;
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER trg_product_months_line AFTER INSERT ON ledger_document_lines
    FOR EACH ROW EXECUTE FUNCTION product_months_line()
    """,
    """
    CREATE FUNCTION product_months_void() RETURNS trigger AS $$
    DECLARE
      sign integer := CASE WHEN NEW.kind = 'credit_note' THEN -1 ELSE 1 END;
    BEGIN
      UPDATE product_months m
      SET sales = m.sales - sign * l.amount * NEW.exchange_rate,
          cost = m.cost - sign * l.cost * NEW.exchange_rate,
          quantity = m.quantity - sign * l.quantity,
          lines = m.lines - l.lines
      FROM (
        SELECT product_id, sum(amount) AS amount, sum(coalesce(cost, 0)) AS cost,
               sum(quantity) AS quantity, count(*) AS lines
        FROM ledger_document_lines WHERE document_id = NEW.id GROUP BY product_id
      ) l
      WHERE m.product_id = l.product_id AND m.month = date_trunc('month', NEW.date)::date;
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER trg_product_months_void AFTER UPDATE OF state ON ledger_documents
    FOR EACH ROW
    WHEN (NEW.state = 'void' AND OLD.state != 'void' AND NEW.reverses_id IS NULL
          AND NEW.kind IN {SALE})
    EXECUTE FUNCTION product_months_void()
    """,
]


def _fill(month: str) -> str:
    """What the ledger already holds, added up the way the triggers add it."""
    return f"""
    INSERT INTO product_months (product_id, month, sales, cost, quantity, lines)
    SELECT l.product_id, {month}, sum({SIGN} * l.amount * d.exchange_rate),
           sum({SIGN} * coalesce(l.cost, 0) * d.exchange_rate), sum({SIGN} * l.quantity),
           count(*)
    FROM ledger_document_lines l JOIN ledger_documents d ON d.id = l.document_id
    WHERE {STANDING}
    GROUP BY l.product_id, {month}
    """


def upgrade():
    op.create_table(
        'product_months',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('sales', sa.Numeric(precision=24, scale=8), nullable=False),
        sa.Column('cost', sa.Numeric(precision=24, scale=8), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_months_product_id_products'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'month', name=op.f('pk_product_months')),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_fill("date_trunc('month', d.date)::date"))
        statements = POSTGRESQL
    else:
        op.execute(_fill("date(d.date, 'start of month')"))
        statements = SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_product_months_void ON ledger_documents")
        op.execute("DROP TRIGGER trg_product_months_line ON ledger_document_lines")
        op.execute("DROP FUNCTION product_months_void()")
        op.execute("DROP FUNCTION product_months_line()")
    else:
        op.execute("DROP TRIGGER trg_product_months_void")
        op.execute("DROP TRIGGER trg_product_months_line")
    op.drop_table('product_months')
