"""Reads beyond one machine: the heavy read-only pages and commands on PostgreSQL replicas.

With `DATABASE_REPLICA_URL` (one or more URLs, comma-separated) the settings add the aliases
`replica1`, `replica2`… and this router. Everything reads and writes the primary (`default`)
except the work `run` wraps — the heavy read-only pages (`heavy`: the recap, the network, the
indicators and their downloads) and the `rekap`, `jaringan` and `ketahanan` commands — whose
reads of the registry's own apps go to a replica that is up and not lagging more than
`DATABASE_REPLICA_MAX_LAG` seconds, unless:

- the work has written (a stored computation): it reads the primary from then on;
- it reads inside a transaction of the primary;
- the user wrote the registry's data within the last `read_own_writes_seconds()` (the longest
  lag allowed plus the time between checks; 15 s by default): a cookie set by the middleware on
  a request that wrote, so that what they just saved is there;
- no replica qualifies: the primary serves, as without replicas.

A replica's state is measured at most every `CHECK_SECONDS` per process: its replayed WAL
position against the primary's current one (caught up: lag 0), else the age of the last
transaction it replayed. A replica that cannot be reached, is not a standby, or lags too much is
skipped until the next check. A replica that fails during the work (stopped mid-request) is
marked down and the work runs again on the primary: nothing has been written by then, since
writing moves the reads to the primary. A page served from a replica says how fresh it is
(`freshness`, shown by the base template).

Accounts, sessions and the login lockout always read the primary (`REPLICA_APPS`,
`PRIMARY_MODELS`).
"""

import contextvars
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

# The apps whose reads may go to a replica: the registry's data, not the accounts and sessions.
REPLICA_APPS = frozenset({"registry", "members", "pmks", "network", "ketahanan", "bantuan",
                          "verifikasi", "psks"})
PRIMARY_MODELS = frozenset({"registry.user"})  # an account just suspended reads so at once
COOKIE = "wksbm_tulis"


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 10))


def check_seconds() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 5))


def read_own_writes_seconds() -> float:
    """How long a user who wrote reads the primary: the longest lag a replica may have when
    chosen, plus the time until its next check."""
    return max_lag() + check_seconds()


def aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


# The state of each replica, per process ------------------------------------------------------
@dataclass
class Status:
    checked: float  # time.monotonic() of the check
    lag: float | None  # seconds behind the primary; None: not usable


_status: dict[str, Status] = {}


def _measure(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it is down or not a standby."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            primary_lsn = cursor.fetchone()[0]
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            standby, caught_up, age = cursor.fetchone()
    except DatabaseError as exc:
        log.warning("replica %s skipped: %s", alias, type(exc).__name__)
        connections[alias].close()
        return None
    if not standby:
        log.warning("replica %s skipped: it is not a standby", alias)
        return None
    if caught_up:
        return 0.0
    return float(age) if age is not None else math.inf


def status(alias: str) -> Status:
    now = time.monotonic()
    known = _status.get(alias)
    if known is None or now - known.checked >= check_seconds():
        known = _status[alias] = Status(now, _measure(alias))
    return known


def mark_down(alias: str) -> None:
    _status[alias] = Status(time.monotonic(), None)
    connections[alias].close()


def choose() -> tuple[str, float] | None:
    """A replica fit to read from and its lag, or None."""
    fit = []
    for alias in aliases():
        lag = status(alias).lag
        if lag is not None and lag <= max_lag():
            fit.append((alias, lag))
    return random.choice(fit) if fit else None  # noqa: S311 — spreading load, not a secret


# The work being done -------------------------------------------------------------------------
@dataclass
class Work:
    alias: str | None  # the replica its reads may go to
    lag: float = 0.0
    wrote: bool = False
    used: set = field(default_factory=set)  # replicas actually read


_work: contextvars.ContextVar[Work | None] = contextvars.ContextVar("replica_work", default=None)
# The registry's models a write request wrote (a login, which writes only the session and the
# account, does not send the user to the primary).
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("replica_written",
                                                                      default=None)


class Router:
    def db_for_read(self, model, **hints):
        work = _work.get()
        if (work is None or work.alias is None or work.wrote
                or model._meta.app_label not in REPLICA_APPS
                or model._meta.label_lower in PRIMARY_MODELS
                or connections["default"].in_atomic_block):
            return "default"
        work.used.add(work.alias)
        return work.alias

    def db_for_write(self, model, **hints):
        work = _work.get()
        if work is not None:
            work.wrote = True
        written = _written.get()
        if (written is not None and model._meta.app_label in REPLICA_APPS
                and model._meta.label_lower not in PRIMARY_MODELS):
            written.append(model._meta.label)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def run(work_fn: Callable, *, primary: bool = False):
    """Call `work_fn()` with its reads on a replica where one fits (on the primary with
    `primary`, or without replicas); again on the primary if a replica fails meanwhile.
    Returns (its result, the Work that produced it)."""
    chosen = None if primary or not aliases() else choose()
    work = Work(*(chosen or (None, 0.0)))
    token = _work.set(work)
    try:
        return work_fn(), work
    except DatabaseError:
        if work.alias is None or work.wrote:
            raise
        log.warning("replica %s failed during the work: read again from the primary", work.alias)
        mark_down(work.alias)
        work = Work(None)
        _work.set(work)
        return work_fn(), work
    finally:
        _work.reset(token)


def wrote_recently(request) -> bool:
    try:
        return time.time() - float(request.COOKIES.get(COOKIE, "")) < read_own_writes_seconds()
    except ValueError:
        return False


def heavy(view):
    """A heavy read-only page: its reads on a replica (see `run`), the page told how fresh."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not aliases() or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        response, work = run(lambda: view(request, *args, **kwargs),
                             primary=wrote_recently(request))
        response["X-Database"] = "replica" if work.used else "primary"
        return response

    return wrapped


def freshness(request) -> dict:
    """Context processor: how far behind the replica this page reads may be (seconds), or None
    when it reads the primary."""
    work = _work.get()
    if work is None or not work.used:
        return {"replica_behind": None}
    return {"replica_behind": math.ceil(work.lag + check_seconds())}


class ReadOwnWritesMiddleware:
    """After a request that wrote the registry's data, the user reads the primary for a while
    (the cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        written: list = []
        token = _written.set(written)
        try:
            response = self.get_response(request)
        finally:
            _written.reset(token)
        if written and response.status_code < 400:
            response.set_cookie(COOKIE, f"{time.time():.3f}",
                                max_age=math.ceil(read_own_writes_seconds()), httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response
