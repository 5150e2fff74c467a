"""Bearer-token authentication for the API, and CSRF for cookie-authenticated API writes."""

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from app.auth import services
from app.extensions import csrf, login_manager


def bearer_token() -> str | None:
    """The token in `Authorization: Bearer <token>`, if any."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


@login_manager.request_loader
def load_user_from_token(_request):
    """API requests may authenticate with a bearer token instead of the session."""
    if not request.path.startswith("/api/"):
        return None
    token = bearer_token()
    if token is None:
        return None
    user = services.user_for_token(token)
    if user is not None:
        g.token_auth = True
    return user


def protect_cookie_writes() -> None:
    """A browser calling the API with its session cookie must send the CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or bearer_token() is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """Never hand a session cookie to a request that authenticated with a token."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Token-authenticated requests stay stateless."""
        if g.get("token_auth"):
            return False
        return super().should_set_cookie(app, session)
