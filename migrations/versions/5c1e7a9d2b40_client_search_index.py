"""client search index: trigrams on clients.search_text, and the list's name order

A search looks for every word anywhere in a client's search text (LIKE '%word%'), which no
b-tree index serves: at 100,000 clients each search read them all. PostgreSQL gets a GIN
trigram index that its planner uses for such LIKEs; SQLite an FTS5 table with the trigram
tokenizer over the same column, kept by triggers, that the search asks for a rare word.
The list's order by name (shop name, else legal name, then id) gets an index too, so a
common word's first page stops after the first matches in name order.

Revision ID: 5c1e7a9d2b40
Revises: 96e95c66c160
Create Date: 2026-12-07 05:50:00
"""

from alembic import op

revision = "5c1e7a9d2b40"
down_revision = "96e95c66c160"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE clients_search USING fts5("
    "search_text, content='clients', content_rowid='id', tokenize='trigram')",
    "INSERT INTO clients_search(clients_search) VALUES ('rebuild')",
    "CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN "
    "INSERT INTO clients_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN "
    "INSERT INTO clients_search(clients_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER clients_search_update AFTER UPDATE OF search_text ON clients BEGIN "
    "INSERT INTO clients_search(clients_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO clients_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SORT_INDEX = "CREATE INDEX ix_clients_sort_name ON clients (coalesce(trade_name, legal_name), id)"
SQLITE_DOWN = [
    "DROP TRIGGER clients_search_update",
    "DROP TRIGGER clients_search_delete",
    "DROP TRIGGER clients_search_insert",
    "DROP TABLE clients_search",
]


def upgrade():
    op.execute(SORT_INDEX)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_clients_search_trgm ON clients USING gin (search_text gin_trgm_ops)"
        )
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade():
    op.execute("DROP INDEX ix_clients_sort_name")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_clients_search_trgm")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
