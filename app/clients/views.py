"""Client pages: the list with search (the client card issue adds the rest)."""

import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.models import Client
from app.clients.services import PAGE_SIZE, scoped_clients, search_clients
from app.core.rendering import render
from app.extensions import db

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.get("/")
@requires("clients.view")
def index():
    """My clients, searchable as I type."""
    q = request.args.get("q", "")
    query = search_clients(scoped_clients(current_user), q).order_by(
        sa.func.coalesce(Client.trade_name, Client.legal_name), Client.id
    )
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render("clients/index.html", block="results", page=page, q=q)
