"""A group's member list on paper, and the board and members on its printed profile
(registry.views.cetak frames both: letterhead, signature)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from members.models import Keanggotaan, PeranAnggota
from registry import access
from registry.models import Perkumpulan
from registry.views.cetak import dokumen

ROLE_ORDER = {value: i for i, value in enumerate(PeranAnggota.values)}


def current_members(request: HttpRequest, group: Perkumpulan) -> list[Keanggotaan]:
    """The group's current memberships the user sees, the board first (chair, secretary…),
    then the members by name: one query."""
    rows = (Keanggotaan.objects.visible_to(request.user)
            .filter(perkumpulan=group, selesai__isnull=True).select_related("warga"))
    return sorted(rows, key=lambda m: (ROLE_ORDER.get(m.peran, len(ROLE_ORDER)),
                                       m.warga.nama.casefold(), m.pk))


def pengurus_section(request: HttpRequest, group: Perkumpulan) -> dict:
    """The printed profile's board and members (members.apps registers it)."""
    rows = current_members(request, group)
    return {
        "board": [m for m in rows if m.peran != PeranAnggota.ANGGOTA],
        "members": [m for m in rows if m.peran == PeranAnggota.ANGGOTA],
    }


@login_required
def anggota_cetak(request: HttpRequest, kode: str) -> HttpResponse:
    """A group's member list with member numbers (1..n) and a column to sign: the board first.
    The same scoping as the group's page; observers read the NIK masked."""
    group = get_object_or_404(
        Perkumpulan.objects.visible_to(request.user).select_related("jenis", "desa"), kode=kode)
    return render(request, "cetak/anggota.html", {
        **dokumen(group.desa, _("Member list")),
        "group": group,
        "rows": current_members(request, group),
        "personal": access.can_see_personal_data(request.user),
    })
