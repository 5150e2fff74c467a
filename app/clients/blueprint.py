"""The clients domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")

# admin registers the clients' reference tables with the admin's pages (app/reference).
ROUTES = ("views", "admin", "transfer_views")
BLUEPRINTS = (bp,)
