"""The planner's statistics: refreshed on demand, every night by the job queue, and after the
demo data loads."""

import sqlalchemy as sa

from app.core.sqlite import refresh_statistics
from app.extensions import db
from tests import factories


def test_refreshing_gives_the_planner_statistics_of_the_documents(app):
    client = factories.make_client()
    for _ in range(3):
        factories.post_document(client, "invoice", "10.00")
    db.session.commit()
    refresh_statistics()
    if db.engine.dialect.name == "sqlite":
        rows = db.session.scalar(
            sa.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'ledger_documents'")
        )
    else:
        rows = db.session.scalar(
            sa.text("SELECT count(*) FROM pg_stats WHERE tablename = 'ledger_documents'")
        )
    assert rows > 0


def test_the_job_queue_refreshes_them_every_night(app):
    tasks = {task.name for task in app.extensions["jobs"].huey._registry.periodic_tasks}
    assert "refresh-statistics" in tasks
