"""The audit log's hash chain: each row's hash covers its content and the previous hash,
so an edited, deleted or inserted row breaks every link after it.

Hashes are given as rows are flushed; the chain head's row lock (held to commit) makes
concurrent writers take turns, so the chain never forks.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.audit.models import AuditChainHead, AuditEntry
from app.extensions import db

GENESIS = "0" * 64
_head = AuditChainHead.__table__


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 over the row's content, its place in the chain and the previous hash."""
    content = {
        "seq": entry.chain_seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "remote_addr": entry.remote_addr,
        "prev": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@event.listens_for(Session, "before_flush")
def _link_new_entries(session: Session, _context, _instances) -> None:
    """Give new audit rows their place in the chain and their hashes."""
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    connection = session.connection()
    last_seq, last_hash = connection.execute(
        sa.update(_head)
        .where(_head.c.id == 1)
        .values(last_seq=_head.c.last_seq + len(new))
        .returning(_head.c.last_seq - len(new), _head.c.last_hash)
    ).one()
    new.sort(key=lambda e: (e.at, id(e)))
    for entry in new:
        last_seq += 1
        entry.chain_seq = last_seq
        entry.prev_hash = last_hash
        entry.hash = last_hash = entry_hash(entry, entry.prev_hash)
    connection.execute(sa.update(_head).where(_head.c.id == 1).values(last_hash=last_hash))


@dataclass
class BrokenLink:
    """Where the chain breaks and why."""

    entry_id: int
    chain_seq: int | None
    reason: str


def verify(batch: int = 1000) -> tuple[int, BrokenLink | None]:
    """Walk the chain in order; return the rows checked and the first broken link."""
    expected_prev, expected_seq, checked, after_seq = GENESIS, 1, 0, 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.chain_seq > after_seq)
            .order_by(AuditEntry.chain_seq)
            .limit(batch)
        ).all()
        for entry in rows:
            if entry.chain_seq != expected_seq:
                return checked, BrokenLink(entry.id, entry.chain_seq, "falta un registro antes")
            if entry.prev_hash != expected_prev:
                return checked, BrokenLink(entry.id, entry.chain_seq, "no sigue al anterior")
            if entry.hash != entry_hash(entry, entry.prev_hash):
                return checked, BrokenLink(entry.id, entry.chain_seq, "su contenido cambió")
            expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if len(rows) < batch:
            break
        after_seq = rows[-1].chain_seq
        db.session.expunge_all()
    head = db.session.execute(sa.select(_head.c.last_seq, _head.c.last_hash)).one()
    if (head.last_seq, head.last_hash) != (expected_seq - 1, expected_prev):
        return checked, BrokenLink(0, head.last_seq, "faltan los últimos registros")
    unchained = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.chain_seq.is_(None))
    )
    if unchained:
        return checked, BrokenLink(0, None, f"{unchained} registros fuera de la cadena")
    return checked, None


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the audit log's hash chain and report the first broken link."""
    checked, broken = verify()
    if broken is None:
        click.echo(f"Auditoría íntegra: {checked} registros encadenados.")
        return
    where = f"registro n.º {broken.chain_seq} (id {broken.entry_id})" if broken.entry_id else ""
    raise click.ClickException(
        f"Cadena rota {where}: {broken.reason}. Verificados bien: {checked}.".replace("  ", " ")
    )
