"""Static files: one version for the whole tree, served compressed and kept a year.

Every static URL the app builds carries the digest of the static tree
(`/static/<version>/js/app.js`), so a phone keeps it for a year without asking again, and the
ES modules' relative imports (`./store.js`) stay inside that version: each module loads under
one URL. Old URLs (`/static/js/app.js`, another version's) are answered with this version's
file, revalidated on each use, so an old page or service worker still works. WhiteNoise serves
them all, with gzip and brotli copies made once per version under instance/static/ (no build
step, nothing generated in the repository). In debug mode Flask serves the files as they are.
"""

import hashlib
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"
KEPT_VERSIONS = 3
_ANY_VERSION = re.compile(r"^/static/[0-9a-f]{12}/")


@cache
def _tree_digest(static_folder: str) -> str:
    """The digest of every file's name and bytes under the static folder (once per process)."""
    digest = hashlib.sha256()
    root = Path(static_folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_version(app: Flask | None = None) -> str | None:
    """The version in every static URL; None in debug mode, where files change as you work."""
    app = app or current_app
    if app.debug:
        return None
    return _tree_digest(app.static_folder)


@cache
def _compressed_tree(static_folder: str, cache_folder: str, version: str) -> Path:
    """A copy of the static tree with a .gz and a .br beside each text file, made once."""
    target = Path(cache_folder) / version
    if target.is_dir():
        return target
    Path(cache_folder).mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_folder))
    shutil.copytree(static_folder, building, dirs_exist_ok=True)
    compressor = Compressor(quiet=True)
    for path in sorted(building.rglob("*")):
        if path.is_file() and compressor.should_compress(path.name):
            compressor.compress(str(path))
    try:
        building.rename(target)
    except OSError:  # another worker made it first
        shutil.rmtree(building, ignore_errors=True)
    _forget_old_versions(Path(cache_folder), keep=target)
    return target


def _forget_old_versions(cache_folder: Path, keep: Path) -> None:
    """Drop all but the newest few versions (a worker still running one may serve it)."""
    versions = [p for p in cache_folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in versions if p != keep][KEPT_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


class StaticFiles(WhiteNoise):
    """WhiteNoise over one version of the tree: its own URLs immutable, old ones revalidated."""

    def __init__(self, application, root: Path, version: str, headers: dict[str, str]):
        self.version = version
        self.common_headers = headers
        super().__init__(
            application,
            max_age=None,
            allow_all_origins=False,
            add_headers_function=self.cache_and_security_headers,
        )
        self.add_files(str(root), prefix=f"static/{version}/")
        self.add_files(str(root), prefix="static/")

    def cache_and_security_headers(self, headers, path: str, url: str) -> None:
        """The year-long cache for this version's URLs; the house's security headers on all."""
        versioned = url.startswith(f"/static/{self.version}/")
        headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        for name, value in self.common_headers.items():
            headers[name] = value

    def __call__(self, environ, start_response):
        """Another version's URL gets this version's file (a page from before a deploy)."""
        path = environ.get("PATH_INFO", "")
        if path not in self.files and _ANY_VERSION.match(path):
            environ = {**environ, "PATH_INFO": _ANY_VERSION.sub("/static/", path, count=1)}
        return super().__call__(environ, start_response)


def register(app: Flask, headers: dict[str, str]) -> None:
    """Version every `url_for('static', ...)` and serve the tree compressed, with `headers`."""
    version = static_version(app)
    if version is None:
        return

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = f"{version}/{values['filename']}"

    cache_folder = str(Path(app.instance_path) / "static")
    root = _compressed_tree(app.static_folder, cache_folder, version)
    app.wsgi_app = StaticFiles(app.wsgi_app, root, version, headers)
