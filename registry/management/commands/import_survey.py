import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry import workbook
from registry.management.output import cannot_read


class Command(BaseCommand):
    help = (
        "Import a survey workbook (.xlsx, .ods or .xls with sheets perkumpulan, anggota, pmks, "
        "jaringan; see "
        "docs/survey-workbook.md). All or nothing: on any error nothing is written and every "
        "error is printed as sheet:row:column: message (the first 1,000, then their number), "
        "with a non-zero exit. Re-importing the "
        "same file changes nothing. --dry-run only checks. A KoboToolbox/ODK export of the "
        "survey's XLSForm (manage.py xlsform) is accepted too: its .xlsx, its main table as .csv, "
        "or a .zip of its CSVs (docs/odk.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, **options):
        bar = _ProgressBar(self.stderr) if sys.stderr.isatty() else None
        try:
            result = workbook.run(
                options["file"], dry_run=options["dry_run"], progress=bar.update if bar else None
            )
        except OSError as exc:  # missing, a folder, no permission
            raise cannot_read(options["file"], exc) from exc
        except workbook.WorkbookError as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        finally:
            if bar:
                bar.close()
        for warning in result.warnings:
            self.stderr.write(_("%(warning)s (warning)") % {"warning": warning})
        if result.warnings.unlisted:
            self.stderr.write(_("… and %(count)d more warning(s), not listed.")
                              % {"count": result.warnings.unlisted})
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.errors.unlisted:
                self.stderr.write(_("… and %(count)d more error(s), not listed.")
                                  % {"count": result.errors.unlisted})
            raise CommandError(_("%(count)d error(s); nothing was imported.")
                               % {"count": result.errors.total})
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written. %(summary)s")
                              % {"summary": result.summary()})
        else:
            self.stdout.write(result.summary())


class _ProgressBar:
    """One line on the terminal: the sheet and the rows read so far."""

    def __init__(self, stream):
        self.stream = stream

    def update(self, sheet: str, rows: int) -> None:
        filled = min(rows // 2000, 30)
        self.stream.write("\r" + _("%(sheet)s [%(bar)s] %(rows)s rows") % {
            "sheet": f"{sheet:12}", "bar": f"{'#' * filled:30}", "rows": f"{rows:>9,}"},
            ending="")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r" + " " * 60 + "\r", ending="")
