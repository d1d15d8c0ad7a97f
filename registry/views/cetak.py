"""Printed documents (A4, static/wksbm/print.css, no JavaScript): each with its area's letterhead
(`KopSurat.for_area`: the area's, else its nearest ancestor's; with none, the areas' names) and a
signature block (place, date printed, the signatory's name and title from the letterhead).

The registry's own: a group's profile, a recap. The other apps print theirs with the same frame
(templates/cetak/base_cetak.html) and `dokumen()`: the members app a group's member list, the
network app a forum meeting's minutes, verifikasi a village's list. Also here: the groups whose
decree (SK) ends soon, their dashboard card, and the letterhead's form."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry import access, rekap
from registry.forms import VersionedModelForm
from registry.models import SK_WARNING_DAYS, KopSurat, Perkumpulan, Tingkat, Wilayah
from registry.pages import BadRequest, paged, posted
from registry.panels import CETAK_SECTIONS, shown
from registry.views.rekap import _params_and_source, table_html


# The letterhead and the signature ---------------------------------------------------------------
def _prefix(area: Wilayah) -> str:
    if area.tingkat == Tingkat.DESA:
        return _("KELURAHAN") if area.is_kelurahan else _("DESA")
    if area.tingkat == Tingkat.KECAMATAN:
        return _("KECAMATAN")
    return ""  # a regency's or city's name says which it is ("Kota Cimahi")


def _names(area: Wilayah) -> list[Wilayah]:
    """The area and its ancestors down from its regency/city (one query)."""
    codes = [c for c in (area.kabupaten_id, area.kecamatan_id) if c] + [area.kode]
    if area.tingkat == Tingkat.PROVINSI:
        codes = [area.kode]
    found = {w.kode: w for w in Wilayah.objects.filter(pk__in=codes)}
    return [found[c] for c in codes if c in found]


def _title(area: Wilayah) -> str:
    """The default signatory's title of an area's documents."""
    if area.tingkat == Tingkat.DESA:
        return (_("Lurah %(name)s") if area.is_kelurahan else _("Kepala Desa %(name)s")) % {
            "name": area.nama}
    if area.tingkat == Tingkat.KECAMATAN:
        return _("Camat %(name)s") % {"name": area.nama}
    return _("Head of Dinas Sosial, %(name)s") % {"name": area.nama}


def kop(area: Wilayah) -> dict:
    """The letterhead printed on `area`'s documents."""
    letter = KopSurat.for_area(area)
    if letter is not None:
        return {"baris": letter.baris_instansi, "alamat": letter.alamat, "surat": letter}
    lines = [f"{_prefix(w)} {w.nama}".strip().upper() for w in _names(area)]
    return {"baris": lines, "alamat": "", "surat": None}


def tanda_tangan(area: Wilayah, letter: KopSurat | None = None, exact: bool = False,
                 label: str = "") -> dict:
    """A signature block: the place, the date printed, the signatory's title and name. From
    `letter` (else `KopSurat.for_area(area)`); `exact`: only the area's own letterhead names its
    signatory (the kecamatan's block never borrows the district's camat)."""
    if letter is None:
        letter = KopSurat.for_area(area)
    if letter is not None and exact and letter.wilayah_id != area.pk:
        letter = None
    return {
        "label": label,
        "tempat": (letter.kota if letter and letter.kota else area.nama),
        "tanggal": timezone.localdate(),
        "jabatan": (letter.jabatan if letter and letter.jabatan else _title(area)),
        "nama": letter.penandatangan if letter else "",
        "nip": letter.nip if letter else "",
    }


def dokumen(area: Wilayah, judul: str, ttd: list[dict] | None = None) -> dict:
    """What every printed document's frame needs: its title, the letterhead, the date printed
    and its signature blocks (by default the area's signatory)."""
    head = kop(area)
    return {
        "judul": judul,
        "area": area,
        "kop": head,
        "dicetak": timezone.localdate(),
        "ttd": ttd if ttd is not None else [tanda_tangan(area, head["surat"])],
    }


# A group's profile ------------------------------------------------------------------------------
@login_required
def perkumpulan_cetak(request: HttpRequest, kode: str) -> HttpResponse:
    """A group's profile on paper: identity, decree, and what the other apps add (board,
    members, links)."""
    group = get_object_or_404(
        Perkumpulan.objects.visible_to(request.user).select_related("jenis", "desa", "tujuan")
        .prefetch_related("kegiatan"), kode=kode)
    return render(request, "cetak/perkumpulan.html", {
        **dokumen(group.desa, _("Group profile")),
        "group": group,
        "sections": shown(CETAK_SECTIONS, request, group),
    })


# A recap --------------------------------------------------------------------------------------
@login_required
def rekap_cetak(request: HttpRequest) -> HttpResponse:
    """Any recap on paper: the area, the reference year, the tables, the date printed."""
    try:
        area, tahun, sumber = _params_and_source(request)  # "as approved in round R", as it
        # stood, or live
    except BadRequest as exc:
        return render(request, "registry/rekap.html", {"error": str(exc)}, status=400)
    data = rekap.build(area, tahun, sensitive=access.can_see_pmks(request.user), sumber=sumber)
    return render(request, "cetak/rekap.html", {
        **dokumen(area, _("Recap of community groups")),
        "tahun": tahun,
        "putaran": sumber,
        "rekap": data,
        "tables": [{"tabel": t, "html": table_html(t, "data")} for t in data.tabel],
    })


# Decrees ending soon ------------------------------------------------------------------------------
def sk_berakhir_queryset(user, today: datetime.date | None = None):
    """The groups the user sees whose decree ends within SK_WARNING_DAYS days or has ended."""
    today = today or timezone.localdate()
    limit = today + datetime.timedelta(days=SK_WARNING_DAYS)
    return Perkumpulan.objects.visible_to(user).filter(
        sk_berlaku_sampai__isnull=False, sk_berlaku_sampai__lte=limit, aktif=True)


@login_required
def sk_berakhir(request: HttpRequest) -> HttpResponse:
    groups = (sk_berakhir_queryset(request.user).select_related("jenis", "desa")
              .order_by("sk_berlaku_sampai", "kode"))
    page, query = paged(request, groups)
    return render(request, "registry/sk_berakhir.html", {
        "page": page, "query": query, "hari": SK_WARNING_DAYS,
    })


def sk_card(request: HttpRequest, stored) -> tuple[str, int, str] | None:
    """Dashboard: the groups whose decree ends within 60 days or has ended (one query)."""
    n = sk_berakhir_queryset(request.user).count()
    if not n:
        return None
    return (ngettext("group whose decree ends within 60 days or has ended",
                     "groups whose decree ends within 60 days or has ended", n),
            n, reverse("registry:sk_berakhir"))


# The letterhead's form ---------------------------------------------------------------------------
class KopSuratForm(VersionedModelForm):
    class Meta(VersionedModelForm.Meta):
        model = KopSurat
        fields = ["instansi", "alamat", "kota", "penandatangan", "jabatan", "nip"]


@login_required
def kop_surat_form(request: HttpRequest, kode: str) -> HttpResponse:
    """An area's letterhead: kept by whoever may write the area's records, and by the kecamatan
    worker for their own kecamatan (access.may_edit_letterhead); 404 outside the user's area."""
    area = get_object_or_404(Wilayah.objects.visible_to(request.user), kode=kode)
    if not access.may_edit_letterhead(request.user, area):
        raise PermissionDenied
    letter = KopSurat.objects.filter(wilayah=area).first()
    inherited = KopSurat.for_area(area) if letter is None else None
    form = KopSuratForm(posted(request), instance=letter or KopSurat(wilayah=area))
    if request.method == "POST" and form.is_valid() and form.save() is not None:
        messages.success(request, _("Letterhead saved."))
        return redirect("registry:kop_surat", kode=area.kode)
    return render(request, "registry/kop_surat_form.html", {
        "form": form, "area": area, "letter": letter, "inherited": inherited,
    }, status=form.http_status if request.method == "POST" else 200)


