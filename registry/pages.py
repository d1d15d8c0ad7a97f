"""What every app's pages share: the area asked for, paging, a form's posted data, a table as a
workbook, and the one way a page fetches a record to change (403 for a role that may not write,
404 outside the user's area)."""

import io
import mimetypes
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from registry import access, sheets
from registry.models import Wilayah
from registry.validators import normalize_kode_wilayah

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
M = TypeVar("M", bound=Model)


class BadRequest(Exception):
    """A request the page cannot answer: its message is shown with a 400."""


def file_download(user, record, field: str) -> FileResponse:
    """The upload in `record`'s `field` (an aid proof, a report's evidence, a meeting's minutes)
    as a download, for a view that has checked `user` may see the record; 404 when the field is
    personal data the user may not read (`access.hidden_fields`), when there is no file, or when
    its file is gone from the disk. Media are never served publicly."""
    stored = getattr(record, field)
    if not stored or field in access.hidden_fields(user, type(record)):
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = stored.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


class ChooseArea(Exception):  # noqa: N818 - a request's answer, not a fault
    """A page of an area asked for none, and the user has none of their own (a national
    administrator), or a page of one village opened for a larger area (`within`: a district's
    clerk opening the forum or the Pokja from the menu): the page answers with the areas one
    level below (the provinces, without `within`) to choose from, each a link to the same page
    of that area, down to the village (wksbm_site.middleware.ChooseAreaMiddleware) — not a 400
    on a menu's link."""

    def __init__(self, message: str = "", within: Wilayah | None = None):
        super().__init__(message)  # what the API says instead (api.views)
        self.within = within


def area_param(request: HttpRequest) -> Wilayah:
    """The area of `?wilayah=CODE` (default: the user's own) within the user's area: 404
    outside it, BadRequest for a malformed code, ChooseArea for none at all."""
    kode = request.GET.get("wilayah") or (request.user.wilayah_id or "")
    if not kode:
        raise ChooseArea(_("Choose an area: add ?wilayah=CODE, e.g. ?wilayah=32.77."))
    try:
        kode = normalize_kode_wilayah(kode)
    except ValidationError as exc:
        raise BadRequest(_("Choose an area: add ?wilayah=CODE, e.g. ?wilayah=32.77.")) from exc
    return get_object_or_404(Wilayah.objects.visible_to(request.user), kode=kode)


def pada_param(request: HttpRequest):
    """The moment of `?pada=DATE` (the registry as it stood: registry.lampau), now if it has not
    come yet, or None; BadRequest with the message for a bad one."""
    from registry import lampau

    raw = request.GET.get("pada", "").strip()
    if not raw:
        return None
    try:
        return lampau.as_of(lampau.parse_pada(raw))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


def larger_areas(request: HttpRequest, area: Wilayah) -> list[Wilayah]:
    """The kecamatan, kabupaten and province of `area` that the user may see, largest first."""
    above = [kode for kode in (area.provinsi_id, area.kabupaten_id, area.kecamatan_id) if kode]
    return list(Wilayah.objects.visible_to(request.user).filter(pk__in=above).order_by("kode"))


def posted(request: HttpRequest):
    """A POST's data, else None: an empty POST is a form sent empty, told what it lacks (400),
    not a fresh form."""
    return request.POST if request.method == "POST" else None


def paged(request: HttpRequest, items, size: int = PAGE_SIZE,
          count: int | None = None) -> tuple[Page, str]:
    """The page `?page=` asks for (a bad or too large number gives the first or the last) and the
    query string without `page`, for the links to the other pages. `count`: the number of items
    when the caller knows it (no COUNT query then); else a list with `count_with_page(start,
    size)` counts itself with the rows of the page asked for, where the number names one."""
    paginator = Paginator(items, size)
    asked = request.GET.get("page")
    if count is not None:
        paginator.count = count
    elif hasattr(items, "count_with_page"):
        number = _number_before_counting(asked, size)
        if number is not None:
            paginator.count = items.count_with_page((number - 1) * size, size)
    page = paginator.get_page(asked)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# More items than any list holds: a page past them is the last page, known once counted.
MOST_ITEMS = 2**31


def _number_before_counting(asked: str | None, size: int) -> int | None:
    """The page number the paginator takes `?page=` for, where it needs no count to know it
    (read by Paginator.validate_number itself): 1 for no number; None for a number below 1 or
    past MOST_ITEMS (the last page)."""
    unbounded = Paginator((), size)
    unbounded.count = MOST_ITEMS
    try:
        return unbounded.validate_number(asked)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return None


class CompiledQueries:
    """The SQL of a page's most asked queries, compiled once per process for each key that fixes
    its text and parameters, then run as it is: building and compiling a queryset through the ORM
    cost the group list 0.8 ms a query where running it cost 0.03 ms. The caller's key must hold
    everything the queryset depends on (the user's `access.scope_key`, the query string…); the
    rows come as the database gives them (no field converters: plain text, numbers and flags)."""

    def __init__(self, kept: int = 256):
        self.kept = kept
        self._sql: dict[tuple, tuple] = {}

    def rows(self, model: type[Model], key: tuple, build: Callable[[], QuerySet]) -> list[tuple]:
        alias = router.db_for_read(model)  # the replica or the primary, asked on every call
        statement = self._sql.get((alias, key))
        if statement is None:
            statement = self._compile(alias, build)
            if len(self._sql) >= self.kept:
                self._sql.clear()
            self._sql[(alias, key)] = statement
        return self._run(alias, statement)

    def once(self, model: type[Model], build: Callable[[], QuerySet]) -> list[tuple]:
        """The rows of a query whose text changes from one request to the next (a page's ids), run
        as `rows` runs them (the same rows, as the database gives them) but not kept."""
        alias = router.db_for_read(model)
        return self._run(alias, self._compile(alias, build))

    @staticmethod
    def _compile(alias: str, build: Callable[[], QuerySet]) -> tuple:
        try:
            return build().query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # a queryset that matches nothing: no query at all
            return ()

    @staticmethod
    def _run(alias: str, statement: tuple) -> list[tuple]:
        if not statement:
            return []
        with connections[alias].cursor() as cursor:
            cursor.execute(*statement)
            return cursor.fetchall()


def table_xlsx(filename: str, title: str, header: list, rows: Iterable) -> FileResponse:
    """A one-sheet workbook of a header and rows, written as the rows come, every text a text
    cell that a spreadsheet never runs as a formula (registry.sheets)."""
    buffer = io.BytesIO()
    sheets.table(buffer, title, header, rows)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


# Changing records ------------------------------------------------------------------------------
def require_editing_role(request: HttpRequest) -> None:
    """403 for a role that may not change anything (registry.access.can_edit): the check of a
    page that creates a record, and the first half of `get_editable_or_404`."""
    if not access.can_edit(request.user):
        raise PermissionDenied


def get_editable_or_404(request: HttpRequest, queryset: QuerySet[M] | type[M], **lookup) -> M:
    """The record of `lookup` that the user may change: 403 for a role that may not change
    anything, 404 for a record outside the user's area (`editable_by`). `queryset`: a model, or
    a queryset of it to fetch with (select_related…)."""
    require_editing_role(request)
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    return get_object_or_404(queryset.editable_by(request.user), **lookup)


def can_edit_record(request: HttpRequest, record: Model) -> bool:
    """Whether the user may change `record` (a page shows its forms then): one small query, none
    for a role that may not change anything, asked once per request (a group's page and each of
    its panels ask it of the same group)."""
    known = request.__dict__.setdefault("_can_edit_records", {})
    key = (type(record), record.pk)
    if key not in known:
        known[key] = type(record).objects.editable_by(request.user).filter(pk=record.pk).exists()
    return known[key]
