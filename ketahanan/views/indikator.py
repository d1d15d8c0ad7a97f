"""The social-resilience indicators of an area (the four dimensions side by side, each
indicator with what it means and the records behind it), their comparison across the villages of
a kecamatan or district (a table sortable by any indicator, and a bar chart), and their xlsx."""

import datetime
import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketahanan import indikator
from ketahanan.models import Indikator
from registry import access, replicas
from registry.models import Tingkat
from registry.pages import XLSX, BadRequest, area_param, larger_areas, pada_param

YEAR_MIN, YEAR_MAX = 1900, 2100


def _params(request: HttpRequest):
    """The area, the reference date (`?tahun=Y`: 31 December of Y; default today, or the date
    of `?pada=`) and the moment of `?pada=`; BadRequest for a bad one."""
    area = area_param(request)
    pada = pada_param(request)
    acuan = None
    raw = request.GET.get("tahun", "").strip()
    if raw:
        if not raw.isdigit() or not YEAR_MIN <= int(raw) <= YEAR_MAX:
            raise BadRequest(_("The reference year must be a year between %(min)d and %(max)d.")
                             % {"min": YEAR_MIN, "max": YEAR_MAX})
        acuan = datetime.date(int(raw), 12, 31)
    return area, acuan, pada


def _query(area, request: HttpRequest, **extra) -> str:
    params = {"wilayah": area.kode}
    for name in ("tahun", "pada"):
        if request.GET.get(name, "").strip():
            params[name] = request.GET[name].strip()
    params.update(extra)
    return urlencode(params)


def _records_behind(key: str, area, user) -> str | None:
    """The page listing the records an indicator counts, for this user (none where the user
    may not see them: PMKS for observers, people for those who may not see personal data)."""
    area_q = f"?wilayah={area.kode}"
    pmks = access.can_see_pmks(user)
    links = {
        Indikator.PMKS_DIDAMPINGI: pmks and reverse("pmks:cakupan") + area_q,
        Indikator.PMKS_DIBANTU_12_BULAN: pmks and reverse("pmks:kasus_list") + area_q,
        Indikator.KATEGORI_TANPA_PENOLONG: pmks and reverse("pmks:cakupan") + area_q,
        Indikator.KORBAN_KEKERASAN_DIDAMPINGI: pmks and reverse("pmks:cakupan") + area_q,
        Indikator.PERKUMPULAN_BERJEJARING: reverse("network:jaringan") + area_q,
        Indikator.WARGA_DEWASA_ANGGOTA: (access.can_see_personal_data(user)
                                         and reverse("members:warga_list") + area_q),
        Indikator.PERKUMPULAN_PER_1000_WARGA: (area.tingkat == Tingkat.DESA
                                               and reverse("registry:profil_list",
                                                           args=[area.kode])),
        Indikator.FORUM_AKTIF: reverse("network:forum") + area_q,
        Indikator.NILAI_GOTONG_ROYONG: reverse("registry:rekap") + area_q + "#tabel-8",
        Indikator.PRAKARSA_MASYARAKAT: reverse("registry:perkumpulan_list") + "?aktif=true",
        Indikator.DANA_KOMUNITAS_AKTIF: reverse("registry:rekap") + area_q + "#tabel-12",
    }
    return links.get(key) or None


# Why an indicator has no value.
WHY_NONE = {
    Indikator.PMKS_DIDAMPINGI: gettext_lazy("no open cases"),
    Indikator.PMKS_DIBANTU_12_BULAN: gettext_lazy("no open cases"),
    Indikator.KORBAN_KEKERASAN_DIDAMPINGI: gettext_lazy("no open cases of these categories"),
    Indikator.PERKUMPULAN_BERJEJARING: gettext_lazy("no active groups"),
    Indikator.WARGA_DEWASA_ANGGOTA: gettext_lazy("no registered adults"),
    Indikator.PERKUMPULAN_PER_1000_WARGA: gettext_lazy("no village profile of the reference year"),
    Indikator.FORUM_AKTIF: gettext_lazy("no village with active groups"),
    Indikator.NILAI_GOTONG_ROYONG: gettext_lazy("no active groups"),
    Indikator.PRAKARSA_MASYARAKAT: gettext_lazy("no active groups"),
}


@dataclass
class Baris:
    key: str
    label: str
    nilai: object
    shown: str
    keterangan: str
    pembilang: object
    penyebut: object
    persen: bool
    tautan: str | None
    kosong: str


def _dimensions(hasil, user) -> list[dict]:
    rows = []
    for dim, keys in indikator.DIMENSI.items():
        items = []
        for key in keys:
            value = hasil.nilai(key)
            part, whole = hasil.basis.get(str(key), (None, None))
            # The forum's figure is a village's 1 or 0, but above a village a share of villages.
            persen = key in indikator.PERSEN or (
                key == indikator.Indikator.FORUM_AKTIF and hasil.wilayah.tingkat != Tingkat.DESA)
            items.append(Baris(
                key=str(key), label=indikator.label(key), nilai=value,
                shown=indikator.shown(value) + ("%" if persen and value is not None else ""),
                keterangan=str(indikator.KETERANGAN[key]), pembilang=part, penyebut=whole,
                persen=persen, tautan=_records_behind(key, hasil.wilayah, user),
                kosong=str(WHY_NONE.get(key, "")) if value is None else ""))
        mean = hasil.penilaian.get(str(dim), {})
        rows.append({"key": str(dim), "label": indikator.dimension_label(dim), "rows": items,
                     "penilaian": mean,
                     "penilaian_shown": indikator.shown(mean.get("rata_rata"))})
    return rows


@login_required
@replicas.heavy
def indikator_page(request: HttpRequest) -> HttpResponse:
    try:
        area, acuan, pada = _params(request)
    except BadRequest as exc:
        return render(request, "ketahanan/indikator.html", {"error": str(exc)}, status=400)
    hasil = indikator.hitung(area, acuan=acuan, pada=pada)
    return render(request, "ketahanan/indikator.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "hasil": hasil,
        "dimensions": _dimensions(hasil, request.user),
        "pada": pada,
        "pada_value": request.GET.get("pada", "").strip()[:10] if pada else "",
        "tahun": request.GET.get("tahun", "").strip(),
        "today": timezone.localdate(),
        "query": _query(area, request),
        "above_village": area.tingkat != Tingkat.DESA,
    })


# The comparison across villages -----------------------------------------------------------------
KEYS = [str(key) for keys in indikator.DIMENSI.values() for key in keys]
CHART_W, LABEL_W, ROW_H = 640, 180, 22


def _sorted(villages, key: str, descending: bool):
    """Villages by an indicator, those without a value last."""
    valued = [v for v in villages if v.nilai(key) is not None]
    empty = [v for v in villages if v.nilai(key) is None]
    valued.sort(key=lambda v: (v.nilai(key), v.wilayah.nama), reverse=descending)
    return valued + sorted(empty, key=lambda v: v.wilayah.nama)


def _chart(villages, key: str) -> dict:
    values = [v.nilai(key) or 0 for v in villages]
    top = max([100.0 if key in {str(k) for k in indikator.PERSEN} else 0, *values]) or 1
    bars = []
    for i, v in enumerate(villages):
        value = v.nilai(key)
        width = 0 if value is None else round((CHART_W - LABEL_W - 60) * value / top, 1)
        # Numbers as SVG reads them (a dot, whatever the page's language).
        bars.append({"y": i * ROW_H, "label": v.wilayah.nama, "width": f"{width:.1f}",
                     "text": indikator.shown(value), "x_text": f"{LABEL_W + width + 4:.1f}"})
    return {"bars": bars, "width": CHART_W, "height": max(1, len(bars)) * ROW_H,
            "label_x": LABEL_W - 6, "bar_x": LABEL_W}


@login_required
@replicas.heavy
def banding_page(request: HttpRequest) -> HttpResponse:
    try:
        area, acuan, pada = _params(request)
        if area.tingkat == Tingkat.DESA:
            raise BadRequest(_("A comparison needs a kecamatan or a district: choose the "
                               "area above the village."))
        key = request.GET.get("urut", "").strip() or KEYS[0]
        if key not in KEYS:
            raise BadRequest(_("Sort by one of: %(keys)s.") % {"keys": ", ".join(KEYS)})
    except BadRequest as exc:
        return render(request, "ketahanan/banding.html", {"error": str(exc)}, status=400)
    descending = request.GET.get("arah", "turun") != "naik"
    hasil = indikator.hitung(area, acuan=acuan, pada=pada)
    villages = _sorted(hasil.desa, key, descending)
    headers = [{"key": k, "label": indikator.label(k),
                "query": _query(area, request, urut=k,
                                arah="naik" if k == key and descending else "turun"),
                "active": k == key} for k in KEYS]
    rows = [{"wilayah": v.wilayah, "values": [indikator.shown(v.nilai(k)) for k in KEYS]}
            for v in villages]
    return render(request, "ketahanan/banding.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "hasil": hasil,
        "headers": headers,
        "rows": rows,
        "key": key,
        "key_label": indikator.label(key),
        "descending": descending,
        "chart": _chart(villages, key),
        "pada": pada,
        "pada_value": request.GET.get("pada", "").strip()[:10] if pada else "",
        "today": timezone.localdate(),
        "query": _query(area, request),
        "totals": [indikator.shown(hasil.nilai(k)) for k in KEYS],
    })


@login_required
@replicas.heavy
def indikator_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        area, acuan, pada = _params(request)
    except BadRequest as exc:
        return render(request, "ketahanan/indikator.html", {"error": str(exc)}, status=400)
    hasil = indikator.hitung(area, acuan=acuan, pada=pada)
    buffer = io.BytesIO()
    indikator.as_xlsx(hasil, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, content_type=XLSX,
                        filename=f"ketahanan-{area.kode}-{hasil.acuan.isoformat()}.xlsx")


urlpatterns = [
    path("ketahanan/", indikator_page, name="indikator"),
    path("ketahanan/banding/", banding_page, name="indikator_banding"),
    path("ketahanan/unduh.xlsx", indikator_xlsx, name="indikator_xlsx"),
]


def register() -> None:
    """Nothing on other apps' pages: the menu links to the indicators."""

