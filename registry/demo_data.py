"""Synthetic demo data for any number of real villages, drawn from seed 004's distributions
(`manage.py generate_demo`).

The distributions are the ones `fixtures/build_demo.py` rebuilds Kelurahan Cibeureum's 2006
survey from (307 groups): the type mix of Table 1, each type's founding age (Table 1), size
(Table 3), working network (Table 5) and purposes (Table 2), the chairs' education (Table 4),
board terms, membership requirements and solidarity values from the text, the PMKS cases by
category, the government offices government-made groups report to, and the names. They are read
from that script (the project's one copy of the numbers), not copied here.

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
already registered there. The rows are written with the importer's bulk writer
(`workbook.insert_rows`: COPY on PostgreSQL, executemany in batches on SQLite) and their audit
history the way the importer writes it (`audit.record_inserted`, one INSERT … SELECT per table and
batch), stamped "Data demo (generate_demo --seed S)".

The generator writes every app's rows (groups, members, PMKS cases, links, forums), as the demo
workbook import (`load_demo`) does through the apps' sheet handlers.
"""

import datetime
import functools
import importlib.util
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from registry import rekap, validators
from registry.models import Daftar, JenisPerkumpulan, Perkumpulan, Pilihan, Tingkat, Wilayah
from registry.workbook import chunks, insert_rows

BUILD_DEMO = Path(settings.BASE_DIR) / "fixtures" / "build_demo.py"
GROUPS_PER_BATCH = 20_000  # one transaction; a batch holds whole villages (at least one)
REASON = "Data demo (generate_demo --seed {seed})"
ADULT_AGES = (17, 75)
# Seed 004's text, as fixtures/build_demo.py reads it: membership requirements of the 307 groups
# (domicile 272, 10 of them also descent; skills 13, education 15, descent alone 7), solidarity
# values (gotong royong 292, helping members hit by misfortune 260).
REQUIREMENTS = [(("DOMISILI", "KETURUNAN"), 10), (("DOMISILI",), 262), (("KETERAMPILAN",), 13),
                (("PENDIDIKAN",), 15), (("KETURUNAN",), 7)]
GOTONG_ROYONG = [(True, 292), (False, 15)]
MUSIBAH = [(True, 260), (False, 47)]
# Types whose members are mostly men (build_demo.py: the others are mostly women).
MOSTLY_MEN = {"KT", "KPW", "LPM", "PHBI"}
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
ACCOMPANIED = 0.5  # build_demo.py: about half the cases are accompanied by a group
REGISTERED = 0.5  # a case's person has a NIK (street people often have none)


@functools.cache
def seed_004():
    """fixtures/build_demo.py, loaded as a module (its constants are seed 004's tables)."""
    spec = importlib.util.spec_from_file_location("wksbm_build_demo", BUILD_DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    return smooth_order([(jenis, sum(ages)) for jenis, (ages, *_r) in seed_004().TYPES.items()])


def type_shares() -> dict[str, Fraction]:
    counts = {jenis: sum(ages) for jenis, (ages, *_r) in seed_004().TYPES.items()}
    total = sum(counts.values())
    return {jenis: Fraction(n, total) for jenis, n in counts.items()}


def cases_per_group() -> Fraction:
    """Seed 004's cases per group (35 PMKS in Cibeureum's 307 groups, fixtures/build_demo.py)."""
    module = seed_004()
    return Fraction(sum(n for _k, n in module.PMKS),
                    sum(sum(ages) for ages, *_r in module.TYPES.values()))


def office_templates() -> dict[str, tuple[str, str]]:
    """type -> (level, name template) of the government office that build_demo.py links the
    type's government-made groups to, with Cibeureum's names made placeholders."""
    found = {}
    for jenis, name in seed_004().GOVERNMENT_PARTNER.items():
        if "Kota Cimahi" in name:
            found[jenis] = ("kabupaten", name.replace("Kota Cimahi", "{kabupaten}"))
        elif "Kecamatan Cimahi Selatan" in name:
            found[jenis] = ("kecamatan", name.replace("Cimahi Selatan", "{kecamatan}"))
        elif "Kelurahan Cibeureum" in name:
            found[jenis] = ("desa", name.replace("Kelurahan Cibeureum", "{desa}"))
        else:
            found[jenis] = ("desa", name.replace("Cibeureum", "{nama_desa}"))
    return found


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
        from registry import access

        rows = rows.filter(access.within(area, "self"))
    return rows.order_by("kode").values_list("kode", flat=True)


def occupied(codes: list[str]) -> list[str]:
    """The villages among `codes` that already hold groups, PMKS cases or a forum."""
    from network.models import Forum
    from pmks.models import KasusPMKS

    found = set()
    for part in chunks(codes):
        for model in (Perkumpulan, KasusPMKS, Forum):
            found.update(model.objects.filter(desa__in=part).values_list("desa", flat=True)
                         .distinct())
    return sorted(found)


def clear(codes: list[str]) -> None:
    """Delete the villages' groups (with their members, links and lists), PMKS cases, forum,
    and the people living there whom nothing refers to any more. Through the ORM: every
    deletion is in the audit history and marks the recap stale."""
    from members.models import Keanggotaan, Warga
    from network.models import Forum, Hubungan, PengurusForum
    from pmks.models import KasusPMKS

    # Groups elsewhere linked to these lose a link: their villages' counts change too.
    rekap.mark_stale(Hubungan.objects.filter(mitra_perkumpulan__desa__in=codes)
                     .values_list("perkumpulan__desa", flat=True).distinct())
    KasusPMKS.objects.filter(desa__in=codes).delete()
    Forum.objects.filter(desa__in=codes).delete()
    Perkumpulan.objects.filter(desa__in=codes).delete()
    Warga.objects.filter(wilayah__in=codes).filter(
        ~Exists(Keanggotaan.objects.filter(warga=OuterRef("pk"))),
        ~Exists(KasusPMKS.objects.filter(warga=OuterRef("pk"))),
        ~Exists(PengurusForum.objects.filter(warga=OuterRef("pk"))),
    ).delete()


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


class Generator:
    """Plans and writes the demo data village batch by village batch (see the module's text)."""

    def __init__(self, seed: int, groups_per_village: int, members_per_group: int,
                 year: int):
        self.seed, self.m, self.k, self.year = seed, groups_per_village, members_per_group, year
        module = seed_004()
        self.module = module
        self.order = type_order()
        self.type_decks = {}
        for jenis, (ages, sizes, network, _gov) in module.TYPES.items():
            rows = list(zip(
                [True] * ages[0] + [False] * ages[1],
                spread([((6, 10), sizes[0]), ((11, 20), sizes[1]), ((21, 60), sizes[2])]),
                ["ORSOS"] * network[0] + ["PEMERINTAH"] * network[1],
                spread(module.PURPOSES[jenis]), strict=True))
            self.type_decks[jenis] = Deck(f"jenis-{jenis}", rows, seed)
        self.government = {jenis: gov for jenis, (*_r, gov) in module.TYPES.items()}
        self.chair_education = Deck("pendidikan", spread(module.CHAIR_EDUCATION), seed)
        self.terms = Deck("masa", spread(module.BOARD_TERMS), seed)
        self.requirements = Deck("syarat", spread(REQUIREMENTS), seed)
        self.gotong_royong = Deck("gotong-royong", spread(GOTONG_ROYONG), seed)
        self.musibah = Deck("musibah", spread(MUSIBAH), seed)
        self.offices = office_templates()
        self.type_seen = Counter()
        self.cases_rate = cases_per_group()
        # Reference rows, by code.
        self.jenis = dict(JenisPerkumpulan.objects.values_list("kode", "pk"))
        self.pilihan = {(d, k): pk for d, k, pk in Pilihan.objects.values_list(
            "daftar", "kode", "pk")}
        from pmks.models import KategoriPMKS, StatusKasus

        kategori = dict(KategoriPMKS.objects.values_list("kode", "pk"))
        weights = dict(module.PMKS)
        # Seed 004's cases by category, and every other category at least once in a pass.
        self.categories = Deck("kategori", spread(
            [(pk, weights.get(kode, 1)) for kode, pk in sorted(kategori.items())]), seed)
        self.statuses = Deck("status", StatusKasus.values, seed)
        self.helpers = defaultdict(set)
        for kat, jenis in KategoriPMKS.jenis_penolong.through.objects.values_list(
                "kategoripmks_id", "jenisperkumpulan__kode"):
            self.helpers[kat].add(jenis)
        from network.models import Mekanisme

        self.mechanisms = Deck("mekanisme", [m for m in Mekanisme.values if m != "LAINNYA"], seed)
        self.seconds = Counter()  # time spent planning, writing each table (with its history)…
        self._lock = threading.Lock()  # batches may be written by several threads at once
        self.sequences: dict[str, int] = {}  # NIK's first 12 digits -> last sequence used
        self.loaded_kecamatan: set[str] = set()

    # Planning ---------------------------------------------------------------------------
    def missing_reference(self) -> list[str]:
        """Reference codes the distributions need and the database lacks."""
        needed = [("jenis", j) for j in self.module.TYPES]
        needed += [(Daftar.TUJUAN, t) for plan in self.module.PURPOSES.values() for t, _n in plan]
        needed += [(Daftar.SYARAT, s) for combo, _n in REQUIREMENTS for s in combo]
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
        from members.models import Warga

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
        nama = f"{rng.choice(self.module.WOMEN if female else self.module.MEN)} " \
               f"{rng.choice(self.module.FAMILY)}"
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
        self.spent("plan", time.perf_counter() - clock)
        return batch

    def spent(self, step: str, seconds: float) -> None:
        with self._lock:
            self.seconds[step] += seconds

    def _plan_village(self, batch: Batch, village: Village, g: int, c: int) -> tuple[int, int]:
        module, year = self.module, self.year
        rng = random.Random(f"{self.seed}:{village.kode}")
        rw_count = max(1, min(30, round(self.m / 15)))
        plain = village.kode.replace(".", "")
        sequence = Counter()
        groups = []  # (kode, jenis, rw, jaringan, founded)
        residents: list[str] = []
        education = [e for e, _n in module.CHAIR_EDUCATION]
        education_weights = [n for _e, n in module.CHAIR_EDUCATION]
        for position in range(self.m):
            index = g + position
            jenis = self.order[index % len(self.order)]
            young, (low, high), jaringan, tujuan = self.type_decks[jenis][self.type_seen[jenis]]
            self.type_seen[jenis] += 1
            sequence[jenis] += 1
            seq = sequence[jenis]
            rw = (position % rw_count) + 1
            kode = f"DEMO-{plain}-{jenis}-{seq:04d}"
            flower = module.FLOWERS[rng.randrange(len(module.FLOWERS))]
            nama = f"{module.NAMES[jenis]} {flower} RW {rw:02d} {seq}"
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
            mostly_women = jenis not in MOSTLY_MEN
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
        self._plan_cases(batch, village, rng, groups, c, cases)
        self._plan_forum(batch, village, rng, groups)
        return g + self.m, c + cases

    def _office(self, village: Village, jenis: str) -> tuple[str, str]:
        level, template = self.offices.get(jenis, ("desa", "Kantor {desa}"))
        nama = template.format(
            kabupaten=village.kabupaten_nama, kecamatan=village.kecamatan_nama,
            desa=village.label, nama_desa=village.nama)
        area = {"kabupaten": village.kabupaten, "kecamatan": village.kecamatan,
                "desa": village.kode}[level]
        return nama, area

    def _plan_links(self, batch: Batch, village: Village, rng, groups) -> None:
        from network.models import BentukHubungan, JenisMitra

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
        from pmks.models import Respon, StatusKasus

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
                nama = f"{rng.choice(self.module.WOMEN if female else self.module.MEN)} " \
                       f"{rng.choice(self.module.FAMILY)}"
                base, n = nama, 1
                while (nama, kategori) in taken:
                    n += 1
                    nama = f"{base} ({n})"
                taken.add((nama, kategori))
            helper = None
            if rng.random() < ACCOMPANIED:
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
        members = [kode for kode, jenis, *_rest in groups
                   if jenis in ("LPM", "KPW", "KT", "POSYANDU", "PENGAJIAN")]
        chairs = {jenis: chair for _k, jenis, _rw, _j, chair in reversed(groups)}
        ketua = chairs.get("LPM", groups[0][4])
        sekretaris = chairs.get("KT") or chairs.get("KPW")
        formed = datetime.date(rng.randint(2005, self.year - 1), 1 + rng.randrange(12), 1)
        batch.forums.append((village.kode, f"WKSBM {village.label}",
                             self.mechanisms[village.index], formed, members,
                             [(ketua, "Ketua")] + ([(sekretaris, "Sekretaris")]
                                                  if sekretaris and sekretaris != ketua else []),
                             rng))

    # Writing ----------------------------------------------------------------------------
    def add_offices(self, batch: Batch) -> None:
        """Find the batch's outside partners by (name, area) and add the missing ones. Partners
        are shared by batches (a kabupaten's Dinas Sosial): run before the batch is written, by
        one thread at a time."""
        from network.models import Mitra

        areas = {area for _nama, area in batch.offices}

        def known():
            return {(n, w): pk for n, w, pk in Mitra.objects.filter(wilayah__in=areas)
                    .values_list("nama", "wilayah", "pk")}

        found = known()
        new = [(nama, jenis, area, "") for (nama, area), jenis in sorted(batch.offices.items())
               if (nama, area) not in found]
        if new:
            with transaction.atomic():  # (on SQLite, only then the write lock)
                insert_rows(Mitra, new)
            found = known()
        batch.office_ids = found

    def write(self, batch: Batch) -> Counter:
        """Write a planned batch (call inside a transaction and `audit.changes`); return the
        rows written per table, history included."""
        from members.models import Keanggotaan, Warga
        from network.models import (
            DanaKomunitas,
            Forum,
            Hubungan,
            JenisDana,
            JenisPertemuan,
            PengurusForum,
            PertemuanForum,
        )
        from pmks.models import Bantuan, KasusPMKS, RiwayatStatus, Rujukan, StatusKasus

        written = Counter()
        began = time.perf_counter()
        inserting = [0.0]

        def put(model, rows, history=False, fields=None):
            clock = time.perf_counter()
            insert_rows(model, rows, fields)
            seconds = time.perf_counter() - clock
            inserting[0] += seconds
            self.spent(model._meta.label, seconds)
            written[model._meta.label] += len(rows)
            if history:
                written["history"] += len(rows)

        codes = [v.kode for v in batch.villages]
        put(Perkumpulan, batch.groups, history=True)
        group_ids = dict(Perkumpulan.objects.filter(desa__in=codes).values_list("kode", "pk"))
        for relation, rows in batch.lists.items():
            put(getattr(Perkumpulan, relation).through,
                [(group_ids[kode], value) for kode, value in rows],
                fields=["perkumpulan", "pilihan"])
        put(Warga, batch.people, history=True)
        person_ids = dict(Warga.objects.filter(wilayah__in=codes).values_list("nik", "pk"))
        put(Keanggotaan, [(person_ids[nik], group_ids[kode], peran, mulai, None)
             for nik, kode, peran, mulai in batch.members], history=True)

        known = batch.office_ids
        put(Hubungan, [(group_ids[kode], group_ids[other] if other else None,
              known[office] if office else None, bentuk, "")
             for kode, other, office, bentuk in batch.links], history=True)

        put(KasusPMKS, [(person_ids[nik] if nik else None, nama, desa, rw, rt, alamat, kategori,
                         when, status, group_ids[helper] if helper else None, respon, "")
             for nik, nama, desa, rw, rt, alamat, kategori, when, status, helper, respon, _d
             in batch.cases], history=True)
        case_ids = {(d, n, k, w): pk for d, n, k, w, pk in KasusPMKS.objects.filter(
            desa__in=codes).values_list("desa", "nama", "kategori", "warga", "pk")}
        statuses, referrals, help_given = [], [], []
        for nik, nama, desa, _rw, _rt, _a, kategori, when, status, helper, _r, days in batch.cases:
            pk = case_ids[desa, nama, kategori, person_ids[nik] if nik else None]
            statuses.append((pk, when, None, StatusKasus.TERIDENTIFIKASI, ""))
            later = when + datetime.timedelta(days=days)
            if status != StatusKasus.TERIDENTIFIKASI:
                statuses.append((pk, later, None, status, ""))
            if status == StatusKasus.DIRUJUK:
                referrals.append((pk, later, None, "DINAS_SOSIAL", "", ""))
            if status in (StatusKasus.DITANGANI, StatusKasus.SELESAI):
                help_given.append((pk, later, None, "BARANG", "JIMPITAN", 100_000 + days * 5_000,
                                   group_ids[helper] if helper else None, ""))
        put(RiwayatStatus, statuses)
        put(Rujukan, referrals)
        put(Bantuan, help_given)

        put(Forum, [(desa, nama, mekanisme, formed, "")
             for desa, nama, mekanisme, formed, *_rest in batch.forums])
        forum_ids = dict(Forum.objects.filter(desa__in=codes).values_list("desa", "pk"))
        anggota, pengurus, meetings, funds = [], [], [], []
        for desa, _nama, _m, formed, members, leaders, rng in batch.forums:
            forum = forum_ids[desa]
            anggota += [(forum, group_ids[kode]) for kode in members]
            pengurus += [(forum, person_ids[nik], jabatan, formed, None)
                         for nik, jabatan in leaders]
            for month in (3, 9):
                meetings.append((forum, datetime.date(self.year - 1, month, 15),
                                 JenisPertemuan.RUTIN, rng.randint(10, 40),
                                 "Pertemuan rutin WKSBM"))
            for jenis in (JenisDana.DANA_KEMATIAN, JenisDana.JIMPITAN):
                collected = rng.randint(5, 60) * 100_000
                funds.append((forum, jenis, datetime.date(self.year - 1, 12, 31), collected,
                              collected * rng.randint(20, 90) // 100, ""))
        put(Forum.anggota.through, anggota, fields=["forum", "perkumpulan"])
        put(PengurusForum, pengurus)
        put(PertemuanForum, meetings)
        put(DanaKomunitas, funds)
        rekap.mark_stale(codes)
        self.spent("read back, mark", time.perf_counter() - began - inserting[0])
        return written


def load_villages(codes: list[str]) -> list[Village]:
    """The villages with their kecamatan's and kabupaten's names, in the order given."""
    rows = {kode: (nama, kec, kab) for kode, nama, kec, kab in Wilayah.objects.filter(
        kode__in=codes).values_list("kode", "nama", "kecamatan", "kabupaten")}
    names = dict(Wilayah.objects.filter(
        Q(pk__in={r[1] for r in rows.values()}) | Q(pk__in={r[2] for r in rows.values()})
    ).values_list("kode", "nama"))
    return [Village(kode, rows[kode][0], rows[kode][1], names[rows[kode][1]], rows[kode][2],
                    names[rows[kode][2]], index) for index, kode in enumerate(codes)]


def analyze() -> None:
    """Planner statistics after a bulk load (SQLite's ANALYZE; autovacuum's pass on PostgreSQL,
    done at once)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
