"""Reads on a real streaming replica (registry/replicas.py), over HTTP against gunicorn.

A real primary and a real hot-standby replica (`tests/replica/cluster.sh up`, which `.ci/run`
runs), a fresh database on the primary (replicated to the replica by PostgreSQL itself), the demo
village, gunicorn with DATABASE_REPLICA_URL. Proven: the heavy pages read the replica and say so;
the pages that are not heavy read the primary; a user who has just written reads the primary (and
sees the write) while the replica is held back; a lagging replica is skipped; a replica stopped
while users read does not fail a single request, and is read again once it is back.

Skipped unless WKSBM_REPLICA_PRIMARY and WKSBM_REPLICA_STANDBY name the two servers
(postgres://user@host:port, as `cluster.sh up` prints them).
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

PRIMARY = os.environ.get("WKSBM_REPLICA_PRIMARY", "")
STANDBY = os.environ.get("WKSBM_REPLICA_STANDBY", "")
ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "tests" / "replica" / "cluster.sh"
DESA = "32.77.01.1002"  # the demo village (Cibeureum)
MAX_LAG = 3  # seconds, for the server under test
CHECK = 0.5

pytestmark = pytest.mark.skipif(
    not (PRIMARY and STANDBY),
    reason="no replica cluster: `tests/replica/cluster.sh up` starts one (.ci/run does), then "
           "set WKSBM_REPLICA_PRIMARY and WKSBM_REPLICA_STANDBY to the URLs it prints",
)


def server_url(base: str, database: str) -> str:
    return base.rstrip("/").rsplit("/", 1)[0] + "/" + database if base.count("/") > 2 \
        else f"{base}/{database}"


def connect(base: str, database: str, **options):
    import psycopg

    return psycopg.connect(server_url(base, database), autocommit=True, **options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A browser's worth of HTTP: cookies, the CSRF token, no redirects followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Host": "127.0.0.1"}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("X-Database"), data

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _db, _data = self.request(
            "POST", "/accounts/login/", {"username": username, "password": "wksbm-demo-2026"})
        assert status == 302, f"{username} could not log in"


def links_shown(page: str) -> int:
    """The network page's second figure: the links between groups."""
    figures = re.findall(r'<span class="figure"><strong>([\d.]+)</strong>', page)
    return int(figures[1].replace(".", ""))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    database = f"wksbm_replica_{os.getpid()}"
    with connect(PRIMARY, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DATABASE_URL": server_url(PRIMARY, database),
        "DATABASE_REPLICA_URL": server_url(STANDBY, database),
        "DATABASE_REPLICA_MAX_LAG": str(MAX_LAG),
        "DATABASE_REPLICA_CHECK_SECONDS": str(CHECK),
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "replica-test-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "WKSBM_UPLOAD_DIR": str(tmp_path_factory.mktemp("impor")),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (["migrate", "--no-input", "-v0"], ["loaddata", "referensi", "-v0"],
                 ["load_wilayah"], ["load_demo", "--accounts"]):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "error.log"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wksbm_site.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120", "--error-logfile", str(log)],
        cwd=ROOT, env=env)
    try:
        for _ in range(120):
            try:
                if Client(port).request("GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("gunicorn did not answer:\n" + log.read_text()[-2000:])
        yield {"port": port, "database": database, "log": log}
    finally:
        server.terminate()
        server.wait(30)
        subprocess.run(["bash", str(CLUSTER), "start-replica"], check=True)
        with connect(STANDBY, database) as standby:
            standby.execute("SELECT pg_wal_replay_resume()")
        with connect(PRIMARY, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_for(what, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.2)
    return False


def until(fetch, condition, seconds: float = 30):
    """The first answer of `fetch()` that meets `condition`, or None after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = fetch()
        if condition(answer):
            return answer
        time.sleep(0.2)
    return None


def test_heavy_pages_read_the_replica_and_say_so(site):
    staf = Client(site["port"])
    staf.login("demo-staf")
    assert "wksbm_tulis" not in staf.cookies  # logging in is not writing the registry's data
    for path in (f"/rekap/?wilayah={DESA}", f"/jaringan/?wilayah={DESA}",
                 f"/ketahanan/?wilayah={DESA}", f"/pmks/cakupan/?wilayah={DESA}"):
        # The page that came from the replica (another worker may still hold an older
        # measurement of it for up to CHECK seconds).
        answer = until(lambda path=path: staf.request("GET", path), lambda a: a[1] == "replica")
        assert answer, path
        status, _db, page = answer
        assert status == 200, path
        assert "salinan basis data" in page, path  # the page says how fresh it is
    status, database, page = staf.request("GET", "/perkumpulan/")
    assert (status, database) == (200, None)  # not a heavy page: the primary, no note
    assert "salinan basis data" not in page


def test_a_writer_reads_the_primary_while_the_replica_is_held_back(site):
    from itertools import combinations

    with connect(PRIMARY, site["database"]) as primary:
        codes = [kode for (kode,) in primary.execute(
            "SELECT kode FROM registry_perkumpulan WHERE desa_id = %s AND aktif ORDER BY kode"
            " LIMIT 12", [DESA])]
    officer, other = Client(site["port"]), Client(site["port"])
    officer.login("demo-operator")
    other.login("demo-operator")
    assert wait_for(lambda: other.request("GET", "/jaringan/")[1] == "replica")
    before = links_shown(other.request("GET", "/jaringan/")[2])
    with connect(STANDBY, site["database"]) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            for source, partner in combinations(codes, 2):
                status, _db, _page = officer.request(
                    "POST", f"/perkumpulan/{source}/hubungan/tambah/",
                    {"kode_perkumpulan": partner, "bentuk": "KOORDINASI",
                     "keterangan": "replica test"})
                if status == 302:
                    break
            else:
                pytest.fail("no new link could be recorded")
            # The writer: the primary, with the new link.
            status, database, page = officer.request("GET", "/jaringan/")
            assert (status, database) == (200, "primary")
            assert links_shown(page) == before + 1
            assert "salinan basis data" not in page
            # Another browser, once the held-back replica lags past the limit: the primary too.
            # Each gunicorn worker measures the lag at most every CHECK seconds, so a worker may
            # still choose the replica for up to CHECK seconds after another has seen it lag
            # (the documented window); after that every worker skips it.
            assert wait_for(lambda: other.request("GET", "/jaringan/")[1] == "primary",
                            MAX_LAG + 10)
            time.sleep(CHECK + 0.2)
            for _ in range(4):  # both workers, whichever answers
                status, database, page = other.request("GET", "/jaringan/")
                assert (status, database) == (200, "primary")
                assert links_shown(page) == before + 1
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    # Caught up again: the replica serves, with the link.
    assert wait_for(lambda: other.request("GET", "/jaringan/")[1] == "replica")
    assert links_shown(other.request("GET", "/jaringan/")[2]) == before + 1


def test_a_replica_stopped_mid_run_fails_no_request(site):
    users = []
    for _ in range(3):
        user = Client(site["port"])
        user.login("demo-staf")
        users.append(user)
    assert wait_for(lambda: users[0].request("GET", f"/rekap/?wilayah={DESA}")[1] == "replica")
    answers: list[tuple[float, int, str | None]] = []
    stop = threading.Event()

    def read(user: Client) -> None:
        paths = [f"/rekap/?wilayah={DESA}", f"/jaringan/?wilayah={DESA}", "/perkumpulan/"]
        i = 0
        while not stop.is_set():
            try:
                status, database, _page = user.request("GET", paths[i % len(paths)])
            except OSError as exc:  # a dropped connection is a failure too
                status, database = 0, repr(exc)
            answers.append((time.monotonic(), status, database))
            i += 1

    threads = [threading.Thread(target=read, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        stopped = time.monotonic()
        subprocess.run(["bash", str(CLUSTER), "stop-replica"], check=True)
        gone = time.monotonic()  # the replica is down from here (stopping it takes a while)
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert [a for a in answers if a[1] != 200] == []
    assert any(db == "replica" for t, _s, db in answers if t < stopped)
    # After the stop (and the request that found it), heavy pages read the primary.
    later = [db for t, _s, db in answers if t > gone + 1 and db is not None]
    assert later and set(later) == {"primary"}
    subprocess.run(["bash", str(CLUSTER), "start-replica"], check=True)
    assert wait_for(lambda: users[0].request("GET", f"/rekap/?wilayah={DESA}")[1] == "replica",
                    60)
