"""Clientes en ruta: the application factory."""

import secrets
from pathlib import Path

from flask import Flask, current_app, has_request_context
from flask_login import current_user

from app import config
from app.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from app import models  # noqa: F401  (every table, the user loader)
    from app.api.auth import ApiAwareSessionInterface
    from app.audit import chain, immutability  # noqa: F401  (hash chain, append-only guard)
    from app.core import sqlite  # noqa: F401  (SQLite connection and transaction setup)
    from app.sync import changes  # noqa: F401  (change sequence listener)

    app.session_interface = ApiAwareSessionInterface()


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per domain."""
    from app.core.routing import IdConverter

    app.url_map.converters["int"] = IdConverter
    from app.api.views import bp as api_bp
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.clients.reference_views import bp as reference_bp
    from app.clients.views import bp as clients_bp
    from app.collections.mail_views import bp as mail_bp
    from app.collections.views import bp as collections_bp
    from app.core.views import bp as core_bp
    from app.credit.views import bp as credit_bp
    from app.ledger import reports, views  # noqa: F401  (the ledger's pages)
    from app.ledger.blueprint import bp as ledger_bp
    from app.notices.views import bp as notices_bp
    from app.orders.catalogue_views import bp as catalogue_bp
    from app.orders.views import bp as orders_bp
    from app.push.views import bp as push_bp
    from app.sync.views import bp as sync_bp
    from app.taxes.views import bp as taxes_bp

    for blueprint in (
        core_bp,
        auth_bp,
        clients_bp,
        reference_bp,
        audit_bp,
        orders_bp,
        catalogue_bp,
        collections_bp,
        mail_bp,
        credit_bp,
        ledger_bp,
        notices_bp,
        push_bp,
        sync_bp,
        taxes_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_errorhandlers(app: Flask) -> None:
    """JSON errors under /api/, friendly Spanish pages elsewhere."""
    from app.core.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the project's CLI commands."""
    from app.audit.chain import audit_cli
    from app.auth.commands import create_user_command
    from app.collections.commands import delinquency_command
    from app.core.backup import backup_command, restore_command
    from app.demo.commands import demo_data_command
    from app.push.views import vapid_keys_command
    from app.sync.commands import idempotency_cli
    from app.taxes.rates_import import iibb_import_command, iibb_jurisdiction_command

    commands = (demo_data_command, create_user_command, backup_command, restore_command, audit_cli)
    commands += (iibb_import_command, iibb_jurisdiction_command, vapid_keys_command)
    commands += (delinquency_command, idempotency_cli)
    for command in commands:
        app.cli.add_command(command)
    if app.debug or app.testing:
        # A stand-in for AFIP, for demos and tests; a production app never offers it.
        from app.taxes.fake_registry import fake_registry_command

        app.cli.add_command(fake_registry_command)


def register_hooks(app: Flask) -> None:
    """Security headers, the navigation context and the permission guard."""
    from app.core.security import register

    register(app)
