"""The social-resilience indicators of an area at a reference date (the contract:
docs/ketahanan-sosial.md), from the registry as it stands or as it stood (`pada`).

Each figure is counted once per area that holds records (a village, or an area above the village
for the groups organised there) in a fixed number of queries whatever the number of villages;
an area's indicators are then computed from the sums, and each village's from its own counts.
"Active group", "open case", "accompanied" and "working link" are the recap's (Table 11: a case
with an accompanying group) and the `jaringan` figures' (network.graph: a group is isolated when
it has no edge in the area's network).

With `pada`, the records are read as they stood at that moment (registry.lampau.versions); the
groups' lists (solidarity values) are those they have today. Forum meetings, fund entries and aid
distributions are dated records: they count by their own dates up to the reference date, and with
`pada` only those recorded by then.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bantuan.models import Penyaluran
from ketahanan.models import Dimensi, Indikator, Penilaian, Skor
from members.models import AnggotaKeluarga, Keanggotaan, Warga
from network import graph as network_graph
from network.models import DanaKomunitas, DanaPerkumpulan, PertemuanForum
from pmks.models import KasusPMKS, KategoriPMKS
from registry import access, validators
from registry.lampau import as_of, versions
from registry.models import Daftar, Perkumpulan, Prakarsa, ProfilDesa, Tingkat, Wilayah

# Each dimension's indicators, in the contract's order.
DIMENSI: dict[str, tuple[str, ...]] = {
    Dimensi.PERLINDUNGAN: (Indikator.PMKS_DIDAMPINGI, Indikator.PMKS_DIBANTU_12_BULAN,
                           Indikator.KATEGORI_TANPA_PENOLONG),
    Dimensi.PARTISIPASI: (Indikator.PERKUMPULAN_BERJEJARING, Indikator.WARGA_DEWASA_ANGGOTA,
                          Indikator.PERKUMPULAN_PER_1000_WARGA),
    Dimensi.PENGENDALIAN_KONFLIK: (Indikator.KORBAN_KEKERASAN_DIDAMPINGI,
                                   Indikator.FORUM_AKTIF),
    Dimensi.KEARIFAN_LOKAL: (Indikator.NILAI_GOTONG_ROYONG, Indikator.PRAKARSA_MASYARAKAT,
                             Indikator.DANA_KOMUNITAS_AKTIF),
}
# The percentages (the others are counts, a ratio per 1,000, or 1/0 for a village's forum).
PERSEN = {Indikator.PMKS_DIDAMPINGI, Indikator.PMKS_DIBANTU_12_BULAN,
          Indikator.PERKUMPULAN_BERJEJARING, Indikator.WARGA_DEWASA_ANGGOTA,
          Indikator.KORBAN_KEKERASAN_DIDAMPINGI, Indikator.NILAI_GOTONG_ROYONG,
          Indikator.PRAKARSA_MASYARAKAT}

# What each indicator says, in one plain sentence.
KETERANGAN = {
    Indikator.PMKS_DIDAMPINGI: _(
        "Of the open PMKS cases, the share that a community group accompanies."),
    Indikator.PMKS_DIBANTU_12_BULAN: _(
        "Of the open PMKS cases, the share whose person received aid or help in the last 12 "
        "months."),
    Indikator.KATEGORI_TANPA_PENOLONG: _(
        "PMKS categories with open cases here but no active group of a type that usually "
        "helps them."),
    Indikator.PERKUMPULAN_BERJEJARING: _(
        "Of the active groups, the share with at least one working link (to another group or "
        "a partner)."),
    Indikator.WARGA_DEWASA_ANGGOTA: _(
        "Of the registered residents aged 17 or over, the share who are current members of an "
        "active group."),
    Indikator.PERKUMPULAN_PER_1000_WARGA: _(
        "Active groups for every 1,000 residents counted in the village profile of the "
        "reference year."),
    Indikator.KORBAN_KEKERASAN_DIDAMPINGI: _(
        "Of the open cases of victims of violence, trafficking, social disaster and children "
        "facing the law, the share a group accompanies."),
    Indikator.FORUM_AKTIF: _(
        "For a village: 1 if its WKSBM forum met in the last 12 months. Above a village: the "
        "share of villages (with active groups) whose forum did."),
    Indikator.NILAI_GOTONG_ROYONG: _(
        "Of the active groups, the share that declares gotong royong among its values."),
    Indikator.PRAKARSA_MASYARAKAT: _(
        "Of the active groups, the share founded on the community's own initiative."),
    Indikator.DANA_KOMUNITAS_AKTIF: _(
        "Community funds (of groups and forums: dues, arisan, death funds, jimpitan…) with an "
        "entry in the last 12 months."),
}

ADULT_AGE = 17
# The contract's violence categories, by code (fixtures/referensi.json).
VIOLENCE = ("AKTK", "KTK", "KTRAF", "ABH", "KBS")
GOTONG_ROYONG = "GOTONG_ROYONG"  # the solidarity value of Table 8
# The funds a community collects itself (registry.models.JenisDana): not government, village
# budget or company money.
COMMUNITY_FUNDS = ("IURAN", "ARISAN", "SIMPAN_PINJAM", "DANA_KEMATIAN", "JIMPITAN", "SUMBANGAN",
                   "ZAKAT_INFAK", "LAIN")


def rounded(part, whole, scale: int = 100) -> float | None:
    """scale × part / whole rounded half up to 2 decimals; None without a denominator."""
    if not whole:
        return None
    value = Decimal(part) * scale / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# The counts -----------------------------------------------------------------------------------
@dataclass
class Hitungan:
    """The raw counts of one place (a village, or an area's own level), summed for an area."""

    aktif: int = 0
    jenis: set = field(default_factory=set)  # types of its active groups
    berjejaring: int = 0  # with an edge in its own village's network (or the area's)
    berjejaring_luar: int = 0  # with edges only to groups of other villages of the area
    gotong_royong: int = 0
    prakarsa: int = 0
    kasus_buka: int = 0
    didampingi: int = 0
    dibantu: int = 0
    kekerasan: int = 0
    kekerasan_didampingi: int = 0
    kategori: set = field(default_factory=set)  # categories of its open cases
    dewasa: int = 0
    dewasa_anggota: int = 0
    penduduk: int | None = None  # from the profile of the reference year
    aktif_profil: int = 0  # active groups of the places with that profile
    forum_bertemu: bool = False
    dana: set = field(default_factory=set)  # (owner, kind) of its active community funds

    def add(self, other: "Hitungan") -> None:
        for name in ("aktif", "berjejaring", "berjejaring_luar", "gotong_royong", "prakarsa",
                     "kasus_buka", "didampingi", "dibantu", "kekerasan", "kekerasan_didampingi",
                     "dewasa", "dewasa_anggota"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.jenis |= other.jenis
        self.kategori |= other.kategori
        self.dana |= other.dana


def _records(model, moment):
    """A model's rows as they stand (moment None) or stood."""
    return model.objects.all() if moment is None else versions(model, moment)


def _count(area: Wilayah, acuan: datetime.date, moment) -> dict[str, Hitungan]:
    """The raw counts of each place within the area that holds records, by its code."""
    places: dict[str, Hitungan] = defaultdict(Hitungan)
    groups = _records(Perkumpulan, moment).filter(
        access.within(area, "desa", any_level=True), aktif=True)
    for desa, jenis, n in (groups.order_by().values("desa", "jenis").annotate(n=Count("pk"))
                           .values_list("desa", "jenis", "n")):
        places[desa].aktif += n
        places[desa].jenis.add(jenis)
    for desa, n in (groups.filter(prakarsa=Prakarsa.MASYARAKAT).order_by().values("desa")
                    .annotate(n=Count("pk")).values_list("desa", "n")):
        places[desa].prakarsa += n
    holding = Perkumpulan.nilai_solidaritas.through.objects.filter(
        pilihan__daftar=Daftar.NILAI, pilihan__kode=GOTONG_ROYONG).values("perkumpulan_id")
    for desa, n in (groups.filter(id__in=holding).order_by().values("desa")
                    .annotate(n=Count("pk")).values_list("desa", "n")):
        places[desa].gotong_royong += n
    _count_network(area, moment, places)
    _count_cases(area, acuan, moment, places)
    _count_adults(area, acuan, moment, places)
    for desa, penduduk in (ProfilDesa.objects.filter(access.within(area, "desa"), tahun=acuan.year,
                                                     jumlah_penduduk__isnull=False)
                           .values_list("desa", "jumlah_penduduk")):
        places[desa].penduduk = penduduk
    since = year_before(acuan)
    meetings = PertemuanForum.objects.filter(access.within(area, "forum__desa"),
                                             tanggal__gt=since, tanggal__lte=acuan)
    funds_of_forums = DanaKomunitas.objects.filter(access.within(area, "forum__desa"))
    funds_of_groups = DanaPerkumpulan.objects.filter(
        access.within(area, "perkumpulan__desa", any_level=True))
    if moment is not None:
        funds_of_groups = funds_of_groups.filter(dibuat__lte=moment)
    for desa in meetings.order_by().values_list("forum__desa", flat=True).distinct():
        places[desa].forum_bertemu = True
    window = Q(tanggal__gt=since, tanggal__lte=acuan, jenis__in=COMMUNITY_FUNDS)
    for desa, forum, jenis in (funds_of_forums.filter(window).order_by()
                               .values_list("forum__desa", "forum", "jenis").distinct()):
        places[desa].dana.add(("forum", forum, jenis))
    for desa, group, jenis in (funds_of_groups.filter(window).order_by()
                               .values_list("perkumpulan__desa", "perkumpulan", "jenis")
                               .distinct()):
        places[desa].dana.add(("perkumpulan", group, jenis))
    return places


def _count_network(area, moment, places) -> None:
    """Active groups with an edge in the area's network (network.graph): for the area, and for
    each village in its own network (its groups and partners only)."""
    graph = network_graph.build(area, pada=moment)
    kinds = dict(graph.nodes(data="jenis_node"))
    desa_of = dict(graph.nodes(data="desa"))
    for node in network_graph.groups_of(graph):
        neighbours = list(graph.neighbors(node))
        if not neighbours:
            continue
        place = places[desa_of[node]]
        # In its village's own network: linked to a partner or to a group of the village.
        if any(kinds[m] == "mitra" or desa_of[m] == desa_of[node] for m in neighbours):
            place.berjejaring += 1
        else:
            place.berjejaring_luar += 1


def _count_cases(area, acuan, moment, places) -> None:
    cases = _records(KasusPMKS, moment).filter(access.within(area, "desa")).exclude(
        status__in=KasusPMKS.CLOSED)
    violence = set(KategoriPMKS.objects.filter(kode__in=VIOLENCE).values_list("pk", flat=True))
    rows = list(cases.order_by().values_list("id", "desa", "kategori", "pendamping", "warga"))
    helped = _helped(area, acuan, moment, rows)
    for pk, desa, kategori, pendamping, _warga in rows:
        place = places[desa]
        place.kasus_buka += 1
        place.kategori.add(kategori)
        place.didampingi += pendamping is not None
        place.dibantu += pk in helped
        if kategori in violence:
            place.kekerasan += 1
            place.kekerasan_didampingi += pendamping is not None


def _helped(area, acuan, moment, cases) -> set[int]:
    """The open cases whose person (or household, or the case itself) received a distribution
    dated in the 12 months up to the reference date."""
    if not cases:
        return set()
    distributions = Penyaluran.objects.filter(
        access.within(area, "desa", any_level=True),
        tanggal__gt=year_before(acuan), tanggal__lte=acuan)
    if moment is not None:
        distributions = distributions.filter(dicatat__lte=moment)
    people, households, helped_cases = set(), set(), set()
    for kasus, p_kasus, warga, keluarga in distributions.order_by().values_list(
            "kasus", "penerima__kasus", "penerima__warga", "penerima__keluarga"):
        helped_cases.update(k for k in (kasus, p_kasus) if k)
        if warga:
            people.add(warga)
        if keluarga:
            households.add(keluarga)
    in_household = defaultdict(set)
    persons = {w for *_r, w in cases if w}
    if households and persons:
        for warga, keluarga in AnggotaKeluarga.objects.filter(
                warga__in=persons, keluarga__in=households, selesai__isnull=True
        ).values_list("warga", "keluarga"):
            in_household[warga].add(keluarga)
    return {pk for pk, _d, _k, _p, warga in cases
            if pk in helped_cases or (warga and (warga in people or in_household[warga]))}


def _count_adults(area, acuan, moment, places) -> None:
    """Residents of the area aged 17 or over at the reference date (by their date of birth, else
    the one their NIK holds), and those of them who are current members of an active group.
    A person registered with no village lives, for this count, in the village of their groups
    (as `members.models.Warga.edit_filter` places them); the first by code if several."""
    born_by = years_before(acuan, ADULT_AGE)
    if moment is None:
        groups = Perkumpulan.objects.all()
        memberships = Keanggotaan.objects.all()
        person = "pk"
    else:
        groups = versions(Perkumpulan, moment)
        memberships = versions(Keanggotaan, moment)
        person = "id"
    villages = Wilayah.objects.filter(access.within(area, "self"), tingkat=Tingkat.DESA)
    in_area = groups.filter(desa__in=villages.values("pk")).values("id")
    theirs = memberships.filter(warga_id=OuterRef(person), selesai__isnull=True)
    village_of_groups = Subquery(
        theirs.filter(perkumpulan_id__in=in_area).order_by("perkumpulan__desa")
        .values("perkumpulan__desa")[:1])
    people = _records(Warga, moment).filter(
        Q(tanggal_lahir__lte=born_by) | Q(tanggal_lahir__isnull=True)).filter(
        access.within(area, "wilayah") | Q(wilayah__isnull=True, **{
            f"{person}__in": memberships.filter(selesai__isnull=True, perkumpulan_id__in=in_area)
            .values("warga_id")}))
    member = Exists(theirs.filter(perkumpulan_id__in=groups.filter(aktif=True).values("id")))
    for desa, born, nik, anggota in (
            people.annotate(anggota=member, tempat=Coalesce("wilayah", village_of_groups,
                                                         output_field=CharField()))
            .order_by().values_list("tempat", "tanggal_lahir", "nik", "anggota")):
        if born is None:
            from_nik = validators.nik_birth_date(nik or "")
            if from_nik is None or from_nik[0] > born_by:
                continue
        places[desa].dewasa += 1
        places[desa].dewasa_anggota += anggota


def penilaian_kosong() -> dict:
    return {str(dim): {"rata_rata": None, "responden": 0} for dim in DIMENSI}


def penilaian(area: Wilayah, acuan: datetime.date) -> tuple[dict, dict[str, dict]]:
    """The assessed means (`penilaian`) of the area and of each village: per dimension, the
    mean of the scores of the latest assessment round of each village dated up to the reference
    date, and the number of respondents who scored it (the villages' respondents pooled above a
    village). Two queries."""
    rounds = Penilaian.objects.filter(access.within(area, "desa"), tanggal__lte=acuan)
    later = Penilaian.objects.filter(desa=OuterRef("desa"), tanggal__lte=acuan).filter(
        Q(tanggal__gt=OuterRef("tanggal")) | Q(tanggal=OuterRef("tanggal"), pk__gt=OuterRef("pk")))
    latest = rounds.filter(~Exists(later)).values("pk")
    sums: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, set()]))
    for desa, dimensi, responden, nilai in (
            Skor.objects.filter(responden__penilaian__in=latest).order_by()
            .values_list("responden__penilaian__desa", "pernyataan__dimensi", "responden",
                         "nilai")):
        for key in (desa, ""):
            entry = sums[key][dimensi]
            entry[0] += nilai
            entry[1] += 1
            entry[2].add(responden)

    def summary(per_dimension) -> dict:
        return {str(dim): {"rata_rata": rounded(per_dimension[dim][0], per_dimension[dim][1], 1)
                           if dim in per_dimension else None,
                           "responden": len(per_dimension[dim][2])
                           if dim in per_dimension else 0}
                for dim in DIMENSI}

    return summary(sums.get("", {})), {desa: summary(d) for desa, d in sums.items() if desa}


# The indicators -------------------------------------------------------------------------------
def _helpers_missing(hitungan: Hitungan) -> int:
    if not hitungan.kategori:
        return 0
    helpers = defaultdict(set)
    for kategori, jenis in KategoriPMKS.jenis_penolong.through.objects.filter(
            kategoripmks__in=hitungan.kategori).values_list("kategoripmks", "jenisperkumpulan"):
        helpers[kategori].add(jenis)
    return sum(1 for k in hitungan.kategori if not helpers[k] & hitungan.jenis)


@dataclass
class Hasil:
    """The indicators of one area at a reference date."""

    wilayah: Wilayah
    acuan: datetime.date
    pada: datetime.datetime | None
    dimensi: dict = field(default_factory=dict)
    basis: dict = field(default_factory=dict)  # key → (numerator, denominator)
    penilaian: dict = field(default_factory=dict)
    desa: list = field(default_factory=list)

    @property
    def tahun_acuan(self) -> int:
        return self.acuan.year

    def nilai(self, key: str):
        for values in self.dimensi.values():
            if key in values:
                return values[key]
        raise KeyError(key)

    def _core(self) -> dict:
        return {"wilayah": self.wilayah.kode, "nama": self.wilayah.nama,
                "tahun_acuan": self.tahun_acuan, "tanggal_acuan": self.acuan.isoformat(),
                "dimensi": self.dimensi}

    def as_dict(self) -> dict:
        data = self._core()
        if self.pada is not None:
            data["pada"] = timezone.localtime(self.pada).isoformat(timespec="seconds")
        data["penilaian"] = self.penilaian
        if self.wilayah.tingkat != Tingkat.DESA:
            data["desa"] = [{**d._core(), "penilaian": d.penilaian} for d in self.desa]
        return data


def _indicators(area: Wilayah, acuan, moment, h: Hitungan, forum: tuple[int, int] | None
                ) -> Hasil:
    """`forum`: above a village, (villages whose forum met, villages with active groups)."""
    result = Hasil(area, acuan, moment)
    basis = {
        Indikator.PMKS_DIDAMPINGI: (h.didampingi, h.kasus_buka),
        Indikator.PMKS_DIBANTU_12_BULAN: (h.dibantu, h.kasus_buka),
        Indikator.PERKUMPULAN_BERJEJARING: (h.berjejaring, h.aktif),
        Indikator.WARGA_DEWASA_ANGGOTA: (h.dewasa_anggota, h.dewasa),
        Indikator.KORBAN_KEKERASAN_DIDAMPINGI: (h.kekerasan_didampingi, h.kekerasan),
        Indikator.NILAI_GOTONG_ROYONG: (h.gotong_royong, h.aktif),
        Indikator.PRAKARSA_MASYARAKAT: (h.prakarsa, h.aktif),
    }
    values = {key: rounded(part, whole) for key, (part, whole) in basis.items()}
    values[Indikator.KATEGORI_TANPA_PENOLONG] = _helpers_missing(h)
    basis[Indikator.KATEGORI_TANPA_PENOLONG] = (values[Indikator.KATEGORI_TANPA_PENOLONG],
                                                len(h.kategori))
    per_1000 = h.penduduk and rounded(h.aktif_profil, h.penduduk, 1000)
    values[Indikator.PERKUMPULAN_PER_1000_WARGA] = per_1000 if h.penduduk else None
    basis[Indikator.PERKUMPULAN_PER_1000_WARGA] = (h.aktif_profil, h.penduduk)
    if forum is None:
        values[Indikator.FORUM_AKTIF] = int(h.forum_bertemu)
        basis[Indikator.FORUM_AKTIF] = (int(h.forum_bertemu), 1)
    else:
        values[Indikator.FORUM_AKTIF] = rounded(*forum)
        basis[Indikator.FORUM_AKTIF] = forum
    values[Indikator.DANA_KOMUNITAS_AKTIF] = len(h.dana)
    basis[Indikator.DANA_KOMUNITAS_AKTIF] = (len(h.dana), None)
    result.dimensi = {str(dim): {str(key): values[key] for key in keys}
                      for dim, keys in DIMENSI.items()}
    result.basis = {str(key): value for key, value in basis.items()}
    return result


def hitung(area: Wilayah, acuan: datetime.date | None = None,
           pada: datetime.datetime | None = None) -> Hasil:
    """The indicators of `area` at the reference date `acuan` (default: today, or the date of
    `pada`), from the registry as it stands or as it stood at `pada`; above a village, each
    village's too (`Hasil.desa`: the villages with active groups)."""
    moment = as_of(pada) if pada is not None else None
    if acuan is None:
        acuan = timezone.localtime(moment).date() if moment else timezone.localdate()
    places = _count(area, acuan, moment)
    village = area.tingkat == Tingkat.DESA
    total = Hitungan()
    for place in places.values():
        total.add(place)
        place.aktif_profil = place.aktif if place.penduduk else 0
        if place.penduduk:
            total.aktif_profil += place.aktif
            total.penduduk = (total.penduduk or 0) + place.penduduk
    if village:
        place = places.get(area.pk, Hitungan())
        place.aktif_profil = place.aktif if place.penduduk else 0
        total.penduduk, total.aktif_profil = place.penduduk, place.aktif_profil
        total.forum_bertemu = place.forum_bertemu
        total.berjejaring = place.berjejaring
        result = _indicators(area, acuan, moment, total, None)
        result.penilaian = penilaian(area, acuan)[0]
        return result
    # Above a village, a group is linked if it has an edge anywhere in the area's network.
    total.berjejaring += total.berjejaring_luar
    villages = {code: place for code, place in places.items()
                if code.count(".") == 3 and place.aktif}
    forum = (sum(1 for p in villages.values() if p.forum_bertemu), len(villages))
    result = _indicators(area, acuan, moment, total, forum)
    result.penilaian, per_village = penilaian(area, acuan)
    names = dict(Wilayah.objects.filter(pk__in=villages).values_list("pk", "nama"))
    for code in sorted(villages):
        desa = Wilayah(kode=code, nama=names.get(code, code), tingkat=Tingkat.DESA)
        one = _indicators(desa, acuan, moment, villages[code], None)
        one.penilaian = per_village.get(code) or penilaian_kosong()
        result.desa.append(one)
    return result


# Output ---------------------------------------------------------------------------------------
def label(key: str) -> str:
    return str(dict(Indikator.choices).get(key, key))


def dimension_label(key: str) -> str:
    return str(dict(Dimensi.choices).get(key, key))


def shown(value) -> str:
    """A value as a page or the text says it: comma decimals, "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def heading(hasil: Hasil) -> str:
    text = f"{hasil.wilayah.nama} ({hasil.wilayah.kode}), {hasil.acuan:%d-%m-%Y}"
    if hasil.pada is not None:
        text += " · " + str(_("as the registry stood on %(pada)s") % {
            "pada": formats.date_format(timezone.localtime(hasil.pada),
                                        "SHORT_DATETIME_FORMAT")})
    return text


def as_text(hasil: Hasil) -> str:
    lines = [str(_("Social resilience indicators")), heading(hasil), ""]
    for dim, keys in DIMENSI.items():
        lines.append(dimension_label(dim))
        for key in keys:
            lines.append(f"  {label(key):<44} {shown(hasil.nilai(key)):>10}")
        mean = hasil.penilaian.get(str(dim), {})
        if mean.get("responden"):
            lines.append(f"  {str(_('Assessed mean (1–5)')):<44} "
                         f"{shown(mean['rata_rata']):>10}  ({mean['responden']} "
                         f"{_('respondents')})")
        lines.append("")
    if hasil.desa:
        keys = [key for keys in DIMENSI.values() for key in keys]
        lines.append(str(_("Villages")))
        lines.append("\t".join(["kode", "desa", *keys]))
        for desa in hasil.desa:
            lines.append("\t".join([desa.wilayah.kode, desa.wilayah.nama,
                                    *(shown(desa.nilai(key)) for key in keys)]))
    return "\n".join(lines) + "\n"


def as_xlsx(hasil: Hasil, stream) -> None:
    """The indicators (one row each, with numerator and denominator), the assessed means, and
    above a village one row per village (registry.sheets: numbers as numbers, names as text)."""
    from openpyxl.styles import Font

    from registry import sheets

    book = sheets.Book()
    sheet = book.sheet("Indikator")
    sheet.append([str(_("Social resilience indicators"))], font=Font(bold=True))
    sheet.append([heading(hasil)])
    sheet.append(["dimensi", "indikator", "kunci", "nilai", "pembilang", "penyebut"],
                 font=Font(bold=True))
    for dim, keys in DIMENSI.items():
        for key in keys:
            part, whole = hasil.basis.get(str(key), (None, None))
            value = hasil.nilai(key)
            sheet.append([dimension_label(dim), label(key), str(key), value, part, whole],
                         number_formats=[None, None, None,
                                         "0.00" if isinstance(value, float) else None, None,
                                         None])
    sheet.worksheet.column_dimensions["B"].width = 40
    sheet = book.sheet("Penilaian")
    sheet.append(["dimensi", "rata_rata", "responden"], font=Font(bold=True))
    for dim in DIMENSI:
        mean = hasil.penilaian.get(str(dim), {})
        sheet.append([str(dim), mean.get("rata_rata"), mean.get("responden", 0)])
    if hasil.desa:
        keys = [str(key) for keys in DIMENSI.values() for key in keys]
        sheet = book.sheet("Desa")
        sheet.append(["kode", "desa", *keys], font=Font(bold=True))
        for desa in hasil.desa:
            sheet.append([desa.wilayah.kode, desa.wilayah.nama,
                          *(desa.nilai(key) for key in keys)])
    book.save(stream)
