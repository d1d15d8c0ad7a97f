"""The site's page for a request that failed on the server (urls.handler500): a full disk or
database is told as what it is — nothing was saved, try again later — with 503, not as a fault
of the site. Django has already rolled back the request's transaction and logged the error
(which names no personal data: a path or the database's message)."""

import errno
import sqlite3
import sys

from django.http import HttpResponse
from django.template import loader

# The disk holding uploads, media or the database is full, or the user's quota is.
STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
# PostgreSQL's SQLSTATE "disk_full".
POSTGRES_DISK_FULL = "53100"


def storage_full(exc: BaseException | None) -> bool:
    """Whether `exc` (or the database driver's error under it) says the storage is full."""
    for error in (exc, getattr(exc, "__cause__", None)):
        if isinstance(error, OSError) and error.errno in STORAGE_FULL_ERRNOS:
            return True
        if getattr(error, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        if isinstance(error, sqlite3.Error) and (
                getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL):
            return True
    return False


def server_error(request) -> HttpResponse:
    """500.html, or 503_penuh.html (and 503) when the storage is full. Called by Django while
    it handles the exception, so the exception is sys.exc_info()'s."""
    if storage_full(sys.exc_info()[1]):
        return HttpResponse(loader.get_template("503_penuh.html").render(), status=503)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
