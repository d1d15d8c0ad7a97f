"""Synthetic demo data for any number of real villages, drawn from seed 004's distributions
(`manage.py generate_demo`).

The distributions are the ones `fixtures/build_demo.py` rebuilds Kelurahan Cibeureum's 2006
survey from (307 groups): the type mix of Table 1, each type's founding age (Table 1), size
(Table 3), working network (Table 5) and purposes (Table 2), the chairs' education (Table 4),
board terms, membership requirements and solidarity values from the text, the PMKS cases by
category, the government offices government-made groups report to, and the names. Both read
them from `demo.cibeureum` (the project's one copy of the numbers).

How the survey is spread over many villages:

- Types follow one fixed smooth order of the 307 groups (`smooth_order`): every prefix of the
  run, and so the run as a whole, holds each type within one group of its share; every 307
  consecutive groups hold exactly Table 1's counts.
- Within a type, the k-th group of the run takes the k-th entry of the type's survey rows
  (founding age, size bracket, network, purpose), shuffled anew on every pass through them with
  the seed (`Deck`): each pass reproduces the type's rows of Tables 1, 2, 3 and 5 exactly.
  The chairs' education, board terms, requirements and values do the same over all groups.
- Everything else (RW, RT, names, birth dates, sizes within a bracket, which groups link) comes
  from a random generator seeded with the seed and the village's code: a village's data does not
  depend on how the run was cut into batches.

People have valid NIKs: the kecamatan of the village they live in, their birth date DDMMYY (+40
for women) and a sequence from 0001 per kecamatan and birth date that continues after the NIKs
already registered there.

This module plans a batch of villages in memory (`Generator.plan` -> `Batch`): every app's rows
(groups, members, PMKS cases, links, forums), as the demo workbook import (`load_demo`) gets them
through the apps' sheet handlers. `demo.writer` writes a batch with the importer's bulk writer,
stamped "Data demo (generate_demo --seed S)".
"""

import datetime
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q

from demo import atas, bantuan, cibeureum, dana, keluarga, psks
from members.models import Warga
from network.models import BentukHubungan, JenisMitra, Mekanisme
from pmks.models import KategoriPMKS, Respon, StatusKasus
from registry import access, validators
from registry.models import Daftar, JenisPerkumpulan, Pilihan, Tingkat, Wilayah

GROUPS_PER_BATCH = 20_000  # one transaction; a batch holds whole villages (at least one)
REASON = "Data demo (generate_demo --seed {seed})"
ADULT_AGES = (17, 75)
# One activity beside the arisan every group holds (seed 004, section E).
ACTIVITY = {"POSYANDU": "TIMBANG_BALITA", "BKB": "GIZI", "BKL": "SENAM_LANSIA",
            "BKR": "PELATIHAN", "PENGAJIAN": "PENGAJIAN", "PHBI": "PENGAJIAN", "KT": "OLAHRAGA",
            "KPW": "REMBUG", "LPM": "REMBUG", "KUBE": "UEP", "KWT": "UEP", "UP2K": "UEP",
            "UP2KS": "UEP", "DW": "SIMPAN_PINJAM", "PETA": "SIMPAN_PINJAM",
            "R1KS": "KB", "R1SUB": "KB"}
ROLES = ["KETUA", "SEKRETARIS", "BENDAHARA", "WAKIL"]  # then ANGGOTA
SHARED_MEMBER = 0.2  # a member other than the chair is already in another group of the village
# Links beside the government-made groups' link upward (seed 004: hardly any between groups).
GROUP_LINKS = {"DW": ("KPW", 0.2), "KPW": ("LPM", 0.3), "PENGAJIAN": ("PHBI", 0.3)}
SAME_KIND = 0.25  # a government-made group also linked to one of its own kind ("sejenis")
OUTSIDE = 0.05  # another community group works with an outside social organisation
REGISTERED = 0.5  # a case's person has a NIK (street people often have none)


def spread(pairs) -> list:
    return [value for value, count in pairs for _ in range(count)]


def smooth_order(counts: list[tuple[object, int]]) -> list:
    """The values, each repeated by its count, in an order where every prefix holds each value
    within one of its share (Balinski and Young's quota method: among the values still below
    their upper quota, the one with the highest count per place already given comes next)."""
    total = sum(count for _value, count in counts)
    done = [0] * len(counts)
    order = []
    for step in range(1, total + 1):
        eligible = [i for i, (_v, count) in enumerate(counts) if done[i] * total < count * step]
        best = max(eligible, key=lambda i: (Fraction(counts[i][1], done[i] + 1), -i))
        done[best] += 1
        order.append(counts[best][0])
    return order


class Deck:
    """Values dealt in turn, shuffled anew (with the seed) on every pass: any pass holds each
    value exactly as often as the list does."""

    def __init__(self, name: str, values: list, seed: int):
        self.name, self.values, self.seed = name, list(values), seed
        self._pass, self._order = None, self.values

    def __getitem__(self, k: int):
        number, i = divmod(k, len(self.values))
        if number != self._pass:
            self._order = self.values[:]
            random.Random(f"{self.seed}:{self.name}:{number}").shuffle(self._order)
            self._pass = number
        return self._order[i]


def type_order() -> list[str]:
    return smooth_order([(jenis, sum(ages)) for jenis, (ages, *_r) in cibeureum.TYPES.items()])


def type_shares() -> dict[str, Fraction]:
    counts = {jenis: sum(ages) for jenis, (ages, *_r) in cibeureum.TYPES.items()}
    total = sum(counts.values())
    return {jenis: Fraction(n, total) for jenis, n in counts.items()}


def cases_per_group() -> Fraction:
    """Seed 004's cases per group (35 PMKS in Cibeureum's 307 groups)."""
    return Fraction(sum(n for _k, n in cibeureum.PMKS),
                    sum(sum(ages) for ages, *_r in cibeureum.TYPES.values()))


def office_templates() -> dict[str, tuple[str, str]]:
    """type -> (level, name template) of the government office seed 004 links the
    type's government-made groups to, with Cibeureum's names made placeholders."""
    found = {}
    for jenis, name in cibeureum.GOVERNMENT_PARTNER.items():
        if "Kota Cimahi" in name:
            found[jenis] = ("kabupaten", name.replace("Kota Cimahi", "{kabupaten}"))
        elif "Kecamatan Cimahi Selatan" in name:
            found[jenis] = ("kecamatan", name.replace("Cimahi Selatan", "{kecamatan}"))
        elif "Kelurahan Cibeureum" in name:
            found[jenis] = ("desa", name.replace("Kelurahan Cibeureum", "{desa}"))
        else:
            found[jenis] = ("desa", name.replace("Cibeureum", "{nama_desa}"))
    return found


# The group types a village's WKSBM forum gathers (LPM, PKK, Karang Taruna, Posyandu, Pengajian).
FORUM_TYPES = ("LPM", "KPW", "KT", "POSYANDU", "PENGAJIAN")


@dataclass
class Village:
    kode: str
    nama: str
    kecamatan: str
    kecamatan_nama: str
    kabupaten: str
    kabupaten_nama: str
    index: int  # its place in the run

    @property
    def label(self) -> str:
        return ("Kelurahan " if self.kode.split(".")[3].startswith("1") else "Desa ") + self.nama


def villages_within(area: Wilayah | None) -> "list[str]":
    """The codes of the desa/kelurahan within an area (every one without), in code order."""
    rows = Wilayah.objects.filter(tingkat=Tingkat.DESA)
    if area is not None:
        rows = rows.filter(access.within(area, "self"))
    return rows.order_by("kode").values_list("kode", flat=True)


@dataclass
class Batch:
    """The rows of some villages, planned in memory before they are written."""

    villages: list[Village]
    groups: list[tuple] = field(default_factory=list)
    lists: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    people: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)  # (nik, kode, peran, mulai)
    links: list[tuple] = field(default_factory=list)  # (kode, kode or None, office key, bentuk)
    offices: dict[tuple[str, str], str] = field(default_factory=dict)  # (nama, wilayah) -> jenis
    office_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    cases: list[tuple] = field(default_factory=list)
    forums: list[tuple] = field(default_factory=list)
    rw_forums: list[tuple] = field(default_factory=list)
    households: keluarga.Plan = field(default_factory=keluarga.Plan)  # KK: demo.keluarga
    funds: list[tuple] = field(default_factory=list)  # the groups' own (demo.dana)
    above_ids: dict[str, int] = field(default_factory=dict)  # the kecamatans' BKB (demo.atas)
    welfare: psks.Plan = field(default_factory=psks.Plan)  # PSM, TKSK, training: demo.psks
    aid: bantuan.Plan = field(default_factory=bantuan.Plan)  # programmes, help: demo.bantuan


class Generator:
    """Plans the demo data village batch by village batch (see the module's text);
    `demo.writer` writes each batch."""

    def __init__(self, seed: int, groups_per_village: int, members_per_group: int,
                 year: int):
        self.seed, self.m, self.k, self.year = seed, groups_per_village, members_per_group, year
        self.order = type_order()
        self.type_decks = {}
        for jenis, (ages, sizes, network, _gov) in cibeureum.TYPES.items():
            rows = list(zip(
                [True] * ages[0] + [False] * ages[1],
                spread([((6, 10), sizes[0]), ((11, 20), sizes[1]), ((21, 60), sizes[2])]),
                ["ORSOS"] * network[0] + ["PEMERINTAH"] * network[1],
                spread(cibeureum.PURPOSES[jenis]), strict=True))
            self.type_decks[jenis] = Deck(f"jenis-{jenis}", rows, seed)
        self.government = {jenis: gov for jenis, (*_r, gov) in cibeureum.TYPES.items()}
        self.chair_education = Deck("pendidikan", spread(cibeureum.CHAIR_EDUCATION), seed)
        self.terms = Deck("masa", spread(cibeureum.BOARD_TERMS), seed)
        self.requirements = Deck("syarat", spread(cibeureum.REQUIREMENTS), seed)
        self.gotong_royong = Deck("gotong-royong", spread(cibeureum.GOTONG_ROYONG), seed)
        self.musibah = Deck("musibah", spread(cibeureum.MUSIBAH), seed)
        self.offices = office_templates()
        self.type_seen = Counter()
        self.cases_rate = cases_per_group()
        # Reference rows, by code.
        self.jenis = dict(JenisPerkumpulan.objects.values_list("kode", "pk"))
        self.pilihan = {(d, k): pk for d, k, pk in Pilihan.objects.values_list(
            "daftar", "kode", "pk")}
        kategori = dict(KategoriPMKS.objects.values_list("kode", "pk"))
        weights = dict(cibeureum.PMKS)
        # Seed 004's cases by category, and every other category at least once in a pass.
        self.categories = Deck("kategori", spread(
            [(pk, weights.get(kode, 1)) for kode, pk in sorted(kategori.items())]), seed)
        self.statuses = Deck("status", StatusKasus.values, seed)
        self.helpers = defaultdict(set)
        for kat, jenis in KategoriPMKS.jenis_penolong.through.objects.values_list(
                "kategoripmks_id", "jenisperkumpulan__kode"):
            self.helpers[kat].add(jenis)
        self.mechanisms = Deck("mekanisme", [m for m in Mekanisme.values if m != "LAINNYA"], seed)
        self.seconds = Counter()  # time spent planning, writing each table (with its history)…
        self._lock = threading.Lock()  # batches may be written by several threads at once
        self.sequences: dict[str, int] = {}  # NIK's first 12 digits -> last sequence used
        self.loaded_kecamatan: set[str] = set()
        self.tksk_planned: set[str] = set()  # kecamatans given a TKSK by this run (demo.psks)

    # Planning ---------------------------------------------------------------------------
    def missing_reference(self) -> list[str]:
        """Reference codes the distributions need and the database lacks."""
        needed = [("jenis", j) for j in cibeureum.TYPES]
        needed += [(Daftar.TUJUAN, t) for plan in cibeureum.PURPOSES.values() for t, _n in plan]
        needed += [(Daftar.SYARAT, s) for combo, _n in cibeureum.REQUIREMENTS for s in combo]
        needed += [(Daftar.KEGIATAN, a) for a in {*ACTIVITY.values(), "ARISAN"}]
        needed += [(Daftar.SUMBER_DANA, f) for f in ("IURAN", "SUMBANGAN", "PEMERINTAH")]
        needed += [(Daftar.NILAI, v) for v in ("GOTONG_ROYONG", "MUSIBAH")]
        missing = [f"{d}:{k}" for d, k in needed
                   if (k not in self.jenis if d == "jenis" else (d, k) not in self.pilihan)]
        return sorted(set(missing))

    def nik(self, village: Village, born: datetime.date, female: bool) -> str:
        kecamatan = village.kecamatan.replace(".", "")
        if kecamatan not in self.loaded_kecamatan:
            self._load_sequences(kecamatan)
        head = validators.nik_prefix(kecamatan, born, "P" if female else "L")
        sequence = self.sequences.get(head, 0) + 1
        if sequence > 9999:
            raise OverflowError(head)
        self.sequences[head] = sequence
        return f"{head}{sequence:04d}"

    def _load_sequences(self, kecamatan: str) -> None:
        """The sequences already used in a kecamatan (an indexed range of the unique NIKs)."""
        for nik in Warga.objects.filter(nik__gte=kecamatan, nik__lt=kecamatan + ":").values_list(
                "nik", flat=True).iterator(chunk_size=10_000):
            if len(nik) == 16 and nik[12:].isdigit():
                head, sequence = nik[:12], int(nik[12:])
                if sequence > self.sequences.get(head, 0):
                    self.sequences[head] = sequence
        self.loaded_kecamatan.add(kecamatan)

    def person(self, rng, batch: Batch, village: Village, female: bool, pendidikan: str,
               rw: int) -> tuple[str, str]:
        """A new resident of the village: (NIK, name)."""
        low, high = ADULT_AGES
        born = datetime.date(self.year, 1, 1) - datetime.timedelta(
            days=rng.randint(low * 365, high * 365))
        nik = self.nik(village, born, female)
        nama = f"{rng.choice(cibeureum.WOMEN if female else cibeureum.MEN)} " \
               f"{rng.choice(cibeureum.FAMILY)}"
        rt = rng.randint(1, 8)
        batch.people.append((nik, nama, "P" if female else "L", born, pendidikan, village.kode,
                             rw, rt, f"RT {rt:03d} RW {rw:03d}, {village.label}"))
        return nik, nama

    def plan(self, villages: list[Village], first_group: int, first_case: int) -> Batch:
        clock = time.perf_counter()
        batch = Batch(villages)
        g, c = first_group, first_case
        for village in villages:
            g, c = self._plan_village(batch, village, g, c)
        psks.plan_tksk(batch.welfare, self.tksk_planned)
        self.spent("plan", time.perf_counter() - clock)
        return batch

    def spent(self, step: str, seconds: float) -> None:
        with self._lock:
            self.seconds[step] += seconds

    def _plan_village(self, batch: Batch, village: Village, g: int, c: int) -> tuple[int, int]:
        year = self.year
        rng = random.Random(f"{self.seed}:{village.kode}")
        rw_count = max(1, min(30, round(self.m / 15)))
        plain = village.kode.replace(".", "")
        sequence = Counter()
        groups = []  # (kode, jenis, rw, jaringan, founded)
        residents: list[str] = []
        first_person, first_member = len(batch.people), len(batch.members)
        education = [e for e, _n in cibeureum.CHAIR_EDUCATION]
        education_weights = [n for _e, n in cibeureum.CHAIR_EDUCATION]
        for position in range(self.m):
            index = g + position
            jenis = self.order[index % len(self.order)]
            young, (low, high), jaringan, tujuan = self.type_decks[jenis][self.type_seen[jenis]]
            self.type_seen[jenis] += 1
            sequence[jenis] += 1
            seq = sequence[jenis]
            rw = (position % rw_count) + 1
            kode = f"DEMO-{plain}-{jenis}-{seq:04d}"
            flower = cibeureum.FLOWERS[rng.randrange(len(cibeureum.FLOWERS))]
            nama = f"{cibeureum.NAMES[jenis]} {flower} RW {rw:02d} {seq}"
            age = rng.randint(0, 9) if young else rng.randint(10, 40)
            term_low, term_high = self.terms[index]
            masa = rng.randint(term_low, term_high)
            by_government = self.government[jenis]
            batch.groups.append((
                kode, nama, self.jenis[jenis], village.kode, rw, rng.randint(1, 8), year - age,
                self.pilihan[Daftar.TUJUAN, tujuan], max(rng.randint(low, high), self.k), masa,
                jaringan, "PEMERINTAH" if by_government else "MASYARAKAT", True))
            for syarat in self.requirements[index]:
                batch.lists["syarat_keanggotaan"].append(
                    (kode, self.pilihan[Daftar.SYARAT, syarat]))
            funds = ["IURAN", "SUMBANGAN"] + (["PEMERINTAH"] if by_government else [])
            for fund in funds:
                batch.lists["sumber_dana"].append((kode, self.pilihan[Daftar.SUMBER_DANA, fund]))
            for value, present in (("GOTONG_ROYONG", self.gotong_royong[index]),
                                   ("MUSIBAH", self.musibah[index])):
                if present:
                    batch.lists["nilai_solidaritas"].append(
                        (kode, self.pilihan[Daftar.NILAI, value]))
            for activity in ("ARISAN", ACTIVITY[jenis]):
                batch.lists["kegiatan"].append((kode, self.pilihan[Daftar.KEGIATAN, activity]))
            # The board and members: a new chair (Table 4's education), the others new or,
            # one time in five, someone already in another group of the village.
            start_year = max(year - age, year - masa)
            started = datetime.date(start_year, 1 + rng.randrange(12) if start_year < year else 1,
                                    1)
            mostly_women = jenis not in cibeureum.MOSTLY_MEN
            in_group = set()
            chair = None
            for number in range(self.k):
                peran = ROLES[number] if number < len(ROLES) else "ANGGOTA"
                nik = None
                if number and residents and rng.random() < SHARED_MEMBER:
                    nik = residents[rng.randrange(len(residents))]
                    if nik in in_group:
                        nik = None
                if nik is None:
                    female = mostly_women or rng.random() < 0.3
                    schooling = (self.chair_education[index] if number == 0 else
                                 rng.choices(education, education_weights)[0])
                    nik, _nama = self.person(rng, batch, village, female, schooling, rw)
                    residents.append(nik)
                in_group.add(nik)
                chair = chair or nik
                batch.members.append((nik, kode, peran, started))
            groups.append((kode, jenis, rw, jaringan, chair))
        self._plan_links(batch, village, rng, groups)
        cases = int(self.cases_rate * (g + self.m)) - int(self.cases_rate * g)
        first_case_row, first_kk = len(batch.cases), len(batch.households.households)
        self._plan_cases(batch, village, rng, groups, c, cases)
        self._plan_forum(batch, village, rng, groups)
        keluarga.plan(batch, village, self.seed, batch.people[first_person:], groups)
        self._plan_aid(batch, village, groups, first_person, first_case_row, first_kk)
        dana.plan(batch.funds, groups, ACTIVITY, year, self.seed)
        atas.plan(batch.links, village, groups)
        psks.plan(batch.welfare, village, groups, batch.members[first_member:])
        return g + self.m, c + cases

    def _plan_aid(self, batch: Batch, village: Village, groups, first_person: int,
                  first_case_row: int, first_kk: int) -> None:
        """The village's aid (demo.bantuan) from its planned households, people, groups and
        cases (keyed by village, name, category and NIK, as the writer reads them back)."""
        cases = [((desa, nama, kategori, nik), nik, status, when, days, helper)
                 for nik, nama, desa, _rw, _rt, _a, kategori, when, status, helper, _r, days
                 in batch.cases[first_case_row:]]
        bantuan.plan_village(
            batch.aid, village.kode, village.kabupaten, village.kabupaten_nama, self.year,
            self.seed, [kk[0] for kk in batch.households.households[first_kk:]],
            [person[0] for person in batch.people[first_person:]],
            bantuan.offered([(kode, jenis) for kode, jenis, *_rest in groups]), cases)

    def _office(self, village: Village, jenis: str) -> tuple[str, str]:
        level, template = self.offices.get(jenis, ("desa", "Kantor {desa}"))
        nama = template.format(
            kabupaten=village.kabupaten_nama, kecamatan=village.kecamatan_nama,
            desa=village.label, nama_desa=village.nama)
        area = {"kabupaten": village.kabupaten, "kecamatan": village.kecamatan,
                "desa": village.kode}[level]
        return nama, area

    def _plan_links(self, batch: Batch, village: Village, rng, groups) -> None:
        by_type = defaultdict(list)
        for kode, jenis, rw, _j, _m in groups:
            by_type[jenis].append((kode, rw))
        outside = (f"Yayasan Sosial Kecamatan {village.kecamatan_nama}", village.kecamatan)
        for kode, jenis, rw, jaringan, _members in groups:
            if jaringan == "PEMERINTAH":
                office = self._office(village, jenis)
                batch.offices[office] = JenisMitra.PEMERINTAH
                batch.links.append((kode, None, office, BentukHubungan.BERJENJANG))
                kin = [k for k, _rw in by_type[jenis] if k != kode]
                if kin and rng.random() < SAME_KIND:
                    batch.links.append((kode, rng.choice(kin), None, BentukHubungan.SEJENIS))
            elif jenis in GROUP_LINKS and rng.random() < GROUP_LINKS[jenis][1]:
                partners = by_type[GROUP_LINKS[jenis][0]]
                near = [k for k, partner_rw in partners if partner_rw == rw] or [
                    k for k, _rw in partners]
                if near:
                    batch.links.append((kode, near[0], None, BentukHubungan.KOORDINASI))
            elif rng.random() < OUTSIDE:
                batch.offices[outside] = JenisMitra.ORGANISASI_SOSIAL
                batch.links.append((kode, None, outside, BentukHubungan.BERBAGI))

    def _plan_cases(self, batch: Batch, village: Village, rng, groups, first: int,
                    count: int) -> None:
        by_type = defaultdict(list)
        for kode, jenis, rw, _j, _m in groups:
            by_type[jenis].append((kode, rw))
        rw_count = max(rw for _k, _j, rw, _n, _m in groups)
        taken = set()
        for c in range(first, first + count):
            kategori, status = self.categories[c], self.statuses[c]
            rw, rt = rng.randint(1, rw_count), rng.randint(1, 8)
            nik = None
            if rng.random() < REGISTERED:
                female = rng.random() < 0.5
                nik, nama = self.person(rng, batch, village, female, "", rw)
            else:
                female = rng.random() < 0.5
                nama = f"{rng.choice(cibeureum.WOMEN if female else cibeureum.MEN)} " \
                       f"{rng.choice(cibeureum.FAMILY)}"
                base, n = nama, 1
                while (nama, kategori) in taken:
                    n += 1
                    nama = f"{base} ({n})"
                taken.add((nama, kategori))
            helper = None
            if rng.random() < cibeureum.ACCOMPANIED:
                able = [k for j in sorted(self.helpers[kategori]) for k, _rw in by_type[j]]
                near = [k for k, group_rw in by_type["DW"] if group_rw == rw]
                choices = able or near or [kode for kode, *_rest in groups]
                helper = rng.choice(choices)
            identified = datetime.date(self.year - 1, 1, 1) + datetime.timedelta(
                days=rng.randrange(300))
            respon = {StatusKasus.MENOLAK: Respon.MERASA_MAMPU,
                      StatusKasus.SELESAI: Respon.BERSYUKUR,
                      StatusKasus.DITANGANI: rng.choice([Respon.BERSYUKUR,
                                                         Respon.BANTUAN_RUTIN])}.get(status, "")
            batch.cases.append((nik, nama, village.kode, rw, rt,
                                f"RT {rt:03d} RW {rw:03d}, {village.label}", kategori,
                                identified, status, helper, respon, rng.randint(1, 60)))

    def _plan_forum(self, batch: Batch, village: Village, rng, groups) -> None:
        members = [kode for kode, jenis, *_rest in groups if jenis in FORUM_TYPES]
        chairs = {jenis: chair for _k, jenis, _rw, _j, chair in reversed(groups)}
        ketua = chairs.get("LPM", groups[0][4])
        sekretaris = chairs.get("KT") or chairs.get("KPW")
        formed = datetime.date(rng.randint(2005, self.year - 1), 1 + rng.randrange(12), 1)
        batch.forums.append((village.kode, f"WKSBM {village.label}",
                             self.mechanisms[village.index], formed, members,
                             [(ketua, "Ketua")] + ([(sekretaris, "Sekretaris")]
                                                  if sekretaris and sekretaris != ketua else []),
                             rng))
        # A WKSBM works at RT, RW, dukuh or village level (seed 003, Kedudukan): a forum of RW 1
        # too, of the groups there, led by the chair of the first (no draw: the village's other
        # data stay as the seed makes them).
        rw_groups = [(kode, chair) for kode, _jenis, rw, _j, chair in groups if rw == 1]
        if rw_groups:
            batch.rw_forums.append((village.kode, 1, f"WKSBM RW 01 {village.label}",
                                    self.mechanisms[village.index], formed,
                                    [kode for kode, _chair in rw_groups], rw_groups[0][1]))

def load_villages(codes: list[str]) -> list[Village]:
    """The villages with their kecamatan's and kabupaten's names, in the order given."""
    rows = {kode: (nama, kec, kab) for kode, nama, kec, kab in Wilayah.objects.filter(
        kode__in=codes).values_list("kode", "nama", "kecamatan", "kabupaten")}
    names = dict(Wilayah.objects.filter(
        Q(pk__in={r[1] for r in rows.values()}) | Q(pk__in={r[2] for r in rows.values()})
    ).values_list("kode", "nama"))
    return [Village(kode, rows[kode][0], rows[kode][1], names[rows[kode][1]], rows[kode][2],
                    names[rows[kode][2]], index) for index, kode in enumerate(codes)]
