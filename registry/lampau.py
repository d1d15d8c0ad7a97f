"""The registry as it stood at a past moment (`--pada`, `?pada=`), read from the audit history.

Every audited model keeps a history row per save and delete (registry.audit), stamped with the
moment it was written. A record *as it stood at moment T* is its latest history row written up
to T, unless that row is its deletion: so a group deleted since still counts, one created since
does not, and a membership ended since is still current (`versions`). The moment is when the
registry was changed, not a date typed into a record: a membership entered today with a start
date last year was not in the registry last year.

The recap as it stood (`SumberLampau`, a `registry.rekap.SumberRekap`, opened by the recap's
`?pada=` and the command's `--pada`): each dimension counts the groups' past versions — the
groups' own fields through the dimension's own function (`registry.rekap.DIMENSIONS`, given the
past versions instead of the groups), the others through the past form an app registers with
`register_past_dimension` (members, links, chairs' education read from their own history). The
counts of an area at a moment are computed once, in one transaction, into `SelLampau`, and kept:
the past does not change. A moment not yet past (a date of today) is computed on each asking.

Kept as they stand today, since the audit history does not hold them: a group's lists (its
requirements, solidarity values and sources of funds: the recap's Tables 7–9 count the groups
as they stood with the lists they have now; a group deleted since has none). Tables that read
other records directly (the groups' funds, trained leaders, aid) are left out, with a note.
"""

import datetime
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import dateparse, formats, timezone
from django.utils.translation import gettext as _

from registry import access
from registry import rekap as registry_rekap
from registry.models import LampauSiap, Perkumpulan, SelLampau, Tingkat, Wilayah
from registry.workbook.writer import insert_rows

KEEP_DAYS = 7  # computed past counts are forgotten after this many days
FLEETING_MINUTES = 10  # … and those of a moment that had not passed yet, after these
EARLIEST = datetime.date(2000, 1, 1)


# The moment ---------------------------------------------------------------------------------
def parse_pada(text) -> datetime.datetime:
    """A moment from an ISO date (the end of that day, in the registry's time zone) or date and
    time; ValueError with a message for anything else, or a moment before 2000."""
    if isinstance(text, datetime.datetime):
        moment = text
    elif isinstance(text, datetime.date):
        moment = datetime.datetime.combine(text, datetime.time.max)
    else:
        raw = str(text or "").strip()
        moment = None
        try:
            day = dateparse.parse_date(raw)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.max)
            else:
                moment = dateparse.parse_datetime(raw.replace(" ", "T", 1))
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD) or a date and time "
                               "(YYYY-MM-DD HH:MM).") % {"value": raw[:40]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment.date() < EARLIEST:
        raise ValueError(_("The registry holds no history before %(date)s.") % {
            "date": EARLIEST.isoformat()})
    return moment


def as_of(pada: datetime.datetime) -> datetime.datetime:
    """The moment to read: `pada`, or now if that has not come yet."""
    return min(pada, timezone.now())


# Records as they stood ---------------------------------------------------------------------
def versions(model, pada: datetime.datetime) -> QuerySet:
    """The records of an audited `model` as they stood at `pada`: a queryset of its history
    model, one row per record that existed then (its latest version written up to `pada`), with
    the record's own fields under their own names (`id`, `desa`, `selesai`…).

    The latest version is found per row by its record's id (the history's indexed `id`): cheap
    for the few rows the caller's other filters keep (a village's); for many, `stood`."""
    history = model.history.model
    latest = (history.objects.filter(id=OuterRef("id"), history_date__lte=pada)
              .order_by("-history_id").values("history_id")[:1])
    return (history.objects.filter(history_date__lte=pada, history_id=Subquery(latest))
            .exclude(history_type="-"))


def stood(model, pada: datetime.datetime, fields: tuple[str, ...], *filters: models.Q,
          **lookup) -> list[tuple]:
    """`fields` of the records of an audited `model` as they stood at `pada`, among those that
    had a version matching `filters` and `lookup` up to then (the history's own columns; a
    value may be a queryset, run in the database as a subquery): each one's latest version up
    to `pada`, unless that is its deletion. One query and no per-row subquery — every version
    of those records, the latest kept in Python — and no list of ids travels to the database,
    whatever the size of the area. The latest version may no longer match (a group moved out
    of the area, a membership moved to another group): callers check its fields, as they count
    only the groups they know (`Lampau.info`)."""
    history = model.history.model.objects.filter(history_date__lte=pada)
    ids = history.filter(*filters, **lookup).order_by().values("id")
    latest: dict[int, tuple] = {}
    for row in (history.filter(id__in=ids).order_by()
                .values_list("id", "history_id", "history_type", *fields)):
        seen = latest.get(row[0])
        if seen is None or row[1] > seen[1]:
            latest[row[0]] = row
    return [row[3:] for row in latest.values() if row[2] != "-"]


def groups(area: Wilayah, pada: datetime.datetime) -> QuerySet:
    """The groups of an area (its villages' and those organised within it) as they stood."""
    return versions(Perkumpulan, pada).filter(access.within(area, "desa", any_level=True))


class AnyOf(models.Lookup):
    """`column__any_of=[…]`: the column is one of a list of values, sent as one parameter — an
    array on PostgreSQL (`= ANY(%s)`), a JSON array elsewhere (`IN json_each(%s)`) — rather
    than one parameter per value: the database driver parses a query of 100,000 parameters in
    seconds, and SQLite refuses more than 32,766."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(values)]


for _field in (models.IntegerField, models.ForeignKey):  # (ids, and foreign keys to them)
    _field.register_lookup(AnyOf)


def touched(area: Wilayah, pada: datetime.datetime) -> QuerySet:
    """The ids of the groups that had a version in the area up to `pada` (a subquery)."""
    return (Perkumpulan.history.model.objects.filter(
        access.within(area, "desa", any_level=True), history_date__lte=pada)
        .order_by().values("id"))


FEW = 20_000  # groups: up to this many, other records are found by the list of their ids
# The groups' own fields the recap counts, read once per computation.
GROUP_FIELDS = ("id", "desa_id", "jenis_id", "aktif", "tahun_berdiri", "tujuan_id",
                "jaringan_kerja", "masa_kepengurusan", "jumlah_anggota")


@dataclass
class Lampau:
    """What a past dimension is given: the moment, the area's active groups as they stood
    (`rows`: their own fields, read once; `aktif`: the same as a queryset, for a dimension
    without a past form), and each one's (area, type)."""

    area: Wilayah
    pada: datetime.datetime
    aktif: QuerySet
    rows: list[dict]
    # What several dimensions read, read once (e.g. members' current memberships).
    cache: dict = field(default_factory=dict)

    @cached_property
    def info(self) -> dict[int, tuple[str, int]]:
        """group id → (its area's code, its type's id)."""
        return {row["id"]: (row["desa_id"], row["jenis_id"]) for row in self.rows}

    def among(self, column: str) -> dict:
        """A lookup keeping the rows whose `column` is an active group: the ids themselves for
        a village's few thousand (one array parameter), a subquery of the groups that were in
        the area (`touched`) for a city's tens of thousands — each the faster there."""
        if len(self.info) <= FEW:
            return {f"{column}__any_of": sorted(self.info)}
        return {f"{column}__in": touched(self.area, self.pada)}

    def stood(self, model, fields: tuple[str, ...], column: str = "perkumpulan_id") -> list:
        """`fields` of `model`'s records as they stood that pointed at an active group at
        `column` (`registry.lampau.stood`), read once per computation."""
        key = (model._meta.label, fields, column)
        if key not in self.cache:
            self.cache[key] = stood(model, self.pada, fields, **self.among(column))
        return self.cache[key]

    def by_group(self, counts: Iterable[tuple[int, object]]) -> Counter:
        """(area, type, value) counts from (group id, value) pairs (of the active groups)."""
        info = self.info
        return Counter(info[pk] + (value,) for pk, value in counts if pk in info)

    def fields(self, value: Callable[[dict], object]) -> list[tuple]:
        """(area, type, value, count) of a value of the groups' own fields (None: not
        counted), as the dimension's query counts it."""
        pairs = ((row["id"], value(row)) for row in self.rows)
        return [(desa, jenis, v, n) for (desa, jenis, v), n in
                self.by_group((pk, v) for pk, v in pairs if v is not None).items()]


# A past dimension: (area, type, value, count) rows of the active groups as they stood.
PastDimension = Callable[[Lampau], Iterable[tuple]]
PAST_DIMENSIONS: dict[str, PastDimension] = {}


def register_past_dimension(kode: str):
    """The past form of a dimension that reads more than the groups' own fields."""
    def decorate(count: PastDimension):
        PAST_DIMENSIONS[kode] = count
        return count

    return decorate


def _list_dimension(relation: str) -> PastDimension:
    """A group's list as it stands today (not in the audit history), for its past version."""
    def count(lampau: Lampau):
        through = getattr(Perkumpulan, relation).through
        rows = (through.objects.filter(**lampau.among("perkumpulan_id"))
                .values_list("perkumpulan_id", "pilihan_id"))
        return ((desa, jenis, pilihan, n)
                for (desa, jenis, pilihan), n in lampau.by_group(rows).items())

    return count


for _relation, _kode in (("syarat_keanggotaan", "syarat"), ("nilai_solidaritas", "nilai"),
                         ("sumber_dana", "sumber_dana")):
    register_past_dimension(_kode)(_list_dimension(_relation))
# The groups' own fields: the values registry.rekap's dimensions count with SQL.
register_past_dimension("tahun")(
    lambda lampau: lampau.fields(lambda g: registry_rekap.year_value(g["tahun_berdiri"])))
register_past_dimension("tujuan")(lambda lampau: lampau.fields(lambda g: g["tujuan_id"]))
register_past_dimension("jaringan")(lambda lampau: lampau.fields(lambda g: g["jaringan_kerja"]))
register_past_dimension("masa")(lambda lampau: lampau.fields(
    lambda g: None if g["masa_kepengurusan"] is None
    else registry_rekap.bracket_of(g["masa_kepengurusan"], registry_rekap.TERM_BRACKETS)))


def count(area: Wilayah, pada: datetime.datetime) -> Counter:
    """The recap counts of the area's groups as they stood: {(area, type, dimension, value): n}
    like those `registry.rekap` stores (without the `@` rows: the groups' own areas are kept)."""
    codes = set(Wilayah.objects.filter(access.within(area, "self")).values_list("pk", flat=True))
    rows = [dict(zip(GROUP_FIELDS, row, strict=True)) for row in stood(
        Perkumpulan, pada, GROUP_FIELDS, access.within(area, "desa", any_level=True))
        if row[GROUP_FIELDS.index("desa_id")] in codes]
    found: Counter = Counter()
    for row in rows:
        found[(row["desa_id"], row["jenis_id"],
               "jumlah" if row["aktif"] else registry_rekap.INACTIVE, "")] += 1
    lampau = Lampau(area, pada, groups(area, pada).filter(aktif=True),
                    [row for row in rows if row["aktif"]])
    for kode, live in registry_rekap.DIMENSIONS.items():
        counted = PAST_DIMENSIONS[kode](lampau) if kode in PAST_DIMENSIONS else live(lampau.aktif)
        for desa, jenis, nilai, n in counted:
            if n:
                found[(desa, jenis, kode, str(nilai))] += n
    return found


def _forget_old() -> None:
    now = timezone.now()
    LampauSiap.objects.filter(
        models.Q(dihitung__lt=now - datetime.timedelta(days=KEEP_DAYS))
        | models.Q(tetap=False, dihitung__lt=now - datetime.timedelta(minutes=FLEETING_MINUTES))
    ).delete()


def ensure(area: Wilayah, pada: datetime.datetime) -> LampauSiap:
    """The computed counts of the area at `pada`: those of the area or an area containing it if
    computed before, else computed now (and those of areas within it, computed before, replaced
    by the larger computation)."""
    now = timezone.now()
    fixed = pada < now
    if fixed:
        codes = [area.pk, *registry_rekap.ancestors(area.pk)]
        done = (LampauSiap.objects.filter(momen=pada, wilayah__in=codes)
                .order_by("wilayah__tingkat").first())
        if done is not None:
            return done
    moment = pada if fixed else now
    found = count(area, moment)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Counts computed again if lost: the commit need not wait for the disk.
                cursor.execute("SET LOCAL synchronous_commit = off")
            _forget_old()
            LampauSiap.objects.filter(access.within(area, "wilayah", any_level=True),
                                      momen=moment).delete()
            siap = LampauSiap.objects.create(momen=moment, wilayah=area, tetap=fixed)
            # (a city's ~30,000 counts: COPY, not model objects)
            insert_rows(SelLampau, [(siap.pk, w, j, d, v, n) for (w, j, d, v), n in found.items()],
                        fields=("siap", "wilayah", "jenis", "dimensi", "nilai", "jumlah"))
    except IntegrityError:  # computed at the same moment by another request: read theirs
        return LampauSiap.objects.get(momen=moment, wilayah=area)
    return siap


# The recap as it stood -----------------------------------------------------------------------
# The past rows of other kinds a table asks for (`Rekap.stored(kind)`), registered by the app
# that owns them: a function of the area and the moment returning a queryset (PMKS cases).
PastRows = Callable[[Wilayah, datetime.datetime], QuerySet]
PAST_ROWS: dict[str, PastRows] = {}
PAST_TABLES: set[int] = set(range(1, 10))  # read through Rekap.sel


def register_past_rows(kind: str, tables: Iterable[int]):
    """`tables` read `Rekap.stored(kind)`: the recap as it stood serves them too."""
    def decorate(rows: PastRows):
        PAST_ROWS[kind] = rows
        PAST_TABLES.update(tables)
        return rows

    return decorate


@dataclass
class SumberLampau(registry_rekap.SumberRekap):
    """An area's recap as the registry stood at a moment."""

    area: Wilayah
    pada: datetime.datetime
    kunci: str = "pada"
    tabel: set = field(default_factory=lambda: set(PAST_TABLES))

    @property
    def pk(self) -> str:
        """The option's value: the date, or the date and time when it is not a day's end."""
        local = timezone.localtime(self.pada)
        if local.time() == datetime.time.max:
            return local.date().isoformat()
        return local.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def tahun_acuan(self) -> int:
        return timezone.localtime(as_of(self.pada)).year

    @cached_property
    def siap(self) -> LampauSiap:
        return ensure(self.area, as_of(self.pada))

    def sel(self, dimensi: str) -> QuerySet:
        return SelLampau.objects.filter(access.within(self.area, "wilayah", any_level=True),
                                        siap=self.siap, dimensi=dimensi)

    def rows(self, kind: str) -> QuerySet | None:
        if kind not in PAST_ROWS:
            return None
        return PAST_ROWS[kind](self.area, as_of(self.pada))

    def sub_area_counts(self) -> dict[tuple[str, int], int]:
        if self.area.tingkat == Tingkat.DESA:
            return {}
        depth = self.area.pk.count(".") + 2  # the sub-areas' codes have one part more
        found: Counter = Counter()
        rows = self.sel("jumlah").values_list("wilayah", "jenis").annotate(n=Sum("jumlah"))
        for wilayah, jenis, n in rows:
            # A group counts in the sub-area its area lies in, or at the area's own level.
            sub = self.area.pk if wilayah == self.area.pk else ".".join(
                wilayah.split(".")[:depth])
            found[(sub, jenis)] += n
        return dict(found)

    def info(self) -> dict:
        return {"pada": timezone.localtime(as_of(self.pada)).isoformat(timespec="seconds")}

    def banner(self) -> str:
        return _("As the registry stood on %(pada)s (from the audit history)") % {
            "pada": formats.date_format(timezone.localtime(as_of(self.pada)),
                                         "SHORT_DATETIME_FORMAT")}

    def catatan(self, left_out: list[int]) -> str:
        return _("Tables %(tabel)s read records the audit history does not keep and are left "
                 "out (see the live recap). The groups' requirements, values and sources of "
                 "funds (Tables 7–9) are those they have today.") % {
            "tabel": ", ".join(map(str, left_out))}


class LampauSource(registry_rekap.RekapSourceKind):
    """`?pada=DATE` on the recap page, `--pada DATE` of the command."""

    param = "pada"
    input_type = "date"

    def open(self, pk, area: Wilayah, user=None) -> SumberLampau:
        return SumberLampau(area=area, pada=parse_pada(pk))

    def choices(self, area: Wilayah, user) -> list:
        return []
