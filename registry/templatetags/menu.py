"""The main menu of every page: its links reversed and translated once per process for each
language and kind of user (observers see fewer), the current page's link marked for screen
readers and the eye. Rendered by the template language, its thirteen `{% url %}` tags and
translations were a tenth of the group list's time."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registry.access import Peran

register = template.Library()

# (URL name, label, shown to observers)
MENU = (
    ("registry:dashboard", _("Home"), True),
    ("registry:perkumpulan_list", _("Groups"), True),
    ("members:warga_list", _("People"), False),
    ("pmks:kasus_list", "PMKS", False),
    ("bantuan:program_list", _("Aid"), True),
    ("network:jaringan", _("Network"), True),
    ("network:forum", _("Forum"), True),
    ("psks:index", "PSKS", True),
    ("registry:rekap", _("Recap"), True),
    ("ketahanan:indikator", _("Resilience"), True),
    ("registry:impor_new", _("Import"), False),
    ("registry:export_page", _("Export"), True),
    ("admin:index", _("Admin"), True),
)
_LINKS: dict[tuple, list[tuple[str, str]]] = {}


def links(observer: bool) -> list[tuple[str, str]]:
    """(path, escaped label) of the menu's links for this language and kind of user."""
    key = (get_language(), observer)
    found = _LINKS.get(key)
    if found is None:
        found = _LINKS[key] = [(reverse(name), escape(label)) for name, label, to_observers in MENU
                               if to_observers or not observer]
    return found


@register.simple_tag(takes_context=True)
def main_menu(context) -> SafeString:
    """The menu's links; the one whose path is the longest beginning of the page's path (the home
    page only on itself) carries aria-current="page"."""
    request = context["request"]
    shown = links(getattr(request.user, "peran", None) == Peran.PENGAMAT)
    path = request.path
    current = max((href for href, _label in shown
                   if href == path or (href != "/" and path.startswith(href))),
                  key=len, default=None)
    marked = ' aria-current="page"'
    return mark_safe("\n    ".join(  # noqa: S308 — paths from reverse(), labels escaped above
        f'<a href="{escape(href)}"{marked if href == current else ""}>{label}</a>'
        for href, label in shown
    ))
