"""`manage.py restore FILE --yes`: put a backup made by `manage.py backup` back.

Every row of the database is replaced by the backup's: stop the app (gunicorn) first.
SQLite: the backup is copied into the live database with the online backup API, in one
transaction (no stale -wal file can mix with it, as it could with a plain file copy).
PostgreSQL: `pg_restore --clean --if-exists --no-owner --single-transaction`: all or nothing.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from registry.management.commands.backup import pg_tool, run_pg_tool, vendor_of
from registry.management.output import cannot_read

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


def kind_of(path: Path) -> str | None:
    with open(path, "rb") as file:
        head = file.read(16)
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    return None


def restore_sqlite(alias: str, source: Path) -> None:
    with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as backup:
        result = backup.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise CommandError(_("%(path)s is damaged (%(result)s); nothing was restored.")
                               % {"path": source, "result": result})
        live = connections[alias]
        live.close()
        live.ensure_connection()
        backup.backup(live.connection)


def restore_postgresql(alias: str, source: Path) -> None:
    name = connections[alias].settings_dict["NAME"]
    connections[alias].close()
    run_pg_tool([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                 "--single-transaction", "--exit-on-error", "--dbname", name, str(source)],
                alias, "pg_restore")


class Command(BaseCommand):
    help = (
        "Replace every row of the database with a backup made by `manage.py backup` (a "
        ".sqlite3 file on SQLite, a pg_dump custom-format .dump on PostgreSQL). Stop the app "
        "first. Needs --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true",
                            help="Yes, replace the database's data with the backup's.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, **options):
        alias = options["database"]
        vendor = vendor_of(alias)
        source = Path(options["file"]).expanduser()
        if not source.exists():
            raise CommandError(_("%(path)s: file not found.") % {"path": source})
        try:
            kind = kind_of(source)
        except OSError as exc:  # a folder, no permission
            raise cannot_read(source, exc) from exc
        if kind is None:
            raise CommandError(_("%(path)s is not a backup made by manage.py backup.")
                               % {"path": source})
        if kind != vendor:
            raise CommandError(_("%(path)s is a %(kind)s backup; this database is %(vendor)s.")
                               % {"path": source, "kind": kind, "vendor": vendor})
        if not options["yes"]:
            raise CommandError(
                _("Restoring replaces every row of the database with the backup's. Stop the "
                  "app, then run again with --yes."))
        try:
            if vendor == "sqlite":
                restore_sqlite(alias, source)
            else:
                restore_postgresql(alias, source)
        except sqlite3.Error as exc:
            raise CommandError(_("Restoring %(path)s failed: %(error)s")
                               % {"path": source, "error": exc}) from exc
        self.stdout.write(_("Restored from %(path)s.") % {"path": source})
