"""The offline app shell: the sync status page, and the page the phone shows offline."""

from flask import Blueprint

from app.auth.permissions import requires
from app.core.rendering import render
from app.extensions import db
from app.sync.changes import current_change_seq

bp = Blueprint("sync", __name__)


@bp.get("/sync/")
@requires("app.use")
def status():
    """Last sync, pending writes and errors; the same page routes offline views on the phone."""
    cursor = current_change_seq(db.session.connection())
    return render("offline/app.html", cursor=cursor, shell=False)


@bp.get("/offline/shell")
@requires("app.use")
def shell():
    """The offline app shell the service worker keeps for this user.

    Offline, it answers navigations to the client list, a card, the order, call and receipt
    forms and the pickup check; its script draws them from the phone's copy.
    """
    return render("offline/app.html", cursor=None, shell=True)
