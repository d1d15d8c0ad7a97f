"""Import benchmark of the survey workbook: a district file of 100,000 memberships.

The target (from the issue): a district file of 100,000 membership rows over 3,000 groups imports
in at most 2.5× the time openpyxl takes to read the same file in read-only mode (measured in the
same run); a re-import takes no longer than the first import; peak memory stays under 400 MB.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--groups 3000] [--database-url URL]

Run from the project root. Every step runs in a fresh Python process, so that no step's memory,
caches or loaded modules flatter the next:

1. make      the workbook, written with openpyxl (write-only) into a temporary folder: groups in
             the 15 kelurahan of Kota Cimahi (32.77), all 17 group types; memberships of about
             0.7 × rows distinct people (so many people are in several groups), one Ketua each;
2. setup     migrate, loaddata referensi, load_wilayah --prefix 32.77 on a fresh database: a
             temporary SQLite file by default, or the PostgreSQL database of --database-url, which
             the benchmark creates before and drops after (its name must contain "bench");
3. floor     openpyxl read-only (data_only, values_only) iterating every row of every sheet — the
             way the importer opens the file; read three times, before the import, between
             import and re-import, and after (a machine whose speed drifts during the run moves
             floor and import alike); the median is the floor;
4. import    `registry.workbook.run(path)` on the empty registry: no errors, everything created;
5. check     row counts and a digest of every imported row;
6. reimport  `workbook.run(path)` again: no errors, every row unchanged;
7. check     the digest must not have moved (an "unchanged" row that was written anyway moves it).

The file is stored the way Excel and LibreOffice save it (text in shared strings, a dimension per
sheet; see `save_as_excel_does`): what a district office uploads. `--file-form openpyxl` keeps
openpyxl's write-only output, which openpyxl reads 2–2.5× slower — a slower floor that flatters
the ratio.

Peak memory is the high-water mark of the resident set (VmHWM) of the import process, the larger
of import and re-import: the whole process (interpreter, Django, the import), not the database
server. It is read from /proc/self/status rather than getrusage(): on Linux a child's ru_maxrss
starts at its parent's (subprocess spawns with vfork), so ru_maxrss can report the parent's peak;
where /proc is missing, ru_maxrss it is.

Exit status: 0 when every target is met, 1 when a target is missed, 2 when the import is wrong
(errors, unexpected counts, a re-import that changed data) or a step fails.

`--profile DIR` runs the import and the re-import under cProfile and leaves DIR/import.prof and
DIR/reimport.prof (read with `python -m pstats`); the timings are then inflated and not gated.
"""

import argparse
import datetime
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from registry.validators import nik_prefix  # noqa: E402

TARGET_RATIO = 2.5
TARGET_PEAK_MB = 400
FLOOR_RUNS = 3
MARK = "BENCH-RESULT "
SEED = 20061

# The workbook ---------------------------------------------------------------------------------
# The 17 group types of seed 004: code, then the spellings a survey file may use for it.
JENIS = [
    ("DW", ["Dasa Wisma", "Dasawisma", "DW"]),
    ("POSYANDU", ["Posyandu", "POSYANDU"]),
    ("BKB", ["BKB", "Bina Keluarga Balita"]),
    ("KUBE", ["KUBE", "Kelompok Usaha Bersama"]),
    ("KT", ["Karang Taruna", "Pemuda/Karang Taruna", "Pemuda"]),
    ("KWT", ["KWT", "Kelompok Wanita Tani"]),
    ("PHBI", ["PHBI", "PBHI"]),
    ("PENGAJIAN", ["Pengajian", "Majelis Taklim"]),
    ("KPW", ["Paguyuban Warga", "KPW"]),
    ("BKL", ["BKL", "Bina Keluarga Lansia"]),
    ("BKR", ["BKR", "Bina Keluarga Remaja"]),
    ("LPM", ["LPM", "LKMD", "LPM/LKMD"]),
    ("PETA", ["Peta Keluarga", "PETA"]),
    ("R1KS", ["R/1/KS", "R1KS"]),
    ("R1SUB", ["R/1/SUB", "R1SUB"]),
    ("UP2KS", ["UP2KS"]),
    ("UP2K", ["UP2K"]),
]
TUJUAN = [
    "Kesejahteraan Anak", "Kesejahteraan Ibu dan Anak", "Kesejahteraan Lanjut Usia",
    "Peningkatan Penghasilan", "Integrasi Masyarakat/Kerukunan Warga", "Bantuan Sosial",
    "Pengajian", "Meningkatkan Iman dan Taqwa", "Meningkatkan Keterampilan", "Pelayanan Kesehatan",
]
SYARAT = ["Domisili", "Keterampilan", "Pendidikan", "Keturunan", "Tanpa Syarat"]
SUMBER_DANA = [
    "Iuran Anggota", "Sumbangan Masyarakat", "Bantuan Pemerintah", "Dunia Usaha/CSR", "Lainnya",
]
NILAI = ["Gotong Royong", "Membantu Warga Terkena Musibah", "Lainnya"]
# The activity list is open: "Kerja Bakti Bulanan" is not in it and is added by the first import.
KEGIATAN = [
    "Arisan", "Simpan Pinjam", "Tabungan", "Pengajian", "Gotong Royong", "Penimbangan Balita",
    "Pemeriksaan Kesehatan", "Penyuluhan Gizi", "Senam Lansia", "Rembug Warga", "Olahraga",
    "Kesenian", "Pelatihan Keterampilan", "Dana Kematian", "Jimpitan",
]
NEW_ACTIVITY = "Kerja Bakti Bulanan"
JARINGAN = ["Organisasi Sosial", "Pemerintah", "Tidak Ada"]
PRAKARSA = ["Masyarakat", "Pemerintah"]
# Each person keeps one spelling; several spellings of one level are used across people.
PENDIDIKAN = ["Tidak Sekolah", "SD", "Sekolah Dasar", "SMP", "SLTP", "SMA", "SLTA", "SMK",
              "Akademi/Perguruan Tinggi", "D3", "S1"]
MEN = ["Asep", "Dadang", "Ujang", "Cecep", "Iwan", "Agus", "Dede", "Yayat", "Endang", "Ade",
       "Budi", "Deden", "Hendra", "Jajang", "Kurnia", "Mamat", "Nana", "Rudi", "Tatang", "Wawan"]
WOMEN = ["Siti", "Euis", "Neneng", "Iis", "Yuyun", "Tati", "Enok", "Cucu", "Dewi", "Lilis",
         "Nining", "Popon", "Rina", "Sri", "Titin", "Wati", "Yani", "Nurhayati", "Ai", "Elis"]
FAMILY = ["Suryana", "Hidayat", "Saepudin", "Permana", "Kurniawan", "Sumarna", "Rahmat",
          "Supriatna", "Gunawan", "Setiawan", "Nurjaman", "Sopandi", "Hermawan", "Rohendi",
          "Mulyana", "Sutisna", "Komarudin", "Ruhiyat", "Hamdani", "Somantri"]

GROUP_HEADER = [
    "kode_perkumpulan", "kode_wilayah", "nama", "jenis", "rw", "rt", "tahun_berdiri", "tujuan",
    "jumlah_anggota", "syarat_keanggotaan", "masa_kepengurusan", "sumber_dana", "jaringan_kerja",
    "nilai_solidaritas", "kegiatan", "prakarsa", "aktif",
]
MEMBER_HEADER = [
    "kode_perkumpulan", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "pendidikan", "peran",
    "mulai_tahun",
]


def cimahi_villages() -> list[tuple[str, str]]:
    """The desa/kelurahan of Kota Cimahi (32.77) in the project's own area list."""
    import csv

    with open(ROOT / "fixtures" / "wilayah" / "villages.csv", newline="", encoding="utf-8") as f:
        return [(r["code"], r["name"]) for r in csv.DictReader(f) if r["code"].startswith("32.77.")]


def pick(rng: random.Random, values: list[str], low: int, high: int) -> str:
    return "; ".join(rng.sample(values, rng.randint(low, high)))


def make_people(rng: random.Random, count: int, this_year: int) -> list[tuple]:
    """(nik, name, sex, birth date, education) of `count` people with unique, valid NIKs."""
    kecamatan = ["327701", "327702", "327703"]
    first = datetime.date(1950, 1, 1).toordinal()
    last = datetime.date(min(2008, this_year - 17), 12, 31).toordinal()
    sequence: dict[str, int] = {}
    people = []
    for _ in range(count):
        sex = rng.choice("LP")
        born = datetime.date.fromordinal(rng.randint(first, last))
        prefix = nik_prefix(rng.choice(kecamatan), born, sex)
        sequence[prefix] = sequence.get(prefix, 0) + 1  # from 0001, unique per prefix
        nik = f"{prefix}{sequence[prefix]:04d}"
        given = rng.choice(MEN if sex == "L" else WOMEN)
        people.append((nik, f"{given} {rng.choice(FAMILY)}", sex, born, rng.choice(PENDIDIKAN)))
    return people


def make_workbook(
    path: Path, rows: int, groups: int, people_count: int, excel_form: bool = True
) -> dict:
    """Write the survey workbook; return what the import must find in it."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(SEED)
    this_year = datetime.date.today().year
    villages = cimahi_villages()
    people = make_people(rng, people_count, this_year)

    # Memberships: every group gets one row (its Ketua), the rest land on random groups; each
    # person is used once, then the remaining rows go to random people not yet in that group.
    group_of_slot = list(range(groups)) + [rng.randrange(groups) for _ in range(rows - groups)]
    person_of_slot = list(range(people_count)) + [None] * (rows - people_count)
    rng.shuffle(person_of_slot)
    members: list[list[int]] = [[] for _ in range(groups)]
    in_group: list[set[int]] = [set() for _ in range(groups)]
    slots = list(zip(group_of_slot, person_of_slot, strict=True))
    for g, p in slots:
        if p is not None:
            in_group[g].add(p)
    for g, p in slots:
        while p is None:
            p = rng.randrange(people_count)
            p = None if p in in_group[g] else p
        in_group[g].add(p)
        members[g].append(p)

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("perkumpulan")
    sheet.append(GROUP_HEADER)
    codes, founded = [], []
    m2m_rows = 0
    for g in range(groups):
        kode_wilayah, village = villages[g % len(villages)]
        jenis_code, spellings = JENIS[g % len(JENIS)]
        kode = f"CMI-{g % len(villages) + 1:02d}-{jenis_code}-{g + 1:05d}"
        year = rng.randint(1975, this_year - 1)
        syarat = pick(rng, SYARAT[:4], 1, 2) if rng.random() < 0.9 else "Tanpa Syarat"
        dana = pick(rng, SUMBER_DANA, 1, 3)
        nilai = pick(rng, NILAI[:2], 1, 2)
        kegiatan = pick(rng, KEGIATAN, 1, 3)
        if g % 50 == 7:
            kegiatan += f"; {NEW_ACTIVITY}"
        m2m_rows += sum(len(v.split("; ")) for v in (syarat, dana, nilai, kegiatan))
        codes.append(kode)
        founded.append(year)
        sheet.append([
            kode,
            kode_wilayah if g % 2 else kode_wilayah.replace(".", ""),  # dotted and plain
            f"{spellings[0]} {village} {g // len(villages) + 1}",
            spellings[g // len(JENIS) % len(spellings)],
            rng.randint(1, 20),
            rng.randint(1, 15) if rng.random() < 0.8 else None,
            year,
            rng.choice(TUJUAN) if rng.random() < 0.95 else None,
            len(members[g]) if rng.random() < 0.8 else None,
            syarat,
            rng.randint(1, 15),
            dana,
            rng.choice(JARINGAN),
            nilai,
            kegiatan,
            rng.choice(PRAKARSA),
            "Tidak" if rng.random() < 0.05 else "Ya",
        ])

    sheet = book.create_sheet("anggota")
    sheet.append(MEMBER_HEADER)
    for g, member_ids in enumerate(members):
        for position, p in enumerate(member_ids):
            nik, name, sex, born, pendidikan = people[p]
            nik_cell = WriteOnlyCell(sheet, value=nik)  # a text cell, formatted as text
            nik_cell.number_format = "@"
            sheet.append([
                codes[g],
                nik_cell,
                name,
                sex,
                born if p % 4 else None,  # an Excel date for three in four people
                pendidikan,
                "Ketua" if position == 0 else "Anggota",
                rng.randint(founded[g], this_year),
            ])
    if excel_form:
        raw = path.with_suffix(".openpyxl.xlsx")
        book.save(raw)
        save_as_excel_does(raw, path)
        raw.unlink()
    else:
        book.save(path)
    return {
        "groups": groups,
        "memberships": rows,
        "people": len({p for member_ids in members for p in member_ids}),
        "m2m_rows": m2m_rows,
        "file_bytes": path.stat().st_size,
    }


INLINE_CELL = re.compile(
    r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t( xml:space="preserve")?>(.*?)</t>'
    r"</is></c>",
    re.S,
)
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def save_as_excel_does(source: Path, target: Path) -> None:
    """Store an openpyxl write-only workbook the way Excel and LibreOffice save a survey: text in
    one shared-string table, and a <dimension> at the top of each sheet.

    openpyxl's write-only mode writes every text cell inline and no dimension. openpyxl's
    read-only mode then parses each sheet twice (once in search of the dimension) and builds an
    object per text cell: such a file reads 2–2.5× slower than the same data saved by Excel,
    which would flatter the ratio import/floor (the importer's own work does not grow with it).
    """
    import zipfile

    strings: dict[tuple[str, str], int] = {}
    used = 0

    def shared(match: re.Match) -> str:
        nonlocal used
        used += 1
        index = strings.setdefault((match.group(3) or "", match.group(4)), len(strings))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = INLINE_CELL.sub(shared, data.decode("utf-8"))
                last_row = text[text.rindex('<row r="') + 8 :].split('"', 1)[0]
                header = text[text.index("<row ") : text.index("</row>")]
                last_column = re.findall(r'<c r="([A-Z]+)1"', header)[-1]
                dimension = f'<dimension ref="A1:{last_column}{last_row}"/>'
                text = text.replace("<sheetViews>", dimension + "<sheetViews>", 1)
                data = text.encode("utf-8")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    f'<Override PartName="/xl/sharedStrings.xml" '
                    f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>').encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdBenchSST" Type="{SHARED_STRINGS_REL}" '
                    'Target="sharedStrings.xml"/></Relationships>').encode())
            zout.writestr(info, data)
        table = "".join(f"<si><t{space}>{value}</t></si>" for space, value in strings)
        zout.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{used}" uniqueCount="{len(strings)}">{table}</sst>'))
    # The same values must come out of both files.
    import openpyxl

    books = [openpyxl.load_workbook(f, read_only=True, data_only=True) for f in (source, target)]
    try:
        for before, after in zip(*(b.worksheets for b in books), strict=True):
            head = [list(s.iter_rows(max_row=500, values_only=True)) for s in (before, after)]
            if head[0] != head[1] or before.title != after.title:
                raise RuntimeError(f"sheet {before.title}: values differ after re-storing")
    finally:
        for book in books:
            book.close()


# Steps run in their own process ---------------------------------------------------------------
def peak_mb() -> tuple[float, float]:
    """(VmHWM, ru_maxrss) of this process in MB; VmHWM falls back to ru_maxrss without /proc."""
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sys.platform == "darwin":
        maxrss /= 1024  # bytes there, kilobytes on Linux
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024, maxrss
    except OSError:
        pass
    return maxrss, maxrss


def step_floor(path: str) -> dict:
    import openpyxl

    start = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = 0
    try:
        for sheet in book.worksheets:
            for _values in sheet.iter_rows(values_only=True):
                rows += 1
    finally:
        book.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows}


def step_import(path: str, profile: str | None) -> dict:
    import gc

    import django

    django.setup()
    from registry import workbook

    gc.collect()
    before, _maxrss = peak_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    imp = workbook.run(path)
    seconds = time.perf_counter() - start
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return {
        "seconds": seconds,
        "baseline_mb": before,
        "errors": [str(e) for e in imp.errors[:20]],
        "error_count": len(imp.errors),
        "warnings": [str(w) for w in imp.warnings[:5]],
        "warning_count": len(imp.warnings),
        "counts": {name: c.as_dict() for name, c in imp.counts.items()},
    }


def step_check() -> dict:
    """Row counts and a digest of every row the import writes (timestamps included)."""
    import hashlib

    import django

    django.setup()
    from members.models import Keanggotaan, PeranAnggota, Warga
    from registry.models import Daftar, Perkumpulan, Pilihan

    def digest(queryset, *fields) -> str:
        sha = hashlib.sha256()
        for values in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=5000):
            sha.update(repr(values).encode())
        return sha.hexdigest()

    current = Keanggotaan.objects.filter(selesai__isnull=True)
    m2m = {
        name: getattr(Perkumpulan, name).through.objects.count()
        for name in ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan")
    }
    throughs = [getattr(Perkumpulan, name).through for name in m2m]
    return {
        "groups": Perkumpulan.objects.count(),
        "people": Warga.objects.count(),
        "memberships": Keanggotaan.objects.count(),
        "current_memberships": current.count(),
        "chairs": current.filter(peran=PeranAnggota.KETUA).count(),
        "m2m_rows": sum(m2m.values()),
        "activities": Pilihan.objects.filter(daftar=Daftar.KEGIATAN).count(),
        "digest": {
            "perkumpulan": digest(Perkumpulan.objects.all(), *(
                f.attname for f in Perkumpulan._meta.concrete_fields)),
            "warga": digest(Warga.objects.all(), *(
                f.attname for f in Warga._meta.concrete_fields)),
            "keanggotaan": digest(Keanggotaan.objects.all(), *(
                f.attname for f in Keanggotaan._meta.concrete_fields)),
            "m2m": [digest(t.objects.all(), "perkumpulan_id", "pilihan_id") for t in throughs],
            "pilihan": digest(Pilihan.objects.all(), "pk", "daftar", "kode", "nama"),
        },
    }


def run_step(args) -> int:
    if args.step == "make":
        result = make_workbook(
            Path(args.file), args.rows, args.groups, args.people, args.file_form == "excel"
        )
    elif args.step == "floor":
        result = step_floor(args.file)
    elif args.step == "import":
        result = step_import(args.file, args.profile_file)
    elif args.step == "check":
        result = step_check()
    else:
        raise SystemExit(f"unknown step {args.step}")
    result["peak_mb"], result["ru_maxrss_mb"] = peak_mb()
    print(MARK + json.dumps(result), flush=True)
    return 0


# The conductor --------------------------------------------------------------------------------
class BenchFailure(Exception):
    pass


def child(env: dict, *argv: str) -> dict:
    """Run one step of this script in a fresh interpreter and return what it reports."""
    command = [sys.executable, str(Path(__file__).resolve()), *argv]
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode or not lines:
        sys.stdout.write(done.stdout)
        raise BenchFailure(f"step {' '.join(argv[:2])} failed (exit {done.returncode})")
    return json.loads(lines[-1][len(MARK):])


def manage(env: dict, *argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    if done.returncode:
        sys.stdout.write(done.stdout)
        raise BenchFailure(f"manage.py {' '.join(argv)} failed (exit {done.returncode})")


class Database:
    """A fresh database for the run: a SQLite file in the temporary folder, or a PostgreSQL
    database that is created here and dropped at the end."""

    def __init__(self, url: str | None, folder: Path):
        self.url = url or f"sqlite:///{folder / 'bench.sqlite3'}"
        self.parsed = urlparse(self.url)
        self.scheme = self.parsed.scheme
        self.name = unquote(self.parsed.path.lstrip("/"))
        self.created = False
        if self.scheme == "sqlite":
            # As the settings read it: sqlite:////tmp/x absolute, sqlite:///var/x in the project.
            self.name = unquote(self.parsed.path)[1:]
            if not self.name.startswith("/"):
                self.name = str(ROOT / self.name)
            self.label = "SQLite " + self.name
        elif self.scheme in ("postgres", "postgresql"):
            if "bench" not in self.name:
                raise BenchFailure(
                    f"PostgreSQL database {self.name!r}: the benchmark drops and re-creates its "
                    "database, so its name must contain 'bench'."
                )
            self.label = f"PostgreSQL {self.parsed.hostname}:{self.parsed.port or 5432}/{self.name}"
        else:
            raise BenchFailure(f"unsupported database URL {self.url!r}")

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host=self.parsed.hostname or None, port=self.parsed.port or None,
            user=unquote(self.parsed.username or "") or None,
            password=unquote(self.parsed.password or "") or None,
            dbname="postgres", autocommit=True,
        )

    def create(self) -> None:
        if self.scheme == "sqlite":
            if Path(self.name).exists():
                raise BenchFailure(f"{self.name} exists: the benchmark needs a fresh database.")
            self.created = True
            return
        from psycopg import sql

        with self._admin() as conn:
            name = sql.Identifier(self.name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
            version = conn.execute("SHOW server_version").fetchone()[0]
        self.label += f" (server {version})"
        self.created = True

    def drop(self) -> None:
        if not self.created:
            return
        if self.scheme == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            return
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )


def expect_counts(result: dict, label: str, expected: dict) -> list[str]:
    problems = []
    if result["error_count"]:
        errors = "; ".join(result["errors"])
        problems.append(f"{label}: {result['error_count']} error(s): {errors}")
    for sheet, counts in expected.items():
        got = result["counts"].get(sheet)
        if got != counts:
            problems.append(f"{label}: {sheet} counts {got}, expected {counts}")
    return problems


def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-bench-"))
    database = None
    try:
        database = Database(args.database_url, folder)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wksbm_site.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_DEBUG": "False",  # DEBUG keeps every query in memory
            "DATABASE_URL": database.url,
            "PYTHONHASHSEED": "0",
        }
        path = folder / "survey-district.xlsx"
        people = args.people or round(args.rows * 0.7)
        if not args.groups <= args.rows or not people <= args.rows:
            raise BenchFailure("need groups ≤ rows and people ≤ rows")
        say(f"Writing {path.name}: {args.groups:,} groups, {args.rows:,} memberships …")
        made = child(env, "--step", "make", "--file", str(path), "--rows", str(args.rows),
                     "--groups", str(args.groups), "--people", str(people),
                     "--file-form", args.file_form)
        made["form"] = args.file_form
        say(f"  {made['file_bytes'] / 1e6:.1f} MB, {made['people']:,} distinct people")

        say(f"Setting up {database.label} …")
        database.create()
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "loaddata", "referensi", "-v0")
        manage(env, "load_wilayah", "--prefix", "32.77")

        # The floor is read before the import, between import and re-import, and after: a
        # machine that slows down or speeds up during the run moves floor and import alike.
        floors = []

        def measure_floor() -> None:
            floors.append(child(env, "--step", "floor", "--file", str(path)))
            say(f"Floor {len(floors)}/{FLOOR_RUNS}: {floors[-1]['seconds']:.2f} s")

        def profile_to(name: str) -> list[str]:
            return ["--profile-file", str(Path(args.profile) / name)] if args.profile else []

        data_rows = made["groups"] + made["memberships"]
        measure_floor()
        if floors[0]["rows"] != data_rows + 2:
            raise BenchFailure(f"openpyxl read {floors[0]['rows']} rows, expected {data_rows + 2}")

        problems = []
        first = child(env, "--step", "import", "--file", str(path), *profile_to("import.prof"))
        say(f"Import: {first['seconds']:.2f} s")
        problems += expect_counts(first, "import", {
            "perkumpulan": {"created": made["groups"], "updated": 0, "unchanged": 0},
            "anggota": {"created": made["memberships"], "updated": 0, "unchanged": 0},
        })
        after_first = child(env, "--step", "check")
        for key in ("groups", "people", "memberships", "m2m_rows"):
            if after_first[key] != made[key]:
                problems.append(f"after import: {after_first[key]:,} {key}, expected {made[key]:,}")
        if after_first["chairs"] != made["groups"]:
            problems.append(f"after import: {after_first['chairs']} chairs for {made['groups']}")

        while len(floors) < FLOOR_RUNS - 1:
            measure_floor()
        second = child(env, "--step", "import", "--file", str(path), *profile_to("reimport.prof"))
        say(f"Re-import: {second['seconds']:.2f} s")
        problems += expect_counts(second, "re-import", {
            "perkumpulan": {"created": 0, "updated": 0, "unchanged": made["groups"]},
            "anggota": {"created": 0, "updated": 0, "unchanged": made["memberships"]},
        })
        after_second = child(env, "--step", "check")
        for key, value in after_first.items():
            if key not in ("peak_mb", "ru_maxrss_mb") and after_second[key] != value:
                problems.append(f"re-import changed the data: {key} differs")
        while len(floors) < FLOOR_RUNS:
            measure_floor()
        floor = statistics.median(f["seconds"] for f in floors)

        peak = max(first["peak_mb"], second["peak_mb"])
        ratio = first["seconds"] / floor
        again = second["seconds"] / first["seconds"]
        report(database.label, made, floors, floor, first, second, ratio, again, peak)

        for problem in problems:
            print(f"WRONG  {problem}")
        if problems:
            return 2
        if args.profile:
            print(f"Profiled (timings inflated, not gated): {args.profile}/import.prof, "
                  "reimport.prof")
            return 0
        missed = []
        if ratio > TARGET_RATIO:
            missed.append(f"import is {ratio:.2f}× the openpyxl floor (target ≤ {TARGET_RATIO}×)")
        if second["seconds"] > first["seconds"]:
            missed.append(f"re-import {second['seconds']:.2f} s > import {first['seconds']:.2f} s")
        if peak >= TARGET_PEAK_MB:
            missed.append(f"peak memory {peak:.0f} MB (target < {TARGET_PEAK_MB} MB)")
        for miss in missed:
            print(f"MISSED {miss}")
        if not missed:
            print(f"PASSED import ≤ {TARGET_RATIO}× floor, re-import ≤ import, "
                  f"peak < {TARGET_PEAK_MB} MB")
        return 1 if missed else 0
    except BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"Kept {folder} and {database.url if database else 'no database'}")
        else:
            if database:
                database.drop()
            shutil.rmtree(folder, ignore_errors=True)


def report(label, made, floors, floor, first, second, ratio, again, peak) -> None:
    data_rows = made["groups"] + made["memberships"]
    print()
    print(f"Database: {label}")
    print(f"File: {made['groups']:,} groups + {made['memberships']:,} memberships of "
          f"{made['people']:,} people, {made['file_bytes'] / 1e6:.1f} MB, stored "
          + ("as Excel saves it (shared strings, dimension)" if made["form"] == "excel"
             else "as openpyxl write-only leaves it (inline strings, no dimension)")
          + "; floor runs " + ", ".join(f"{f['seconds']:.2f}" for f in floors) + " s")
    header = ["rows", "floor s", "import s", "import/floor", "rows/s", "re-import s",
              "re-import/import", "peak MB"]
    values = [
        f"{made['memberships']:,}", f"{floor:.2f}", f"{first['seconds']:.2f}", f"{ratio:.2f}",
        f"{data_rows / first['seconds']:,.0f}", f"{second['seconds']:.2f}", f"{again:.2f}",
        f"{peak:.0f}",
    ]
    widths = [max(len(h), len(v)) for h, v in zip(header, values, strict=True)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    print(" | ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    print(f"rows = membership rows; rows/s = all {data_rows:,} data rows / import s; floor = "
          f"median of {len(floors)} openpyxl read-only passes; peak = VmHWM of the import process "
          f"(import {first['peak_mb']:.0f} MB, re-import {second['peak_mb']:.0f} MB; their "
          f"ru_maxrss {first['ru_maxrss_mb']:.0f} and {second['ru_maxrss_mb']:.0f} MB; Django "
          f"loaded {first['baseline_mb']:.0f} MB; floor {max(f['peak_mb'] for f in floors):.0f} "
          "MB); the database server is not counted.")
    if first["warning_count"] or second["warning_count"]:
        print(f"Warnings: {first['warning_count']} on import, e.g. " + "; ".join(first["warnings"]))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="membership rows (100,000)")
    parser.add_argument("--groups", type=int, default=3_000, help="groups (3,000)")
    parser.add_argument("--people", type=int, default=0,
                        help="distinct people (default 0.7 × rows)")
    parser.add_argument("--database-url", help="postgres://user@host:port/NAME_WITH_bench; "
                        "default a temporary SQLite file")
    parser.add_argument(
        "--file-form", choices=["excel", "openpyxl"], default="excel",
        help="excel (default): text in shared strings and a dimension per sheet, as Excel and "
        "LibreOffice save a file; openpyxl: as openpyxl's write-only mode leaves it (inline "
        "text, no dimension: read ~2.5x slower, which flatters the ratio)",
    )
    parser.add_argument("--profile", metavar="DIR",
                        help="profile import and re-import with cProfile into DIR (not gated)")
    parser.add_argument("--keep", action="store_true", help="keep the file and the database")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--profile-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        return run_step(args)
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        args.profile = str(Path(args.profile).resolve())
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
