import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import rekap, replicas
from registry.management.areas import area_option
from registry.management.output import check_output, open_output, write_output


class Command(BaseCommand):
    help = (
        "The recap tables (Tables 1-9: groups by age, purpose, size, chairs' education, network, "
        "board term, requirements, values, funds) of the active groups within an area of any "
        "level, and those the other apps add (10-11 PMKS, 12 the groups' funds, 13 trained "
        "leaders, 14-17 aid). --tahun-acuan fixes the reference year of Table 1 (default: this "
        "year). JSON goes to standard output unless --output is given; xlsx needs --output. The "
        "figures come from stored counts kept up to date village by village; --segarkan "
        "computes them all again from the groups first (after a restore or a bulk load by other "
        "means)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wilayah", required=True, help="Area code, e.g. 32.77.01.1002.")
        parser.add_argument("--tahun-acuan", type=int, default=None)
        parser.add_argument("--format", choices=["json", "xlsx", "text"], default="json")
        parser.add_argument("--output", default=None, help="File to write (default: stdout).")
        parser.add_argument("--segarkan", action="store_true",
                            help="Compute every village's stored counts again first.")
        parser.add_argument("--segarkan-basi", action="store_true",
                            help="Compute first the counts of the villages still waiting (left "
                                 "by a raw bulk write or a refresh that did not finish; cron).")
        # The registered sources of other stored counts: --putaran ID, the recap as approved in
        # a verification round (its approved villages within the area; the tables not kept at
        # approval are left out, with a note).
        for param in rekap.REKAP_SOURCES:
            parser.add_argument(f"--{param}", default=None,
                                help=f"Read the counts as kept by {param} (e.g. --putaran ID: "
                                     "as approved in a verification round; --pada DATE: as the "
                                     "registry stood at that moment, from the audit history).")

    def handle(self, *args, **options):
        area = area_option(options["wilayah"])
        year = options["tahun_acuan"]
        if year is None:
            year = timezone.localdate().year
        elif not 1900 <= year <= 2200:
            raise CommandError(_("--tahun-acuan %(year)d is not a plausible year.")
                               % {"year": year})
        output = options["output"]
        if options["format"] == "xlsx" and not output:
            raise CommandError(_("--format xlsx needs --output FILE."))
        if output:
            check_output(output)  # refused before any work
        if options["segarkan"]:
            villages = rekap.refresh_all()
            self.stderr.write(_("Stored counts of %(villages)d villages computed again.")
                              % {"villages": villages})
        elif options["segarkan_basi"]:
            villages = rekap.refresh_stale(area)
            self.stderr.write(_("Stored counts of %(villages)d waiting villages computed again.")
                              % {"villages": villages})
        sumber = None
        for param, kind in rekap.REKAP_SOURCES.items():
            if options.get(param):
                try:
                    sumber = kind.open(options[param], area)
                except (LookupError, ValueError) as exc:
                    raise CommandError(f"--{param} {options[param]}: {exc}") from exc
        if sumber is not None and options["tahun_acuan"] is None:
            year = sumber.tahun_acuan or year
        result, _work = replicas.run(lambda: rekap.build(area, year, sumber=sumber))
        if options["format"] == "xlsx":
            with open_output(output, binary=True) as stream:
                rekap.as_xlsx(result, stream)
            self.stderr.write(_("Written %(path)s.") % {"path": output})
            return
        text = (
            json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n"
            if options["format"] == "json" else rekap.as_text(result)
        )
        if output:
            write_output(output, text)
            self.stderr.write(_("Written %(path)s.") % {"path": output})
        else:
            sys.stdout.write(text)
