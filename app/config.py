"""Settings read from the environment when the application is created."""

import os
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    """Read a yes/no environment value."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, or the embedded SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3 spelled out.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return "sqlite:///" + str(Path(instance_path) / "clientes.db")


def engine_options(url: str) -> dict:
    """Connection pool settings; PostgreSQL without JIT, which costs short reports seconds.

    The planner's row estimates for the aging report's joins make it JIT-compile queries
    that then run in milliseconds: compiling took most of the time in `make bench`.
    """
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": "-c jit=off"}
    return options


# AFIP's hosts: homologation ("testing") and production, for WSAA and the registry service.
AFIP_HOSTS = {
    "testing": (
        "https://wsaahomo.afip.gov.ar/ws/services/LoginCms",
        "https://awshomo.afip.gov.ar/sr-padron/webservices/personaServiceA5",
    ),
    "production": (
        "https://wsaa.afip.gov.ar/ws/services/LoginCms",
        "https://aws.afip.gov.ar/sr-padron/webservices/personaServiceA5",
    ),
}


def afip_urls(environment: str | None) -> tuple[str, str]:
    """WSAA and registry URLs for AFIP_ENV (testing, the default, or production)."""
    name = (environment or "testing").strip().lower()
    if name not in AFIP_HOSTS:
        raise ValueError(f"AFIP_ENV must be testing or production, not {environment!r}")
    return AFIP_HOSTS[name]


DEFAULT_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_MAP_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    secure = _bool(os.environ.get("SECURE_COOKIES"))
    wsaa_url, padron_url = afip_urls(os.environ.get("AFIP_ENV"))
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url(instance_path)),
        # Redis, when set, holds the job queue and (unless told otherwise) the rate limits, so
        # that several app servers and workers share them.
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL", "").strip()
        or "memory://",
        # the job queue: a SQLite file in the instance folder unless REDIS_URL is set; jobs
        # run inline, as they are started, when JOBS_IMMEDIATE is on (the tests' default)
        "JOBS_SQLITE_PATH": os.environ.get("JOBS_SQLITE_PATH", ""),
        "JOBS_QUEUE_NAME": os.environ.get("JOBS_QUEUE_NAME", "clientes-en-ruta"),
        # days a job's files (uploads, exports) are kept after it ends
        "JOBS_FILES_DAYS": float(os.environ.get("JOBS_FILES_DAYS") or "7"),
        # seconds without a worker's heartbeat before its running job is taken over
        "JOBS_SILENT_AFTER": float(os.environ.get("JOBS_SILENT_AFTER") or "60"),
        "JOBS_IMMEDIATE": _bool(os.environ["JOBS_IMMEDIATE"])
        if os.environ.get("JOBS_IMMEDIATE")
        else None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute"),
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "30")),
        "IDEMPOTENCY_LEASE_SECONDS": int(os.environ.get("IDEMPOTENCY_LEASE_SECONDS", "120")),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "es_AR"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get(
            "DEFAULT_TIMEZONE", "America/Argentina/Buenos_Aires"
        ),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=int(os.environ.get("SESSION_DAYS", "30"))),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("SESSION_DAYS", "30"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "WTF_CSRF_TIME_LIMIT": None,
        # Pages, fragments and JSON compressed when the browser takes it (static files are
        # served precompressed by core.assets); streamed answers (CSV exports) go as they are.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,
        # Not on: it answers conditional requests itself and adds a Date header of its own,
        # which the server's doubles (the service worker reads a page copy's date from it).
        "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(10 * 1024 * 1024))),
        # the pages that take a large file: a tax registry, a client base
        "MAX_UPLOAD_LENGTH": int(os.environ.get("MAX_UPLOAD_LENGTH", str(200 * 1024 * 1024))),
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY", ""),
        "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY", ""),
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", ""),
        "COMPANY_NAME": os.environ.get("COMPANY_NAME", "Clientes en ruta"),
        # how long a credit override request may wait for a supervisor
        "OVERRIDE_REQUEST_HOURS": int(os.environ.get("OVERRIDE_REQUEST_HOURS", "24")),
        "COMPANY_IVA_CONDITION": os.environ.get("COMPANY_IVA_CONDITION", "Responsable Inscripto"),
        "AFIP_WSAA_URL": os.environ.get("AFIP_WSAA_URL") or wsaa_url,
        "AFIP_PADRON_URL": os.environ.get("AFIP_PADRON_URL") or padron_url,
        "AFIP_CERT_PATH": os.environ.get("AFIP_CERT_PATH", ""),
        "AFIP_KEY_PATH": os.environ.get("AFIP_KEY_PATH", ""),
        "AFIP_CUIT": os.environ.get("AFIP_CUIT", ""),
        "AFIP_TIMEOUT": float(os.environ.get("AFIP_TIMEOUT", "10")),
        "PADRON_CACHE_SECONDS": int(os.environ.get("PADRON_CACHE_SECONDS", "86400")),
        # e-mail to clients (reminders, statements): an empty SMTP_HOST turns sending off
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT") or "587"),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_SECURITY": (os.environ.get("SMTP_SECURITY") or "starttls").strip().lower(),
        "SMTP_TIMEOUT": float(os.environ.get("SMTP_TIMEOUT") or "10"),
        # the route map's tiles (Leaflet's URL template) and the credit their server asks for
        "MAP_TILE_URL": (os.environ.get("MAP_TILE_URL") or DEFAULT_MAP_TILE_URL).strip(),
        "MAP_ATTRIBUTION": os.environ.get("MAP_ATTRIBUTION") or DEFAULT_MAP_ATTRIBUTION,
    }
