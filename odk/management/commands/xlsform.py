from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from odk import form
from registry import validators
from registry.management.output import check_output, open_output


class Command(BaseCommand):
    help = (
        "Write the survey as an XLSForm for ODK Collect and KoboToolbox: a submission per group "
        "with its members, PMKS cases and links as repeat groups, the area's villages and the "
        "reference lists as choices. See docs/odk.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wilayah", required=True,
                            help="Area code: a desa/kelurahan, or a kecamatan or larger area.")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx to write.")

    def handle(self, *args, **options):
        try:
            kode = validators.normalize_kode_wilayah(options["wilayah"])
        except ValidationError as exc:
            raise CommandError(_("%(code)s: not an area code.") % {"code": options["wilayah"]}) \
                from exc
        check_output(options["output"])  # refused before any work
        try:
            with open_output(options["output"], binary=True) as stream:
                made = form.write_xlsform(stream, kode)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("%(output)s: form %(form_id)s version %(version)s, %(villages)d desa/kelurahan.")
            % {"output": options["output"], "form_id": made["form_id"],
               "version": made["version"], "villages": made["villages"]}
        )
