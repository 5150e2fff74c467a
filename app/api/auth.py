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
    """A browser calling the API with its session cookie must send the CSRF token.

    Only a request the bearer token actually authenticated is spared: a cookie-signed-in
    request that also carries an Authorization header (junk or not) still needs the token.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if current_user.is_authenticated and not g.get("token_auth"):
        csrf.protect()


# What the phone asks for behind the user's back (sync, outbox, the offline shell).
BACKGROUND_PATHS = ("/api/", "/offline/shell")


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """Never hand a session cookie to a request that authenticated with a token, and never
    refresh it on a background request that did not change it.

    A permanent session's cookie is sent again on every response. A sync that started before
    the user saved a form and ended after it would send back the session it read, without
    the "Cambios guardados." the save had just put in it.
    """

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Token-authenticated requests stay stateless; background ones unless they wrote."""
        if g.get("token_auth"):
            return False
        if request.path.startswith(BACKGROUND_PATHS) and not session.modified:
            return False
        return super().should_set_cookie(app, session)
