"""Audit history: who changed which record, when, and from what to what.

django-simple-history keeps a history table beside each audited model (groups, people,
memberships, PMKS cases, links: `history = audit.history(...)` on the model) and writes a
row there on every save and delete made through the ORM — web forms, the admin, its imports —
with the web user of the request (its HistoryRequestMiddleware).

Bulk writes send no signals, so the survey importer records its rows itself: `record()` copies
the rows as they now stand into the history table with one INSERT … SELECT per batch (the
database does the copying: a 100,000-row import is not slowed by building objects for
simple-history's bulk helpers), stamped with the user and the reason of the surrounding
`changes()` block. `timeline()` turns history rows into what a record's page shows: when, who,
created/changed/deleted, and each changed field's old and new value.
"""

import contextvars
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry import access, validators

_current = contextvars.ContextVar("audit", default=(None, ""))
BATCH = 900  # ids per INSERT … SELECT: below SQLite's variable limit on any build
REASON_LENGTH = 100  # simple-history's history_change_reason


def _user(instance=None, request=None, **kwargs):
    """simple-history's get_user: the web request's user, else the user of `changes()`."""
    if request is not None:
        return request.user
    return _current.get()[0]


def history(*unindexed: str) -> HistoricalRecords:
    """A model's audit history (`history = audit.history(...)`). `unindexed`: the model's indexed
    fields that its history table leaves unindexed — only `id` and what a page's history filters
    by keep an index, because each one slows the imports' bulk history writes (with every index,
    PostgreSQL's import of 100,000 memberships took 2.55× its floor, over its 2.5× target).

    The user of a history row is a key without a database constraint (as simple-history keeps
    the record's own key): the database checked each row's user at the commit, 170,000 checks
    of one user for a district's import (0.45 s on PostgreSQL). Deleting a user still empties
    the user of their history rows (on_delete=SET_NULL, done by Django)."""
    return HistoricalRecords(get_user=_user, no_db_index=list(unindexed),
                             user_db_constraint=False)


@contextmanager
def changes(user, reason: str):
    """Stamp the history written inside the block with this user and reason (an import)."""
    token = _current.set((user, reason[:REASON_LENGTH]))
    try:
        yield
    finally:
        _current.reset(token)


def audited(model) -> bool:
    return hasattr(model, "history")


def record(model, pks: Iterable[int], kind: str = "~") -> None:
    """History rows for `model`'s rows `pks` as they now stand: kind "+" created, "~" changed."""
    pks = list(pks)
    for start in range(0, len(pks), BATCH):
        part = pks[start:start + BATCH]
        _copy(model, kind, f"{{pk}} IN ({', '.join(['%s'] * len(part))})", part)


def record_inserted(model, after_pk: int, stamp) -> None:
    """History rows for the rows just inserted in bulk: above `after_pk`, created at `stamp`."""
    _copy(model, "+", "{pk} > %s AND {stamp} = %s", [after_pk, stamp])


def _created_stamp(opts):
    """The field a row's creation time is in: `dibuat`, else the model's auto_now_add field
    (a distribution's `dicatat`)."""
    fields = {f.name: f for f in opts.concrete_fields}
    if "dibuat" in fields:
        return fields["dibuat"]
    return next(f for f in opts.concrete_fields if getattr(f, "auto_now_add", False))


def _copy(model, kind: str, where: str, params: list) -> None:
    if not audited(model):
        return
    quote = connection.ops.quote_name
    opts, history = model._meta, model.history.model._meta
    columns = ", ".join(quote(f.column) for f in opts.concrete_fields)
    user, reason = _current.get()
    sql = (
        f"INSERT INTO {quote(history.db_table)} ({columns}, history_date, history_type, "
        f"history_user_id, history_change_reason) "
        f"SELECT {columns}, %s, %s, %s, %s FROM {quote(opts.db_table)} WHERE "
        + where.format(pk=quote(opts.pk.column), stamp=quote(_created_stamp(opts).column))
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, kind, getattr(user, "pk", None), reason or None, *params])


# Reading -----------------------------------------------------------------------------------------
KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
NOT_SHOWN = {"id", "dibuat", "diubah"}
# Personal fields shown masked rather than left out, to whoever may not read them in full.
MASKED = {"nik": validators.mask_nik}
HISTORY_ROWS = 500  # per model on one page: the latest changes, not a record's whole life


@dataclass
class Change:
    date: datetime
    user: str
    reason: str
    kind: str  # created / changed / deleted
    what: str  # the record: its model's name and label
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class Source:
    """One audited model's part of a timeline: its history rows and how to name a record
    (`label(row, names)`, where names[field][pk] is the text of what a key field points to:
    the fields of `label_fields` are looked up for every row, in one query each)."""

    history: models.QuerySet
    label: callable
    label_fields: tuple[str, ...] = ()


def shown_fields(user, model) -> list:
    """The fields of `model` a history page shows to `user`: not the bookkeeping ones, nor the
    personal data the user may not read (registry.access.hidden_fields) — except a NIK, which
    shows masked, as the record's own page shows it."""
    hidden = access.hidden_fields(user, model) - set(MASKED)
    return [f for f in model._meta.concrete_fields
            if f.name not in NOT_SHOWN and f.name not in hidden]


def _masked(user, model, f, value):
    if f.name in MASKED and f.name in access.hidden_fields(user, model) and value:
        return MASKED[f.name](value)
    return value


def shown_changes(user, model, changes) -> list[dict]:
    """simple-history's changes of one version (`field`, `old`, `new`, keys as ids) as a
    history page shows them to `user`: [{"field", "old", "new"}], names for keys and choices."""
    fields = {f.name: f for f in shown_fields(user, model)}
    diffs = [(fields[c.field], c.old, c.new) for c in changes if c.field in fields]
    names = _names([(value, f) for f, old, new in diffs if f.is_relation
                    for value in (old, new)])
    return [{"field": str(f.verbose_name),
             "old": _show(f, _masked(user, model, f, old), names),
             "new": _show(f, _masked(user, model, f, new), names)} for f, old, new in diffs]


def timeline(sources: list[Source], user, limit: int = 20) -> tuple[list[Change], int]:
    """The latest changes of several records, newest first, and how many there are in all
    (within the latest HISTORY_ROWS history rows of each source).

    A change shows each field that differs from the record's previous version, as `user` may
    read it (`shown_fields`); a save that changed nothing the user may read is left out."""
    found = []  # (source, row, [(field, old, new)])
    for source in sources:
        rows = list(source.history.select_related("history_user")
                    .order_by("-history_date", "-history_id")[:HISTORY_ROWS])
        model = source.history.model.instance_type
        shown = shown_fields(user, model)
        older: dict[int, object] = {}  # a record's previous version: the next row down
        for row in reversed(rows):
            before, older[row.id] = older.get(row.id), row
            diffs = []
            if row.history_type == "~":
                if before is None:
                    continue  # its previous version lies beyond HISTORY_ROWS
                diffs = [(f, getattr(before, f.attname), getattr(row, f.attname))
                         for f in shown if getattr(before, f.attname) != getattr(row, f.attname)]
                if not diffs:
                    continue
            found.append((source, row, diffs))
    found.sort(key=lambda item: (item[1].history_date, item[1].history_id), reverse=True)
    latest = found[:limit]
    names = _names([(row, source.history.model.instance_type._meta.get_field(name))
                    for source, row, _d in latest for name in source.label_fields]
                   + [(value, f) for _s, _r, diffs in latest for f, old, new in diffs
                      if f.is_relation for value in (old, new)])
    changes_ = []
    for source, row, diffs in latest:
        model = source.history.model.instance_type
        changes_.append(Change(
            date=row.history_date, reason=row.history_change_reason or "",
            user=row.history_user.username if row.history_user else "",
            kind=str(KINDS.get(row.history_type, row.history_type)),
            what=source.label(row, names),
            fields=[(str(f.verbose_name), _show(f, _masked(user, model, f, old), names),
                     _show(f, _masked(user, model, f, new), names))
                    for f, old, new in diffs]))
    return changes_, len(found)


def _names(wanted) -> dict:
    """names[field name][pk] = str(record) for the key values wanted: one query per field.
    `wanted` holds (history row, field) pairs or (value, field) pairs."""
    ids: dict[str, tuple] = {}
    for item, f in wanted:
        value = item if not hasattr(item, "history_id") else getattr(item, f.attname)
        if value is not None:
            ids.setdefault(f.name, (f, set()))[1].add(value)
    return defaultdict(dict, {
        name: {pk: str(obj) for pk, obj in f.related_model._default_manager.in_bulk(values).items()}
        for name, (f, values) in ids.items()})


def _show(f, value, names) -> str:
    if value is None or value == "":
        return "–"
    if f.is_relation:
        return names.get(f.name, {}).get(value, str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)
