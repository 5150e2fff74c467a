"""Backup and restore: a round trip gives back every table exactly."""

import sqlalchemy as sa

from app.demo.commands import load_demo_data
from app.extensions import db
from tests import factories


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (and the migration version), in primary-key order."""
    db.session.commit()
    tables = {t.name: t for t in db.metadata.sorted_tables}
    result = {}
    with db.engine.connect() as conn:
        for name, table in tables.items():
            order = list(table.primary_key.columns) or list(table.columns)
            result[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
        result["alembic_version"] = conn.execute(sa.text("SELECT * FROM alembic_version")).all()
    return result


def test_backup_and_restore_round_trip(app, runner, tmp_path):
    load_demo_data(clients=40, seed=9)
    before = snapshot()
    path = tmp_path / "copia.backup"

    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0
    assert runner.invoke(args=["backup", str(path)]).exit_code == 1  # never overwrites

    factories.make_client(trade_name="Después de la copia")
    db.session.execute(sa.text("UPDATE clients SET trade_name = 'Cambiado' WHERE id = 1"))
    db.session.commit()
    assert snapshot() != before

    db.session.remove()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot() == before


def test_restore_without_a_file_changes_nothing(app, runner, tmp_path):
    factories.make_client()
    before = snapshot()
    result = runner.invoke(args=["restore", str(tmp_path / "no-existe"), "--yes"])
    assert result.exit_code == 2
    assert snapshot() == before
