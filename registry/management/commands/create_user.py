import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from registry.access import Peran
from registry.management.areas import area_option
from registry.models import User


class Command(BaseCommand):
    help = (
        "Create an account with a role and the area it works in. Operators work in one "
        "desa/kelurahan, kecamatan workers (camat's office, TKSK: --role kecamatan) in one "
        "kecamatan, staff (Dinas Sosial) in a kabupaten/kota or a province, observers in any "
        "area, administrators everywhere (--wilayah optional). The password comes from the "
        "environment variable WKSBM_PASSWORD, else it is asked for. Refuses an existing username."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Peran.values)
        parser.add_argument("--wilayah", default="",
                            help="Area code, e.g. 32.77.01.1002, 32.77.01 or 32.77.")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="The person's full name.")

    def handle(self, *args, **options):
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(_("User %(username)r already exists.") % {"username": username})
        wilayah = None
        if options["wilayah"]:
            wilayah = area_option(options["wilayah"])
        user = User(
            username=username,
            peran=options["role"],
            wilayah=wilayah,
            email=options["email"],
            first_name=options["name"],
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        password = os.environ.get("WKSBM_PASSWORD") or self._prompt()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(_("Password refused: %(reasons)s")
                               % {"reasons": " ".join(exc.messages)}) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
        if wilayah:
            done = _("Created %(role)s %(username)r in %(area)s.")
        else:
            done = _("Created %(role)s %(username)r for the whole country.")
        self.stdout.write(done % {"role": user.get_peran_display(), "username": username,
                                  "area": wilayah})

    def _prompt(self) -> str:
        try:
            first = getpass.getpass(_("Password: "))
            second = getpass.getpass(_("Password (again): "))
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError(_("No password given (set WKSBM_PASSWORD or type it).")) from exc
        if first != second:
            raise CommandError(_("The two passwords differ."))
        return first
