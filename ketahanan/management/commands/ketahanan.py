import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ketahanan import indikator
from registry import lampau, replicas
from registry.management.areas import area_option
from registry.management.output import check_output, open_output, write_output


class Command(BaseCommand):
    help = (
        "The social-resilience indicators (seed 002's four dimensions: perlindungan, "
        "partisipasi, pengendalian_konflik, kearifan_lokal) of an area of any level, with the "
        "assessed means of its Pokja's latest rounds; above a village, each village's too. "
        "--tahun-acuan YEAR: at 31 December of YEAR; --pada DATE: as the registry stood at that "
        "moment (ISO date, or date and time), read from the audit history. JSON goes to "
        "standard output unless --output is given; xlsx needs --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wilayah", required=True, help="Area code, e.g. 32.77.01.1002.")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--tahun-acuan", type=int, default=None)
        when.add_argument("--pada", default=None,
                          help="As the registry stood then: YYYY-MM-DD or YYYY-MM-DD HH:MM.")
        parser.add_argument("--format", choices=["json", "xlsx", "text"], default="json")
        parser.add_argument("--output", default=None, help="File to write (default: stdout).")

    def handle(self, *args, **options):
        area = area_option(options["wilayah"])
        acuan = pada = None
        if options["tahun_acuan"] is not None:
            year = options["tahun_acuan"]
            if not 1900 <= year <= 2200:
                raise CommandError(_("--tahun-acuan %(year)d is not a plausible year.")
                                   % {"year": year})
            acuan = datetime.date(year, 12, 31)
        if options["pada"]:
            try:
                pada = lampau.parse_pada(options["pada"])
            except ValueError as exc:
                raise CommandError(f"--pada {options['pada']}: {exc}") from exc
        output = options["output"]
        if options["format"] == "xlsx" and not output:
            raise CommandError(_("--format xlsx needs --output FILE."))
        if output:
            check_output(output)  # refused before any work
        hasil, _work = replicas.run(lambda: indikator.hitung(area, acuan=acuan, pada=pada))
        if options["format"] == "xlsx":
            with open_output(output, binary=True) as stream:
                indikator.as_xlsx(hasil, stream)
            self.stderr.write(_("Written %(path)s.") % {"path": output})
            return
        text = (json.dumps(hasil.as_dict(), ensure_ascii=False, indent=1) + "\n"
                if options["format"] == "json" else indikator.as_text(hasil))
        if output:
            write_output(output, text)
            self.stderr.write(_("Written %(path)s.") % {"path": output})
        else:
            self.stdout.write(text, ending="")
