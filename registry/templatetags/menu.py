"""The main menu of every page: its links reversed and translated once per process for each
language and role (observers see fewer, only those who may import see Import), the current
page's link marked for screen readers and the eye. Rendered by the template language, its
thirteen `{% url %}` tags and translations were a tenth of the group list's time."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.access import Peran

register = template.Library()

ALL = frozenset(Peran)
NOT_OBSERVERS = ALL - {Peran.PENGAMAT}
# (URL name, label, the roles it is shown to: a link only where its page opens)
MENU = (
    ("registry:dashboard", _("Home"), ALL),
    ("registry:perkumpulan_list", _("Groups"), ALL),
    ("members:warga_list", _("People"), NOT_OBSERVERS),
    ("pmks:kasus_list", "PMKS", NOT_OBSERVERS),
    ("bantuan:program_list", _("Aid"), ALL),
    ("network:jaringan", _("Network"), ALL),
    ("network:forum", _("Forum"), ALL),
    ("psks:index", "PSKS", ALL),
    ("registry:rekap", _("Recap"), ALL),
    ("ketahanan:indikator", _("Resilience"), ALL),
    ("registry:impor_new", _("Import"), access.EDITORS),
    ("registry:export_page", _("Export"), ALL),
    ("admin:index", _("Admin"), ALL),
)
_LINKS: dict[tuple, list[tuple[str, str]]] = {}


def links(peran: str | None) -> list[tuple[str, str]]:
    """(path, escaped label) of the menu's links for this language and role."""
    key = (get_language(), peran)
    found = _LINKS.get(key)
    if found is None:
        found = _LINKS[key] = [(reverse(name), escape(label)) for name, label, roles in MENU
                               if peran in roles]
    return found


@register.simple_tag(takes_context=True)
def main_menu(context) -> SafeString:
    """The menu's links; the one whose path is the longest beginning of the page's path (the home
    page only on itself) carries aria-current="page"."""
    request = context["request"]
    shown = links(getattr(request.user, "peran", None))
    path = request.path
    current = max((href for href, _label in shown
                   if href == path or (href != "/" and path.startswith(href))),
                  key=len, default=None)
    marked = ' aria-current="page"'
    return mark_safe("\n    ".join(  # noqa: S308 — paths from reverse(), labels escaped above
        f'<a href="{escape(href)}"{marked if href == current else ""}>{label}</a>'
        for href, label in shown
    ))
