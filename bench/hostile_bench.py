"""Hostile-workbook benchmark (issue 16): what one upload can cost the server.

Target: the import of each hostile workbook, on the command line and on the web, peaks under
400 MB and takes at most 5× the time of a normal village file (the floor, measured in the same
run), ends as it should (refused with a message, or read as far as the limits say) and never
with a traceback or a 500. (On the web the village's check takes a third of a second, while
merely inflating a 100 MB cell, or counting the 500,001 rows of a 10 MB file, takes most of a
second: 5×, not less. On the command line Django's start is in both: they stay within 2×.)

    .venv/bin/python bench/hostile_bench.py [--database-url URL] [--files a,b] [--code DIR]

Run from the project root. The files, each written in a fresh process into a temporary folder
(tests/registry/hostile_workbooks.py writes their XML; openpyxl cannot write a cell over 32,767
characters and takes minutes for a million rows):

  village      fixtures/cibeureum_2006.xlsx, the demo village (307 groups, members, PMKS cases,
               links): the floor
  cell-shared  one cell of 100,000,000 characters in a small workbook (a group's type: an error
               quotes what it cannot match), in the shared-string table as Excel saves text
               (30 MB: the text deflates 4:1, as prose does)
  cell-inline  the same cell inline in the sheet, as openpyxl writes text
  empty        a group, 1,000,000 empty rows, a group below them (2.5 MB)
  sparse       1,000 groups, each followed by 999 empty rows: a million rows, never 1,000 empty
               in a row, so every one is read
  wide         1,000 groups under a <dimension> claiming A1:XFD1048576
  rowcap       500,001 groups: one more than a sheet may hold (10 MB)

Then a fresh database (a temporary SQLite file, or the PostgreSQL database of --database-url,
created and dropped; its name must contain "bench"): migrate, the reference lists, Kota Cimahi's
areas, an operator of Cibeureum with a session. For each file:

  cli  `manage.py import_survey FILE --dry-run` in a fresh process: its wall time (interpreter
       and Django start included, as whoever runs it sees it) and its peak resident memory
       (VmHWM, read as it exits);
  web  gunicorn (one sync worker, production settings, started for this file alone); the
       operator GETs /impor/ for its CSRF token and POSTs the file, streamed from disk: the time
       of the POST (the check runs in it, the import slot being free) and the worker's VmHWM
       after it (the whole worker, Django included).

The village runs three times each way; the median is the floor. `--code DIR` runs the commands
and gunicorn from another checkout of the project (e.g. the code before issue 16, to measure
what it cost then; there the targets are expected to fail).

Exit status: 0 when every target is met, 1 when a target is missed, 2 when a step fails or a file
ends wrongly (imported when it should be refused, a traceback, a 500).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_PEAK_MB = 400
TARGET_RATIO = 5.0
FLOOR_RUNS = 3
FILES = ["village", "cell-shared", "cell-inline", "empty", "sparse", "wide", "rowcap"]
CIBEUREUM = "32.77.01.1002"
# What each file must come to: (command exit status, text its output holds, web status —
# the detail page's status class after a 302, or 400 for a refusal on the form — and text).
EXPECTED = {
    "village": (0, "perkumpulan: 307 ", "diperiksa", ""),
    "cell-shared": (1, "perkumpulan:2:jenis:", "gagal", "perkumpulan"),
    "cell-inline": (1, "perkumpulan:2:jenis:", "gagal", "perkumpulan"),
    "empty": (0, "perkumpulan:1002::", "diperiksa", ""),
    "sparse": (0, "perkumpulan: 1000 ", "diperiksa", ""),
    "wide": (0, "perkumpulan: 1000 ", "diperiksa", ""),
    "rowcap": (1, "500,000", 400, "500,000"),
}


# The files ------------------------------------------------------------------------------------
def step_make(kind: str, path: Path) -> dict:
    from tests.registry import hostile_workbooks as h

    if kind == "village":
        shutil.copyfile(ROOT / "fixtures" / "cibeureum_2006.xlsx", path)
    elif kind in ("cell-shared", "cell-inline"):
        h.one_big_cell(path, 100_000_000, shared=kind == "cell-shared", column="jenis")
    elif kind == "empty":
        h.empty_rows(path, 1_000_000, then=h.group_row(9))
    elif kind == "sparse":
        h.write_xlsx(path, [h.HEADER, *(row for n in range(1, 1_001)
                                         for row in (h.group_row(n), *([[]] * 999)))],
                     shared=True)
    elif kind == "wide":
        h.write_xlsx(path, [h.HEADER, *(h.group_row(n) for n in range(1, 1_001))],
                     shared=True, dimension="A1:XFD1048576")
    elif kind == "rowcap":
        h.many_rows(path, 500_001)
    else:
        raise SystemExit(f"unknown file {kind}")
    return {"bytes": path.stat().st_size}


def step_account() -> dict:
    """An operator of Cibeureum with a session (no password hashing)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from registry.models import User

    user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", peran="operator",
                               wilayah_id=CIBEUREUM)
    client = Client()
    client.force_login(user)
    return {"cookie": settings.SESSION_COOKIE_NAME,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "csrf_cookie": settings.CSRF_COOKIE_NAME}


# The command line ----------------------------------------------------------------------------
# `manage.py import_survey` as manage.py runs it, reporting its own peak memory as it exits
# (a child's ru_maxrss can start at its parent's: subprocess may spawn with vfork).
COMMAND = """
import atexit, json, os, sys
MARK = os.environ["BENCH_MARK"]
def report():
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    print(MARK + json.dumps({"peak_mb": peak}), file=sys.stderr, flush=True)
atexit.register(report)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wksbm_site.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


def run_cli(env: dict, code: Path, path: Path, timeout: float) -> dict:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", COMMAND, "import_survey", str(path), "--dry-run"],
            cwd=code, env={**env, "BENCH_MARK": harness.MARK}, capture_output=True, text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mb": float("nan"), "exit": "timeout", "output": ""}
    seconds = time.perf_counter() - start
    marks = [line for line in done.stderr.splitlines() if line.startswith(harness.MARK)]
    output = "\n".join(line for line in (done.stdout + done.stderr).splitlines()
                       if not line.startswith(harness.MARK))
    peak = json.loads(marks[-1][len(harness.MARK):])["peak_mb"] if marks else float("nan")
    return {"seconds": seconds, "peak_mb": peak, "exit": done.returncode, "output": output}


# The web --------------------------------------------------------------------------------------
class Server:
    """gunicorn with one sync worker and the production settings, for one file."""

    def __init__(self, env: dict, code: Path, folder: Path, timeout: float):
        self.port = harness.free_port()
        self.log = folder / f"gunicorn-{self.port}.log"
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"), "wksbm_site.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", str(int(timeout)),
            "--error-logfile", str(self.log), "--log-level", "warning",
        ]
        self.env = {**env, "DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
        self.code = code
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=self.code, env=self.env,
                                        process_group=0, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise harness.BenchFailure(f"gunicorn exited ({self.process.returncode}): "
                                           + self.errors()[-2000:])
            try:
                status, _headers, _body = self.request("GET", "/accounts/login/", {})
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise harness.BenchFailure("gunicorn did not answer within 60 s: " + self.errors()[-2000:])

    def __exit__(self, *_exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def worker_peak_mb(self) -> float:
        workers = harness.children_of(self.process.pid)
        peaks = []
        for pid in workers:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                peaks += [int(line.split()[1]) / 1024 for line in status
                          if line.startswith("VmHWM")]
        return max(peaks) if peaks else float("nan")

    def errors(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def request(self, method: str, path: str, headers: dict, body=None, timeout: float = 60):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


def run_web(env: dict, code: Path, folder: Path, account: dict, path: Path,
            timeout: float) -> dict:
    cookies = {account["cookie"]: account["session"]}

    def cookie_header() -> str:
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    with Server(env, code, folder, timeout) as server:
        status, headers, body = server.request("GET", "/impor/", {"Cookie": cookie_header()})
        if status != 200:
            raise harness.BenchFailure(f"GET /impor/ answered {status}")
        for name, value in headers:
            if name.lower() == "set-cookie" and value.startswith(account["csrf_cookie"] + "="):
                cookies[account["csrf_cookie"]] = value.split(";", 1)[0].split("=", 1)[1]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        boundary = uuid.uuid4().hex
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\""
                f"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f"name=\"berkas\"; filename=\"{path.name}\"\r\nContent-Type: application/"
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        body_path = folder / f"body-{boundary}"
        with body_path.open("wb") as out:
            out.write(head)
            with path.open("rb") as source:
                shutil.copyfileobj(source, out)
            out.write(tail)
        start = time.perf_counter()
        try:
            with body_path.open("rb") as stream:
                status, headers, body = server.request(
                    "POST", "/impor/", {
                        "Cookie": cookie_header(),
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                        "Content-Length": str(body_path.stat().st_size),
                    }, body=stream, timeout=timeout)
        except (TimeoutError, OSError) as exc:
            return {"seconds": time.perf_counter() - start, "peak_mb": float("nan"),
                    "status": f"failed: {exc}", "text": "", "log": server.errors()}
        finally:
            body_path.unlink(missing_ok=True)
        seconds = time.perf_counter() - start
        peak = server.worker_peak_mb()
        outcome, text = status, body.decode("utf-8", "replace")
        if status == 302:
            location = dict((k.lower(), v) for k, v in headers)["location"]
            page_status, _h, page = server.request("GET", location, {"Cookie": cookie_header()},
                                                   timeout=timeout)
            text = page.decode("utf-8", "replace")
            found = re.search(r'class="status status-(\w+)"', text)
            outcome = found.group(1) if page_status == 200 and found else f"page {page_status}"
        return {"seconds": seconds, "peak_mb": peak, "status": outcome, "text": text,
                "log": server.errors()}


# The conductor --------------------------------------------------------------------------------
def check(kind: str, cli: dict, web: dict) -> list[str]:
    """What is wrong with how the file ended, if anything."""
    exit_status, cli_text, web_status, web_text = EXPECTED[kind]
    wrong = []
    if cli["exit"] != exit_status or cli_text not in cli["output"]:
        wrong.append(f"{kind}: command exit {cli['exit']}, expected {exit_status} with "
                     f"{cli_text!r}: {cli['output'][-300:]!r}")
    if "Traceback" in cli["output"]:
        wrong.append(f"{kind}: the command printed a traceback")
    if web["status"] != web_status or web_text not in web["text"]:
        wrong.append(f"{kind}: web ended {web['status']!r}, expected {web_status!r}")
    if re.search(r"Traceback|Internal Server Error|CRITICAL", web["log"]):
        wrong.append(f"{kind}: the server's error log: {web['log'][-300:]!r}")
    return wrong


def conduct(args) -> int:
    return harness.in_fresh_database(args, "wksbm-hostile-bench-", run)


def run(args, folder: Path, database: harness.Database) -> int:
    """Make the files, set up the database, import each on the command line and the web; report."""
    code = Path(args.code).resolve() if args.code else ROOT
    env = harness.bench_env(database, WKSBM_UPLOAD_DIR=str(folder / "impor"))
    files = {}
    for kind in args.files:
        path = folder / f"{kind}.xlsx"
        made = harness.child(env, "--step", "make", "--kind", kind, "--file", str(path),
                             script=__file__)
        files[kind] = (path, made["bytes"])
        harness.say(f"{kind}: {made['bytes'] / 1e6:.1f} MB")
    harness.say(f"Setting up {database.label} …")
    harness.set_up(database, env, code)
    account = harness.child(env, "--step", "account", script=__file__)

    results = {}
    for kind in args.files:
        path = files[kind][0]
        runs = FLOOR_RUNS if kind == "village" else 1
        cli = [run_cli(env, code, path, args.timeout) for _ in range(runs)]
        harness.say(f"{kind} command: " + ", ".join(f"{r['seconds']:.2f} s" for r in cli)
                    + f", exit {cli[-1]['exit']}, peak {max(r['peak_mb'] for r in cli):.0f} MB")
        web = [run_web(env, code, folder, account, path, args.timeout) for _ in range(runs)]
        harness.say(f"{kind} web: " + ", ".join(f"{r['seconds']:.2f} s" for r in web)
                    + f", {web[-1]['status']}, peak {max(r['peak_mb'] for r in web):.0f} MB")
        results[kind] = {
            "cli": {**cli[-1], "seconds": statistics.median(r["seconds"] for r in cli),
                    "peak_mb": max(r["peak_mb"] for r in cli)},
            "web": {**web[-1], "seconds": statistics.median(r["seconds"] for r in web),
                    "peak_mb": max(r["peak_mb"] for r in web)},
        }
    return report(args, database.label, code, files, results)


def report(args, label: str, code: Path, files: dict, results: dict) -> int:
    floor = results.get("village")
    print()
    print(f"Database: {label}; code: {code}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")

    def ratio(result: dict, mode: str) -> str:
        return f"{result[mode]['seconds'] / floor[mode]['seconds']:.2f}" if floor else ""

    rows = []
    for kind, result in results.items():
        cli, web = result["cli"], result["web"]
        rows.append([
            kind, f"{files[kind][1] / 1e6:.1f}", f"{cli['seconds']:.2f}", ratio(result, "cli"),
            f"{cli['peak_mb']:.0f}", str(cli["exit"]), f"{web['seconds']:.2f}",
            ratio(result, "web"), f"{web['peak_mb']:.0f}", str(web["status"]),
        ])
    harness.table(["file", "MB", "command s", "× village", "peak MB", "exit",
                   "web s", "× village", "peak MB", "web"], rows)
    wrong, missed = [], []
    for kind, result in results.items():
        wrong += check(kind, result["cli"], result["web"])
        for mode in ("cli", "web"):
            peak = result[mode]["peak_mb"]
            if not peak < TARGET_PEAK_MB:
                missed.append(f"{kind} {mode}: peak {peak:.0f} MB (target < {TARGET_PEAK_MB})")
            if floor and kind != "village":
                ratio = result[mode]["seconds"] / floor[mode]["seconds"]
                if ratio > TARGET_RATIO:
                    missed.append(f"{kind} {mode}: {ratio:.2f}× the village's time "
                                  f"(target ≤ {TARGET_RATIO}×)")
    return harness.verdict(missed, f"every file under {TARGET_PEAK_MB} MB and within "
                           f"{TARGET_RATIO}× the village's time, on the command line and the "
                           "web", wrong=wrong)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_database_url(parser)
    parser.add_argument("--files", default=",".join(FILES),
                        help="comma-separated, of " + ", ".join(FILES))
    parser.add_argument("--code", help="run the commands and gunicorn from this checkout")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds one import may take before it counts as hung")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (files, logs) and the database")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "make":
        print(harness.MARK + json.dumps(step_make(args.kind, Path(args.file))))
        return 0
    if args.step == "account":
        print(harness.MARK + json.dumps(step_account()))
        return 0
    args.files = [f.strip() for f in args.files.split(",") if f.strip()]
    unknown = set(args.files) - set(FILES)
    if unknown:
        parser.error(f"unknown file(s): {', '.join(sorted(unknown))}")
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
