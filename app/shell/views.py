"""The shell: home, health check, service worker, manifest and offline page."""

import hashlib
import json
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import Response, current_app, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import can, public, requires
from app.extensions import db
from app.shell.blueprint import bp

SERVICE_WORKER = Path(__file__).resolve().parents[2] / "service_worker" / "sw.js"
STATIC = Path(__file__).resolve().parents[2] / "static"
# The shell the service worker keeps for offline use; its digest versions the cache. Every
# module the pages and the offline views import is in it, so they load with no network.
SHELL_FILES = (
    *(f"css/{path.name}" for path in sorted((STATIC / "css").glob("*.css"))),
    *(str(path.relative_to(STATIC)) for path in sorted((STATIC / "js").rglob("*.js"))),
    "vendor/htmx.min.js",
    "vendor/idb.js",
    "icons/icon-192.png",
    "icons/icon.svg",
    "icons/sprite.svg",
)
USER_HEADER = "X-Clientes-User"
FIELD_ROLES = (Role.SALESPERSON, Role.COLLECTOR)


@bp.get("/")
@requires("app.use")
def index():
    """Salespeople and collectors start on the day's route; everyone else on the client list."""
    if current_user.role in FIELD_ROLES:
        return redirect(url_for("route.today"))
    return redirect(url_for("clients.index"))


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok", "version": shell_version()})


@cache
def _shell_digest(static_folder: str, static_urls: str) -> str:
    """Digest of the service worker, the shell files and their URLs (once per process)."""
    digest = hashlib.sha256(SERVICE_WORKER.read_bytes() + static_urls.encode())
    for name in SHELL_FILES:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


def shell_version() -> str:
    """The version of the app shell, which names the service worker's cache."""
    return _shell_digest(current_app.static_folder, url_for("static", filename=""))


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, at the root so its scope is the whole app."""
    static_root = url_for("static", filename="")
    shell = [url_for("static", filename=name) for name in SHELL_FILES]
    shell += [url_for("shell.offline"), url_for("shell.manifest")]
    header = (
        f"const VERSION = {json.dumps(shell_version())};\n"
        f"const SHELL = {json.dumps(shell)};\n"
        f"const STATIC_ROOT = {json.dumps(static_root)};\n"
        f"const OFFLINE_URL = {json.dumps(url_for('shell.offline'))};\n"
        f"const SHELL_PAGE = {json.dumps(url_for('sync.shell'))};\n"
    )
    # Its imports name the modules by the URLs the pages load them from: one copy each.
    source = SERVICE_WORKER.read_text().replace('from "/static/', f'from "{static_root}')
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.after_app_request
def name_the_user(response: Response) -> Response:
    """Pages say whose they are, so the service worker keeps them apart per user."""
    if response.mimetype == "text/html" and current_user.is_authenticated:
        response.headers[USER_HEADER] = str(current_user.id)
        response.vary.add("Cookie")
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest so the app installs on the home screen."""
    body = render_template("shell/manifest.webmanifest")
    return Response(body, mimetype="application/manifest+json")


@bp.get("/offline")
@public
def offline():
    """The page the service worker shows when a page is not available offline."""
    return render_template("shell/offline.html")


@bp.app_context_processor
def shell_context() -> dict:
    """What the base layout needs: the navigation the user may see."""
    nav = [
        ("route.today", "route.work", _l("Hoy"), "route"),
        ("clients.index", "clients.view", _l("Clientes"), "users"),
        ("orders.index", "orders.view", _l("Pedidos"), "cart"),
        ("collections.index", "collections.view", _l("Cobranzas"), "cash"),
        ("credit.approvals", "approvals.view", _l("Aprobaciones"), "check"),
        ("reports.dashboard", "reports.dashboard", _l("Informes"), "chart"),
    ]
    items = [item for item in nav if can(current_user, item[1])]
    return {"nav_items": items, "can": lambda action: can(current_user, action)}


bp.add_app_template_global(shell_version)
