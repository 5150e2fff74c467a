"""The ABC rating run: each client's letter from the last 12 months' sales, written on its card
with an audit row; a pinned (manual) rating is never overwritten."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

import app.reports.rules as rules
from app.audit import services as audit
from app.clients.models import Client, ClientState
from app.core.types import local_today, utcnow
from app.extensions import db
from app.reports.services import report_settings, sales_by_client

BATCH = 1000


@dataclass
class AbcRun:
    """What a run rated and changed."""

    start: date
    end: date
    rated: int = 0
    pinned: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"A": 0, "B": 0, "C": 0})
    changes: list[tuple[int, str | None, str]] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self) -> dict:
        """The run as a job's result keeps it."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "rated": self.rated,
            "pinned": self.pinned,
            "counts": dict(self.counts),
            "changed": len(self.changes),
            "changes": [
                {"client_id": ident, "before": before, "after": after}
                for ident, before, after in self.changes
            ],
            "dry_run": self.dry_run,
        }


def rate_clients(
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> AbcRun:
    """Rate every client that is a customer from its sales over the last 12 months.

    Writes the changed letters with an audit row each, unless dry_run (then nothing is
    flushed; the caller rolls back). progress(done, total) is called as clients are written.
    """
    today = today or local_today()
    settings = report_settings()
    start = today - timedelta(days=364)  # a year, today included
    run = AbcRun(start=start, end=today, dry_run=dry_run)
    customers = db.session.execute(
        sa.select(Client.id, Client.abc_rating, Client.abc_pinned).where(
            Client.deleted_at.is_(None), Client.state != ClientState.POTENTIAL
        )
    ).all()
    totals = dict.fromkeys((ident for ident, _rating, _pinned in customers), rules.ZERO)
    for ident, total in sales_by_client(start, today).items():
        if ident in totals:
            totals[ident] = total
    letters = rules.abc_ratings(totals, settings.abc_a_pct, settings.abc_b_pct)
    changed = []
    for ident, rating, pinned in customers:
        if pinned:
            run.pinned += 1
            continue
        letter = letters[ident]
        run.rated += 1
        run.counts[letter] += 1
        if rating != letter:
            changed.append((ident, rating, letter))
    run.changes = changed
    if dry_run:
        return run
    for done in range(0, len(changed), BATCH):
        chunk = changed[done : done + BATCH]
        by_id = {
            client.id: client
            for client in db.session.scalars(
                sa.select(Client).where(Client.id.in_([ident for ident, *_rest in chunk]))
            )
        }
        for ident, before, after in chunk:
            by_id[ident].abc_rating = after
            audit.record(
                "client.abc_rating", "client", ident, {"abc_rating": before}, {"abc_rating": after}
            )
        db.session.flush()
        if progress:
            progress(min(done + BATCH, len(changed)), len(changed))
    settings.abc_last_run_at = utcnow()
    db.session.flush()
    return run
