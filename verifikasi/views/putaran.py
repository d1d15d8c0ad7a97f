"""The rounds' own pages: the list of rounds, a round's form, its progress by village, and the
difference between what a village proposed and what was accepted or approved.

The progress page runs a fixed number of queries whatever the district's size: the round, the
villages (with their kecamatan), the villages' lists, and the lists' item counts by status (one
aggregate). Its figures are stages and counts — no person's name — so observers see it too;
the villages' rows are those of the user's area, the totals and the bars per kecamatan those of
the whole district (how far the round has come)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access
from registry.models import Tingkat, Wilayah
from registry.pages import paged, posted
from verifikasi.forms import PutaranForm, may_open_rounds
from verifikasi.models import ItemUsulan, Putaran, StatusItem, Tahap, UsulanDesa

STAGES = list(Tahap)
PLACE = "00.00.00.0000"  # a village's code in an address reversed once for every village
# The colours of the stages in the progress bars (SVG fill attributes: no inline style).
FILL = {Tahap.BELUM: "#c5ccd1", Tahap.DIAJUKAN: "#f0b429", Tahap.DIVERIFIKASI: "#4a90c2",
        Tahap.DISETUJUI: "#2b9479"}


def visible_round(request: HttpRequest, pk: int) -> Putaran:
    """The round `pk` if the user sees it (its district, an area within it, its province):
    else 404."""
    return get_object_or_404(Putaran.objects.visible_to(request.user).select_related("wilayah"),
                             pk=pk)


# The dashboard's figure -----------------------------------------------------------------------
def putaran_card(request: HttpRequest, stored):
    """Rounds the user sees that are still open (their approval deadline not passed)."""
    count = (Putaran.objects.visible_to(request.user)
             .filter(batas_persetujuan__gte=timezone.localdate()).count())
    return (_("verification rounds open"), count, reverse("verifikasi:putaran_list"))


# The list -------------------------------------------------------------------------------------
def stage_counts(rounds: list[Putaran], user) -> None:
    """Set `tahap` ({stage: villages}) and `jumlah_desa` on each round: the villages of the
    round's district within the user's area, by the stage of their list (a village without a
    list has not submitted). Two grouped queries for the whole page."""
    if not rounds:
        return
    districts = {p.wilayah_id for p in rounds}
    villages = dict(Wilayah.objects.filter(access.area_filter(user, "self"),
                                           tingkat=Tingkat.DESA, kabupaten__in=districts)
                    .order_by().values("kabupaten").annotate(n=Count("pk"))
                    .values_list("kabupaten", "n"))
    counts = {}
    for putaran, tahap, n in (UsulanDesa.objects.filter(access.area_filter(user, "desa"),
                                                        putaran__in=rounds)
                              .order_by().values("putaran", "tahap").annotate(n=Count("pk"))
                              .values_list("putaran", "tahap", "n")):
        counts[(putaran, tahap)] = n
    for p in rounds:
        p.jumlah_desa = villages.get(p.wilayah_id, 0)
        p.tahap = {t.value: counts.get((p.pk, t.value), 0) for t in STAGES}
        p.tahap[Tahap.BELUM] = p.jumlah_desa - sum(
            n for t, n in p.tahap.items() if t != Tahap.BELUM)
        p.tahap_list = [(t.label, p.tahap[t.value]) for t in STAGES]


@login_required
def putaran_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rounds = (Putaran.objects.visible_to(user).select_related("wilayah")
              .order_by("-mulai", "-pk"))
    page, query = paged(request, rounds)
    stage_counts(page.object_list, user)
    return render(request, "verifikasi/putaran_list.html", {
        "page": page, "query": query, "stages": STAGES, "can_open": may_open_rounds(user),
    })


# The form -------------------------------------------------------------------------------------
@login_required
def putaran_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new round, or a round's data changed: Dinas Sosial of the district (or its province)
    only — 403 for the other roles, 404 for a round outside the user's area."""
    user = request.user
    putaran = None
    if pk is not None:
        putaran = visible_round(request, pk)
        if not access.may_run_rounds(user, putaran.wilayah):
            raise PermissionDenied
    elif not may_open_rounds(user):
        raise PermissionDenied
    form = PutaranForm(posted(request), instance=putaran, user=user)
    if request.method == "POST":

        def save() -> str | None:
            if putaran is None:
                form.instance.dibuat_oleh = user
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("Round %(nama)s saved.") % {"nama": saved.nama})
            return reverse("verifikasi:putaran_detail", args=[saved.pk])

        done = form.save_once(request, save, reverse("verifikasi:putaran_list"))
        if done is not None:
            return done
    back = (reverse("verifikasi:putaran_detail", args=[putaran.pk]) if putaran
            else reverse("verifikasi:putaran_list"))
    return render(request, "verifikasi/putaran_form.html", {
        "form": form, "putaran": putaran, "back": back,
    }, status=form.http_status)


# The progress by village ----------------------------------------------------------------------
class ProgressFilter(forms.Form):
    kecamatan = forms.ChoiceField(label=gettext_lazy("Kecamatan"), required=False)
    tahap = forms.ChoiceField(label=gettext_lazy("Stage"), required=False,
                              choices=[("", "—"), *Tahap.choices])
    terlambat = forms.BooleanField(label=gettext_lazy("Late only"), required=False)

    def __init__(self, *args, kecamatan: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = [("", "—"), *kecamatan]


def day(value) -> str:
    """A date or a moment as the pages show it (dd-mm-yyyy, local time), "–" when empty:
    formatted here once, not by a template filter on every row of a large district."""
    if value is None:
        return "–"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


class Row:
    """A village's line on the progress page."""

    def __init__(self, putaran: Putaran, desa: Wilayah, usulan: UsulanDesa | None,
                 counts: dict, today: datetime.date, labels: dict):
        self.desa = desa
        self.usulan = usulan
        self.tahap = usulan.tahap if usulan else Tahap.BELUM
        self.tahap_label = labels[self.tahap]
        # A village without a list has not submitted: late after the submission deadline.
        self.terlambat = (usulan.terlambat(today) if usulan
                          else today > putaran.batas_usulan)
        self.diajukan = day(usulan.diajukan if usulan else None)
        self.diverifikasi = day(usulan.diverifikasi if usulan else None)
        self.disetujui = day(usulan.disetujui if usulan else None)
        self.menunggu = counts.get(StatusItem.DIAJUKAN, 0)
        self.diterima = counts.get(StatusItem.DITERIMA, 0)
        self.dikembalikan = counts.get(StatusItem.DIKEMBALIKAN, 0)
        self.items = self.menunggu + self.diterima + self.dikembalikan
        # As shown: text already (a template localises every number it prints, row by row).
        self.shown = {"menunggu": str(self.menunggu), "diterima": str(self.diterima),
                      "dikembalikan": str(self.dikembalikan)}


def progress(putaran: Putaran, today) -> tuple[list[Row], list[Wilayah]]:
    """Every village of the round's district, with its list's stage, dates, item counts and
    whether it is late; and the district's kecamatan. Three queries whatever the size."""
    villages = list(putaran.desa().select_related("kecamatan")
                    .only("kode", "nama", "kecamatan__kode", "kecamatan__nama"))
    lists = {u.desa_id: u for u in UsulanDesa.objects.filter(putaran=putaran).only(
        "pk", "desa", "tahap", "diajukan", "diverifikasi", "disetujui", "putaran")}
    counts: dict[int, dict] = {}
    for usulan, status, n in (ItemUsulan.objects.filter(usulan__putaran=putaran).order_by()
                              .values("usulan", "status").annotate(n=Count("pk"))
                              .values_list("usulan", "status", "n")):
        counts.setdefault(usulan, {})[status] = n
    rows, kecamatan = [], {}
    labels = {t.value: str(t.label) for t in STAGES}  # translated once, not once a village
    for desa in villages:
        usulan = lists.get(desa.kode)
        if usulan is not None:
            usulan.putaran = putaran  # terlambat() reads the deadlines: no query per village
        rows.append(Row(putaran, desa, usulan, counts.get(usulan.pk, {}) if usulan else {}, today,
                        labels))
        kecamatan.setdefault(desa.kecamatan_id, desa.kecamatan)
    return rows, sorted(kecamatan.values(), key=lambda k: k.kode)


def tally(rows: list[Row]) -> dict:
    """Villages by stage, the late ones, and items by status."""
    found = {t.value: 0 for t in STAGES}
    for r in rows:
        found[r.tahap] += 1
    total = len(rows)
    return {
        "desa": total,
        "tahap": [(t.value, t.label, found[t.value],
                   round(100 * found[t.value] / total, 1) if total else 0) for t in STAGES],
        "terlambat": sum(r.terlambat for r in rows),
        "menunggu": sum(r.menunggu for r in rows),
        "diterima": sum(r.diterima for r in rows),
        "dikembalikan": sum(r.dikembalikan for r in rows),
        "persen_disetujui": round(100 * found[Tahap.DISETUJUI] / total) if total else 0,
    }


def bar(counts: dict) -> list[dict]:
    """A stacked bar's segments (SVG: x and width in percent), one per stage with villages."""
    segments, x = [], 0.0
    total = counts["desa"] or 1
    for value, label, n, _pct in counts["tahap"]:
        width = 100 * n / total
        if n:
            segments.append({"tahap": value, "label": label, "n": n, "x": f"{x:.2f}",
                             "width": f"{width:.2f}", "fill": FILL[value]})
        x += width
    return segments


@login_required
def putaran_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    putaran = visible_round(request, pk)
    today = timezone.localdate()
    rows, all_kecamatan = progress(putaran, today)
    # The totals and the bars are the whole district's (stages, no names); the rows shown are
    # the villages of the user's area.
    totals = tally(rows)
    per_kecamatan = []
    for kec in all_kecamatan:
        counts = tally([r for r in rows if r.desa.kecamatan_id == kec.kode])
        per_kecamatan.append({"kecamatan": kec, "counts": counts, "bar": bar(counts)})
    own = [r for r in rows if access.reaches(user, r.desa)]
    shown_kecamatan = [k for k in all_kecamatan if any(r.desa.kecamatan_id == k.kode
                                                       for r in own)]
    found = ProgressFilter(request.GET, kecamatan=[(k.kode, f"{k.nama} ({k.kode})")
                                                   for k in shown_kecamatan])
    valid = found.is_valid()
    if valid:
        wanted = found.cleaned_data
        if wanted.get("kecamatan"):
            own = [r for r in own if r.desa.kecamatan_id == wanted["kecamatan"]]
        if wanted.get("tahap"):
            own = [r for r in own if r.tahap == wanted["tahap"]]
        if wanted.get("terlambat"):
            own = [r for r in own if r.terlambat]
    else:
        own = []
    # Each village's links, from one reversed address each (not two `{% url %}` a row).
    detail = reverse("verifikasi:usulan_detail", args=[putaran.pk, PLACE])
    selisih = reverse("verifikasi:usulan_selisih", args=[putaran.pk, PLACE])
    for r in own:
        r.url_detail = detail.replace(PLACE, r.desa.kode)
        r.url_selisih = selisih.replace(PLACE, r.desa.kode)
    groups = []
    for kec in shown_kecamatan:
        members = [r for r in own if r.desa.kecamatan_id == kec.kode]
        if members:
            groups.append({"kecamatan": kec, "rows": members})
    return render(request, "verifikasi/putaran_detail.html", {
        "putaran": putaran,
        "today": today,
        "totals": totals,
        "totals_bar": bar(totals),
        "per_kecamatan": per_kecamatan,
        "groups": groups,
        "shown": sum(len(g["rows"]) for g in groups),
        "filter": found,
        "filtered": bool(request.GET),
        "legend": [(t.label, FILL[t]) for t in STAGES],
        "can_edit": access.may_run_rounds(user, putaran.wilayah),
        "can_see_items": access.may_view(user, ItemUsulan),
    }, status=200 if valid else 400)


# What was proposed, what was accepted ---------------------------------------------------------
def added_later(usulan: UsulanDesa, items: list[ItemUsulan]) -> set[int]:
    """The items that joined the list after it was first submitted (by `perbarui`): beyond the
    first `jumlah_item` written when it was submitted, in the order they were written."""
    first = (usulan.langkah.filter(aksi="AJUKAN").order_by("waktu", "pk")
             .values_list("data", flat=True).first())
    if not first or "jumlah_item" not in first:
        return set()
    ordered = sorted(i.pk for i in items)
    return set(ordered[int(first["jumlah_item"]):])


@login_required
def usulan_selisih(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    """Per item of a village's list: the values as the village first proposed them beside
    those last submitted and accepted (as approved, once the district approved the list);
    returned items with their reason; items added after the first submission marked. For the
    roles that see PMKS (403 for observers), 404 outside the user's area."""
    user = request.user
    if not access.may_view(user, ItemUsulan):
        raise PermissionDenied
    putaran = visible_round(request, pk)
    village = get_object_or_404(
        Wilayah.objects.visible_to(user).filter(tingkat=Tingkat.DESA,
                                                kabupaten=putaran.wilayah_id)
        .select_related("kecamatan"), kode=desa)
    usulan = UsulanDesa.objects.visible_to(user).filter(putaran=putaran, desa=village).first()
    items = []
    if usulan is not None:
        items = list(ItemUsulan.objects.visible_to(user).filter(usulan=usulan)
                     .order_by("jenis", "label", "pk"))
    later = added_later(usulan, items) if items else set()
    changed = 0
    for item in items:
        names = dict.fromkeys([*item.data_awal, *item.data])
        item.perbedaan = [(name, item.data_awal.get(name, ""), item.data.get(name, ""))
                          for name in names
                          if item.data_awal.get(name, "") != item.data.get(name, "")]
        item.ditambah_kemudian = item.pk in later
        changed += bool(item.perbedaan)
    status_counts = {s.value: sum(1 for i in items if i.status == s.value) for s in StatusItem}
    return render(request, "verifikasi/selisih.html", {
        "putaran": putaran,
        "desa": village,
        "usulan": usulan,
        "items": items,
        "changed": changed,
        "later": len(later),
        "status_counts": status_counts,
        "approved": usulan is not None and usulan.tahap == Tahap.DISETUJUI,
        "StatusItem": StatusItem,
    })
