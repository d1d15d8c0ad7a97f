"""Load benchmark: gunicorn on loopback under concurrent logged-in users, with an import beside.

Target (issue "Trust", Load): with 4 gunicorn workers on a 2-core machine, the group list
(/perkumpulan/, Dinas Sosial staff of a city of 100,000 groups) holds at least 100 requests/s
with no error while `manage.py import_survey` imports workbooks of a few thousand rows into
another village (Sukarasa, Kota Bandung) beside it — no "database is locked", neither in the
imports' exit status and output nor in the server's error log.

    .venv/bin/python bench/load_bench.py [--database-url URL] [--groups 100000] [--workers 4]
        [--worker-class sync|gthread] [--users 8] [--seconds 20] [--warmup 5]

Run from the project root. Steps:

1. setup   a fresh database exactly as bench/rekap_bench.py and bench/pages_bench.py fill it
           (a temporary SQLite file, or the PostgreSQL database of --database-url, whose name
           must contain "bench"; dropped at the end): Kota Cimahi's 15 kelurahan with --groups
           groups, each with a chair and its lists, PMKS cases, the stored recap counts; plus the
           kecamatan of Sukarasa for the imports. Users (4 staff of Kota Cimahi, 4 operators of
           its first villages) get sessions through Django's session engine (no password is
           hashed); their cookies go to the load generator.
2. make    --imports workbooks of --import-rows memberships each (a tenth as many groups), all
           in Sukarasa, stored as Excel saves them (bench/import_bench.py).
3. serve   gunicorn with the production settings (DJANGO_DEBUG=False, a secret key, allowed
           hosts), --workers workers, access log off, error log to a file; stopped at the end,
           also on failure or Ctrl+C.
4. load    each scenario: --warmup seconds of the same load unrecorded, then --seconds recorded,
           by --users virtual users in one asyncio process (HTTP/1.1 over plain sockets,
           keep-alive when the server allows it, so the load generator itself needs little CPU —
           its CPU time is reported). Each user sends its next request when the last one has
           answered (a closed loop): requests/s is what the server sustains at that concurrency.
           Scenarios:
             list           the group list as staff (100,000 groups);
             list+import    the same while the imports run one after another (cycling through
                            the workbooks: later rounds re-import unchanged files) for the whole
                            recorded window;
             mixed          staff and operators: the list, a name search, a group's page, the
                            recap, the people search by NIK prefix, a group's edit form (GET,
                            its CSRF token read from the page) then its POST, and adding a link
                            (POST) — each page's figures reported.

Reported per scenario and page: requests/s, median and 95th percentile latency (ms, from the
client: connection included), errors (any status but 200 for a page and 302 for a post, or a
broken connection), the server's CPU time per request (gunicorn master and workers, from /proc;
on SQLite this includes the database's work, on PostgreSQL not the server's backends) — on a
busy machine that figure, not requests/s, tells what two idle cores would sustain — and the load
average at start and end.

Exit status: 0 when the list+import scenario holds --target requests/s with no error, every
import succeeded, no scenario had an error and the server's error log is clean; 1 when not; 2
when a step fails.
"""

import argparse
import asyncio
import datetime
import html
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from registry.validators import nik_prefix  # noqa: E402

TARGET_RPS = 100.0
STAFF = 4
OPERATORS = 4
EDITABLE = 40  # groups each user edits and links from (its own, so no two users collide)
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# The mixed scenario: page name, weight.
MIX = [
    ("list", 30),
    ("list: name search", 10),
    ("group page", 20),
    ("recap", 10),
    ("people: NIK prefix", 10),
    ("edit form (GET)", 10),  # followed by its POST
    ("add link (POST)", 10),
]
POST_PAGES = ["edit group (POST)", "add link (POST)"]


# Child steps (Django loaded) ------------------------------------------------------------------
def step_seed(groups: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from registry import rekap
    from registry.forms import PerkumpulanForm
    from registry.models import Perkumpulan, User, Wilayah

    villages = sorted(Wilayah.objects.filter(kode__startswith=harness.CITY + ".", tingkat="desa")
                      .values_list("kode", flat=True))
    start = time.perf_counter()
    harness.seed(groups, villages)
    harness.seed_cases(groups)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rekap.refresh_all()
    seconds = time.perf_counter() - start

    users = []
    accounts = [(f"bench-staf-{i + 1}", "staf", harness.CITY) for i in range(STAFF)] + [
        (f"bench-operator-{i + 1}", "operator", villages[i]) for i in range(OPERATORS)]
    taken: set[int] = set()
    for username, peran, area in accounts:
        user = User.objects.create(username=username, peran=peran, wilayah_id=area)
        client = Client()
        client.force_login(user)  # a session row, no password hashing
        mine = Perkumpulan.objects.visible_to(user).exclude(pk__in=taken).order_by("?")
        own = list(mine.select_related("desa")[:EDITABLE])
        taken.update(g.pk for g in own)
        edits = []
        for group in own:
            form = PerkumpulanForm(instance=group, user=user)
            data = {}
            for name in form.fields:
                value = form[name].value()
                if isinstance(value, bool):
                    if value:
                        data[name] = "on"
                elif isinstance(value, list | tuple):
                    data[name] = [str(v) for v in value]
                else:
                    data[name] = "" if value is None else str(value)
            edits.append({"kode": group.kode, "data": data})
        partners = list(Perkumpulan.objects.visible_to(user).exclude(pk__in=taken)
                        .order_by("?").values_list("kode", flat=True)[:200])
        users.append({
            "username": username, "peran": peran, "area": area,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "edits": edits, "partners": partners,
            "groups": list(Perkumpulan.objects.visible_to(user).order_by("?")
                           .values_list("kode", flat=True)[:500]),
        })
    return {"seed_seconds": seconds, "users": users,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "groups": Perkumpulan.objects.count()}


def make_import_workbook(path: Path, index: int, rows: int) -> dict:
    """A survey workbook of `rows` memberships over rows/10 groups of Sukarasa; codes and NIKs
    distinct from the other workbooks' and from the seeded city's."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(7000 + index)
    groups = max(1, rows // 10)
    people_count = max(groups, round(rows * 0.7))
    this_year = datetime.date.today().year
    kode_wilayah, village = harness.IMPORT_VILLAGE
    people = []
    first = datetime.date(1950, 1, 1).toordinal()
    for p in range(people_count):
        sex = "LP"[p % 2]
        born = datetime.date.fromordinal(first + p % 20_000)
        # Sequence digits: the workbook in the first two, so no two workbooks share a NIK.
        nik = f"{nik_prefix('327301', born, sex)}{index + 1:02d}{p // 20_000 + 1:02d}"
        people.append((nik, f"{rng.choice(harness.MEN if sex == 'L' else harness.WOMEN)} "
                            f"{rng.choice(harness.FAMILY)}", sex, born,
                       rng.choice(harness.PENDIDIKAN)))
    members: list[list[int]] = [[g] for g in range(groups)]
    for p in range(groups, people_count):
        members[rng.randrange(groups)].append(p)
    for _ in range(rows - people_count):
        g = rng.randrange(groups)
        p = rng.randrange(people_count)
        if p not in members[g]:
            members[g].append(p)

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("perkumpulan")
    sheet.append(harness.GROUP_HEADER)
    codes, founded = [], []
    for g in range(groups):
        jenis_code, spellings = harness.JENIS[g % len(harness.JENIS)]
        kode = f"SKR-L{index + 1:02d}-{jenis_code}-{g + 1:04d}"
        year = rng.randint(1975, this_year - 1)
        codes.append(kode)
        founded.append(year)
        sheet.append([
            kode, kode_wilayah, f"{spellings[0]} {village} {index + 1}-{g + 1}", spellings[0],
            rng.randint(1, 20), rng.randint(1, 15), year, rng.choice(harness.TUJUAN),
            len(members[g]), harness.pick(rng, harness.SYARAT[:4], 1, 2), rng.randint(1, 15),
            harness.pick(rng, harness.SUMBER_DANA, 1, 3), rng.choice(harness.JARINGAN),
            harness.pick(rng, harness.NILAI[:2], 1, 2), harness.pick(rng, harness.KEGIATAN, 1, 3),
            rng.choice(harness.PRAKARSA), "Ya",
        ])
    sheet = book.create_sheet("anggota")
    sheet.append(harness.MEMBER_HEADER)
    memberships = 0
    for g, member_ids in enumerate(members):
        for position, p in enumerate(member_ids):
            nik, name, sex, born, pendidikan = people[p]
            nik_cell = WriteOnlyCell(sheet, value=nik)
            nik_cell.number_format = "@"
            sheet.append([codes[g], nik_cell, name, sex, born, pendidikan,
                          "Ketua" if position == 0 else "Anggota",
                          rng.randint(founded[g], this_year)])
            memberships += 1
    raw = path.with_suffix(".openpyxl.xlsx")
    book.save(raw)
    harness.save_as_excel_does(raw, path)
    raw.unlink()
    return {"groups": groups, "memberships": memberships, "people": people_count}


# The load generator: HTTP/1.1 over asyncio streams ---------------------------------------------
class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection of a virtual user; reconnects when the server closes it
    (gunicorn's sync workers close after every response)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, cookies: dict, body: bytes = b"",
                      content_type: str = "") -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Accept: text/html", "Accept-Encoding: identity",
                 "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
        if method == "POST":
            lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
                      f"Origin: http://{self.host}:{self.port}",
                      f"Referer: http://{self.host}:{self.port}{path}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            raise HttpError(f"connection closed before the response ({exc.__class__.__name__})") \
                from exc
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, list[str]] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"][0]))
        elif "chunked" in headers.get("transfer-encoding", [""])[0]:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(parts)
        else:
            data = await self.reader.read()
            await self.close()
        if "close" in headers.get("connection", [""])[0].lower():
            await self.close()
        return status, headers, data


@dataclass
class Record:
    times: dict = field(default_factory=dict)  # page → [seconds]
    errors: dict = field(default_factory=dict)  # page → count
    samples: list = field(default_factory=list)  # a few error descriptions

    def add(self, page: str, seconds: float) -> None:
        self.times.setdefault(page, []).append(seconds)

    def fail(self, page: str, what: str) -> None:
        self.errors[page] = self.errors.get(page, 0) + 1
        if len(self.samples) < 10:
            self.samples.append(f"{page}: {what}")


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# The version the edit form was loaded with (registry.forms.VersionedForm): sent back as a
# browser would, so that a group edited a second time is not refused as a conflict (409).
VERSION_INPUT = re.compile(rb'<input[^>]*name="versi"[^>]*value="([^"]*)"')


class VirtualUser:
    def __init__(self, number: int, account: dict, names: dict, host: str, port: int,
                 pages: list[tuple[str, int]]):
        self.account = account
        self.rng = random.Random(number)
        self.cookies = {names["session"]: account["session"]}
        self.csrf_name = names["csrf"]
        self.token = None
        self.connection = Connection(host, port)
        self.pages = [p for p, _w in pages]
        self.weights = [w for _p, w in pages]
        self.edit_round = 0
        self.link_round = 0

    async def timed(self, record: Record | None, page: str, method: str, path: str,
                    expected: int, form: dict | None = None) -> tuple[int, dict, bytes] | None:
        body = urlencode(form or {}, doseq=True).encode()
        start = time.perf_counter()
        try:
            status, headers, data = await self.connection.request(
                method, path, self.cookies, body, "application/x-www-form-urlencoded")
        except (HttpError, OSError, ValueError) as exc:
            await self.connection.close()
            if record is not None:
                record.fail(page, f"{method} {path}: {exc}")
            return None
        seconds = time.perf_counter() - start
        for cookie in headers.get("set-cookie", []):
            name, _sep, rest = cookie.partition("=")
            if name == self.csrf_name:
                self.cookies[name] = rest.split(";", 1)[0]
        if record is not None:
            if status == expected:
                record.add(page, seconds)
            else:
                record.fail(page, f"{method} {path} answered {status}: "
                                  + data[:200].decode("utf-8", "replace").replace("\n", " "))
        return status, headers, data

    async def edit_form(self, record: Record | None, kode: str) -> dict | None:
        answer = await self.timed(record, "edit form (GET)", "GET", f"/perkumpulan/{kode}/ubah/",
                                  200)
        if answer is None:
            return None
        found = CSRF_INPUT.search(answer[2])
        if found is None or self.csrf_name not in self.cookies:
            if record is not None:
                record.fail("edit form (GET)", f"no CSRF token in /perkumpulan/{kode}/ubah/")
            return None
        self.token = found.group(1).decode()
        return answer

    async def step(self, record: Record | None) -> None:
        page = self.rng.choices(self.pages, self.weights)[0]
        a = self.account
        if page == "list":
            await self.timed(record, page, "GET", "/perkumpulan/", 200)
        elif page == "list: name search":
            q = urlencode({"q": f"Perkumpulan {self.rng.randint(1, 999)}"})
            await self.timed(record, page, "GET", f"/perkumpulan/?{q}", 200)
        elif page == "group page":
            await self.timed(record, page, "GET",
                             f"/perkumpulan/{self.rng.choice(a['groups'])}/", 200)
        elif page == "recap":
            await self.timed(record, page, "GET", f"/rekap/?wilayah={a['area']}&tahun=2026", 200)
        elif page == "people: NIK prefix":
            q = f"327701{self.rng.randint(1, 28):02d}{self.rng.randint(1, 12):02d}"
            await self.timed(record, page, "GET", f"/warga/?q={q}", 200)
        elif page == "edit form (GET)":
            edit = a["edits"][self.edit_round % len(a["edits"])]
            self.edit_round += 1
            answer = await self.edit_form(record, edit["kode"])
            if answer is None:
                return
            data = {**edit["data"], "csrfmiddlewaretoken": self.token,
                    "nama": f"{edit['data']['nama'][:150]} (ubah {self.edit_round})"}
            version = VERSION_INPUT.search(answer[2])
            if version is not None:
                data["versi"] = html.unescape(version.group(1).decode())
            await self.timed(record, "edit group (POST)", "POST",
                             f"/perkumpulan/{edit['kode']}/ubah/", 302, data)
        elif page == "add link (POST)":
            if self.token is None and await self.edit_form(None, a["edits"][0]["kode"]) is None:
                if record is not None:
                    record.fail(page, "no CSRF token")
                return
            source = a["edits"][self.link_round % len(a["edits"])]["kode"]
            partner = a["partners"][self.link_round // len(a["edits"]) % len(a["partners"])]
            self.link_round += 1
            await self.timed(record, page, "POST", f"/perkumpulan/{source}/hubungan/tambah/",
                             302, {"csrfmiddlewaretoken": self.token, "kode_perkumpulan": partner,
                                   "bentuk": "KOORDINASI", "keterangan": "load bench"})


async def drive(users: list[VirtualUser], warmup: float, seconds: float, on_start=None) -> dict:
    """Run every virtual user for `warmup` seconds unrecorded, then `seconds` recorded."""
    record = Record()
    phase = {"record": None, "stop": False}

    async def loop(user: VirtualUser) -> None:
        while not phase["stop"]:
            await user.step(phase["record"])

    tasks = [asyncio.create_task(loop(u)) for u in users]
    try:
        await asyncio.sleep(warmup)
        if on_start is not None:
            on_start()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        load0 = os.getloadavg()
        phase["record"] = record
        started = time.perf_counter()
        server0 = drive.server_cpu()
        await asyncio.sleep(seconds)
        phase["record"] = None  # requests still running are not counted
        elapsed = time.perf_counter() - started
        server1 = drive.server_cpu()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        load1 = os.getloadavg()
    finally:
        phase["stop"] = True
        await asyncio.wait(tasks, timeout=30)
        for task in tasks:
            task.cancel()
        for user in users:
            await user.connection.close()
    client_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"elapsed": elapsed, "record": record, "client_cpu": client_cpu / elapsed,
            "server_cpu": server1 - server0, "load": (load0[0], load1[0])}


drive.server_cpu = lambda: 0.0


# gunicorn ------------------------------------------------------------------------------------
def process_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


class Server:
    def __init__(self, env: dict, folder: Path, workers: int, worker_class: str, threads: int,
                 own_session: bool = False):
        self.own_session = own_session
        self.port = harness.free_port()
        self.error_log = folder / "gunicorn-error.log"
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"), "wksbm_site.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", worker_class, "--timeout", "120",
            "--error-logfile", str(self.error_log), "--log-level", "warning",
            # no --access-logfile: gunicorn's access log stays off
        ]
        if worker_class == "gthread":
            self.command += ["--threads", str(threads)]
        self.env = {**env, "DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.process = None

    def start(self) -> None:
        # A process group of its own: Ctrl+C reaches the benchmark, which stops gunicorn in
        # order. Not a session of its own: with the kernel's autogroup scheduling (Debian's
        # default) a new session is a group that gets half the CPU against the imports' group,
        # whatever the number of workers. In one session gunicorn's workers, the imports and
        # the load generator share the CPU process by process, as a web import (run by a
        # worker) or any import run inside the service's own cgroup does.
        # --own-session measures that case: a server and imports started from two terminals.
        where = {"start_new_session": True} if self.own_session else {"process_group": 0}
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, **where,
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise harness.BenchFailure(f"gunicorn exited ({self.process.returncode}):\n"
                                           + self.log()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise harness.BenchFailure("gunicorn did not answer within 60 s:\n" + self.log()[-2000:])

    def cpu(self) -> float:
        pid = self.process.pid
        return process_cpu(pid) + sum(process_cpu(c) for c in harness.children_of(pid))

    def log(self) -> str:
        try:
            return self.error_log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: gunicorn alone
            self.process.wait()


# Imports beside the load ---------------------------------------------------------------------
class Imports:
    """`manage.py import_survey` of the workbooks one after another, for as long as asked."""

    def __init__(self, env: dict, files: list[Path]):
        self.env, self.files = env, files
        self.runs: list[dict] = []
        self.process = None
        self.started = None

    async def run(self, until: asyncio.Event) -> None:
        n = 0
        while not until.is_set():
            path = self.files[n % len(self.files)]
            n += 1
            start = time.perf_counter()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "manage.py", "import_survey", str(path), cwd=ROOT, env=self.env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            try:
                out, err = await self.process.communicate()
            except asyncio.CancelledError:  # Ctrl+C or SIGTERM: no import is left behind
                self.process.kill()
                await self.process.wait()
                raise
            self.runs.append({"file": path.name, "exit": self.process.returncode,
                              "seconds": time.perf_counter() - start,
                              "stdout": out.decode(errors="replace").strip(),
                              "stderr": err.decode(errors="replace").strip()})
            self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()


# The conductor --------------------------------------------------------------------------------
def summarise(result: dict) -> dict:
    record: Record = result["record"]
    pages = {}
    total = 0
    for page, times in record.times.items():
        total += len(times)
        ms = sorted(t * 1000 for t in times)
        pages[page] = {"n": len(ms), "rps": len(ms) / result["elapsed"],
                       "p50": statistics.median(ms),
                       "p95": ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))],
                       "errors": record.errors.get(page, 0)}
    for page, errors in record.errors.items():
        pages.setdefault(page, {"n": 0, "rps": 0.0, "p50": 0.0, "p95": 0.0, "errors": errors})
    every = sorted(t * 1000 for times in record.times.values() for t in times)
    errors = sum(record.errors.values())
    return {
        "requests": total, "rps": total / result["elapsed"], "errors": errors,
        "p50": statistics.median(every) if every else 0.0,
        "p95": every[min(len(every) - 1, int(round(0.95 * (len(every) - 1))))] if every else 0.0,
        "server_ms": result["server_cpu"] / max(total + errors, 1) * 1000,
        "client_cpu": result["client_cpu"], "load": result["load"], "pages": pages,
        "samples": record.samples,
    }


def run_scenario(name: str, seeded: dict, server: Server, args, imports: Imports | None) -> dict:
    names = {"session": seeded["session_cookie"], "csrf": seeded["csrf_cookie"]}
    staff = [u for u in seeded["users"] if u["peran"] == "staf"]
    everyone = seeded["users"]
    if name in ("list", "list+import"):
        accounts, pages = staff, [("list", 1)]
    else:
        accounts, pages = everyone, MIX
    users = [VirtualUser(i, accounts[i % len(accounts)], names, "127.0.0.1", server.port, pages)
             for i in range(args.users)]
    drive.server_cpu = server.cpu

    async def main() -> dict:
        done = asyncio.Event()
        task = None

        def start_imports() -> None:
            nonlocal task
            if imports is not None:
                task = asyncio.create_task(imports.run(done))

        try:
            result = await drive(users, args.warmup, args.seconds, start_imports)
        finally:
            done.set()
            if task is not None:
                await task  # the import running at the end finishes and is checked
        return result

    harness.say(f"Scenario {name}: {args.users} users, {args.warmup:g} s warm-up, "
                f"{args.seconds:g} s recorded …")
    result = summarise(asyncio.run(main()))
    harness.say(f"  {result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, "
                f"p95 {result['p95']:.0f} ms, {result['errors']} errors, "
                f"server CPU {result['server_ms']:.1f} ms/request, "
                f"load {result['load'][0]:.2f} → {result['load'][1]:.2f}")
    return result


def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-load-bench-"))
    database = server = imports = None
    interrupted = False

    def on_term(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        database = harness.Database(args.database_url, folder)
        harness.say(f"Setting up {database.label} with {args.groups:,} groups …")
        env = harness.city_database(database)
        harness.manage(env, "load_wilayah", "--prefix", harness.IMPORT_AREA)
        seeded = harness.child(env, "--step", "seed", "--groups", str(args.groups), script=__file__)
        harness.say(f"  seeded in {seeded['seed_seconds']:.0f} s: {seeded['groups']:,} groups, "
                    f"{len(seeded['users'])} users with sessions")
        files = []
        for i in range(args.imports):
            path = folder / f"import-{i + 1}.xlsx"
            made = harness.child(env, "--step", "make", "--file", str(path), "--index", str(i),
                                 "--rows", str(args.import_rows), script=__file__)
            files.append(path)
        harness.say(f"  {args.imports} workbooks of {made['memberships']:,} memberships over "
                    f"{made['groups']:,} groups for {harness.IMPORT_VILLAGE[1]}")
        server = Server(env, folder, args.workers, args.worker_class, args.threads,
                        args.own_session)
        server.start()
        harness.say(f"gunicorn: {args.workers} {args.worker_class} workers"
                    + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
                    + f" on 127.0.0.1:{server.port}")
        results = {}
        for name in args.scenarios:
            imports = Imports(env, files) if name == "list+import" else None
            results[name] = run_scenario(name, seeded, server, args, imports)
            if imports is not None:
                results[name]["imports"] = imports.runs
        server.stop()
        log = server.log()
    except KeyboardInterrupt:
        interrupted = True
        print("INTERRUPTED", file=sys.stderr)
        return 2
    except harness.BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        if imports is not None:
            imports.stop()
        if server is not None:
            server.stop()
        if database is not None and not (args.keep and not interrupted):
            database.drop()
        if args.keep:
            print(f"Kept {folder}" + (f" and {database.url}" if database else ""))
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return report(args, database.label.replace(str(folder), "<tmp>"), results, log)


def report(args, label: str, results: dict, log: str) -> int:
    print()
    print(f"Database: {label}; {args.groups:,} groups in Kota Cimahi")
    print(f"gunicorn {args.workers} {args.worker_class} workers"
          + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
          + (" in a session of their own" if args.own_session else "")
          + f", {args.users} virtual users, {args.seconds:g} s recorded after {args.warmup:g} s "
          f"warm-up; {os.cpu_count()} CPUs; load average (1 min) at start → end of each")
    rows = []
    for name, r in results.items():
        rows.append([name, f"{r['rps']:.1f}", f"{r['p50']:.0f}", f"{r['p95']:.0f}",
                     str(r["errors"]), f"{r['server_ms']:.1f}", f"{r['client_cpu'] * 100:.0f}%",
                     f"{r['load'][0]:.2f} → {r['load'][1]:.2f}"])
    harness.table(["scenario", "req/s", "p50 ms", "p95 ms", "errors", "server CPU ms/req",
                   "client CPU", "load avg"], rows)
    missed = []
    for name, r in results.items():
        if len(r["pages"]) > 1:
            print(f"\n{name}, per page:")
            harness.table(["page", "requests", "req/s", "p50 ms", "p95 ms", "errors"], [
                [page, str(p["n"]), f"{p['rps']:.1f}", f"{p['p50']:.0f}", f"{p['p95']:.0f}",
                 str(p["errors"])] for page, p in r["pages"].items()])
        if r["errors"]:
            missed.append(f"{name}: {r['errors']} error(s), e.g. " + "; ".join(r["samples"][:3]))
        for run in r.get("imports", []):
            text = run["stdout"] + run["stderr"]
            if run["exit"] or "locked" in text.lower():
                missed.append(f"import {run['file']} exit {run['exit']}: {text[-500:]}")
        if "imports" in r:
            print(f"\nImports beside {name} ({len(r['imports'])}):")
            for run in r["imports"]:
                summary = run["stdout"].splitlines()[-1] if run["stdout"] else run["stderr"][-200:]
                print(f"  {run['file']}: exit {run['exit']}, {run['seconds']:.1f} s — {summary}")
            if not r["imports"]:
                missed.append(f"{name}: no import ran")
    gated = results.get("list+import")
    if gated is not None and gated["rps"] < args.target:
        missed.append(f"list+import: {gated['rps']:.1f} req/s (target ≥ {args.target:g})")
    bad = [line for line in log.splitlines()
           if re.search(r"locked|Traceback|\bERROR\b|CRITICAL|Internal Server Error", line)]
    if bad:
        missed.append(f"server error log: {len(bad)} line(s), e.g. " + " | ".join(bad[:3]))
    return harness.verdict(missed, f"list+import ≥ {args.target:g} req/s, no error, imports clean, "
                           "error log clean" if gated else "no error, error log clean")


SCENARIOS = ["list", "list+import", "mixed"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_database_url(parser)
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--own-session", action="store_true",
                        help="start gunicorn in a session of its own (with autogroup scheduling, "
                        "half the CPU against the imports, as from another terminal)")
    parser.add_argument("--users", type=int, default=8, help="concurrent virtual users")
    parser.add_argument("--seconds", type=float, default=20.0, help="recorded per scenario")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--imports", type=int, default=4, help="workbooks to import in turn")
    parser.add_argument("--import-rows", type=int, default=3_000,
                        help="memberships per workbook (a tenth as many groups)")
    parser.add_argument("--target", type=float, default=TARGET_RPS)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="comma-separated, of " + ", ".join(SCENARIOS))
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (error log, workbooks) and the database")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "seed":
        print(harness.MARK + json.dumps(step_seed(args.groups)))
        return 0
    if args.step == "make":
        made = make_import_workbook(Path(args.file), args.index, args.rows)
        print(harness.MARK + json.dumps(made))
        return 0
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
