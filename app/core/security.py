"""Request hooks: deny-by-default permissions, security headers and the shell's context."""

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import can

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _guard_undeclared_views():
    """A view that declares no permission is refused: new routes are closed by default."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    if not hasattr(view, "required_permission"):
        current_app.logger.error("view %s declares no permission", request.endpoint)
        abort(403)
    return None


def _refuse_nul_characters():
    """A NUL in a form or query value cannot be stored (PostgreSQL refuses it): 400."""
    values = [*request.args.values(), *(request.form.values() if request.form else [])]
    if any("\x00" in value for value in values):
        from app.core.errors import error_response

        return error_response(
            400, "invalid_text", str(_l("El texto contiene caracteres no válidos."))
        )
    return None


def _security_headers(response):
    """CSP, no sniffing, no framing, no referrer leaks; HSTS behind TLS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _shell_context() -> dict:
    """What the base layout needs: the navigation the user may see."""
    nav = [
        ("clients.index", "clients.view", _l("Clientes"), "users"),
        ("orders.index", "orders.view", _l("Pedidos"), "cart"),
        ("collections.index", "collections.view", _l("Cobranzas"), "cash"),
        ("credit.approvals", "approvals.view", _l("Aprobaciones"), "check"),
        ("sync.status", "app.use", _l("Sync"), "sync"),
    ]
    items = [item for item in nav if can(current_user, item[1])]
    return {"nav_items": items, "can": lambda action: can(current_user, action)}


def register(app: Flask) -> None:
    """Install the hooks and the template helpers."""
    from app.core import templating

    templating.register(app)
    app.before_request(_guard_undeclared_views)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
    app.context_processor(_shell_context)
