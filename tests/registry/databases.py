"""Throw-away copies of the test database, for commands run in a child process against a real
database (an import killed half-way, backup and restore): on SQLite a file copied from the test
database with the online backup API; on PostgreSQL a database `<test database>_<suffix>` made
from a dump of the test database, dropped afterwards. Both hold the migrations and the reference
data the session loaded (tests/conftest.py)."""

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection


class Scratch:
    """A database a child process can use: its DATABASE_URL, and its rows read directly."""

    def __init__(self, vendor: str, url: str, *, path: Path | None = None, name: str = "",
                 params: dict | None = None):
        self.vendor, self.url, self.path, self.name = vendor, url, path, name
        self.params = params or {}

    def env(self, **extra) -> dict:
        env = {**os.environ, "DATABASE_URL": self.url,
               "DJANGO_SETTINGS_MODULE": "wksbm_site.settings", **extra}
        env.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
        return env

    def manage(self, *args, **extra_env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *map(str, args)],
            cwd=settings.BASE_DIR, env=self.env(**extra_env), capture_output=True, text=True,
            timeout=120,
        )

    def connect(self, dbname: str | None = None):
        if self.vendor == "sqlite":
            return closing(sqlite3.connect(self.path, timeout=5))
        import psycopg

        return psycopg.connect(dbname=dbname or self.name, autocommit=True, **self.params)

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.connect() as db:
            cursor = db.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    def execute(self, *statements: str) -> None:
        """Run statements that change data, committed together."""
        with self.connect() as db:
            if self.vendor == "sqlite":
                with db:
                    for sql in statements:
                        db.execute(sql)
                return
            with db.transaction():
                for sql in statements:
                    db.execute(sql)

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            sql = ("SELECT name FROM sqlite_master WHERE type = 'table' "
                   "AND name NOT LIKE 'sqlite_%' ORDER BY name")
        else:
            sql = ("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        return [name for (name,) in self.query(sql)]

    def count(self, table: str) -> int:
        return self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]

    def everything(self) -> dict[str, list[tuple]]:
        """Every row of every table, in a stable order: two equal results are the same data."""
        return {table: sorted(self.query(f'SELECT * FROM "{table}"'), key=repr)
                for table in self.tables()}


def _pg_params() -> dict:
    s = connection.settings_dict
    params = {"user": s["USER"], "host": s["HOST"] or None, "port": s["PORT"] or None}
    if s["PASSWORD"]:
        params["password"] = s["PASSWORD"]
    return {k: v for k, v in params.items() if v}


def pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def pg_env() -> dict:
    """libpq's environment for the command-line tools (the password never on a command line)."""
    s = connection.settings_dict
    env = {**os.environ, "PGUSER": s["USER"] or "", "PGHOST": s["HOST"] or "",
           "PGPORT": str(s["PORT"] or "")}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return {k: v for k, v in env.items() if v != ""}


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_params()) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_pg(name: str) -> None:
    import psycopg

    drop_pg(name)
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_params()) as db:
        db.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def database_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database as the session set it up, copied once, before any test's transaction
    (SQLite's backup would wait for ever on an open one): a SQLite file, or a pg_dump file."""
    folder = tmp_path_factory.mktemp("template")
    with django_db_blocker.unblock():
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            path = folder / "template.sqlite3"
            with closing(sqlite3.connect(path)) as target:
                connection.connection.backup(target)
            return path
        if connection.vendor != "postgresql":
            pytest.skip(f"no scratch databases on {connection.vendor}")
        if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
            pytest.skip("pg_dump/pg_restore are not installed")
        path = folder / "template.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "-f", str(path),
                        connection.settings_dict["NAME"]],
                       env=pg_env(), check=True, capture_output=True, timeout=60)
        return path


@contextmanager
def scratch_database(template: Path, tmp_path: Path, suffix: str):
    """A fresh copy of `database_template`: on SQLite a file in `tmp_path`, on PostgreSQL the
    database `<test database>_<suffix>`, dropped afterwards."""
    if template.suffix == ".sqlite3":
        path = tmp_path / f"{suffix}.sqlite3"
        shutil.copyfile(template, path)
        yield Scratch("sqlite", f"sqlite:///{path}", path=path)
        return
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    create_pg(name)
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", name, str(template)],
                       env=pg_env(), check=True, capture_output=True, timeout=60)
        yield Scratch("postgresql", pg_url(name), name=name, params=_pg_params())
    finally:
        drop_pg(name)
