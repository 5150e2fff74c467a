"""Request hooks: no NUL characters in input, security headers, and the template helpers."""

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

from app.core.maps import tile_origin


def content_security_policy(tile_url: str) -> str:
    """Everything from this origin only, but for the map tiles' images from their server.

    Leaflet positions its panes and tiles through element.style, which style-src does not
    govern, so the policy needs no 'unsafe-inline'.
    """
    images = ["'self'", "data:"]
    tiles = tile_origin(tile_url)
    if tiles:
        images.append(tiles)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
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


def security_headers(app: Flask) -> dict[str, str]:
    """CSP, no sniffing, no framing, no referrer leaks; HSTS behind TLS."""
    headers = {
        "Content-Security-Policy": app.extensions["csp"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _security_headers(response):
    """The security headers on every response, unless the view set its own."""
    for name, value in current_app.extensions["security_headers"].items():
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    """Install the hooks and the template helpers."""
    from app.core import templating

    templating.register(app)
    app.extensions["csp"] = content_security_policy(app.config["MAP_TILE_URL"])
    app.extensions["security_headers"] = security_headers(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
