"""The sync status page."""

from flask import Blueprint

from app.auth.permissions import requires
from app.core.rendering import render
from app.extensions import db
from app.sync.changes import current_change_seq

bp = Blueprint("sync", __name__, url_prefix="/sync")


@bp.get("/")
@requires("app.use")
def status():
    """Connection, app version and the server's change cursor."""
    cursor = current_change_seq(db.session.connection())
    return render("sync/status.html", cursor=cursor)
