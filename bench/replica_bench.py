"""Replica and pooler benchmark (issue 22): gunicorn on a real primary, a real streaming replica
and pgbouncer in transaction mode, all on this machine.

1. set up  `tests/replica/cluster.sh up` (a primary and its hot standby, beside the machine's own
           PostgreSQL), a fresh database on the primary (the replica follows), Kota Cimahi's
           areas and the demo village with its accounts.
2. serve   gunicorn (production settings) in each configuration below; 8 client threads, logged
           in as the city's Dinas Sosial staff, read the recap, the network and the group list
           of the village for SECONDS after a warm-up: requests/s, median ms, errors, the share
           of heavy pages the replica served, the most server connections to the primary seen.
3. kill    the replica stopped (immediate shutdown) mid-run: every request must still answer
           200; then started again.

Configurations: the primary alone with 4 workers (the floor); with the replica; with the replica
killed mid-run; then 4, 8 and 16 workers, direct and through pgbouncer (transaction mode,
DATABASE_POOL_MODE=transaction, 8 server connections at most).

Targets: no error in any run (the replica's death included). On one 2-core machine a replica
adds no CPU, so requests/s with it are reported against the floor, not targeted.

    python bench/replica_bench.py [--seconds 8]
"""

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

CLUSTER = harness.ROOT / "tests" / "replica" / "cluster.sh"
DESA = "32.77.01.1002"
PAGES = [f"/rekap/?wilayah={DESA}", f"/jaringan/?wilayah={DESA}", "/perkumpulan/"]
CLIENTS = 8
PASSWORD = "wksbm-demo-2026"


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("X-Database")

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _db = self.request("POST", "/accounts/login/",
                                   {"username": username, "password": PASSWORD})
        if status != 302:
            raise harness.BenchFailure(f"{username} could not log in ({status})")


class Server:
    def __init__(self, env: dict, workers: int, folder: Path):
        self.port = harness.free_port()
        self.log = folder / f"gunicorn-{self.port}.log"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "wksbm_site.wsgi", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "120",
             "--error-logfile", str(self.log)],
            cwd=harness.ROOT, env=env, start_new_session=True)
        for _ in range(240):
            try:
                if Client(self.port).request("GET", "/accounts/login/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise harness.BenchFailure("gunicorn did not answer:\n" + self.log.read_text()[-2000:])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class Pgbouncer:
    """pgbouncer in transaction mode in front of the primary, as the postgres user."""

    def __init__(self, primary_port: int, folder: Path):
        self.port = harness.free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={primary_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder}/users.txt\n"
            "pool_mode = transaction\ndefault_pool_size = 8\nmax_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.folder}/pgbouncer.log\n")
        shutil.chown(self.folder, "postgres")
        for path in self.folder.iterdir():
            shutil.chown(path, "postgres")
        command = ["pgbouncer", str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(40):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]
                              ).returncode == 0:
                return
            time.sleep(0.25)
        raise harness.BenchFailure("pgbouncer did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def connections_to(database: harness.Database) -> int:
    with database._admin() as admin:
        return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                             [database.name]).fetchone()[0]


def drive(port: int, seconds: float, database: harness.Database, during=None) -> dict:
    users = []
    for _ in range(CLIENTS):
        user = Client(port)
        user.login("demo-staf")
        users.append(user)
    stop = threading.Event()
    recording = threading.Event()
    times: list[float] = []
    served: list[str | None] = []
    errors: list[str] = []

    def loop(user: Client, offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = PAGES[i % len(PAGES)]
            start = time.perf_counter()
            try:
                status, db = user.request("GET", path)
            except OSError as exc:
                status, db = 0, None
                errors.append(f"{path}: {exc!r}")
            if recording.is_set():
                if status == 200:
                    times.append(time.perf_counter() - start)
                    served.append(db)
                elif status:
                    errors.append(f"{path}: {status}")
            i += 1

    threads = [threading.Thread(target=loop, args=(u, n)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # warm-up
    recording.set()
    started = time.perf_counter()
    most = 0
    deadline = started + seconds
    acted = during is None
    while time.perf_counter() < deadline:
        if not acted and time.perf_counter() > started + seconds / 3:
            during()
            acted = True
        most = max(most, connections_to(database))
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    recording.clear()
    stop.set()
    for thread in threads:
        thread.join(60)
    heavy = [db for db in served if db is not None]
    return {
        "rps": len(times) / elapsed, "ms": statistics.median(times) * 1000 if times else 0,
        "errors": errors, "replica": heavy.count("replica") / len(heavy) if heavy else 0.0,
        "connections": most,
    }


def run(args, folder: Path, database: harness.Database) -> int:
    urls = subprocess.run(["bash", str(CLUSTER), "up"], check=True, capture_output=True,
                          text=True).stdout.split()
    primary_port = int(urls[0].rsplit(":", 1)[1].split("/")[0])
    replica_url = urls[1].rsplit("/", 1)[0] + "/" + database.name
    env = harness.bench_env(database, DJANGO_ALLOWED_HOSTS="127.0.0.1",
                            WKSBM_UPLOAD_DIR=str(folder / "impor"))
    harness.say("setting up the primary (the replica follows)…")
    harness.set_up(database, env)
    harness.manage(env, "load_demo", "--accounts")
    with_replica = {**env, "DATABASE_REPLICA_URL": replica_url}
    rows, results, wrong = [], {}, []

    def measure(name: str, run_env: dict, workers: int, during=None) -> dict:
        harness.say(f"{name}…")
        server = Server(run_env, workers, folder)
        try:
            result = drive(server.port, args.seconds, database, during)
        finally:
            server.stop()
        results[name] = result
        if result["errors"]:
            wrong.append(f"{name}: {len(result['errors'])} errors, e.g. {result['errors'][:3]}")
        rows.append([name, str(workers), f"{result['rps']:.1f}",
                     f"{result['rps'] / results['primary alone']['rps']:.2f}",
                     f"{result['ms']:.0f}", f"{result['replica']:.0%}",
                     str(result["connections"]), str(len(result["errors"]))])
        return result

    measure("primary alone", env, 4)
    measure("with the replica", with_replica, 4)

    def kill() -> None:
        subprocess.run(["bash", str(CLUSTER), "stop-replica"], check=True)

    try:
        measure("replica killed mid-run", with_replica, 4, during=kill)
    finally:
        subprocess.run(["bash", str(CLUSTER), "start-replica"], check=True)
    if shutil.which("pgbouncer"):
        bouncer = Pgbouncer(primary_port, folder)
        pooled = {**env, "DATABASE_POOL_MODE": "transaction",
                  "DATABASE_URL": f"postgres://postgres@127.0.0.1:{bouncer.port}/{database.name}"}
        try:
            for workers in (4, 8, 16):
                if workers != 4:
                    measure("direct", env, workers)
                measure("pgbouncer", pooled, workers)
        finally:
            bouncer.stop()
    else:
        harness.say("pgbouncer is not installed (apt-get install pgbouncer): its runs skipped")
    print(f"\nReplica and pooler benchmark — {database.label}, {os.cpu_count()} cores, "
          f"{CLIENTS} clients, {args.seconds:.0f} s per run\n")
    harness.table(["run", "workers", "requests/s", "× primary alone", "median ms",
                   "heavy pages from the replica", "connections to the primary", "errors"], rows)
    print()
    missed = []
    if results["with the replica"]["replica"] < 0.9:
        missed.append("the replica served under 90% of the heavy pages while it was up")
    return harness.verdict(missed, "no request failed, the replica's death included", wrong)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    # The database lives on the benchmark's own primary (cluster.sh), never the machine's.
    args.database_url = "postgres://postgres@127.0.0.1:" + os.environ.get(
        "WKSBM_PRIMARY_PORT", "5441") + "/wksbm_replica_bench"
    return harness.in_fresh_database(args, "replica-bench-", run)


if __name__ == "__main__":
    sys.exit(main())
