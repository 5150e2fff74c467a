"""Request hooks: no NUL characters in input, security headers, and the template helpers."""

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

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


def register(app: Flask) -> None:
    """Install the hooks and the template helpers."""
    from app.core import templating

    templating.register(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
