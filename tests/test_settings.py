"""The settings read the environment and refuse an unsafe start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wksbm_site.settings import BASE_DIR, database_from_url, env_bool


def _start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="wksbm_site.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _start(DJANGO_DEBUG="False", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_it_starts_with_a_secret_key():
    result = _start(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr


def test_it_refuses_a_vague_boolean(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "yes")
    with pytest.raises(ImproperlyConfigured):
        env_bool("DJANGO_DEBUG", False)


def test_it_reads_database_urls():
    pg = database_from_url("postgres://wksbm:s%40cret@db.local:5433/registry")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "registry", "wksbm", "s@cret", "db.local", "5433",
    )
    relative = database_from_url("sqlite:///var/wksbm.sqlite3")
    assert relative["NAME"] == str(Path(BASE_DIR) / "var" / "wksbm.sqlite3")
    # Web saves and imports share the file: WAL and a busy timeout are on.
    assert "journal_mode=WAL" in relative["OPTIONS"]["init_command"]
    assert relative["OPTIONS"]["timeout"] > 0
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://localhost/x")


@pytest.mark.parametrize(("env", "message"), [
    ({"DATABASE_URL": "sqlite:///:memory:",
      "DATABASE_REPLICA_URL": "postgres://u@127.0.0.1:5442/db"},
     "DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL"),
    ({"DATABASE_URL": "postgres://u@127.0.0.1:5441/db",
      "DATABASE_REPLICA_URL": "sqlite:///x.db"},
     "a replica is a postgres:// URL"),
    ({"DATABASE_URL": "postgres://u@127.0.0.1:5441/db", "DATABASE_REPLICA_MAX_LAG": "-1"},
     "DATABASE_REPLICA_MAX_LAG must be a number above 0"),
])
def test_it_refuses_a_replica_it_cannot_use(env, message):
    result = _start(DJANGO_SECRET_KEY="x" * 50, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_replicas_become_aliases_behind_the_router():
    code = ("from django.conf import settings as s; "
            "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASE_REPLICA_MAX_LAG, "
            "'registry.replicas.ReadOwnWritesMiddleware' in s.MIDDLEWARE)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(DJANGO_SETTINGS_MODULE="wksbm_site.settings", DJANGO_SECRET_KEY="x" * 50,
                 DATABASE_URL="postgres://u@127.0.0.1:5441/db", DATABASE_REPLICA_MAX_LAG="2.5",
                 DATABASE_REPLICA_URL="postgres://u@10.0.0.2/db, postgres://u@10.0.0.3/db")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == (
        "['default', 'replica1', 'replica2'] ['registry.replicas.Router'] 2.5 True"), result.stderr
