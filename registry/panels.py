"""What the other apps add to a group's page and to the dashboard, so that the registry's pages
never read their models: each app registers its part in its AppConfig.ready() — the members app
the board and members, the network app the links, the PMKS app the cases a group accompanies —
and the history of its records of a group."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from registry import audit
from registry.models import Perkumpulan


@dataclass
class Panel:
    """A section of a group's page: a template and the context it needs (a fixed number of
    queries, whatever the group's size)."""

    order: int
    template: str
    context: Callable[[HttpRequest, Perkumpulan], dict | None]


@dataclass
class Card:
    """A figure on the dashboard: its label, its value and where it leads. `figure` gets the
    request and the stored recap counts of the user's area (`rekap.stored_for`), so that a
    figure kept there costs one small query whatever the area's size."""

    order: int
    figure: Callable[[HttpRequest, QuerySet], tuple[str, int, str] | None]


@dataclass
class ListColumn:
    """A column a higher app adds to the group list (the members app: the chair, the active
    members): its label and the expression of its value for each group of a page, a correlated
    subquery read with the page's rows (the page stays one query)."""

    order: int
    name: str
    label: str
    value: Callable[[], object]  # -> a query expression over Perkumpulan
    numeric: bool = False


PERKUMPULAN_PANELS: list[Panel] = []
GROUP_LIST_COLUMNS: list[ListColumn] = []
# The sections a higher app adds to the pages of the lower floors' records other than a group:
# "warga" (a person's page) and "keluarga" (a household's page), from `members`; the context
# function gets the request and the record.
PAGE_PANELS: dict[str, list[Panel]] = {"warga": [], "keluarga": []}
DASHBOARD_CARDS: list[Card] = []
# The sections a higher app adds to a group's printed profile (templates/cetak/): the board and
# members (members), the links (network); the context function gets the request and the group.
CETAK_SECTIONS: list[Panel] = []
# What a group's change history takes in beside the group itself (its members, its links):
# each app gives the history of its records of the group (registry.audit.Source).
PERKUMPULAN_HISTORY: list[Callable[[Perkumpulan], audit.Source]] = []


def register_perkumpulan_panel(order: int, template: str):
    def decorate(context):
        PERKUMPULAN_PANELS.append(Panel(order, template, context))
        PERKUMPULAN_PANELS.sort(key=lambda p: p.order)
        return context

    return decorate


def register_cetak_section(order: int, template: str):
    """A section of a group's printed profile: see `CETAK_SECTIONS`."""

    def decorate(context):
        CETAK_SECTIONS.append(Panel(order, template, context))
        CETAK_SECTIONS.sort(key=lambda p: p.order)
        return context

    return decorate


def register_page_panel(page: str, order: int, template: str):
    """A section of the page `page` ("warga", "keluarga"): see `PAGE_PANELS`."""

    def decorate(context):
        PAGE_PANELS[page].append(Panel(order, template, context))
        PAGE_PANELS[page].sort(key=lambda p: p.order)
        return context

    return decorate


def shown(panels: list[Panel], request: HttpRequest, record) -> list[dict]:
    """The panels of a page that have something to show the user: template and context."""
    found = []
    for panel in panels:
        context = panel.context(request, record)
        if context is not None:
            found.append({"template": panel.template, "context": context})
    return found


def register_perkumpulan_history(source: Callable[[Perkumpulan], audit.Source]):
    PERKUMPULAN_HISTORY.append(source)
    return source


def register_dashboard_card(order: int):
    def decorate(figure):
        DASHBOARD_CARDS.append(Card(order, figure))
        DASHBOARD_CARDS.sort(key=lambda c: c.order)
        return figure

    return decorate


def register_list_column(order: int, name: str, label: str, numeric: bool = False):
    """A column of the group list: see `GROUP_LIST_COLUMNS`."""

    def decorate(value):
        GROUP_LIST_COLUMNS.append(ListColumn(order, name, label, value, numeric))
        GROUP_LIST_COLUMNS.sort(key=lambda c: c.order)
        return value

    return decorate
