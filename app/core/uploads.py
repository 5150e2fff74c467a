"""Request bodies: MAX_CONTENT_LENGTH everywhere, MAX_UPLOAD_LENGTH on the pages that take a
large file (a tax registry, a client base), marked with @large_upload.

The limit must be known before anything reads the form, and the CSRF check reads it before
any view runs, so it is decided by the request itself from the view its URL leads to.
"""

from collections.abc import Callable

from flask import current_app
from htmx_flask.requests import HtmxAwareRequest


def large_upload(view: Callable) -> Callable:
    """Let this view's requests carry up to MAX_UPLOAD_LENGTH bytes."""
    view.large_upload = True
    return view


class AppRequest(HtmxAwareRequest):
    """A request (with htmx's headers read) whose body limit follows the view it is for."""

    @property
    def max_content_length(self) -> int | None:
        """MAX_UPLOAD_LENGTH for a view marked @large_upload, else the usual limit."""
        if self._max_content_length is None and current_app and self.endpoint:
            view = current_app.view_functions.get(self.endpoint)
            if getattr(view, "large_upload", False):
                return current_app.config["MAX_UPLOAD_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
