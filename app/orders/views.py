"""Order pages (the orders issue builds the order flow on this page)."""

from flask import Blueprint

from app.auth.permissions import requires
from app.core.rendering import render

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/")
@requires("orders.view")
def index():
    """Orders taken: none until order taking lands."""
    return render("orders/index.html")
