"""The migrations build exactly the schema the models describe."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.types import migration_includes, render_migration_type
from app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection skips the name order's expression index (not in the models)
        warnings.filterwarnings(
            "ignore",
            "Skipped unsupported reflection of expression-based index ix_clients_sort_name",
        )
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_item": render_migration_type,
                "include_name": migration_includes,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_change_counter_starts_seeded(app):
    from app.core.changes import current_change_seq

    assert current_change_seq(db.session.connection()) >= 0
