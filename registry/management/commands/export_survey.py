from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry import workbook
from registry.management.areas import area_option
from registry.management.output import check_output, open_output
from registry.models import User


class Command(BaseCommand):
    help = (
        "Export the registry of an area (province, kabupaten/kota, kecamatan or desa) as a survey "
        "workbook in the import format; importing it elsewhere gives the same registry. "
        "--template writes the blank form with dropdowns instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wilayah", help="Area code, e.g. 32.77 or 32.77.01.1002.")
        parser.add_argument("--output", required=True, help="The .xlsx file to write.")
        parser.add_argument("--template", action="store_true", help="The blank form.")

    def handle(self, *args, **options):
        output = options["output"]
        check_output(output)  # refused before any work
        if options["template"]:
            with open_output(output, binary=True) as stream:
                workbook.template_workbook(stream)
            self.stdout.write(_("Blank survey form written to %(output)s.") % {"output": output})
            return
        if not options["wilayah"]:
            raise CommandError(_("Give --wilayah CODE (or --template)."))
        area = area_option(options["wilayah"])
        # The command line sees everything, as a national administrator would.
        everyone = User(peran="admin", is_active=True)
        with open_output(output, binary=True) as stream:
            counts = workbook.export_workbook(stream, user=everyone, area=area)
        summary = ", ".join(f"{sheet} {n}" for sheet, n in counts.items())
        self.stdout.write(_("%(area)s: %(summary)s rows written to %(output)s.")
                          % {"area": area, "summary": summary, "output": output})
