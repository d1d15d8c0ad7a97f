"""The forum's meeting minutes (berita acara) on paper, with the attendance list to sign, and
the links on a group's printed profile (registry.views.cetak frames both)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from network.models import PengurusForum, PertemuanForum
from network.views import group_links
from registry.models import Perkumpulan
from registry.views.cetak import dokumen

# Empty lines at the foot of the attendance list, for those who came and are not listed.
EMPTY_LINES = 5


def hubungan_section(request: HttpRequest, group: Perkumpulan) -> dict:
    """The printed profile's working links (network.apps registers it): one query."""
    return {"rows": group_links(group)}


@login_required
def pertemuan_cetak(request: HttpRequest, pk: int) -> HttpResponse:
    """A forum meeting's minutes: the forum, date, kind, attendance and notes, then the
    attendance list — the forum's current leaders and one line per member group, and empty
    lines — with an empty column to sign. The same scoping as the forum's page (404 outside
    the user's area). Three queries."""
    meeting = get_object_or_404(
        PertemuanForum.objects.visible_to(request.user).select_related("forum__desa")
        .prefetch_related(
            Prefetch("forum__pengurus", PengurusForum.objects.filter(selesai__isnull=True)
                     .select_related("warga").order_by("jabatan", "warga__nama"),
                     to_attr="current_leaders"),
            Prefetch("forum__anggota", Perkumpulan.objects.order_by("nama"),
                     to_attr="member_groups")),
        pk=pk)
    forum = meeting.forum
    rows = [{"nama": p.warga.nama, "keterangan": p.jabatan} for p in forum.current_leaders]
    rows += [{"nama": "", "keterangan": _("Representative of %(group)s") % {"group": g.nama}}
             for g in forum.member_groups]
    listed = len(rows)
    rows += [{"nama": "", "keterangan": ""}] * max(EMPTY_LINES, (meeting.hadir or 0) - listed)
    return render(request, "cetak/berita_acara.html", {
        **dokumen(forum.desa, _("Minutes of the forum meeting (berita acara)")),
        "meeting": meeting, "forum": forum, "rows": rows,
    })
