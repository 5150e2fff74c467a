"""The demo cases: a dozen over the demo clients, in every state, one overdue, one with a
history of comments; vendedor1 meets them on his clients' cards."""

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseEvent
from app.demo.commands import load_demo_data
from app.extensions import db


def test_demo_cases_cover_every_state_with_an_overdue_one_and_a_history(app):
    load_demo_data(clients=40, seed=3)  # the loader adds the demo cases
    cases = db.session.scalars(sa.select(Case)).all()
    assert len(cases) == 12
    assert {c.state for c in cases} == {
        "open", "in_progress", "waiting_client", "resolved", "closed",
    }  # fmt: skip
    assert {c.kind for c in cases} == {"claim", "return", "complaint", "question"}
    assert any(services.overdue(c) for c in cases)
    comments = sa.select(sa.func.count()).where(
        CaseEvent.case_id == Case.id, CaseEvent.action == "comment"
    )
    most = max(db.session.scalar(comments.where(Case.id == c.id)) for c in cases)
    assert most >= 4
    seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
    assert len(db.session.scalars(services.scoped_cases(seller)).all()) >= 6
    for case in cases:
        moments = [e.at for e in case.events]
        assert moments == sorted(moments) and moments[0] >= case.created_at
