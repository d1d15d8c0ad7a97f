"""The recap tables about aid (Tables 14–17), registered from `BantuanConfig.ready()`.

- Table 14: aid by programme — per programme active in the reference year with recipients in
  the area: its recipients (not stopped, their period meeting the year), the distributions of
  the year and their value, and the villages reached. The villages' ad-hoc programmes (help
  given in PMKS cases) make one row. Totals only: not sensitive.
- Table 15: the people with a PMKS case who received aid in the reference year, by category
  (sensitive). A person counts once per category in each village they have cases in.
- Table 16: the open PMKS cases that received any aid in the twelve months up to the end of the
  reference year (today, for the current year), by category, with the share (sensitive). Aid
  reaches a case through its registered person (a recipient), the case itself (a recipient
  without a NIK), or a distribution naming the case. The cases' status is today's.
- Table 17: the groups on stimulus programmes active in the reference year and the state of
  their use reports today: reported, report due (within `Program.batas_laporan_hari` days of
  the first distribution), overdue, nothing distributed yet. Not sensitive.

The tables read stored counts (`RekapBantuan`, the registry's store "bantuan": see
registry.rekap), never the recipients and distributions: `count_aid` computes a village's counts
when a write marks it stale, and the refresh sums them up to every ancestor. The counts do not
depend on the day they are read: a recipient's years are kept as a span (from–to, open-ended
ones to `OPEN`), a case's latest aid and a group's first distribution as a day (YYYYMMDD), so
that the twelve months up to today and a report's deadline are read from them on the day.

Marked stale by: a recipient, distribution or stimulus report saved or deleted (with the
villages of the cases whose person or case they concern), a programme's period or form changed
(its recipients' areas), the `bantuan` sheet of the import; a case's change already marks its
village. A table with nothing to show is left out (None): the 2006 recap of seed 004 stays
Tables 1–11.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bantuan.models import (
    COUNTED_PROGRAM_FIELDS,
    BentukBantuan,
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    RekapBantuan,
    StatusPenerima,
)
from pmks.models import KasusPMKS, KategoriPMKS
from registry.rekap import HERE, Baris, Rekap, Tabel, is_village, make_table, mark_stale
from registry.workbook.writer import chunks

AID_COLUMNS = ["Penerima", "Penyaluran", "Nilai (Rp)"]
AID_PLACES = "Desa/Kelurahan"  # Table 14's last column: the villages reached
AD_HOC_ROW = "Bantuan langsung PMKS (di luar program)"
VILLAGE_ROW = "Program desa/kelurahan"
REACHED_COLUMNS = ["Menerima bantuan", "Belum menerima"]
REPORT_COLUMNS = ["Sudah melapor", "Belum jatuh tempo", "Terlambat", "Belum disalurkan"]


# What the store "bantuan" counts (`RekapBantuan.ukuran`).
RECIPIENTS = "penerima"  # Table 14: recipients not stopped, per programme and span of years
PLACES = "desa"  # Table 14: 1 per area and programme for each span of years with recipients
ALL_PLACES = "desa_semua"  # Table 14's total: 1 per area for each span with any recipient
GIVEN = "salur"  # Table 14: distributions per programme and year
VALUE = "nilai"  # Table 14: their value
PEOPLE = "orang"  # Table 15: people with a case of a category aided in a year
OPEN_AIDED = "dibantu"  # Table 16, a past year: open cases of a category aided in the year
LATEST = "terakhir"  # Table 16, up to today: open cases of a category by their latest aid's day
REPORTED = "lapor"  # Table 17: stimulus groups that reported
NOT_GIVEN = "belum"  # Table 17: stimulus groups not stopped with nothing distributed yet
DUE = "batas"  # Table 17: stimulus groups not reported, by their report's deadline

AD_HOC = 0  # the key of the villages' ad-hoc programmes (Table 14's one row)
VILLAGE_PROGRAMMES = -1  # the key of the villages' own programmes together (above a village)
OPEN = 9999  # the last year of a period without an end


def year_bounds(tahun: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(tahun, 1, 1), datetime.date(tahun, 12, 31)


def day(date: datetime.date) -> int:
    """A day as the store keeps it: YYYYMMDD."""
    return date.year * 10000 + date.month * 100 + date.day


def window_of(rekap: Rekap) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to the end of the reference year, or up to today for this year."""
    end = min(year_bounds(rekap.tahun_acuan)[1], timezone.localdate())
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start + datetime.timedelta(days=1), end


# Counting (the store "bantuan") --------------------------------------------------------------
def count_aid(areas: list[str]):
    """(area, ukuran, kunci, dari, sampai, hari, n) of these areas' aid: their recipients and
    distributions (Table 14), the stimulus groups (Table 17), and for villages their cases
    (Tables 15 and 16). Seven GROUP BY queries for any number of areas."""
    found: Counter = Counter()
    _count_recipients(areas, found)
    _count_given(areas, found)
    _count_stimulus(areas, found)
    villages = [a for a in areas if is_village(a)]
    if villages:
        _count_cases(villages, found)
    for key, n in found.items():
        yield *key, n


def last_year(date: datetime.date | None) -> int:
    return OPEN if date is None else date.year


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of years joined where they meet or touch: each year lies in at most one."""
    joined: list[list[int]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [(start, end) for start, end in joined]


def rows_of(program: int, ad_hoc: bool, wilayah: str) -> tuple[tuple[str, int], ...]:
    """Table 14's rows a programme counts in, as (prefix, key): the villages' ad-hoc
    programmes' one row; a village's own programme by itself at the village (`HERE`: never
    summed up) and in the villages' programmes' one row above it; any other by itself."""
    if ad_hoc:
        return (("", AD_HOC),)
    if is_village(wilayah):
        return ((HERE, program), ("", VILLAGE_PROGRAMMES))
    return (("", program),)


def _count_recipients(areas: list[str], found: Counter) -> None:
    """Table 14's recipients: each counts in the years its period and its programme's meet."""
    spans: defaultdict = defaultdict(list)
    every: defaultdict = defaultdict(list)
    for desa, program, ad_hoc, wilayah, p_start, p_end, start, end, n in (
            Penerima.objects.filter(desa__in=areas).exclude(status=StatusPenerima.DIHENTIKAN)
            .order_by().annotate(dari=ExtractYear("mulai"), sampai=ExtractYear("selesai"))
            .values_list("desa", "program", "program__ad_hoc", "program__wilayah",
                         "program__mulai", "program__selesai", "dari", "sampai")
            .annotate(n=Count("pk"))):
        first = max(p_start.year, start)
        last = min(last_year(p_end), OPEN if end is None else end)
        if first > last:
            continue
        for prefix, key in rows_of(program, ad_hoc, wilayah):
            found[(desa, prefix + RECIPIENTS, key, first, last, 0)] += n
            spans[desa, prefix, key].append((first, last))
        every[desa].append((first, last))
    for (desa, prefix, key), years in spans.items():
        for first, last in merged(years):
            found[(desa, prefix + PLACES, key, first, last, 0)] += 1
    for desa, years in every.items():
        for first, last in merged(years):
            found[(desa, ALL_PLACES, 0, first, last, 0)] += 1


def _count_given(areas: list[str], found: Counter) -> None:
    """Table 14's distributions and their value, per year their programme's period meets."""
    for desa, program, ad_hoc, wilayah, p_start, p_end, tahun, n, nilai in (
            Penyaluran.objects.filter(desa__in=areas).order_by()
            .annotate(tahun=ExtractYear("tanggal"))
            .values_list("desa", "program", "program__ad_hoc", "program__wilayah",
                         "program__mulai", "program__selesai", "tahun")
            .annotate(n=Count("pk"), nilai=Sum("nilai"))):
        if p_start.year <= tahun <= last_year(p_end):
            for prefix, key in rows_of(program, ad_hoc, wilayah):
                found[(desa, prefix + GIVEN, key, tahun, tahun, 0)] += n
                found[(desa, prefix + VALUE, key, tahun, tahun, 0)] += nilai or 0


def _count_stimulus(areas: list[str], found: Counter) -> None:
    """Table 17: the stimulus groups by their report, or their report's deadline (the
    programme's `batas_laporan_hari` after their first distribution), in the years their
    programme runs."""
    first = (Penyaluran.objects.filter(penerima=OuterRef("pk")).order_by()
             .values("penerima").annotate(first=Min("tanggal")).values("first"))
    for desa, program, wilayah, p_start, p_end, batas, reported, stopped, pertama, n in (
            Penerima.objects.filter(desa__in=areas, program__bentuk=BentukBantuan.STIMULAN,
                                    perkumpulan__isnull=False)
            .annotate(pertama=Subquery(first),
                      melapor=Exists(LaporanStimulan.objects.filter(penerima=OuterRef("pk"))),
                      berhenti=Q(status=StatusPenerima.DIHENTIKAN))
            .order_by().values_list("desa", "program", "program__wilayah", "program__mulai",
                                    "program__selesai", "program__batas_laporan_hari",
                                    "melapor", "berhenti", "pertama")
            .annotate(n=Count("pk"))):
        if reported:
            ukuran, hari = REPORTED, 0
        elif pertama is not None:
            ukuran, hari = DUE, day(pertama + datetime.timedelta(days=batas))
        elif not stopped:
            ukuran, hari = NOT_GIVEN, 0
        else:  # (stopped before anything was handed out: not counted)
            continue
        for prefix, key in rows_of(program, False, wilayah):
            found[(desa, prefix + ukuran, key, p_start.year, last_year(p_end), hari)] += n


def _count_cases(villages: list[str], found: Counter) -> None:
    """Tables 15 and 16: the villages' cases by the years they were aided in and the day of
    their latest aid — through their person (any recipient of theirs), themselves (a
    recipient without a NIK) or a distribution naming them. Four queries."""
    cases = list(KasusPMKS.objects.filter(desa__in=villages).order_by()
                 .values_list("pk", "desa", "kategori", "warga", "status"))
    if not cases:
        return
    ours = KasusPMKS.objects.filter(desa__in=villages)
    by_case: defaultdict = defaultdict(dict)  # case → {year: latest day of the year}
    by_person: defaultdict = defaultdict(dict)
    for target, field, into in (
            (Q(kasus__in=ours.values("pk")), "kasus", by_case),
            (Q(penerima__kasus__in=ours.values("pk")), "penerima__kasus", by_case),
            (Q(penerima__warga__in=ours.filter(warga__isnull=False).values("warga")),
             "penerima__warga", by_person)):
        for pk, tahun, latest in (
                Penyaluran.objects.filter(target).order_by().annotate(tahun=ExtractYear("tanggal"))
                .values_list(field, "tahun").annotate(latest=Max("tanggal"))):
            years = into[pk]
            years[tahun] = max(years.get(tahun, latest), latest)
    people: set = set()
    for pk, desa, kategori, warga, status in cases:
        years = dict(by_case.get(pk, {}))
        for tahun, latest in by_person.get(warga, {}).items() if warga else ():
            years[tahun] = max(years.get(tahun, latest), latest)
        if not years:
            continue
        person = ("warga", warga) if warga else ("kasus", pk)
        for tahun in years:
            if (desa, kategori, tahun, person) not in people:
                people.add((desa, kategori, tahun, person))
                found[(desa, PEOPLE, kategori, tahun, tahun, 0)] += 1
        if status not in KasusPMKS.CLOSED:
            for tahun in years:
                found[(desa, OPEN_AIDED, kategori, tahun, tahun, 0)] += 1
            latest = max(years.values())
            found[(desa, LATEST, kategori, latest.year, latest.year, day(latest))] += 1


def aid_places():
    """The areas holding aid records: recipients', and the villages with cases (aided ones
    among them)."""
    return (Penerima.objects.order_by().values_list("desa", flat=True).distinct()
            .union(KasusPMKS.objects.order_by().values_list("desa", flat=True).distinct()))


# Table 14 -------------------------------------------------------------------------------------
def table_aid_by_programme(rekap: Rekap) -> Tabel | None:
    """Two queries: the area's stored counts of the year per programme (a column each), and
    the programmes' names. A village lists its own programmes one by one (`HERE`); above it,
    the villages' own programmes make one row, as their ad-hoc ones do: a province's thousands
    of village programmes are read in their villages."""
    measures = (RECIPIENTS, GIVEN, VALUE, PLACES)
    sums = {ukuran: Sum("jumlah", filter=Q(ukuran__in=(ukuran, HERE + ukuran)))
            for ukuran in measures}
    sums[ALL_PLACES] = Sum("jumlah", filter=Q(ukuran=ALL_PLACES))
    counts = {kunci: [None if v is None else int(v) for v in values]
              for kunci, *values in rekap.rows(("bantuan",), lambda: (
                  rekap.stored("bantuan").filter(
                      ukuran__in=[*sums, *(HERE + ukuran for ukuran in measures)],
                      dari__lte=rekap.tahun_acuan, sampai__gte=rekap.tahun_acuan)
                  .values("kunci").annotate(**sums).order_by().values_list("kunci", *sums)),
                  RekapBantuan)}
    villages = counts.get(AD_HOC, [0] * 5)[4] or 0  # (ALL_PLACES is kept under 0 alone)
    if is_village(rekap.wilayah.pk):
        counts.pop(VILLAGE_PROGRAMMES, None)  # (its programmes are listed one by one)
    counts = {k: [v or 0 for v in values[:4]] for k, values in counts.items() if any(values[:3])}
    if not counts:
        return None
    names = {AD_HOC: (AD_HOC_ROW, ""), VILLAGE_PROGRAMMES: (VILLAGE_ROW, "")}
    names.update(programmes(rekap, counts))
    ordered = sorted((k for k in counts if k in names), key=lambda k: (k <= 0, names[k][0]))
    rows = [Baris(*names[k], counts[k][:3], jumlah=counts[k][3]) for k in ordered]
    total = Baris("Jumlah", "", [sum(r.nilai[i] for r in rows) for i in range(len(AID_COLUMNS))],
                  jumlah=villages)
    note = _("Recipients not stopped whose period meets the reference year; the distributions "
             "and their value in the reference year; the villages with such recipients. Above "
             "a village, the villages' own programmes make one row.")
    return Tabel(14, _("Aid by programme"), AID_COLUMNS, rows, total, note, amounts=True,
                 kolom_jumlah=AID_PLACES, chart_column=2)


def programmes(rekap: Rekap, counts: dict) -> list[tuple[int, tuple[str, str]]]:
    """(id, (name, code)) of the programmes among the keys of `counts` (the rows above zero are
    programmes): one query."""
    pks = sorted(k for k in counts if k > 0)
    return [(pk, (nama, kode)) for pk, nama, kode in rekap.rows(
        ("program", *pks), lambda: Program.objects.filter(pk__in=pks).values_list(
            "pk", "nama", "kode"), Program)]


# Tables 15 and 16 -----------------------------------------------------------------------------
def categories(counts: dict) -> list:
    """The categories counted, in the list's order: one query."""
    return list(KategoriPMKS.objects.filter(pk__in=counts).order_by("urutan", "nama"))


def per_category(rows) -> dict[int, int]:
    return dict(rows.values("kunci").annotate(n=Sum("jumlah")).values_list("kunci", "n"))


def table_recipients_by_category(rekap: Rekap) -> Tabel | None:
    """Table 15: per category, the people with a case of it (open or closed) who received aid
    in the reference year: a registered person once (in each village of their cases), a person
    without a NIK by their case. Two queries (one when nobody was)."""
    counts = {k: n for k, n in per_category(rekap.stored("bantuan").filter(
        ukuran=PEOPLE, dari=rekap.tahun_acuan)).items() if n}
    if not counts:
        return None
    baris = [Baris(k.nama, k.kode, [counts[k.pk]]) for k in categories(counts)]
    note = _("People with a PMKS case who received aid in the reference year; a person with "
             "cases of two categories counts in both. The share is of the table's total.")
    return make_table(15, _("Aid recipients by PMKS category"), ["jumlah"], baris,
                      sum(b.nilai[0] for b in baris), note)


def table_open_cases_reached(rekap: Rekap) -> Tabel | None:
    """Table 16: per category, the open cases that received aid in the twelve months up to the
    end of the reference year, and those that did not; left out when none did. Three queries
    (two when none did): the twelve months up to today are read from the cases' latest aid, a
    past year's from the cases aided in it."""
    start, end = window_of(rekap)
    stored = rekap.stored("bantuan")
    if end == timezone.localdate():
        aided = stored.filter(ukuran=LATEST, hari__gte=day(start), hari__lte=day(end))
    else:
        aided = stored.filter(ukuran=OPEN_AIDED, dari=rekap.tahun_acuan)
    reached = {k: n for k, n in per_category(aided).items() if n}
    if not reached:
        return None
    every = dict(rekap.stored("kasus").exclude(status__in=KasusPMKS.CLOSED).values("kategori")
                 .annotate(n=Sum("jumlah")).values_list("kategori", "n"))
    counts = {k: (reached.get(k, 0), n - reached.get(k, 0)) for k, n in every.items() if n}
    baris = [Baris(k.nama, k.kode, list(counts[k.pk])) for k in categories(counts)]
    note = _("Open cases (neither closed nor refused, as they stand today) that received aid "
             "from %(start)s to %(end)s.") % {
        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATE_FORMAT")}
    table = make_table(16, _("Open PMKS cases that received aid in the last 12 months"),
                       REACHED_COLUMNS, baris, 0, note)
    table.chart_column, table.chart_percent = 0, True
    return table


# Table 17 -------------------------------------------------------------------------------------
def table_stimulus_reports(rekap: Rekap) -> Tabel | None:
    """Per stimulus programme active in the reference year: its groups in the area by the state
    of their use report today (a deadline from today on: due). Two queries: the stored counts
    per programme (a column each), and the programmes' names. A village lists its own
    programmes one by one; above it, the villages' own programmes make one row."""
    today = day(timezone.localdate())
    states = {"lapor": Q(ukuran__in=(REPORTED, HERE + REPORTED)),
              "tempo": Q(ukuran__in=(DUE, HERE + DUE), hari__gte=today),
              "telat": Q(ukuran__in=(DUE, HERE + DUE), hari__lt=today),
              "belum": Q(ukuran__in=(NOT_GIVEN, HERE + NOT_GIVEN))}
    counts = {kunci: [int(v or 0) for v in values] for kunci, *values in rekap.rows(
        ("stimulan", today), lambda: (
            rekap.stored("bantuan")
            .filter(ukuran__in=[p + u for u in (REPORTED, DUE, NOT_GIVEN) for p in ("", HERE)],
                    dari__lte=rekap.tahun_acuan, sampai__gte=rekap.tahun_acuan)
            .values("kunci").annotate(**{k: Sum("jumlah", filter=q) for k, q in states.items()})
            .order_by().values_list("kunci", *states)), RekapBantuan)}
    if is_village(rekap.wilayah.pk):
        counts.pop(VILLAGE_PROGRAMMES, None)  # (its programmes are listed one by one)
    names = {VILLAGE_PROGRAMMES: (VILLAGE_ROW, "")}
    names.update(programmes(rekap, counts))
    baris = [Baris(*names[k], counts[k]) for k in sorted(
        (k for k in counts if k in names), key=lambda k: (k <= 0, *names[k]))]
    if not baris:
        return None
    note = _("Groups on stimulus programmes active in the reference year, by their use report "
             "as it stands today: a report is due within the programme's days from the first "
             "distribution. Above a village, the villages' own programmes make one row.")
    return make_table(17, _("Groups with stimulus and their reports"), REPORT_COLUMNS, baris, 0,
                      note)


# Keeping the stored counts --------------------------------------------------------------------
def people_cases_places(warga_ids=(), kasus_ids=()) -> set[str]:
    """The villages of the cases of these people, and of these cases: Tables 15 and 16 count
    the aid a case's person or the case itself received there. A query per 5,000 ids."""
    places = set()
    for field, ids in (("warga", warga_ids), ("pk", kasus_ids)):
        for part in chunks(sorted({i for i in ids if i})):
            places.update(KasusPMKS.objects.filter(**{f"{field}__in": part}).order_by()
                          .values_list("desa", flat=True).distinct())
    return places


def recipient_changed(sender, instance: Penerima, created=False, **kwargs) -> None:
    """A recipient saved or deleted: its area's counts, and those of the area it was loaded in;
    the villages of its person's or case's cases when it was changed (what it was given may
    now count for another)."""
    places = {instance.desa_id, getattr(instance, "desa_tersimpan", None)}
    if not created:
        places |= people_cases_places([instance.warga_id], [instance.kasus_id])
    mark_stale(places)
    instance.desa_tersimpan = instance.desa_id


def given_changed(sender, instance: Penyaluran, **kwargs) -> None:
    """A distribution saved or deleted: its area's counts and the villages of the cases it
    reaches (named, or through its recipient's person or case). One query, two at most."""
    recipient = Penerima.objects.filter(pk=instance.penerima_id)
    mark_stale({instance.desa_id} | set(
        KasusPMKS.objects.filter(Q(pk=instance.kasus_id)
                                 | Q(pk__in=recipient.values("kasus"))
                                 | Q(warga__in=recipient.values("warga")))
        .order_by().values_list("desa", flat=True).distinct()))


def report_changed(sender, instance: LaporanStimulan, **kwargs) -> None:
    mark_stale(Penerima.objects.filter(pk=instance.penerima_id).values_list("desa", flat=True))


# More areas than this waiting after one programme's change are left to the cron.
MANY_PLACES = 200


def program_changed(sender, instance: Program, created=False, **kwargs) -> None:
    """A programme whose period, form, report days or area changed: the areas of its
    recipients. Many of them (a province's programme) are left to the cron (`rekap
    --segarkan-basi`), the pages saying they wait, rather than computed before the request
    answers."""
    now = tuple(getattr(instance, f) for f in COUNTED_PROGRAM_FIELDS)
    before = getattr(instance, "tersimpan", now)
    instance.tersimpan = now
    if created or before == now:
        return
    places = set(Penerima.objects.filter(program=instance).order_by()
                 .values_list("desa", flat=True).distinct())
    mark_stale(places, later=len(places) > MANY_PLACES)


def connect_signals() -> None:
    from django.db.models import signals

    for model, handler in ((Penerima, recipient_changed), (Penyaluran, given_changed),
                           (LaporanStimulan, report_changed)):
        signals.post_save.connect(handler, sender=model, dispatch_uid=f"rekap_{model.__name__}")
        signals.post_delete.connect(handler, sender=model,
                                    dispatch_uid=f"rekap_{model.__name__}_gone")
    signals.post_save.connect(program_changed, sender=Program, dispatch_uid="rekap_program")
