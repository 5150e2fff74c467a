"""The audit log's hash chain and `flask audit verify`."""

import sqlalchemy as sa

from app.audit import services as audit
from app.audit.immutability import CREATE_TRIGGERS, DROP_TRIGGERS
from app.audit.models import AuditEntry
from app.extensions import db


def write_entries(n: int) -> None:
    for i in range(n):
        audit.record("client.update", "client", i, {"state": "active"}, {"state": "disabled"})
        if i % 2:
            db.session.commit()
    db.session.commit()


def tamper(statement: str) -> None:
    """What someone with raw database access could do: lift the triggers and edit."""
    dialect = db.engine.dialect.name
    for sql in DROP_TRIGGERS[dialect]:
        db.session.execute(sa.text(sql))
    db.session.execute(sa.text(statement))
    for sql in CREATE_TRIGGERS[dialect]:
        db.session.execute(sa.text(sql))
    db.session.commit()


def test_an_intact_chain_verifies(app, runner):
    write_entries(7)
    seqs = db.session.scalars(sa.select(AuditEntry.chain_seq).order_by(AuditEntry.id)).all()
    assert seqs == list(range(1, 8))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "7 registros encadenados" in result.output


def test_an_edited_row_is_reported(app, runner):
    write_entries(5)
    tamper("UPDATE audit_log SET action = 'client.create' WHERE chain_seq = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "registro n.º 3" in result.output and "su contenido cambió" in result.output


def test_a_deleted_row_is_reported(app, runner):
    write_entries(5)
    tamper("DELETE FROM audit_log WHERE chain_seq = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "registro n.º 3" in result.output and "falta un registro antes" in result.output


def test_a_deleted_last_row_is_reported(app, runner):
    write_entries(4)
    tamper("DELETE FROM audit_log WHERE chain_seq = 4")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "faltan los últimos registros" in result.output


def test_concurrent_writers_never_fork_the_chain(app):
    from concurrent.futures import ThreadPoolExecutor

    def writer(n: int) -> None:
        with app.app_context():
            from app.core.sqlite import start_writing

            for i in range(5):
                start_writing()
                audit.record("client.note", "client", n, None, {"note": str(i)})
                db.session.commit()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(writer, range(4)))
    from app.audit.chain import verify

    checked, broken = verify()
    assert broken is None and checked == 20
