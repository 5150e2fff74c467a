"""Error answers: JSON under /api/, friendly Spanish pages for the browser; never a trace."""

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("bad_request", _l("La solicitud no es válida.")),
    401: ("unauthorized", _l("Tenés que iniciar sesión.")),
    403: ("forbidden", _l("No tenés permiso para ver esta página.")),
    404: ("not_found", _l("No encontramos lo que buscabas.")),
    405: ("method_not_allowed", _l("Esa operación no está permitida aquí.")),
    409: ("conflict", _l("La operación está en conflicto con otra.")),
    413: ("too_large", _l("El envío es demasiado grande.")),
    422: ("invalid", _l("Los datos enviados no son válidos.")),
    429: ("too_many_requests", _l("Demasiados intentos. Esperá un minuto y probá de nuevo.")),
    500: ("server_error", _l("Algo salió mal de nuestro lado. Ya quedó registrado.")),
    503: ("unavailable", _l("El servicio no está disponible en este momento.")),
}


def wants_json() -> bool:
    """API paths and clients that only accept JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def json_error(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    """The API's error shape: {"error": {"code", "message", "fields"}}."""
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    """An error as JSON or as a page, whichever the caller wants."""
    if wants_json():
        return json_error(status, code, message, fields)
    html = render_template("errors/error.html", status=status, message=message, fields=fields)
    return Response(html, status=status)


def _handle_http(exc: HTTPException) -> Response:
    """Turn any HTTP error into our JSON or page."""
    status = exc.code or 500
    code, message = MESSAGES.get(status, ("error", exc.name))
    response = error_response(status, code, str(message))
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _handle_csrf(_exc: CSRFError) -> Response:
    """An expired or missing CSRF token: ask to reload, keep nothing."""
    return error_response(
        400,
        "csrf_failed",
        _("El formulario venció. Recargá la página e intentá de nuevo."),
    )


def _handle_unexpected(exc: Exception) -> Response:
    """Log the trace for operators; show the user a plain message."""
    from flask import current_app

    from app.extensions import db

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    code, message = MESSAGES[500]
    return error_response(500, code, str(message))


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
