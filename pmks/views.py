"""PMKS on the web app's pages: the cases a group accompanies (on its page) and the dashboard's
open cases. Never for observers: PMKS data is sensitive."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from pmks.models import KasusPMKS
from registry import access
from registry.models import Perkumpulan


def cases_panel(request: HttpRequest, group: Perkumpulan) -> dict | None:
    """The cases the group accompanies: one query; no panel at all for observers."""
    if not access.can_see_pmks(request.user):
        return None
    cases = list(
        KasusPMKS.objects.visible_to(request.user).filter(pendamping=group)
        .select_related("kategori").order_by("status", "nama")
    )
    return {"cases": cases, "open": sum(1 for c in cases if c.status not in KasusPMKS.CLOSED)}


def open_cases_card(request: HttpRequest, stored):
    """Open cases (neither closed nor refused) within the user's area; none for observers."""
    if not access.can_see_pmks(request.user):
        return None
    count = KasusPMKS.objects.visible_to(request.user).exclude(status__in=KasusPMKS.CLOSED).count()
    return (_("open PMKS cases"), count, reverse("admin:pmks_kasuspmks_changelist"))
