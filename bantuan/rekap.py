"""The recap tables about aid (Tables 14–17), registered from `BantuanConfig.ready()`.

- Table 14: aid by programme — per programme active in the reference year with recipients in
  the area: its recipients (not stopped, their period meeting the year), the distributions of
  the year and their value, and the villages reached. The villages' ad-hoc programmes (help
  given in PMKS cases) make one row. Totals only: not sensitive.
- Table 15: the people with a PMKS case who received aid in the reference year, by category
  (sensitive).
- Table 16: the open PMKS cases that received any aid in the twelve months up to the end of the
  reference year (today, for the current year), by category, with the share (sensitive). Aid
  reaches a case through its registered person (a recipient), the case itself (a recipient
  without a NIK), or a distribution naming the case. The cases' status is today's.
- Table 17: the groups on stimulus programmes active in the reference year and the state of
  their use reports today: reported, report due (within `Program.batas_laporan_hari` days of
  the first distribution), overdue, nothing distributed yet. Not sensitive.

Like the PMKS tables, each is read from the area's rows directly, one GROUP BY each, grouped
by ids alone (names read after: the programmes', the categories'), the area narrowed first through
`registry.access.within`; no table loops over distributions in Python. A table with nothing to
show is left out (None): the 2006 recap of seed 004 stays Tables 1–11.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bantuan.models import (
    BentukBantuan,
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    StatusPenerima,
    running,
)
from pmks.models import KasusPMKS, KategoriPMKS
from registry import access
from registry.rekap import Baris, Rekap, Tabel, make_table

AID_COLUMNS = ["Penerima", "Penyaluran", "Nilai (Rp)"]
AID_PLACES = "Desa/Kelurahan"  # Table 14's last column: the villages reached
AD_HOC_ROW = "Bantuan langsung PMKS (di luar program)"
REACHED_COLUMNS = ["Menerima bantuan", "Belum menerima"]
REPORT_COLUMNS = ["Sudah melapor", "Belum jatuh tempo", "Terlambat", "Belum disalurkan"]


def year_bounds(tahun: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(tahun, 1, 1), datetime.date(tahun, 12, 31)


def active_in(tahun: int, path: str = "program__") -> Q:
    """Programmes whose period meets the reference year."""
    return running(*year_bounds(tahun), path)


def window_of(rekap: Rekap) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to the end of the reference year, or up to today for this year."""
    end = min(year_bounds(rekap.tahun_acuan)[1], timezone.localdate())
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start + datetime.timedelta(days=1), end


# Table 14 -------------------------------------------------------------------------------------
def table_aid_by_programme(rekap: Rekap) -> Tabel | None:
    """Three queries: the recipients counted per programme and village, the year's
    distributions per programme, and the programmes' names. Grouping by ids alone keeps each a
    hash aggregate; the villages reached are read from the first's rows (a few per programme
    and village, never per distribution)."""
    start, end = year_bounds(rekap.tahun_acuan)
    recipients = (
        Penerima.objects.filter(access.within(rekap.wilayah, "desa", any_level=True),
                                active_in(rekap.tahun_acuan), Q(mulai__lte=end),
                                Q(selesai__isnull=True) | Q(selesai__gte=start))
        .exclude(status=StatusPenerima.DIHENTIKAN).order_by()
        .values_list("program", "desa").annotate(n=Count("pk"))
    )
    given = (
        Penyaluran.objects.filter(access.within(rekap.wilayah, "desa", any_level=True),
                                  active_in(rekap.tahun_acuan),
                                  tanggal__gte=start, tanggal__lte=end).order_by()
        .values_list("program").annotate(n=Count("pk"), nilai=Sum("nilai"))
    )
    counted, reached, handed = {}, {}, {}
    for program, desa, n in recipients:
        counted[program] = counted.get(program, 0) + n
        reached.setdefault(program, set()).add(desa)
    for program, n, nilai in given:
        handed[program] = (n, nilai or 0)
    if not counted and not handed:
        return None
    # Per programme, the villages' ad-hoc programmes together (under None).
    found: dict = {}
    for pk, kode, nama, ad_hoc in (Program.objects.filter(pk__in=counted.keys() | handed.keys())
                                   .values_list("pk", "kode", "nama", "ad_hoc")):
        e = found.setdefault(None if ad_hoc else pk, {
            "label": AD_HOC_ROW if ad_hoc else nama, "kode": "" if ad_hoc else kode,
            "penerima": 0, "desa": set(), "penyaluran": 0, "nilai": 0})
        e["penerima"] += counted.get(pk, 0)
        e["desa"] |= reached.get(pk, set())
        n, nilai = handed.get(pk, (0, 0))
        e["penyaluran"] += n
        e["nilai"] += nilai
    ordered = sorted(found.items(), key=lambda item: (item[0] is None, item[1]["label"]))
    rows = [Baris(e["label"], e["kode"], [e["penerima"], e["penyaluran"], e["nilai"]],
                  jumlah=len(e["desa"])) for _key, e in ordered]
    sums = [sum(r.nilai[i] for r in rows) for i in range(len(AID_COLUMNS))]
    villages = set().union(*reached.values())
    total = Baris("Jumlah", "", sums, jumlah=len(villages))
    note = _("Recipients not stopped whose period meets the reference year; the distributions "
             "and their value in the reference year; the villages with such recipients.")
    return Tabel(14, _("Aid by programme"), AID_COLUMNS, rows, total, note, amounts=True,
                 kolom_jumlah=AID_PLACES, chart_column=2)


# Tables 15 and 16 -----------------------------------------------------------------------------
def aided(start: datetime.date, end: datetime.date) -> Q:
    """A case whose person, or the case itself, received a distribution between two dates:
    three EXISTS, each on an index (a recipient's person, a recipient's case, a distribution's
    case; then a distribution's recipient and date)."""
    dated = Penyaluran.objects.filter(tanggal__gte=start, tanggal__lte=end)
    return (Q(Exists(dated.filter(penerima__warga=OuterRef("warga"))), warga__isnull=False)
            | Q(Exists(dated.filter(penerima__kasus=OuterRef("pk"))))
            | Q(Exists(dated.filter(kasus=OuterRef("pk")))))


def cases_of(rekap: Rekap):
    return KasusPMKS.objects.filter(access.within(rekap.wilayah, "desa")).order_by()


def categories(counts: dict) -> list:
    """The categories counted, in the list's order: one query (the counts are grouped by the
    category's id alone, a hash aggregate)."""
    return list(KategoriPMKS.objects.filter(pk__in=counts).order_by("urutan", "nama"))


def table_recipients_by_category(rekap: Rekap) -> Tabel | None:
    """Table 15: per category, the people with a case of it (open or closed) who received aid
    in the reference year: a registered person once, a person without a NIK by their case.
    Two queries (one when nobody was)."""
    start, end = year_bounds(rekap.tahun_acuan)
    counts = {r["kategori"]: r["orang"] + r["tanpa_nik"] for r in (
        cases_of(rekap).filter(aided(start, end)).values("kategori")
        .annotate(orang=Count("warga", distinct=True),
                  tanpa_nik=Count("pk", filter=Q(warga__isnull=True))))}
    if not counts:
        return None
    baris = [Baris(k.nama, k.kode, [counts[k.pk]]) for k in categories(counts)]
    note = _("People with a PMKS case who received aid in the reference year; a person with "
             "cases of two categories counts in both. The share is of the table's total.")
    return make_table(15, _("Aid recipients by PMKS category"), ["jumlah"], baris,
                      sum(b.nilai[0] for b in baris), note)


def table_open_cases_reached(rekap: Rekap) -> Tabel | None:
    """Table 16: per category, the open cases that received aid in the twelve months up to the
    end of the reference year, and those that did not; left out when none did. Two queries
    (one when none did)."""
    start, end = window_of(rekap)
    counts = {r["kategori"]: (r["dibantu"], r["semua"] - r["dibantu"]) for r in (
        cases_of(rekap).exclude(status__in=KasusPMKS.CLOSED).values("kategori")
        .annotate(semua=Count("pk"), dibantu=Count("pk", filter=aided(start, end))))}
    if not any(reached for reached, _rest in counts.values()):
        return None
    baris = [Baris(k.nama, k.kode, list(counts[k.pk])) for k in categories(counts)]
    note = _("Open cases (neither closed nor refused, as they stand today) that received aid "
             "from %(start)s to %(end)s.") % {"start": start.strftime("%d-%m-%Y"),
                                               "end": end.strftime("%d-%m-%Y")}
    table = make_table(16, _("Open PMKS cases that received aid in the last 12 months"),
                       REACHED_COLUMNS, baris, 0, note)
    table.chart_column, table.chart_percent = 0, True
    return table


# Table 17 -------------------------------------------------------------------------------------
def table_stimulus_reports(rekap: Rekap) -> Tabel | None:
    """Per stimulus programme active in the reference year: its groups in the area by the state
    of their use report today. One query, grouped by programme, report deadline, whether the
    group reported and the date of its first distribution (a few rows per programme and day);
    the states are read from those counts."""
    first = (Penyaluran.objects.filter(penerima=OuterRef("pk")).order_by()
             .values("penerima").annotate(first=Min("tanggal")).values("first"))
    rows = (
        Penerima.objects.filter(access.within(rekap.wilayah, "desa", any_level=True),
                                active_in(rekap.tahun_acuan),
                                program__bentuk=BentukBantuan.STIMULAN,
                                perkumpulan__isnull=False)
        .annotate(pertama=Subquery(first),
                  melapor=Exists(LaporanStimulan.objects.filter(penerima=OuterRef("pk"))),
                  berhenti=Q(status=StatusPenerima.DIHENTIKAN),
                  batas=F("program__batas_laporan_hari"))
        .order_by()
        .values("program", "program__kode", "program__nama", "batas", "melapor", "berhenti",
                "pertama")
        .annotate(n=Count("pk"))
    )
    today = timezone.localdate()
    found: dict = {}
    for r in rows:
        if r["berhenti"] and r["pertama"] is None and not r["melapor"]:
            continue  # stopped before anything was handed out
        counts = found.setdefault(r["program"], (r["program__nama"], r["program__kode"],
                                                 [0] * len(REPORT_COLUMNS)))[2]
        if r["melapor"]:
            counts[0] += r["n"]
        elif r["pertama"] is None:
            counts[3] += r["n"]
        elif today <= r["pertama"] + datetime.timedelta(days=r["batas"]):
            counts[1] += r["n"]
        else:
            counts[2] += r["n"]
    if not found:
        return None
    baris = [Baris(nama, kode, counts)
             for nama, kode, counts in sorted(found.values(), key=lambda v: (v[0], v[1]))]
    note = _("Groups on stimulus programmes active in the reference year, by their use report "
             "as it stands today: a report is due within the programme's days from the first "
             "distribution.")
    return make_table(17, _("Groups with stimulus and their reports"), REPORT_COLUMNS, baris, 0,
                      note)

