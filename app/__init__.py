"""Clientes en ruta: the application factory."""

import secrets
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from flask import Flask, current_app, has_request_context
from flask_login import current_user
from sqlalchemy.orm import configure_mappers

from app import config
from app.core.uploads import AppRequest
from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
from app.jobs import queue as jobs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Each domain keeps its blueprints in <domain>/blueprint.py (STYLE.md, rule 9).
DOMAINS = (
    "shell",
    "auth",
    "clients",
    "audit",
    "orders",
    "collections",
    "credit",
    "ledger",
    "route",
    "reports",
    # After every domain that registers reference tables or adds pages to their blueprint.
    "reference",
    "notices",
    "cases",
    "push",
    "sync",
    "taxes",
    "rates",
    "loyalty",
    "jobs",
    "api",
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
        if "SQLALCHEMY_ENGINE_OPTIONS" not in test_config:
            # the engine options follow the database the caller chose
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(
                app.config["SQLALCHEMY_DATABASE_URI"]
            )
    if app.config.get("JOBS_IMMEDIATE") is None:
        app.config["JOBS_IMMEDIATE"] = app.testing  # tests run jobs as they are started
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_hooks(app)
    return app


def _instance_secret_key(instance_path: str) -> str:
    """Keep a generated secret under instance/ so sessions survive a restart."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def select_locale() -> str:
    """The signed-in user's language, else the configured default (es_AR)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    """Bind the extension instances to the app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    app.request_class = AppRequest  # htmx's request, with the body limit of large uploads
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    compress.init_app(app)
    jobs.init_app(app)

    from app import models  # noqa: F401  (every table, the user loader)
    from app.api.auth import ApiAwareSessionInterface
    from app.audit import chain, immutability  # noqa: F401  (hash chain, append-only guard)
    from app.core import (
        changes,  # noqa: F401  (change sequence listener)
        sqlite,  # noqa: F401  (SQLite connection and transaction setup)
    )

    app.session_interface = ApiAwareSessionInterface()
    # Relationships are resolved here, once, not inside some worker's first request (1 s).
    configure_mappers()


def register_blueprints(app: Flask) -> None:
    """Register each domain's blueprints, after importing the modules that hold their routes
    and the jobs it gives the queue (<domain>/jobs.py)."""
    from app.core.routing import IdConverter

    app.url_map.converters["int"] = IdConverter
    for domain in DOMAINS:
        if find_spec(f"app.{domain}.jobs"):
            import_module(f"app.{domain}.jobs")
        blueprint = import_module(f"app.{domain}.blueprint")
        for module in blueprint.ROUTES:
            import_module(f"app.{domain}.{module}")
        for each in blueprint.BLUEPRINTS:
            app.register_blueprint(each)


def register_errorhandlers(app: Flask) -> None:
    """JSON errors under /api/, friendly Spanish pages elsewhere."""
    from app.core.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the project's CLI commands."""
    from app.audit.chain import audit_cli
    from app.auth.commands import create_user_command
    from app.clients.commands import clients_cli
    from app.collections.commands import delinquency_command
    from app.core.backup import backup_command, restore_command
    from app.demo.commands import demo_data_command
    from app.jobs.commands import jobs_cli
    from app.push.commands import vapid_keys_command
    from app.reports.commands import abc_rating_command, month_sums_command
    from app.sync.commands import idempotency_cli
    from app.taxes.rates_import import iibb_import_command, iibb_jurisdiction_command

    commands = (demo_data_command, create_user_command, backup_command, restore_command, audit_cli)
    commands += (iibb_import_command, iibb_jurisdiction_command, vapid_keys_command)
    commands += (delinquency_command, idempotency_cli, jobs_cli, clients_cli)
    commands += (abc_rating_command, month_sums_command)
    for command in commands:
        app.cli.add_command(command)
    if app.debug or app.testing:
        # A stand-in for AFIP, for demos and tests; a production app never offers it.
        from app.taxes.fake_registry import fake_registry_command

        app.cli.add_command(fake_registry_command)


def register_hooks(app: Flask) -> None:
    """Refuse NUL characters, add the security headers, expose the template helpers, and
    serve the static files versioned and compressed (with the same security headers)."""
    from app.core import assets, security

    security.register(app)
    assets.register(app, app.extensions["security_headers"])
