"""`manage.py backup [--output PATH]`: a consistent copy of the database while the app runs.

SQLite: the online backup API (sqlite3.Connection.backup) copies the database in one step, from
one read snapshot: writers go on meanwhile (WAL), their unfinished transactions are not in the
copy. The copy is a single .sqlite3 file (rollback journal, no -wal file beside it).
PostgreSQL: `pg_dump --format=custom`, a snapshot too, from the default database's settings;
the password goes to pg_dump in its environment (PGPASSWORD), never on a command line or in a
message.

The copy is written under a temporary name in the target folder and renamed when complete: a
failed or interrupted backup leaves no file that looks like a backup. See docs/backup.md and
`manage.py restore`.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.management.output import cannot_write, check_output, replaced

DEFAULT_FOLDER = Path(settings.BASE_DIR) / "var" / "backups"
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}


def vendor_of(alias: str = DEFAULT_DB_ALIAS) -> str:
    if alias not in connections.settings:
        raise CommandError(_("There is no database %(alias)s; the databases are: %(known)s.")
                           % {"alias": alias, "known": ", ".join(connections.settings)})
    vendor = connections[alias].vendor
    if vendor not in EXTENSIONS:
        raise CommandError(_("Backups of a %(vendor)s database are not supported (only SQLite "
                             "and PostgreSQL).") % {"vendor": vendor})
    return vendor


def pg_env(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """libpq's environment for pg_dump/pg_restore, from the database's settings."""
    s = connections[alias].settings_dict
    env = dict(os.environ)
    for name, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                      ("PGPASSWORD", "PASSWORD")):
        if s.get(key):
            env[name] = str(s[key])
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            _("%(tool)s was not found on PATH: install the PostgreSQL client tools (Debian: "
              "postgresql-client), of the server's major version or newer.") % {"tool": name}
        )
    return path


def run_pg_tool(args: list[str], alias: str, what: str) -> None:
    """Run pg_dump/pg_restore; a failure is a CommandError with the tool's own message (which
    never holds the password; it is blanked all the same)."""
    env = pg_env(alias)
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True)
    except OSError as exc:
        raise CommandError(_("%(tool)s failed: %(error)s") % {"tool": what, "error": exc}) from exc
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        password = env.get("PGPASSWORD")
        if password:
            message = message.replace(password, "********")
        raise CommandError(_("%(tool)s failed (exit status %(status)d):\n%(message)s")
                           % {"tool": what, "status": done.returncode, "message": message})


def copy_sqlite(alias: str, target: Path) -> None:
    """Copy the live SQLite database into the new file `target` with the online backup API."""
    live = connections[alias]
    live.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        live.connection.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        result = copy.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise CommandError(_("The copy failed its check: %(result)s") % {"result": result})


def dump_postgresql(alias: str, target: Path) -> None:
    name = connections[alias].settings_dict["NAME"]
    run_pg_tool([pg_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname",
                 name], alias, "pg_dump")


def output_path(option: str | None, vendor: str) -> Path:
    name = f"wksbm-{timezone.localtime():%Y%m%d-%H%M%S}{EXTENSIONS[vendor]}"
    if not option:
        try:
            DEFAULT_FOLDER.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(DEFAULT_FOLDER / name, exc) from exc
        return DEFAULT_FOLDER / name
    path = Path(option).expanduser()
    if path.is_dir():
        return path / name
    if path.exists():
        raise CommandError(_("%(path)s already exists; choose another name (a backup never "
                             "overwrites a file).") % {"path": path})
    return check_output(path)


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database while the app runs: SQLite with its online "
        "backup API (a .sqlite3 file), PostgreSQL with pg_dump --format=custom (a .dump file). "
        "Default output: var/backups/wksbm-YYYYmmdd-HHMMSS.(sqlite3|dump). Restore: see "
        "docs/backup.md, or manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", metavar="PATH",
            help="The file to write, or an existing folder to write the default name into.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, **options):
        alias = options["database"]
        vendor = vendor_of(alias)
        target = output_path(options["output"], vendor)
        with replaced(target, errors=(OSError, sqlite3.Error)) as partial:
            if vendor == "sqlite":
                partial.unlink()  # sqlite3 makes the file itself
                copy_sqlite(alias, partial)
            else:
                dump_postgresql(alias, partial)
        size = target.stat().st_size
        self.stdout.write(_("Backup written: %(path)s (%(size).1f MB)")
                          % {"path": target, "size": size / 1024 / 1024})
