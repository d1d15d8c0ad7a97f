"""The recap (rekap) tables of an area: seed 004's Tables 1–5 and more, for any level.

Stored counts keep every recap as fast for a province as for a village. `RekapSel` holds, for each
area of every level, the number of its active groups per type and per value of one dimension (a
founding year, a size bracket, a purpose…), and of its inactive groups per type. A village's
counts are computed with aggregate queries (GROUP BY village, type, value) and the difference to
what was stored is added to its kecamatan, kabupaten and province; a table then sums a few
hundred stored rows of its area.

A group organised above the village (its area a kecamatan, kabupaten/kota or province) is counted
the same way in its own area and every ancestor, never in a village; its area also keeps the
counts of its own groups alone under `OWN` + the dimension's code (`@jumlah`): what a refresh of
the area compares with, and the drill-down's row "at the kecamatan's own level". A village's
counts and recap are therefore what they always were.

The write that changes a village's groups computes its counts again (`mark_stale`: signals for
single saves, the importer for its bulk writes; a web request or an import once at its end,
`deferred`); no page that reads them computes anything. A village left marked stale (a raw bulk
write, a refresh that did not finish) is shown as waiting and computed by `rekap --segarkan-basi`
(cron) or the next write of its area; `rekap --segarkan` rebuilds all.

Each app registers its own dimensions and tables from its AppConfig.ready() (the members app
brings the size and the chairs' education, Tables 3 and 4), so the list stays open: Tables 10–11
belong to the PMKS cases, 12+ to whoever needs them. Counts of other records than groups (the
PMKS cases per category, status and accompaniment) are kept the same way in their app's own
model, registered with `register_store`: computed per village by the same refresh, summed up
to every ancestor, read by the tables through `Rekap.stored`.

The bracket edges (a group's age, size, board term) live here and nowhere else.
"""

import contextlib
import contextvars
import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import access, sheets, validators
from registry.models import (
    Daftar,
    JaringanKerja,
    Perkumpulan,
    Pilihan,
    ProfilDesa,
    RekapBasi,
    RekapSel,
    RingkasanProfil,
    Tingkat,
    Wilayah,
)
from registry.pages import CompiledQueries

AGE_YEARS = 10  # Table 1: "< 10 tahun" is tahun_acuan − tahun_berdiri < 10
SIZE_BRACKETS = [("≤ 10 orang", None, 10), ("11–20 orang", 11, 20), ("> 20 orang", 21, None)]
TERM_BRACKETS = [("≤ 5 tahun", None, 5), ("6–10 tahun", 6, 10), ("> 10 tahun", 11, None)]
REFRESH_CHUNK = 200  # villages refreshed in one transaction
LEFT_WAITING_SECONDS = 60  # a village waiting longer is taken along by the next write's refresh
# The prefix of the stored counts of the groups at an area's own level (above the village).
OWN = "@"
# The prefix of a store's counts kept in the area they were counted in alone, never summed up to
# its ancestors (a village's own aid programmes, listed one by one at the village only).
HERE = "."


def percent(part: int, whole: int) -> float:
    """A share in percent, rounded half up to 2 decimals (15.385 → 15.39, as people round)."""
    if not whole:
        return 0.0
    if type(part) is int and type(whole) is int and part >= 0 and whole > 0:
        # (exact in integers, without Decimal's cost on a table of thousands of rows)
        return (part * 20000 + whole) // (2 * whole) / 100
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def format_percent(value: float) -> str:
    """Indonesian notation: 15,38."""
    return f"{value:.2f}".replace(".", ",")


def bracket_filter(field_name: str, low: int | None, high: int | None) -> Q:
    q = Q()
    if low is not None:
        q &= Q(**{f"{field_name}__gte": low})
    if high is not None:
        q &= Q(**{f"{field_name}__lte": high})
    return q


def bracket(field_name: str, brackets: list[tuple]) -> Case:
    """The index ("0", "1", …) of the bracket a value falls in; "" for no value."""
    return Case(
        *[When(bracket_filter(field_name, low, high), then=Value(str(i)))
          for i, (_label, low, high) in enumerate(brackets)],
        default=Value(""),
    )


def bracket_of(value: int | None, brackets: list[tuple]) -> str:
    """`bracket` for a value in hand: the index of its bracket as text, "" for none."""
    if value is None:
        return ""
    for i, (_label, low, high) in enumerate(brackets):
        if (low is None or value >= low) and (high is None or value <= high):
            return str(i)
    return ""


def year_value(year: int) -> str:
    """Years are stored as four digits, so that they compare as text the way they do as numbers."""
    return f"{year:04d}"


@dataclass
class Baris:
    label: str
    kode: str
    nilai: list[int]
    jumlah: int = 0
    persen: list[float] = field(default_factory=list)


@dataclass
class Tabel:
    nomor: int
    judul: str
    kolom: list[str]
    baris: list[Baris]
    total: Baris | None = None
    catatan: str = ""
    # Single-column tables give each row's share of all groups, not of the row.
    share_of_groups: bool = False
    # A table of amounts (make_amounts_table): the values as they are, no percentages; each
    # row's `jumlah` is its number of groups, or what `kolom_jumlah` names.
    amounts: bool = False
    kolom_jumlah: str = ""
    # The recap page's bar chart draws each row's total, or the values of one column
    # (`chart_column`), or that column's percentages (`chart_percent`).
    chart_column: int | None = None
    chart_percent: bool = False

    def as_dict(self) -> dict:
        data = {
            "nomor": self.nomor,
            "judul": str(self.judul),
            "kolom": self.kolom,
            "baris": [
                {"label": b.label, "kode": b.kode, "nilai": b.nilai, "jumlah": b.jumlah,
                 "persen": b.persen}
                for b in self.baris
            ],
            "total": {"nilai": self.total.nilai, "jumlah": self.total.jumlah,
                      "persen": self.total.persen},
        }
        if self.catatan:
            data["catatan"] = str(self.catatan)
        if self.amounts:
            data["nominal"] = True
        if self.kolom_jumlah:
            data["kolom_jumlah"] = self.kolom_jumlah
        return data

    @property
    def last_column(self) -> str:
        """The heading of a table of amounts' last column."""
        return self.kolom_jumlah or AMOUNTS_GROUPS


@dataclass
class Rekap:
    wilayah: Wilayah
    tahun_acuan: int
    jumlah_perkumpulan: int = 0
    tabel: list[Tabel] = field(default_factory=list)
    # The area's own figures (its villages' latest profiles up to the reference year), if any:
    # a block beside the numbered tables, not one of them.
    profil: dict | None = None
    # Other stored counts than the live ones (the recap "as approved in round R"), or None.
    sumber: "SumberRekap | None" = None
    # With a source: the tables it does not serve (live only), left out.
    tidak_termasuk: list[int] = field(default_factory=list)
    # Live: villages of the area whose counts wait to be computed again (`waiting`).
    menunggu: int = 0

    def sel(self, dimensi: str) -> QuerySet:
        """The area's stored counts of one dimension (rows with jenis, nilai, jumlah): the live
        ones, or those of the recap's source."""
        if self.sumber is not None:
            return self.sumber.sel(dimensi)
        return RekapSel.objects.filter(wilayah=self.wilayah, dimensi=dimensi)

    def rows(self, key: tuple, build: Callable[[], QuerySet], model=RekapSel) -> list[tuple]:
        """The rows (tuples) of `build()`, a `values_list` queryset of `model` for this recap.
        Live, its SQL is compiled once per process for the area, the reference year and `key`,
        which must hold whatever else the queryset depends on, and its values come as the
        database gives them (numbers, text: no field converters); from a source, through the
        ORM."""
        if self.sumber is not None:
            return list(build())
        return COMPILED.rows(model, (self.wilayah.pk, self.tahun_acuan, *key), build)

    def stored(self, kind: str) -> QuerySet | None:
        """The area's stored rows of another kind than the groups' (e.g. "kasus", the PMKS
        tables' counts: `register_store`), live or those of the recap's source; None when there
        are none of that kind."""
        if self.sumber is not None:
            return self.sumber.rows(kind)
        store = STORES.get(kind)
        return None if store is None else store.model.objects.filter(wilayah=self.wilayah)

    def as_dict(self) -> dict:
        data = self._as_dict()
        if self.sumber is not None:
            data[self.sumber.kunci] = {**self.sumber.info(),
                                       "tabel_tidak_termasuk": self.tidak_termasuk,
                                       "catatan": self.catatan_sumber}
        return data

    @property
    def catatan_sumber(self) -> str:
        """With a source: the note on the tables left out (empty when none is)."""
        if self.sumber is None or not self.tidak_termasuk:
            return ""
        return str(self.sumber.catatan(self.tidak_termasuk))

    def _as_dict(self) -> dict:
        return {
            "wilayah": {"kode": self.wilayah.kode, "nama": self.wilayah.nama,
                        "tingkat": self.wilayah.tingkat_label},
            "tahun_acuan": self.tahun_acuan,
            "jumlah_perkumpulan": self.jumlah_perkumpulan,
            "tabel": [t.as_dict() for t in self.tabel],
            **({"profil": {**self.profil, "per_1000_penduduk": self.profil.per_seribu,
                           "anggota_per_dewasa": self.profil.per_dewasa}}
               if self.profil else {}),
        }

    def profil_rows(self) -> list[tuple[str, int | float | None]]:
        """The "Profil wilayah" block as (label, value) rows; empty without a profile."""
        p = self.profil
        if not p:
            return []
        rows = [
            (_("Villages with a profile"), p["desa"]),
            (_("Latest profile year"), p["tahun"]),
            (_("Number of RW"), p["jumlah_rw"]),
            (_("Number of RT"), p["jumlah_rt"]),
            (_("Households (KK)"), p["jumlah_kk"]),
            (_("Population"), p["jumlah_penduduk"]),
            (_("Men"), p["penduduk_laki_laki"]),
            (_("Women"), p["penduduk_perempuan"]),
            *((_("Aged %(band)s") % {"band": label}, p[name])
              for name, label, _low, _high in validators.AGE_BANDS),
            (_("Adults (15+)"), p["dewasa"]),
            (_("Active groups per 1,000 residents"), p.per_seribu),
            (_("Current memberships per adult"), p.per_dewasa),
        ]
        return [(str(label), value) for label, value in rows]


def make_table(nomor, judul, kolom, rows: list[Baris], total_groups: int, catatan="") -> Tabel:
    """Fill in row totals, percentages and the total row; drop rows whose total is zero."""
    single = kolom == ["jumlah"]
    kept = []
    for row in rows:
        row.jumlah = sum(row.nilai)
        if not row.jumlah:
            continue
        row.persen = (
            [percent(row.jumlah, total_groups)] if single
            else [percent(v, row.jumlah) for v in row.nilai]
        )
        kept.append(row)
    sums = [sum(r.nilai[i] for r in kept) for i in range(len(kolom))]
    total = Baris(label="Jumlah", kode="", nilai=sums, jumlah=sum(sums))
    total.persen = (
        [percent(total.jumlah, total_groups)] if single
        else [percent(v, total.jumlah) for v in sums]
    )
    return Tabel(nomor, judul, kolom, kept, total, catatan, share_of_groups=single)


AMOUNTS_GROUPS = "Perkumpulan"  # the last column of a table of amounts: its rows' groups


def make_amounts_table(nomor, judul, kolom, rows: list[Baris], total: Baris,
                       catatan="") -> Tabel:
    """A table of amounts (rupiah): each row's values and its number of groups (`jumlah`) as
    they are, no percentages; `total` is the total row (its groups each counted once). Rows
    with no group are dropped."""
    return Tabel(nomor, judul, kolom, [r for r in rows if r.jumlah], total, catatan,
                 amounts=True)


# Other sources of stored counts ---------------------------------------------------------------
class SumberRekap:
    """Stored counts of an area other than the live ones, read instead of them: the recap "as
    approved in round R" (verifikasi fills it in). A source serves the tables of `tabel` (those
    reading `Rekap.sel`, and those asking `Rekap.stored` for its rows); the other tables are
    live only and left out of its recap, named in its note. Made by a registered
    `RekapSourceKind` for one area."""

    kunci = "sumber"  # the recap JSON's key for `info()`, and the option's name
    pk: object = None  # the option's value
    tabel: set[int] = set()
    tahun_acuan: int | None = None  # the reference year the source implies, if any

    def sel(self, dimensi: str) -> QuerySet:
        """Rows with `jenis`, `nilai`, `jumlah` (summed by the tables) of one dimension."""
        raise NotImplementedError

    def rows(self, kind: str) -> QuerySet | None:
        return None

    def sub_area_counts(self) -> dict[tuple[str, int], int]:
        """Like `sub_area_counts` of the live store: active groups per (sub-area, type)."""
        return {}

    def info(self) -> dict:
        """What the recap JSON says about the source."""
        return {}

    def banner(self) -> str:
        """One line saying what the figures are (the page's banner, the text's header)."""
        return ""

    def catatan(self, left_out: list[int]) -> str:
        """The note on the tables left out (live only)."""
        return ""


class RekapSourceKind:
    """A kind of source, chosen by a recap option (`param`: the page's `?param=ID`, the
    command's `--param ID`), registered by a higher app with `register_rekap_source`."""

    param = ""
    input_type = ""  # "date": the page asks for the option with a date field, not a list

    def open(self, pk: str, area: Wilayah, user=None) -> SumberRekap:
        """The source `pk` for `area`, seen by `user` (None: the command, sees everything).
        LookupError for an unknown or unseen one, ValueError (its message) for one that does
        not cover the area."""
        raise NotImplementedError

    def choices(self, area: Wilayah, user) -> list[tuple[object, str]]:
        """(id, label) of the sources the user may pick for the area."""
        return []


REKAP_SOURCES: dict[str, RekapSourceKind] = {}


def register_rekap_source(kind: RekapSourceKind) -> RekapSourceKind:
    REKAP_SOURCES[kind.param] = kind
    return kind


# Registration --------------------------------------------------------------------------------
# A dimension counts the active groups of some villages: (desa id, type id, value, count) rows.
Dimension = Callable[[QuerySet], Iterable[tuple]]
# Stored beside the dimensions, by _refresh: the number of active groups ("jumlah") and of
# inactive ones, per village and type.
INACTIVE = "nonaktif"
DIMENSIONS: dict[str, Dimension] = {}
TABLES: dict[int, Callable[[Rekap], Tabel]] = {}


# The group's own fields the counts read: a save that changes none of them changes no count.
COUNTED_FIELDS: set[str] = {"desa_id", "jenis_id", "aktif"}


def register_dimension(kode: str, fields: Iterable[str] = ()):
    """`fields`: the group's own fields (attribute names) the dimension reads."""
    def decorate(count: Dimension):
        DIMENSIONS[kode] = count
        COUNTED_FIELDS.update(fields)
        return count

    return decorate


@dataclass(frozen=True)
class Store:
    """Stored counts of other records than groups: `model` has `wilayah`, the key `fields` and
    `jumlah`, unique together; `count(areas)` gives (area, *key, n) of those areas' records;
    `places()` the areas holding such records (for `refresh_all`).

    Records lie in villages, or, with `own_level`, in areas of any level (an aid programme's
    group organised at a kecamatan): an area above the village then also keeps its own records'
    counts, the first key field (text) prefixed with `OWN`, as `RekapSel` does for its groups.
    There, a count whose first key field starts with `HERE` stays in its own area."""

    model: type
    fields: tuple[str, ...]
    count: Callable[[list[str]], Iterable[tuple]]
    places: Callable[[], QuerySet]
    own_level: bool = False


STORES: dict[str, Store] = {}


def register_store(kind: str, model, fields: Iterable[str], places: Callable[[], QuerySet],
                   own_level: bool = False):
    """Keep `kind`'s counts (the decorated function counts them) in `model`, refreshed with the
    villages' group counts; the tables read them through `Rekap.stored(kind)`."""
    def decorate(count):
        STORES[kind] = Store(model, tuple(fields), count, places, own_level)
        return count

    return decorate


def counted_values(group: Perkumpulan) -> tuple:
    """The group's values of the fields the counts read (kept when it is loaded)."""
    return tuple(group.__dict__.get(f) for f in sorted(COUNTED_FIELDS))


SENSITIVE_TABLES: set[int] = set()


def register_table(nomor: int, sensitive: bool = False):
    """`sensitive`: a table about PMKS, left out for users who may not see PMKS data."""
    def decorate(build: Callable[[Rekap], Tabel]):
        TABLES[nomor] = build
        if sensitive:
            SENSITIVE_TABLES.add(nomor)
        return build

    return decorate


def counted(groups: QuerySet, *fields: str) -> QuerySet:
    """(desa, type, *fields, count) of the groups: one GROUP BY."""
    return (
        groups.order_by().values("desa", "jenis", *fields).annotate(n=Count("pk"))
        .values_list("desa", "jenis", *fields, "n")
    )


# The live recap's queries, their SQL compiled once per process for each area, reference year and
# query (`Rekap.rows`): building them through the ORM cost a city's recap more than running them.
COMPILED = CompiledQueries(kept=4096)


# Keeping the stored counts -------------------------------------------------------------------
# The villages whose counts the work in progress changed, when it refreshes them at its end
# (`deferred`: a web request that writes, an import) rather than at each change.
_pending: contextvars.ContextVar[set | None] = contextvars.ContextVar("rekap_pending",
                                                                     default=None)


def mark_stale(desa_ids: Iterable[str], later: bool = False) -> None:
    """These villages' recap counts must be computed again: by the writer, so that no page that
    reads them waits for (or does) the computation.

    They are marked (`RekapBasi`, committed with the change). Within `deferred` — every web
    request that writes, every import — they are computed once at its end. A write outside one
    (a script, the shell, the demo generator, the tests) leaves them to its own process: computed
    before that process next reads stored counts (`own_writes_counted`), or by the next request
    that writes, or by `rekap --segarkan-basi`; until then the pages say they wait. With
    `later`, the work leaves them all to those (too many to compute before a request answers:
    the villages of a province's aid programme)."""
    ids = {d for d in desa_ids if d}
    pending = _pending.get()
    if not ids or (pending is not None and ids <= pending):  # (marked already by this work)
        return
    now = timezone.now()
    RekapBasi.objects.bulk_create(
        [RekapBasi(desa_id=d, sejak=now) for d in sorted(ids)], batch_size=1000,
        update_conflicts=True, unique_fields=["desa"], update_fields=["sejak"],
    )
    if not later:
        (_own_villages if pending is None else pending).update(ids)


# The villages this process's writes outside `deferred` left waiting.
_own_villages: set[str] = set()


def own_writes_counted() -> None:
    """Compute the counts this process's own writes outside `deferred` left waiting, before it
    reads stored counts. A web server's process never has any (every writing request is
    deferred)."""
    if _own_villages:
        refresh(set(_own_villages))


@contextlib.contextmanager
def deferred():
    """Collect the villages marked stale by the work inside, and refresh them once at its end
    (inside the work's transaction when the work is inside one); on an error, nothing is
    refreshed (the marks, committed or not, follow the work's own transaction)."""
    if _pending.get() is not None:  # already within one: its end refreshes
        yield
        return
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        # The marks still there (a change rolled back took its marks along: a dry run), and
        # villages left waiting a while by others (a raw bulk write, a refresh that did not
        # finish), a few at a time: the next write takes them along.
        marked = set(RekapBasi.objects.filter(desa__in=pending).values_list("desa", flat=True))
        if marked:
            left = RekapBasi.objects.filter(
                sejak__lt=timezone.now() - datetime.timedelta(seconds=LEFT_WAITING_SECONDS)
            ).order_by("sejak").values_list("desa", flat=True)[:REFRESH_CHUNK]
            refresh(marked | set(left))


def adjust(dimensi: str, group_ids: Iterable[int], difference: int) -> None:
    """Add `difference` to one dimension's stored count (value "") of each of these groups that
    is active, in its area and every ancestor: for a change whose effect on the counts is known
    exactly (a group's first link made, its last one removed) rather than counting its village
    again. Call inside the change's transaction, the groups locked before the change (the
    caller decides what changed: two changes of one group must be decided one after the
    other); the province is locked as by a refresh."""
    groups = list(Perkumpulan.objects.filter(pk__in=set(group_ids), aktif=True)
                  .values_list("desa", "jenis"))
    if not groups:
        return
    provinces = sorted({desa.split(".")[0] for desa, _jenis in groups})
    list(Wilayah.objects.select_for_update(no_key=True).filter(pk__in=provinces)
         .order_by("pk").values_list("pk"))
    delta: Counter = Counter()
    for desa, jenis in groups:
        if not is_village(desa):
            delta[(desa, jenis, OWN + dimensi, "")] += difference
        for area in (desa, *ancestors(desa)):
            delta[(area, jenis, dimensi, "")] += difference
    _add(RekapSel, ("jenis", "dimensi", "nilai"), delta, {}, set())


def mark_groups_stale(group_ids: Iterable[int]) -> None:
    """Mark the villages of these groups stale."""
    ids = list(set(group_ids))
    desa = set()
    for start in range(0, len(ids), 5000):
        desa.update(
            Perkumpulan.objects.filter(pk__in=ids[start:start + 5000])
            .values_list("desa", flat=True).distinct()
        )
    mark_stale(desa)


def ancestors(kode: str) -> list[str]:
    """The codes of the areas containing an area: its kecamatan, kabupaten/kota and province
    (fewer for an area above the village)."""
    codes = Wilayah.ancestor_codes(kode)
    return [codes[f"{level}_id"] for level in ("kecamatan", "kabupaten", "provinsi")
            if codes[f"{level}_id"]]


def is_village(kode: str) -> bool:
    return kode.count(".") == 3


def refresh(desa_ids: Iterable[str]) -> int:
    """Compute these villages' counts again (and those of the groups at these areas' own level,
    for areas above the village) and carry the differences up to their ancestors.

    Returns the number of stored counts that changed."""
    ids = sorted(set(desa_ids))
    _own_villages.difference_update(ids)
    changed = 0
    for start in range(0, len(ids), REFRESH_CHUNK):
        changed += _refresh(ids[start:start + REFRESH_CHUNK])
    return changed


@transaction.atomic
def _refresh(desa_ids: list[str]) -> int:
    started = timezone.now()
    # One refresh at a time per province: each adds its differences to the same ancestor rows.
    # (SQLite's immediate transactions already run one writer at a time.)
    provinces = sorted({d.split(".")[0] for d in desa_ids})
    list(Wilayah.objects.select_for_update(no_key=True).filter(pk__in=provinces)
         .order_by("pk").values_list("pk"))
    groups = Perkumpulan.objects.filter(desa__in=desa_ids)
    new: Counter = Counter()
    # The number of groups, active ("jumlah") and inactive: together every group of an area (the
    # group list's total) without counting them.
    for desa, jenis, aktif, n in counted(groups, "aktif"):
        new[(desa, jenis, "jumlah" if aktif else INACTIVE, "")] += n
    for kode, count in DIMENSIONS.items():
        for desa, jenis, nilai, n in count(groups.filter(aktif=True)):
            if n:
                new[(desa, jenis, kode, str(nilai))] += n
    stored = {
        (w, j, d, v): n for w, j, d, v, n in RekapSel.objects.filter(wilayah__in=desa_ids)
        .values_list("wilayah", "jenis", "dimensi", "nilai", "jumlah")
    }
    # What was counted before: a village's rows; an area above the village, its own level's.
    old = {(w, j, d.removeprefix(OWN), v): n for (w, j, d, v), n in stored.items()
           if is_village(w) or d.startswith(OWN)}
    delta: Counter = Counter()
    for key in new.keys() | old.keys():
        difference = new.get(key, 0) - old.get(key, 0)
        if difference:
            desa, jenis, dimensi, nilai = key
            if not is_village(desa):
                delta[(desa, jenis, OWN + dimensi, nilai)] += difference
            for area in (desa, *ancestors(desa)):
                delta[(area, jenis, dimensi, nilai)] += difference
    changed = _add(RekapSel, ("jenis", "dimensi", "nilai"), delta, stored, set(desa_ids))
    for store in STORES.values():
        changed += _refresh_store(store, desa_ids)
    RekapBasi.objects.filter(desa__in=desa_ids, sejak__lt=started).delete()
    return changed


def _refresh_store(store: Store, desa_ids: list[str]) -> int:
    """A registered store's counts of these areas' own records computed again (villages only,
    unless the store has `own_level`), the differences carried up to their ancestors."""
    areas = desa_ids if store.own_level else [d for d in desa_ids if is_village(d)]
    if not areas:
        return 0
    new: Counter = Counter()
    for desa, *key, n in store.count(areas):
        if n:
            new[(desa, *key)] += n
    stored = {tuple(row[:-1]): row[-1] for row in store.model.objects.filter(
        wilayah__in=areas).values_list("wilayah", *store.fields, "jumlah")}
    # What was counted before: a village's rows; an area above the village, its own level's.
    old = {(w, first, *rest): n for (w, first, *rest), n in stored.items() if is_village(w)}
    old.update(((w, first.removeprefix(OWN), *rest), n) for (w, first, *rest), n in stored.items()
               if not is_village(w) and first.startswith(OWN))
    delta: Counter = Counter()
    for key in new.keys() | old.keys():
        difference = new.get(key, 0) - old.get(key, 0)
        if difference:
            desa, first, *rest = key
            if not is_village(desa):
                delta[(desa, OWN + first, *rest)] += difference
            here = store.own_level and first.startswith(HERE)
            for area in (desa, *(() if here else ancestors(desa))):
                delta[(area, first, *rest)] += difference
    return _add(store.model, store.fields, delta, stored, set(areas))


def _upsert(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """Write these counts, each (*names' values, jumlah): inserted, or `jumlah` set where the
    row is there — what bulk_create(update_conflicts=True) writes, in the same order, without
    its model instances and its queries of 5,000 parameters (0.3–0.5 s for the 17,600 counts a
    district's import adds): one query of an array per column on PostgreSQL, executemany
    elsewhere. Every stored count is such a row: its keys, its count and its primary key."""
    opts = model._meta
    fields = [opts.get_field(name) for name in (*names, "jumlah")]
    if {f.column for f in fields} != {f.column for f in opts.concrete_fields if f is not opts.pk}:
        raise ImproperlyConfigured(
            f"{opts.label} holds columns besides {', '.join(names)} and jumlah: _upsert would "
            "leave them empty.")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(f.column) for f in fields[:-1])
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) "
    count = quote(fields[-1].column)
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {count} = EXCLUDED.{count}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}",
                           [list(column) for column in zip(*rows, strict=True)])
        else:
            cursor.executemany(f"{head}VALUES ({', '.join(['%s'] * len(fields))}){tail}", rows)


def _add(model, fields: tuple[str, ...], delta: Counter, stored: dict, read: set) -> int:
    """Add the differences ({(area, *key): difference}) to the stored counts of `model`: those
    of the areas not in `read` are read first (`stored` holds the others'); rows left at zero
    are removed. Returns the number of counts changed."""
    delta = {key: d for key, d in delta.items() if d}
    if not delta:
        return 0
    names = ("wilayah", *fields)
    above = {key[0] for key in delta} - read
    stored.update((tuple(row[:-1]), row[-1]) for row in model.objects.filter(
        wilayah__in=above).values_list(*names, "jumlah"))
    _upsert(model, names, [(*key, stored.get(key, 0) + difference) for key, difference in
                           delta.items()])
    model.objects.filter(wilayah__in={key[0] for key in delta}, jumlah=0).delete()
    return len(delta)


def refresh_stale(area: Wilayah) -> int:
    """Refresh the stale villages within an area; returns how many there were."""
    stale = list(stale_in(area).values_list("desa", flat=True))
    if stale:
        refresh(stale)
    return len(stale)


def stale_in(area: Wilayah) -> QuerySet:
    """The marks of the villages within the area (and of the area's own level) whose counts
    wait to be computed again (after a raw bulk write, or a write whose refresh did not
    finish)."""
    return RekapBasi.objects.filter(access.within(area, "desa", any_level=True))


def waiting(area: Wilayah) -> int:
    """How many villages within the area have counts waiting (`stale_in`): the pages say so."""
    return stale_in(area).count()


def stored_for(user, kind: str | None = None) -> QuerySet:
    """The stored counts of the user's whole area (for an administrator without an area, the
    provinces' rows): the groups' (`RekapSel`), or those of a registered store's `kind`; read,
    never computed here (see `mark_stale`)."""
    own_writes_counted()
    model = RekapSel if kind is None else STORES[kind].model
    if user.wilayah_id is not None:
        return model.objects.filter(wilayah_id=user.wilayah_id)
    if access.sees_everything(user):
        return model.objects.filter(wilayah__tingkat=Tingkat.PROVINSI)
    return model.objects.none()


def types_present(villages) -> set[tuple[str, int]]:
    """(village, group type) for each type with active groups in `villages` (codes, or a
    queryset of them), read from the stored counts."""
    own_writes_counted()
    return set(RekapSel.objects.filter(wilayah__in=villages, dimensi="jumlah")
               .values_list("wilayah", "jenis"))


def stored_total(rows: QuerySet, *dimensi: str) -> int:
    """The sum of some dimensions' stored counts over `rows` (see `mark_stale`)."""
    return rows.filter(dimensi__in=dimensi).aggregate(n=Sum("jumlah"))["n"] or 0


def refresh_all() -> int:
    """Rebuild every stored count from the groups (after a restore, or to check the store)."""
    with transaction.atomic():
        RekapSel.objects.all().delete()
        RekapBasi.objects.all().delete()
        villages = set(Wilayah.objects.filter(perkumpulan__isnull=False)
                       .values_list("pk", flat=True).distinct())
        for store in STORES.values():
            store.model.objects.all().delete()
            villages.update(store.places())
        refresh(villages)
    return len(villages)


def build(area: Wilayah, tahun_acuan: int, sensitive: bool = True,
          sumber: SumberRekap | None = None) -> Rekap:
    """The recap of an area; without `sensitive`, the PMKS tables are left out. With `sumber`,
    the tables it serves read its counts (no area profile), the others are left out."""
    rekap = Rekap(area, tahun_acuan, sumber=sumber)
    if sumber is None:
        own_writes_counted()
        [(rekap.menunggu,)] = rekap.rows(("menunggu",), lambda: stale_in(area).order_by().values(
            n=Value(1)).annotate(c=Count("pk")).values_list("c"), RekapBasi) or [(0,)]
    [(total,)] = rekap.rows(("jumlah",), lambda: rekap.sel("jumlah").order_by().values(
        k=Value(1)).annotate(n=Sum("jumlah")).values_list("n")) or [(0,)]
    rekap.jumlah_perkumpulan = int(total or 0)
    if sumber is None:
        [row] = rekap.rows(("profil",), lambda: ProfilDesa.objects.filter(
            access.within(area, "desa")).summary_row(until=tahun_acuan), ProfilDesa)
        profil = RingkasanProfil.of(row)
        rekap.profil = profil if profil["desa"] else None
    left_out = []
    for nomor in sorted(TABLES):
        if nomor in SENSITIVE_TABLES and not sensitive:
            continue
        if sumber is not None and nomor not in sumber.tabel:
            left_out.append(nomor)
            continue
        table = TABLES[nomor](rekap)
        if table is not None:
            rekap.tabel.append(table)
    rekap.tidak_termasuk = left_out
    return rekap


def sub_area_counts(area: Wilayah) -> dict[tuple[str, int], int]:
    """Active groups per (sub-area, type) of an area, for the comparison table (refreshed by
    `build` of the area); the groups at the area's own level (above its sub-areas) under the
    area's own code. One query."""
    def build():
        areas = Wilayah.objects.filter(Q(induk=area) | Q(pk=area.pk)).values("pk")
        return RekapSel.objects.filter(wilayah__in=areas, dimensi__in=["jumlah", OWN + "jumlah"]
                                       ).values_list("wilayah", "jenis", "dimensi", "jumlah")

    return {(w, j): n for w, j, d, n in COMPILED.rows(RekapSel, ("sub_area_counts", area.pk),
                                                      build)
            if (w == area.pk) == (d == OWN + "jumlah")}


# Signals: single saves mark their village stale (the importer marks its bulk writes itself). ---
def group_saved(sender, instance, created, **kwargs) -> None:
    """A new group, or one whose counted fields changed (not its name, address or decree)."""
    kept = getattr(instance, "rekap_tersimpan", None)
    now = counted_values(instance)
    if created or kept != now:
        mark_stale({instance.desa_id, getattr(instance, "desa_tersimpan", None)})
    instance.desa_tersimpan = instance.desa_id
    instance.rekap_tersimpan = now


def group_deleted(sender, instance, **kwargs) -> None:
    mark_stale({instance.desa_id})


def group_lists_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:
        if (action in ("post_add", "post_remove") and pk_set) or action == "post_clear":
            mark_stale({instance.desa_id})
    elif action in ("post_add", "post_remove"):
        mark_groups_stale(pk_set)
    elif action == "pre_clear":  # the groups that had it, counted again once it is gone
        instance.rekap_groups = list(sender.objects.filter(pilihan=instance)
                                     .values_list("perkumpulan_id", flat=True))
    elif action == "post_clear":
        mark_groups_stale(getattr(instance, "rekap_groups", []))


def connect_signals() -> None:
    from django.db.models import signals

    signals.post_save.connect(group_saved, sender=Perkumpulan, dispatch_uid="rekap_group_saved")
    signals.post_delete.connect(group_deleted, sender=Perkumpulan,
                                dispatch_uid="rekap_group_deleted")
    for relation in ("syarat_keanggotaan", "nilai_solidaritas", "sumber_dana"):
        signals.m2m_changed.connect(group_lists_changed,
                                    sender=getattr(Perkumpulan, relation).through,
                                    dispatch_uid=f"rekap_{relation}")


# The group dimensions (besides "jumlah", the number of active groups: see _refresh) ---------
@register_dimension("tahun", fields=["tahun_berdiri"])
def count_years(groups: QuerySet):
    return ((d, j, year_value(y), n) for d, j, y, n in counted(groups, "tahun_berdiri"))


@register_dimension("tujuan", fields=["tujuan_id"])
def count_purposes(groups: QuerySet):
    return counted(groups.filter(tujuan__isnull=False), "tujuan")


@register_dimension("jaringan", fields=["jaringan_kerja"])
def count_networks(groups: QuerySet):
    return counted(groups, "jaringan_kerja")


@register_dimension("masa", fields=["masa_kepengurusan"])
def count_board_terms(groups: QuerySet):
    terms = groups.filter(masa_kepengurusan__isnull=False).annotate(
        kelas=bracket("masa_kepengurusan", TERM_BRACKETS)
    )
    return counted(terms, "kelas")


def list_dimension(relation: str) -> Dimension:
    """A many-to-many list: a group counts once under each of its values."""

    def count(groups: QuerySet):
        through = getattr(Perkumpulan, relation).through
        return (
            through.objects.filter(perkumpulan__in=groups).order_by()
            .values("perkumpulan__desa", "perkumpulan__jenis", "pilihan")
            .annotate(n=Count("pk"))
            .values_list("perkumpulan__desa", "perkumpulan__jenis", "pilihan", "n")
        )

    return count


for _relation, _kode in (("syarat_keanggotaan", Daftar.SYARAT), ("nilai_solidaritas", Daftar.NILAI),
                         ("sumber_dana", Daftar.SUMBER_DANA)):
    register_dimension(_kode.value)(list_dimension(_relation))


# Reading the stored counts ------------------------------------------------------------------
def by_type(rekap: Rekap, dimensi: str, columns: list[Q]) -> list[Baris]:
    """One row per group type, one column per condition on the stored values: one query."""
    sums = {f"c{i}": Sum("jumlah", filter=q) for i, q in enumerate(columns)}
    rows = rekap.rows(("by_type", dimensi, *map(str, columns)), lambda: (
        rekap.sel(dimensi).values("jenis", "jenis__urutan", "jenis__nama", "jenis__kode")
        .annotate(**sums).order_by("jenis__urutan", "jenis__nama")
        .values_list("jenis__nama", "jenis__kode", *sums)))
    return [Baris(nama, kode, [int(v or 0) for v in values]) for nama, kode, *values in rows]


def by_value(rekap: Rekap, dimensi: str) -> dict[str, int]:
    """The area's count of each stored value of a dimension: one query."""
    return {nilai: int(n) for nilai, n in rekap.rows(("by_value", dimensi), lambda: (
        rekap.sel(dimensi).values("nilai").annotate(n=Sum("jumlah")).order_by()
        .values_list("nilai", "n")))}


def by_list_value(rekap: Rekap, daftar: str) -> list[Baris]:
    """One row per value of one of the extensible lists, in the list's order."""
    counts = by_value(rekap, daftar)
    pks = sorted(int(v) for v in counts)
    values = rekap.rows(("pilihan", *pks), lambda: Pilihan.objects.filter(pk__in=pks).order_by(
        "urutan", "nama").values_list("pk", "nama", "kode"), Pilihan)
    return [Baris(nama, kode, [counts[str(pk)]]) for pk, nama, kode in values]


# The group tables ---------------------------------------------------------------------------
@register_table(1)
def table_age(rekap: Rekap) -> Tabel:
    edge = year_value(rekap.tahun_acuan - AGE_YEARS)
    rows = by_type(rekap, "tahun", [Q(nilai__gt=edge), Q(nilai__lte=edge)])
    return make_table(1, _("Community groups by year founded"), ["< 10 tahun", "≥ 10 tahun"],
                      rows, rekap.jumlah_perkumpulan)


def unanswered(table: Tabel, groups: int) -> Tabel:
    """A table of one answer a group whose groups do not all answer: says how many are left
    out, so that its total (and its shares) short of the number of groups is explained."""
    missing = groups - table.total.jumlah
    if missing > 0:
        table.catatan = _("%(n)d groups have no answer recorded and are left out of this "
                          "table.") % {"n": missing}
    return table


def several_answers(table: Tabel, groups: int) -> Tabel:
    """A table in which a group may give several answers: says so where its total exceeds the
    number of groups (its shares then add up to more than 100%)."""
    if table.total.jumlah > groups:
        table.catatan = _("A group may give several answers: the total counts answers, and the "
                          "shares of all groups add up to more than 100%.")
    return table


@register_table(2)
def table_purpose(rekap: Rekap) -> Tabel:
    return unanswered(make_table(2, _("Purposes for which the groups were founded"), ["jumlah"],
                                 by_list_value(rekap, Daftar.TUJUAN), rekap.jumlah_perkumpulan),
                      rekap.jumlah_perkumpulan)


NETWORK_COLUMNS = {"Organisasi Sosial": JaringanKerja.ORGANISASI_SOSIAL,
                   "Pemerintah": JaringanKerja.PEMERINTAH}


@register_table(5)
def table_network(rekap: Rekap) -> Tabel:
    rows = by_type(rekap, "jaringan", [Q(nilai=v) for v in NETWORK_COLUMNS.values()])
    counted_groups = sum(sum(r.nilai) for r in rows)
    neither = rekap.jumlah_perkumpulan - counted_groups
    note = (
        _("%(n)d groups work with neither and are left out of this table.") % {"n": neither}
        if neither else ""
    )
    return make_table(5, _("Working network of the community groups"), list(NETWORK_COLUMNS),
                      rows, rekap.jumlah_perkumpulan, note)


@register_table(6)
def table_board_term(rekap: Rekap) -> Tabel:
    counts = by_value(rekap, "masa")
    rows = [Baris(label, "", [counts.get(str(i), 0)])
            for i, (label, *_edges) in enumerate(TERM_BRACKETS)]
    return unanswered(make_table(6, _("Years the board has served"), ["jumlah"], rows,
                                 rekap.jumlah_perkumpulan), rekap.jumlah_perkumpulan)


@register_table(7)
def table_requirements(rekap: Rekap) -> Tabel:
    return several_answers(make_table(7, _("Membership requirements"), ["jumlah"],
                                      by_list_value(rekap, Daftar.SYARAT),
                                      rekap.jumlah_perkumpulan), rekap.jumlah_perkumpulan)


@register_table(8)
def table_values(rekap: Rekap) -> Tabel:
    return several_answers(make_table(8, _("Solidarity values"), ["jumlah"],
                                      by_list_value(rekap, Daftar.NILAI),
                                      rekap.jumlah_perkumpulan), rekap.jumlah_perkumpulan)


@register_table(9)
def table_funds(rekap: Rekap) -> Tabel:
    return several_answers(make_table(9, _("Sources of funds"), ["jumlah"],
                                      by_list_value(rekap, Daftar.SUMBER_DANA),
                                      rekap.jumlah_perkumpulan), rekap.jumlah_perkumpulan)


# Rendering ------------------------------------------------------------------------------------
def as_text(rekap: Rekap) -> str:
    """The tables as plain text, percentages the Indonesian way."""
    lines = [
        f"Rekap {rekap.wilayah.nama} ({rekap.wilayah.kode}), tahun acuan {rekap.tahun_acuan}: "
        f"{rekap.jumlah_perkumpulan} perkumpulan aktif",
    ]
    if rekap.sumber is not None:
        lines += [rekap.sumber.banner(), *([rekap.catatan_sumber] if rekap.catatan_sumber
                                           else [])]
    for table in rekap.tabel:
        lines += ["", f"Tabel {table.nomor}. {table.judul}"]
        header = ["", *table.kolom] if table.share_of_groups else [
            "", *table.kolom, table.last_column] if table.amounts else [
            "", *[c for col in table.kolom for c in (col, "%")], "Jumlah"
        ]
        body = []
        for row in [*table.baris, table.total]:
            if table.amounts:
                body.append([row.label, *map(str, row.nilai), str(row.jumlah)])
            elif table.share_of_groups:
                body.append([row.label, f"{row.jumlah} ({format_percent(row.persen[0])} %)"])
            else:
                cells = [c for v, p in zip(row.nilai, row.persen, strict=True)
                         for c in (str(v), format_percent(p))]
                body.append([row.label, *cells, str(row.jumlah)])
        widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
        for r in [header, *body]:
            lines.append("  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ))
        if table.catatan:
            lines.append(str(table.catatan))
    if rekap.profil:
        lines += ["", "Profil wilayah"]
        rows = [(label, "–" if v is None else format_percent(v) if isinstance(v, float)
                 else str(v)) for label, v in rekap.profil_rows()]
        width = max(len(label) for label, _v in rows)
        lines += [f"{label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(lines) + "\n"


def as_xlsx(rekap: Rekap, stream) -> None:
    """One sheet per table; counts and percentages as numbers, every name as text
    (registry.sheets)."""
    from openpyxl.styles import Font

    book = sheets.Book()
    for table in rekap.tabel:
        sheet = book.sheet(f"Tabel {table.nomor}")
        sheet.append([f"Tabel {table.nomor}. {table.judul}"], font=Font(bold=True))
        sheet.append([f"{rekap.wilayah.nama} ({rekap.wilayah.kode}), "
                      f"tahun acuan {rekap.tahun_acuan}"])
        if rekap.sumber is not None:
            sheet.append([rekap.sumber.banner()])
        if table.share_of_groups:
            sheet.append(["", "Jumlah", "%"])
        elif table.amounts:
            sheet.append(["", *table.kolom, table.last_column])
        else:
            sheet.append(["", *[c for col in table.kolom for c in (col, "%")], "Jumlah", "%"])
        for row in [*table.baris, table.total]:
            if table.amounts:
                values = [row.label, *row.nilai, row.jumlah]
            elif table.share_of_groups:
                values = [row.label, row.jumlah, row.persen[0]]
            else:
                values = [row.label, *[c for v, p in zip(row.nilai, row.persen, strict=True)
                                       for c in (v, p)], row.jumlah, 100.0]
            sheet.append(values, number_formats=[
                None, *["0.00" if isinstance(v, float) else None for v in values[1:]]])
        sheet.worksheet.column_dimensions["A"].width = 40
        if table.catatan:
            sheet.append([str(table.catatan)])
    if rekap.profil:
        sheet = book.sheet("Profil wilayah")
        sheet.append(["Profil wilayah"], font=Font(bold=True))
        sheet.append([f"{rekap.wilayah.nama} ({rekap.wilayah.kode}), "
                      f"tahun acuan {rekap.tahun_acuan}"])
        for label, value in rekap.profil_rows():
            sheet.append([label, value],
                         number_formats=[None, "0.00" if isinstance(value, float) else None])
        sheet.worksheet.column_dimensions["A"].width = 40
    book.save(stream)
