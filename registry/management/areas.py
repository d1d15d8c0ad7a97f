"""What the management commands share: the area of a --wilayah option."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from registry.models import Wilayah
from registry.validators import normalize_kode_wilayah


def area_option(value: str) -> Wilayah:
    """The loaded area of a code given on the command line (dotted or plain), or a CommandError
    that says what is wrong with it."""
    try:
        kode = normalize_kode_wilayah(value)
    except ValidationError as exc:
        raise CommandError(exc.messages[0]) from exc
    area = Wilayah.objects.filter(pk=kode).first()
    if area is None:
        raise CommandError(_("Area %(kode)s is not loaded; run `python manage.py load_wilayah` "
                             "first.") % {"kode": kode})
    return area
