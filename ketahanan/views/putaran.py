"""Monitoring rounds of an area (their trend) and the change page between two rounds."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketahanan import putaran as monitoring
from ketahanan.models import PutaranPantau
from registry import access, lampau, rekap, replicas
from registry.forms import DateInput
from registry.models import Wilayah
from registry.pages import BadRequest, area_param, larger_areas, posted

FIGURES = {
    "perkumpulan": gettext_lazy("Active groups"),
    "keanggotaan": gettext_lazy("Current memberships"),
    "hubungan": gettext_lazy("Working links"),
    "kasus_terbuka": gettext_lazy("Open PMKS cases"),
}
CHANGE_LABELS = {
    "didirikan": gettext_lazy("Groups founded"),
    "dibubarkan": gettext_lazy("Groups dissolved"),
    "ganti_jenis": gettext_lazy("Groups that changed type"),
    "anggota_masuk": gettext_lazy("Members joined"),
    "anggota_keluar": gettext_lazy("Members left"),
    "hubungan_dibuat": gettext_lazy("Links made"),
    "hubungan_berakhir": gettext_lazy("Links ended"),
    "kasus_dibuka": gettext_lazy("Cases opened"),
    "kasus_ditutup": gettext_lazy("Cases closed"),
}
PMKS_ONLY = {"kasus_terbuka", "kasus_dibuka", "kasus_ditutup"}
CHART_W, CHART_H, PAD = 300, 110, 24


class PutaranForm(forms.ModelForm):
    class Meta:
        model = PutaranPantau
        fields = ["nama", "tanggal"]
        widgets = {"tanggal": DateInput()}

    def clean_tanggal(self):
        tanggal = self.cleaned_data["tanggal"]
        if tanggal > timezone.localdate():
            raise ValidationError(_("A monitoring round looks back: its date cannot be in "
                                    "the future."))
        return tanggal


def _line(points: list[int]) -> dict:
    """A small line chart (SVG) of one figure over the rounds; numbers as SVG reads them."""
    top = max([*points, 1])
    step = (CHART_W - 2 * PAD) / max(1, len(points) - 1)
    coords = [(PAD + i * step, CHART_H - PAD - (CHART_H - 2 * PAD) * v / top)
              for i, v in enumerate(points)]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
            "dots": [{"x": f"{x:.1f}", "y": f"{y:.1f}", "value": v}
                     for (x, y), v in zip(coords, points, strict=True)],
            "width": CHART_W, "height": CHART_H}


def _may_name_rounds(user, area: Wilayah) -> bool:
    return access.can_edit(user) and access.may_write_area(user, area)


@login_required
def putaran_list(request: HttpRequest) -> HttpResponse:
    """The area's rounds, the trend of the main figures over them, and the form to name one."""
    try:
        area = area_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/putaran_list.html", {"error": str(exc)}, status=400)
    found = monitoring.rounds(area, request.user)
    shown = found[-monitoring.MAX_ROUNDS:]
    pmks = access.can_see_pmks(request.user)
    per_round = [monitoring.figures(monitoring.keadaan(area, r.momen)) for r in shown]
    trend = [{"key": key, "label": label, "chart": _line([f[key] for f in per_round]),
              "latest": per_round[-1][key]}
             for key, label in FIGURES.items() if pmks or key not in PMKS_ONLY]
    return render(request, "ketahanan/putaran_list.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "rounds": list(reversed(found)),
        "shown": shown,
        "trend": trend,
        "form": PutaranForm(initial={"tanggal": timezone.localdate()}),
        "may_name": _may_name_rounds(request.user, area),
        "previous": found[-2].kunci if len(found) > 1 else None,
    })


@login_required
def putaran_new(request: HttpRequest) -> HttpResponse:
    try:
        area = area_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/putaran_list.html", {"error": str(exc)}, status=400)
    if not _may_name_rounds(request.user, area):
        raise PermissionDenied
    form = PutaranForm(posted(request))
    if request.method == "POST" and form.is_valid():
        round_ = form.save(commit=False)
        round_.wilayah, round_.dibuat_oleh = area, request.user
        round_.save()
        messages.success(request, _("Monitoring round %(name)s named.") % {"name": round_.nama})
        return redirect(reverse("ketahanan:putaran_list") + "?" + urlencode({"wilayah": area.pk}))
    return render(request, "ketahanan/putaran_form.html", {"area": area, "form": form},
                  status=400 if request.method == "POST" else 200)


def _tables_side_by_side(before, after) -> list[dict]:
    """The recap tables both hold, each row's totals at the two rounds and the difference."""
    tables = []
    for table in before.tabel:
        other = next((t for t in after.tabel if t.nomor == table.nomor), None)
        if other is None or table.amounts:
            continue
        rows_a = {r.label: r.jumlah for r in table.baris}
        rows_b = {r.label: r.jumlah for r in other.baris}
        labels = [r.label for r in table.baris] + [r.label for r in other.baris
                                                   if r.label not in rows_a]
        rows = [{"label": label, "a": rows_a.get(label, 0), "b": rows_b.get(label, 0),
                 "selisih": rows_b.get(label, 0) - rows_a.get(label, 0)} for label in labels]
        tables.append({"nomor": table.nomor, "judul": table.judul, "rows": rows,
                       "a": table.total.jumlah, "b": other.total.jumlah,
                       "selisih": other.total.jumlah - table.total.jumlah})
    return tables


@login_required
@replicas.heavy
def perubahan(request: HttpRequest) -> HttpResponse:
    """What changed in the area between two rounds (`?dari=KEY&sampai=KEY`; by default the
    round before today and today), village by village, and the recap tables side by side."""
    try:
        area = area_param(request)
        found = monitoring.rounds(area, request.user)
        keys = {r.kunci: r for r in found}
        dari = request.GET.get("dari", "").strip() or (found[-2].kunci if len(found) > 1
                                                       else "kini")
        sampai = request.GET.get("sampai", "").strip() or "kini"
        if dari not in keys or sampai not in keys:
            raise BadRequest(_("Choose two of the area's rounds."))
        a, b = keys[dari], keys[sampai]
        if a.momen > b.momen:
            a, b = b, a
    except BadRequest as exc:
        return render(request, "ketahanan/perubahan.html", {"error": str(exc)}, status=400)
    before, after = monitoring.keadaan(area, a.momen), monitoring.keadaan(area, b.momen)
    pmks = access.can_see_pmks(request.user)
    fa, fb = monitoring.figures(before), monitoring.figures(after)
    kinds = [k for k in monitoring.CHANGES if pmks or k not in PMKS_ONLY]
    places = monitoring.perubahan(before, after)
    names = dict(Wilayah.objects.filter(pk__in=[p.wilayah for p in places])
                 .values_list("pk", "nama"))
    rows = [{"wilayah": p.wilayah, "nama": names.get(p.wilayah, p.wilayah),
             "counts": [p.counts[k] for k in kinds],
             "groups": [(CHANGE_LABELS[k], names_) for k, names_ in p.groups.items()]}
            for p in places if any(p.counts[k] for k in kinds)]
    totals = [sum(p.counts[k] for p in places) for k in kinds]
    year = timezone.localtime(b.momen).year
    recap_a = rekap.build(area, year, sensitive=pmks,
                          sumber=lampau.SumberLampau(area=area, pada=a.momen))
    recap_b = rekap.build(area, year, sensitive=pmks,
                          sumber=lampau.SumberLampau(area=area, pada=b.momen))
    return render(request, "ketahanan/perubahan.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "rounds": list(reversed(found)),
        "a": a, "b": b, "dari": a.kunci, "sampai": b.kunci,
        "labels": [CHANGE_LABELS[k] for k in kinds],
        "rows": rows,
        "totals": totals,
        "figures": [{"key": k, "label": label, "a": fa[k], "b": fb[k], "selisih": fb[k] - fa[k]}
                    for k, label in FIGURES.items() if pmks or k not in PMKS_ONLY],
        "tables": _tables_side_by_side(recap_a, recap_b),
    })


urlpatterns = [
    path("ketahanan/putaran/", putaran_list, name="putaran_list"),
    path("ketahanan/putaran/baru/", putaran_new, name="putaran_new"),
    path("ketahanan/perubahan/", perubahan, name="perubahan"),
]


def register() -> None:
    """Nothing on other apps' pages: the indicator page links to the rounds."""
