"""The admin's view of the audit log: search by record, action, person and dates."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, request
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.permissions import requires
from app.core.rendering import render
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


def _day(text: str) -> date | None:
    """A yyyy-mm-dd query value, or None when missing or malformed."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def search_entries(args) -> sa.Select:
    """Audit rows matching the filters, newest first."""
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.actor))
    if args.get("entity_type"):
        query = query.where(AuditEntry.entity_type == args["entity_type"])
    if args.get("entity_id"):
        query = query.where(AuditEntry.entity_id == args["entity_id"].strip())
    if args.get("action"):
        query = query.where(AuditEntry.action.like(f"{args['action'].strip()}%"))
    if args.get("actor_id", "").isdigit():
        query = query.where(AuditEntry.actor_id == int(args["actor_id"]))
    if since := _day(args.get("since", "")):
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until := _day(args.get("until", "")):
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min))
    return query.order_by(AuditEntry.id.desc())


@bp.get("/")
@requires("audit.view")
def index():
    """Search the audit log."""
    page = db.paginate(search_entries(request.args), per_page=PAGE_SIZE, error_out=False)
    types = db.session.scalars(sa.select(AuditEntry.entity_type).distinct()).all()
    people = db.session.scalars(sa.select(User).order_by(User.full_name)).all()
    return render(
        "audit/index.html",
        block="results",
        page=page,
        args=request.args,
        types=types,
        people=people,
    )
