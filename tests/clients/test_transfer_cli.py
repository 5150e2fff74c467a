"""flask clients import|export: a progress bar, the report, and a non-zero exit when refused."""

import sqlalchemy as sa

from app.clients.models import Client
from app.extensions import db
from tests.clients.import_files import csv_bytes, sample_rows, xlsx_bytes


def clients() -> int:
    """How many clients the database holds."""
    db.session.rollback()  # see what the command committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Client))


def test_a_dry_run_from_the_command_line_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(sample_rows(3)))
    result = runner.invoke(args=["clients", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 filas: 3 nuevos, 0 modificados" in result.output
    assert "no se escribió nada" in result.output
    assert clients() == 0


def test_import_then_export_then_import_again_changes_nothing(app, runner, tmp_path):
    source = tmp_path / "clientes.xlsx"
    source.write_bytes(xlsx_bytes(sample_rows(5)))
    result = runner.invoke(args=["clients", "import", str(source)])
    assert result.exit_code == 0 and "5 nuevos" in result.output, result.output
    assert clients() == 5
    exported = tmp_path / "exportados.xlsx"
    result = runner.invoke(args=["clients", "export", str(exported)])
    assert result.exit_code == 0 and exported.read_bytes()[:2] == b"PK", result.output
    result = runner.invoke(args=["clients", "import", str(exported)])
    assert "5 filas: 0 nuevos, 0 modificados, 5 sin cambios" in result.output, result.output


def test_a_refused_file_exits_non_zero_with_its_errors(app, runner, tmp_path):
    rows = sample_rows(2)
    rows[1]["numero_documento"] = "30-1"
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(rows))
    result = runner.invoke(args=["clients", "import", str(path)])
    assert result.exit_code == 1
    assert "no se importó nada" in result.output and "fila 3\tnumero_documento" in result.output
    assert clients() == 0
    result = runner.invoke(args=["clients", "import", str(path), "--valid-only"])
    assert result.exit_code == 0 and "1 nuevos" in result.output
    assert clients() == 1
