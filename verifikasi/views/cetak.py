"""A village's list in a round on paper (registry.views.cetak frames it: letterhead,
signatures): as submitted (each item's values as first proposed, `data_awal`) or as approved
(the accepted items' values, `data`; only once the district has approved the list). The same
scoping as the list's page: its items are for the roles that see PMKS (observers: 404), within
the user's area."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from registry import access
from registry.views.cetak import dokumen, tanda_tangan
from verifikasi.models import JENIS, ItemUsulan, StatusItem, Tahap, UsulanDesa

VERSI = ("diajukan", "disetujui")


def _labels(jenis: str) -> dict[str, str]:
    model = JENIS[jenis].model
    return {name: str(model._meta.get_field(name).verbose_name) for name in JENIS[jenis].fields}


def _rows(items: list[ItemUsulan], approved: bool) -> list[dict]:
    labels = {jenis: _labels(jenis) for jenis in JENIS}
    rows = []
    for item in items:
        values = item.data if approved else item.data_awal
        names = labels.get(item.jenis, {})
        rows.append({
            "item": item,
            "nilai": [(names.get(k, k), v) for k, v in values.items() if v not in ("", None)],
        })
    return rows


@login_required
def usulan_cetak(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    if not access.may_view(request.user, ItemUsulan):
        raise Http404
    versi = request.GET.get("versi") or "diajukan"
    if versi not in VERSI:
        return render(request, "cetak/pesan.html", {
            "judul": _("Village list"),
            "pesan": _("Choose ?versi=diajukan (as submitted) or ?versi=disetujui (as approved)."),
        }, status=400)
    usulan = get_object_or_404(
        UsulanDesa.objects.visible_to(request.user).select_related(
            "putaran", "desa", "desa__kecamatan", "desa__kabupaten", "diajukan_oleh",
            "diverifikasi_oleh", "disetujui_oleh"),
        putaran_id=pk, desa_id=desa)
    approved = versi == "disetujui"
    if usulan.tahap == Tahap.BELUM or (approved and usulan.tahap != Tahap.DISETUJUI):
        message = (_("This list has not been approved by the district yet: only its submitted "
                     "version can be printed.") if approved and usulan.tahap != Tahap.BELUM
                   else _("This village has not submitted its list yet."))
        return render(request, "cetak/pesan.html", {
            "judul": _("Village list"), "pesan": message, "usulan": usulan}, status=404)
    items = ItemUsulan.objects.visible_to(request.user).filter(usulan=usulan)
    if approved:
        items = items.filter(status=StatusItem.DITERIMA)
    items = list(items.order_by("jenis", "label", "pk"))
    village = usulan.desa
    signatures = [tanda_tangan(village, exact=True, label=_("Proposed by the village"))]
    if approved:
        signatures += [
            tanda_tangan(village.kecamatan, exact=True, label=_("Verified by the kecamatan")),
            tanda_tangan(village.kabupaten, exact=True, label=_("Approved by the district")),
        ]
    title = (_("Village list as approved") if approved else _("Village list as submitted"))
    return render(request, "cetak/usulan.html", {
        **dokumen(village, title, signatures),
        "usulan": usulan, "putaran": usulan.putaran, "approved": approved,
        "rows": _rows(items, approved),
    })
