"""The harness the benchmarks share: running a step in a fresh process, a fresh database, timing,
printing the tables and the verdict, and the data several benchmarks build (the survey
workbook's vocabulary, a city of seeded groups and PMKS cases).

Each benchmark script imports from here and from no other script.
"""

import argparse
import datetime
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from registry.validators import nik_prefix

ROOT = Path(__file__).resolve().parent.parent

MARK = "BENCH-RESULT "
CITY = "32.77"  # Kota Cimahi
PAGE_RUNS = 5
CITY_SEED = 20062
TAHUN_ACUAN = 2026  # the recap year: no seeded group is founded after it
CASES_PER_GROUP = 0.12  # seed 004: 35 PMKS cases in Cibeureum's 300 groups
# The district file the load benchmark imports beside its traffic (and the scale benchmark once).
IMPORT_AREA = "32.73.01"  # Kecamatan Sukasari, Kota Bandung
IMPORT_VILLAGE = ("32.73.01.1001", "Sukarasa")


class BenchFailure(Exception):
    pass


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Processes ------------------------------------------------------------------------------------
def child(env: dict, *argv: str, script: str) -> dict:
    """Run a step of a benchmark script in a fresh process; return the JSON it printed."""
    command = [sys.executable, str(Path(script).resolve()), *argv]
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode or not lines:
        sys.stdout.write(done.stdout)
        raise BenchFailure(f"step {' '.join(argv)} failed (exit {done.returncode})")
    return json.loads(lines[-1][len(MARK):])


def manage(env: dict, *argv: str, code: Path = ROOT) -> None:
    """Run manage.py of the checkout `code` (this one by default); fail with its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=code, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    if done.returncode:
        sys.stdout.write(done.stdout)
        raise BenchFailure(f"manage.py {' '.join(argv)} failed (exit {done.returncode})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


# The database ---------------------------------------------------------------------------------
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


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """The --database-url option every benchmark takes."""
    parser.add_argument("--database-url", help="postgres://user@host:port/NAME_WITH_bench; "
                        "default a temporary SQLite file")


def in_fresh_database(args, prefix: str, work: Callable[..., int]) -> int:
    """Run `work(args, folder, database)` in a temporary folder on a fresh database of
    --database-url; print FAILED and return 2 on a BenchFailure. With --keep both stay, else
    they are dropped and removed."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    database = None
    try:
        database = Database(args.database_url, folder)
        return work(args, folder, database)
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


def bench_env(database: Database, **extra: str) -> dict:
    """The environment a benchmark's steps and commands run in: production settings (DEBUG
    keeps every query in memory) on the run's own database and secret key."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wksbm_site.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_DEBUG": "False",
        "DATABASE_URL": database.url,
        "PYTHONHASHSEED": "0",
        **extra,
    }


def set_up(database: Database, env: dict, code: Path = ROOT) -> None:
    """Create the fresh database with the schema, the reference lists and Kota Cimahi's areas."""
    database.create()
    manage(env, "migrate", "--no-input", "-v0", code=code)
    manage(env, "loaddata", "referensi", "-v0", code=code)
    manage(env, "load_wilayah", "--prefix", CITY, code=code)


def city_database(database: Database) -> dict:
    """`set_up` the fresh database for steps that use Django's test client; return the
    environment they run in."""
    env = bench_env(database, DJANGO_ALLOWED_HOSTS="testserver")
    set_up(database, env)
    return env


def seeded_city(groups: int, cases: bool = False) -> int | None:
    """In a step's process: seed the city with `groups` groups (and PMKS cases: the first case's
    pk), give the planner its statistics as after an import (SQLite) or autovacuum's pass
    (PostgreSQL), and compute the stored recap counts."""
    from django.db import connection

    from registry import rekap
    from registry.models import Wilayah

    villages = sorted(Wilayah.objects.filter(kode__startswith=CITY + ".", tingkat="desa")
                      .values_list("kode", flat=True))
    seed(groups, villages)
    first_case = seed_cases(groups) if cases else None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rekap.refresh_all()
    return first_case


def small_and_big(args, script: str, prefix: str, **extra_env: str) -> tuple[str, dict, dict]:
    """Run `script`'s step "run" on a fresh city database of --small groups, then of --big:
    (the database's label, the small result, the big result). Raises BenchFailure."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))

    def measure(groups: int) -> tuple[str, dict]:
        database = Database(args.database_url, folder)
        try:
            say(f"Setting up {database.label} for {groups:,} groups …")
            env = {**city_database(database), **extra_env}
            result = child(env, "--step", "run", "--groups", str(groups), script=script)
            return database.label.replace(str(folder), "<tmp>"), result
        finally:
            database.drop()

    try:
        label, small = measure(args.small)
        return label, small, measure(args.big)[1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def city_main(argv, description: str, step_run: Callable[[int], dict],
              conduct: Callable[..., int]) -> int:
    """The command line of a small-city/big-city benchmark: --small, --big, --database-url;
    the hidden --step run --groups N runs `step_run(N)` in the step's own process."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--big", type=int, default=100_000)
    add_database_url(parser)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--groups", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "run":
        print(MARK + json.dumps(step_run(args.groups)))
        return 0
    try:
        return conduct(args)
    except BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2


# Timing ---------------------------------------------------------------------------------------
def timed(work: Callable[[], object], runs: int) -> tuple[float, list[dict]]:
    """Run `work` once to warm up, `runs` times timed, then once more with its queries captured:
    (median seconds, those queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        work()
    return statistics.median(times), captured.captured_queries


def time_page(client, url: str, runs: int = PAGE_RUNS) -> tuple[dict, list[dict]]:
    """One page through Django's test client, timed (each request must answer 200):
    ({"ms": median, "queries": n}, the queries of the counted request)."""

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchFailure(f"{url} answered {response.status_code}")

    seconds, queries = timed(get, runs)
    return {"ms": seconds * 1000, "queries": len(queries)}, queries


def in_turn(pages: Sequence[tuple[str, str, object]], runs: int) -> dict[str, float]:
    """The median ms of each (name, url, client), the pages requested one after another `runs`
    times, so that a busy moment of the machine falls on all of them."""
    timings = {name: [] for name, _url, _client in pages}
    for _round in range(runs):
        for name, url, client in pages:
            result, _queries = time_page(client, url, runs=1)
            timings[name].append(result["ms"])
    return {name: statistics.median(times) for name, times in timings.items()}


# Printing -------------------------------------------------------------------------------------
def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))


def verdict(missed: list[str], passed: str, wrong: Sequence[str] = ()) -> int:
    """Print what is wrong and which targets were missed, or that all passed; return the exit
    status: 2 when something is wrong, 1 when a target is missed, 0 when all passed."""
    for problem in wrong:
        print(f"WRONG  {problem}")
    for miss in missed:
        print(f"MISSED {miss}")
    if wrong:
        return 2
    if not missed:
        print(f"PASSED {passed}")
    return 1 if missed else 0


# The survey workbook --------------------------------------------------------------------------
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
KEGIATAN = [
    "Arisan", "Simpan Pinjam", "Tabungan", "Pengajian", "Gotong Royong", "Penimbangan Balita",
    "Pemeriksaan Kesehatan", "Penyuluhan Gizi", "Senam Lansia", "Rembug Warga", "Olahraga",
    "Kesenian", "Pelatihan Keterampilan", "Dana Kematian", "Jimpitan",
]
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


def pick(rng: random.Random, values: list[str], low: int, high: int) -> str:
    return "; ".join(rng.sample(values, rng.randint(low, high)))


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


# The seeded city ------------------------------------------------------------------------------
def seed(groups: int, villages: list[str]) -> None:
    from django.db import transaction

    from members.models import Keanggotaan, Pendidikan, PeranAnggota, Warga
    from registry.models import (
        Daftar,
        JaringanKerja,
        JenisPerkumpulan,
        Perkumpulan,
        Pilihan,
        Wilayah,
    )

    rng = random.Random(CITY_SEED)
    desa = list(Wilayah.objects.filter(kode__in=villages).values_list("pk", flat=True))
    if len(desa) != len(villages):
        raise BenchFailure(f"found {len(desa)} of the villages {villages}")
    jenis = list(JenisPerkumpulan.objects.values_list("pk", flat=True))
    lists = {d: list(Pilihan.objects.filter(daftar=d).values_list("pk", flat=True))
             for d in (Daftar.TUJUAN, Daftar.SYARAT, Daftar.SUMBER_DANA, Daftar.NILAI)}
    jaringan = [*JaringanKerja.values, ""]
    pendidikan = [*Pendidikan.values, ""]
    batch = 5_000
    with transaction.atomic():
        Perkumpulan.objects.bulk_create([
            Perkumpulan(
                kode=f"BENCH-{g + 1:06d}", nama=f"Perkumpulan {g + 1}", jenis_id=rng.choice(jenis),
                desa_id=desa[g % len(desa)], tahun_berdiri=rng.randint(1950, TAHUN_ACUAN),
                jumlah_anggota=rng.randint(3, 40) if rng.random() < 0.9 else None,
                jaringan_kerja=rng.choice(jaringan),
                tujuan_id=rng.choice(lists[Daftar.TUJUAN]) if rng.random() < 0.95 else None,
                masa_kepengurusan=rng.randint(1, 15), aktif=rng.random() < 0.95,
            )
            for g in range(groups)
        ], batch_size=batch)
        ids = list(Perkumpulan.objects.order_by("pk").values_list("pk", "desa_id"))
        # Valid NIKs: kecamatan 327701, birth date DDMMYY (+40 for women), sequence from 0001.
        first = datetime.date(1960, 1, 1)
        days = 15_000
        people = []
        for i in range(len(ids)):
            born = first + datetime.timedelta(days=i % days)
            sex = "P" if i % 2 else "L"
            nik = f"{nik_prefix('327701', born, sex)}{i // days + 1:04d}"
            people.append(Warga(nik=nik, nama=f"Ketua {i + 1}", jenis_kelamin=sex,
                                tanggal_lahir=born, pendidikan=rng.choice(pendidikan),
                                wilayah_id=ids[i][1]))
        Warga.objects.bulk_create(people, batch_size=batch)
        warga = dict(Warga.objects.values_list("nik", "pk"))
        Keanggotaan.objects.bulk_create([
            Keanggotaan(warga_id=warga[w.nik], perkumpulan_id=pk, peran=PeranAnggota.KETUA,
                        mulai=datetime.date(2020, 1, 1))
            for w, (pk, _desa) in zip(people, ids, strict=True)
        ], batch_size=batch)
        for relation, daftar, high in (("syarat_keanggotaan", Daftar.SYARAT, 2),
                                       ("sumber_dana", Daftar.SUMBER_DANA, 3),
                                       ("nilai_solidaritas", Daftar.NILAI, 2)):
            through = getattr(Perkumpulan, relation).through
            through.objects.bulk_create([
                through(perkumpulan_id=pk, pilihan_id=value)
                for pk, _desa in ids
                for value in rng.sample(lists[daftar], rng.randint(1, high))
            ], batch_size=batch)



def seed_cases(groups: int) -> int:
    """PMKS cases for the groups seeded (CASES_PER_GROUP of them): every category and status,
    two in three accompanied by a group of their village, one in four a registered person (a
    group's chair), each with its first status. Returns the first case's id."""
    from django.db import transaction

    from members.models import Warga
    from pmks.models import KasusPMKS, KategoriPMKS, RiwayatStatus, StatusKasus
    from registry.models import Perkumpulan

    rng = random.Random(6)
    categories = list(KategoriPMKS.objects.values_list("pk", flat=True))
    by_village: dict[str, list[int]] = {}
    for pk, desa in Perkumpulan.objects.values_list("pk", "desa_id"):
        by_village.setdefault(desa, []).append(pk)
    villages = sorted(by_village)
    people = list(Warga.objects.order_by("pk").values_list("pk", "wilayah_id")
                  [:int(groups * CASES_PER_GROUP) // 4])
    with transaction.atomic():
        cases = []
        for i in range(int(groups * CASES_PER_GROUP)):
            person, desa = people[i] if i < len(people) else (None, villages[i % len(villages)])
            cases.append(KasusPMKS(
                warga_id=person, nama=f"Kasus {i + 1}", desa_id=desa, rw=rng.randint(1, 20),
                kategori_id=rng.choice(categories), status=rng.choice(StatusKasus.values),
                pendamping_id=rng.choice(by_village[desa]) if rng.random() < 0.67 else None,
                tanggal_identifikasi=datetime.date(2026, 1, 1)))
        KasusPMKS.objects.bulk_create(cases, batch_size=5_000)
        RiwayatStatus.objects.bulk_create([
            RiwayatStatus(kasus_id=pk, status=status, tanggal=datetime.date(2026, 1, 1))
            for pk, status in KasusPMKS.objects.values_list("pk", "status")
        ], batch_size=5_000)
    return KasusPMKS.objects.order_by("pk").values_list("pk", flat=True).first()

