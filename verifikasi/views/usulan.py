"""A village's list in a round and every step on it (verifikasi.models holds the steps' order,
registry.access who may take each):

- the list's page: its stage, the village meeting's record, each stage's date, by whom and
  notes, its items by status (100 a page), its steps, and — for the records changed after the
  list was submitted — the values as submitted and now side by side;
- the village's operator submits it (with the meeting's record and the scanned minutes, after
  a preview of what the list will hold), brings it up to date after fixing records (Perbarui),
  and answers a returned item;
- the kecamatan accepts or returns each item (or accepts all remaining) and verifies the list;
- the district approves it or sends it back to the kecamatan.

A step the model refuses shows the list's (or the item's) page with the model's message: 400
for what the user left out (a reason, an answer), 409 for a step out of order; nothing written.
Observers see a list's stage and counts, never its items (they name PMKS cases and aid
recipients). An item page showing a PMKS case is written to the PMKS access log, as a case's page
is; the list, like the PMKS list, is not.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bantuan.models import Penerima
from pmks.models import KasusPMKS, LogAkses, Tindakan
from registry import access
from registry.models import Tingkat, Wilayah
from registry.pages import file_download, paged
from verifikasi.forms_usulan import LangkahForm, MusdesForm
from verifikasi.models import (
    JENIS,
    Aksi,
    ItemUsulan,
    JenisData,
    Langkah,
    Perubahan,
    Putaran,
    StatusItem,
    Tahap,
    UsulanDesa,
)

ITEMS_PER_PAGE = 100
PREVIEW_SIZE = 50
# A model's refusal that asks the user for something they left out: 400; any other (a step
# out of order, items still open, records changed): 409.
MISSING = {"alasan", "jawaban", "musdes"}


def refusal_status(error: ValidationError) -> int:
    codes = {getattr(e, "code", None) for e in error.error_list}
    return 400 if codes & MISSING else 409


# Fetching --------------------------------------------------------------------------------------
def round_and_village(request: HttpRequest, pk: int, kode: str) -> tuple[Putaran, Wilayah]:
    """The round the user sees and one of its villages within the user's area; 404 otherwise
    (a village of another district, or outside the user's area)."""
    putaran = get_object_or_404(Putaran.objects.visible_to(request.user).select_related("wilayah"),
                                pk=pk)
    desa = Wilayah.objects.filter(pk=kode, tingkat=Tingkat.DESA,
                                  kabupaten=putaran.wilayah_id).first()
    if desa is None or not access.reaches(request.user, desa):
        raise Http404
    return putaran, desa


def village_list(request: HttpRequest, putaran: Putaran, desa: Wilayah,
                 create: bool = False) -> UsulanDesa:
    """The village's list in the round. Made on first use by whoever may submit it (`create`);
    anyone else gets an unsaved list at its first stage ("not submitted"), which no step can
    move."""
    usulan = (UsulanDesa.objects.visible_to(request.user)
              .filter(putaran=putaran, desa=desa)
              .select_related("diajukan_oleh", "diverifikasi_oleh", "disetujui_oleh").first())
    if usulan is None:
        if create and access.may_propose(request.user, desa):
            usulan = putaran.usulan_desa(desa)
        else:
            usulan = UsulanDesa(putaran=putaran, desa=desa)
    usulan.putaran, usulan.desa = putaran, desa
    return usulan


def list_url(usulan: UsulanDesa) -> str:
    return reverse("verifikasi:usulan_detail", args=[usulan.putaran_id, usulan.desa_id])


def back_to(request: HttpRequest, default: str) -> HttpResponse:
    """Where a step's form asked to go next (a page of this site), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def field_label(jenis: str, name: str) -> str:
    try:
        return capfirst(JENIS[jenis].model._meta.get_field(name).verbose_name)
    except (KeyError, FieldDoesNotExist):
        return name


# The list's page -------------------------------------------------------------------------------
def usulan_page(request: HttpRequest, putaran: Putaran, desa: Wilayah, usulan: UsulanDesa, *,
                status: int = 200, error: str = "") -> HttpResponse:
    """The list's page; with `error` (a refused step's message) and its status."""
    user = request.user
    sees_items = access.may_view(user, ItemUsulan)
    saved = usulan.pk is not None
    counts: dict[str, int] = {}
    if saved:
        counts = dict(ItemUsulan.objects.filter(usulan=usulan).order_by()
                      .values_list("status").annotate(n=Count("pk")))
    total = sum(counts.values())
    wanted = request.GET.get("status", "")
    if wanted not in StatusItem.values:
        wanted = ""
    tabs = [{"value": "", "label": _("All"), "count": total, "current": not wanted}]
    tabs += [{"value": value, "label": label, "count": counts.get(value, 0),
              "current": value == wanted} for value, label in StatusItem.choices]
    page = query = None
    changed, not_listed = [], []
    if sees_items and saved:
        items = (ItemUsulan.objects.visible_to(user).filter(usulan=usulan)
                 .select_related("diperiksa_oleh").order_by("jenis", "label", "pk"))
        if wanted:
            items = items.filter(status=wanted)
        page, query = paged(request, items, size=ITEMS_PER_PAGE,
                            count=counts.get(wanted, 0) if wanted else total)
        if usulan.tahap in (Tahap.DIAJUKAN, Tahap.DIVERIFIKASI):
            changed = [{"item": item, "deleted": item.sekarang is None,
                        "rows": [(field_label(item.jenis, name), then, now)
                                 for name, then, now in item.selisih(item.sekarang)]}
                       for item in usulan.berubah()]
            not_listed = usulan.baru_sejak_diajukan()
    steps = []
    if saved:
        steps = list(Langkah.objects.filter(usulan=usulan, item__isnull=True)
                     .select_related("oleh"))
    today = timezone.localdate()
    can = {
        "propose": access.may_propose(user, desa),
        "verify": access.may_verify(user, desa),
        "approve": access.may_approve(user, desa),
        # The minutes name who attended: personal data (UsulanDesa.personal_fields).
        "download": "berita_acara" not in access.hidden_fields(user, UsulanDesa),
    }
    return render(request, "verifikasi/usulan_detail.html", {
        "putaran": putaran, "desa": desa, "usulan": usulan, "sees_items": sees_items,
        "counts": counts, "total": total, "tabs": tabs, "wanted": wanted,
        "page": page, "query": query, "changed": changed, "not_listed": not_listed,
        "steps": steps, "late": usulan.terlambat(today),
        "late_to_submit": usulan.tahap == Tahap.BELUM and today > putaran.batas_usulan,
        "can": can, "error": error, "here": request.get_full_path(),
        "Tahap": Tahap, "StatusItem": StatusItem,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def usulan_detail(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    """The village's list. A POST is the kecamatan's "accept all remaining" (one transaction)."""
    putaran, village = round_and_village(request, pk, desa)
    if request.method == "POST":
        return accept_remaining(request, putaran, village)
    usulan = village_list(request, putaran, village, create=True)
    return usulan_page(request, putaran, village, usulan)


def accept_remaining(request: HttpRequest, putaran: Putaran, desa: Wilayah) -> HttpResponse:
    if not access.may_verify(request.user, desa):
        raise PermissionDenied
    usulan = village_list(request, putaran, desa)
    form = LangkahForm(request.POST)
    if not form.is_valid():
        return usulan_page(request, putaran, desa, usulan, status=400,
                           error=" ".join(form.errors.get("catatan", [])))
    try:
        with transaction.atomic():
            if usulan.tahap != Tahap.DIAJUKAN:
                raise ValidationError(_("The list is not awaiting verification."), code="tahap")
            remaining = list(usulan.items.filter(status=StatusItem.DIAJUKAN)
                             .select_related("usulan"))
            for item in remaining:
                item.terima(request.user, form.note())
    except ValidationError as error:
        return usulan_page(request, putaran, desa, usulan, status=refusal_status(error),
                           error=" ".join(error.messages))
    messages.success(request, _("%(n)s items accepted.") % {"n": len(remaining)})
    return redirect(list_url(usulan))


# Steps of the list -----------------------------------------------------------------------------
def list_step(request: HttpRequest, pk: int, desa: str, may, step, done) -> HttpResponse:
    """One step of the list (a POST): 404 outside the area, 403 for a role that may not take it
    (`may`: a rule of registry.access), the model's refusal on the list's page; else the list's
    page with `done(result)` as the message."""
    putaran, village = round_and_village(request, pk, desa)
    if not may(request.user, village):
        raise PermissionDenied
    usulan = village_list(request, putaran, village)
    form = LangkahForm(request.POST)
    if not form.is_valid():
        return usulan_page(request, putaran, village, usulan, status=400,
                           error=" ".join(form.errors.get("catatan", [])))
    try:
        result = step(usulan, request.user, form.note())
    except ValidationError as error:
        if usulan.pk:
            usulan.refresh_from_db()
        return usulan_page(request, putaran, village, usulan, status=refusal_status(error),
                           error=" ".join(error.messages))
    messages.success(request, done(result))
    return redirect(list_url(usulan))


@login_required
@require_POST
def usulan_perbarui(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    """The village submits the records it changed since the list was submitted."""
    return list_step(
        request, pk, desa, access.may_propose,
        lambda usulan, user, note: usulan.perbarui(user, note),
        lambda counts: _("List brought up to date: %(again)s items submitted again, %(added)s "
                         "added.") % {"again": counts[0], "added": counts[1]})


@login_required
@require_POST
def usulan_verifikasi(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    return list_step(request, pk, desa, access.may_verify,
                     lambda usulan, user, note: usulan.verifikasi(user, note),
                     lambda _result: _("List verified: it goes to the district for approval."))


@login_required
@require_POST
def usulan_setujui(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    return list_step(request, pk, desa, access.may_approve,
                     lambda usulan, user, note: usulan.setujui(user, note),
                     lambda _result: _("List approved: it is the village's final data for "
                                       "this round."))


@login_required
@require_POST
def usulan_kembalikan(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    """The district sends a verified list back to the kecamatan (a reason required)."""
    return list_step(request, pk, desa, access.may_approve,
                     lambda usulan, user, note: usulan.kembalikan_ke_kecamatan(user, note),
                     lambda _result: _("List sent back to the kecamatan."))


# Submitting ------------------------------------------------------------------------------------
def preview(calon: list) -> dict:
    """What a list would hold: counts by kind and change, and its first items."""
    kinds = dict(JenisData.choices)
    changes = dict(Perubahan.choices)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for c in calon:
        counts[(c.jenis, c.perubahan)] += 1
    order = {k: i for i, k in enumerate(JenisData.values)}
    change_order = {k: i for i, k in enumerate(Perubahan.values)}
    groups = [{"jenis": kinds[j], "perubahan": changes[p], "n": n}
              for (j, p), n in sorted(counts.items(),
                                      key=lambda kv: (order[kv[0][0]], change_order[kv[0][1]]))]
    first = sorted(calon, key=lambda c: (order[c.jenis], c.label))[:PREVIEW_SIZE]
    return {"groups": groups, "total": len(calon), "shown": [
        {"jenis": kinds[c.jenis], "perubahan": changes[c.perubahan],
         "perubahan_kode": c.perubahan, "label": c.label} for c in first]}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def usulan_ajukan(request: HttpRequest, pk: int, desa: str) -> HttpResponse:
    """The operator records the village meeting, sees what the list will hold, and submits."""
    putaran, village = round_and_village(request, pk, desa)
    if not access.may_propose(request.user, village):
        raise PermissionDenied
    usulan = village_list(request, putaran, village, create=True)
    form = MusdesForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None,
                      instance=usulan, user=request.user)
    if usulan.tahap != Tahap.BELUM:
        # The same form sent again (a double click): to the list, as the first sending went.
        again = form.answered_before(request, list_url(usulan)) if form.is_bound else None
        if again is not None:
            return again
        if request.method != "POST":
            messages.info(request, _("This list was already submitted."))
            return redirect(list_url(usulan))
        return usulan_page(request, putaran, village, usulan, status=409,
                           error=_("This list was already submitted."))
    status = 200
    if request.method == "POST":
        previous_scan = usulan.berita_acara.name

        def save() -> str | None:
            form.save()
            try:
                n = usulan.ajukan(request.user, form.cleaned_data.get("catatan") or "")
            except ValidationError as error:
                form.add_error(None, error)
                stored = usulan.berita_acara.name
                if stored and stored != previous_scan:  # rolled back: the new file goes too
                    usulan.berita_acara.storage.delete(stored)
                return None
            messages.success(request, _("List submitted with %(n)s items.") % {"n": n})
            return list_url(usulan)

        done = form.save_once(request, save, list_url(usulan))
        if done is not None:
            return done
        status = 400
        if any(getattr(e, "code", None) == "tahap"
               for e in form.errors.as_data().get("__all__", [])):
            status = 409
        # What the form changed on the list in memory is not saved: show the stored list.
        usulan.berita_acara.name = previous_scan
    return render(request, "verifikasi/usulan_ajukan.html", {
        "putaran": putaran, "desa": village, "usulan": usulan, "form": form,
        "preview": preview(usulan.calon()),
        "late": timezone.localdate() > putaran.batas_usulan,
    }, status=status)


@login_required
@require_GET
def berita_acara(request: HttpRequest, pk: int, desa: str) -> FileResponse:
    """The scanned minutes of the village meeting, to whoever may see the list and personal
    data (the minutes name who attended); 404 otherwise, and for a list without a scan."""
    putaran, village = round_and_village(request, pk, desa)
    return file_download(request.user, get_object_or_404(
        UsulanDesa.objects.visible_to(request.user), putaran=putaran, desa=village),
        "berita_acara")


# Items -----------------------------------------------------------------------------------------
def visible_item(request: HttpRequest, pk: int) -> ItemUsulan:
    """An item of a list within the user's area; 404 otherwise, and always for observers."""
    return get_object_or_404(
        ItemUsulan.objects.visible_to(request.user)
        .select_related("usulan__putaran__wilayah", "usulan__desa", "diperiksa_oleh"), pk=pk)


def log_pmks_view(request: HttpRequest, item: ItemUsulan) -> None:
    """An item page shows a PMKS case's name and values (or those of an aid recipient helped in
    a case): written to the PMKS access log, as the case's own page is."""
    kasus = None
    if item.jenis == JenisData.PMKS:
        kasus = KasusPMKS.objects.filter(pk=item.objek_id).first()
    elif item.jenis == JenisData.PENERIMA:
        kasus_id = (Penerima.objects.filter(pk=item.objek_id)
                    .values_list("kasus", flat=True).first())
        if kasus_id is None:
            return
        kasus = KasusPMKS.objects.filter(pk=kasus_id).first()
    else:
        return
    LogAkses.catat(request.user, Tindakan.LIHAT, item.usulan.desa, kasus=kasus,
                   keterangan=f"verifikasi: {item.usulan.putaran} — item {item.pk}"[:300])


def value_rows(item: ItemUsulan, now: dict | None) -> list[dict]:
    """Each field: as first proposed, as submitted, now; whether they differ."""
    names = dict.fromkeys([*item.data_awal, *item.data, *(now or {})])
    rows = []
    for name in names:
        first, sent = item.data_awal.get(name, ""), item.data.get(name, "")
        current = (now or {}).get(name, "")
        rows.append({"label": field_label(item.jenis, name), "first": first, "sent": sent,
                     "now": current, "changed_since_first": first != sent,
                     "changed_since_sent": now is not None and current != sent})
    return rows


def item_steps(item: ItemUsulan) -> list[dict]:
    """The item's steps and its list's, oldest first; a resubmission with the values and the
    status it replaced (what changed from them to the next version)."""
    steps = list(Langkah.objects.filter(usulan=item.usulan_id)
                 .filter(Q(item=item) | Q(item__isnull=True)).select_related("oleh"))
    again = [s for s in steps if s.aksi == Aksi.AJUKAN_ULANG and s.data]
    following = {}
    for i, this in enumerate(again):
        following[this.pk] = again[i + 1].data.get("data", {}) if i + 1 < len(again) \
            else item.data
    shown = []
    for step in steps:
        entry = {"step": step, "own": step.item_id == item.pk, "before": None, "changes": []}
        if step.pk in following:
            before = step.data
            after = following[step.pk]
            old = before.get("data", {})
            entry["before"] = {
                "status": StatusItem(before["status"]).label
                if before.get("status") in StatusItem.values else before.get("status", ""),
                "alasan": before.get("alasan", ""),
            }
            entry["changes"] = [(field_label(item.jenis, n), old.get(n, ""), after.get(n, ""))
                                for n in dict.fromkeys([*old, *after])
                                if old.get(n, "") != after.get(n, "")]
        shown.append(entry)
    return shown


def item_page(request: HttpRequest, item: ItemUsulan, *, status: int = 200,
              error: str = "") -> HttpResponse:
    usulan = item.usulan
    now = None
    exists = True
    if item.objek_id:
        now = JENIS[item.jenis].snapshots([item.objek_id]).get(item.kunci)
        exists = now is not None
    log_pmks_view(request, item)
    desa = usulan.desa
    return render(request, "verifikasi/item_detail.html", {
        "item": item, "usulan": usulan, "putaran": usulan.putaran, "desa": desa,
        "rows": value_rows(item, now), "exists": exists,
        "changed_now": now is not None and now != item.data,
        "steps": item_steps(item), "error": error,
        "can_verify": access.may_verify(request.user, desa) and usulan.tahap == Tahap.DIAJUKAN,
        "can_answer": access.may_propose(request.user, desa)
        and item.status == StatusItem.DIKEMBALIKAN
        and usulan.tahap in (Tahap.DIAJUKAN, Tahap.DIVERIFIKASI),
        "here": request.get_full_path(), "StatusItem": StatusItem,
    }, status=status)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return item_page(request, visible_item(request, pk))


def item_step(request: HttpRequest, pk: int, may, step, done: str) -> HttpResponse:
    """One step on an item (a POST): 404 outside the area, 403 for a role that may not take it,
    the model's refusal on the item's page; else back to where the form was."""
    item = visible_item(request, pk)
    if not may(request.user, item.usulan.desa):
        raise PermissionDenied
    form = LangkahForm(request.POST)
    if not form.is_valid():
        return item_page(request, item, status=400,
                         error=" ".join(form.errors.get("catatan", [])))
    try:
        step(item, request.user, form.note())
    except ValidationError as error:
        item.refresh_from_db()
        return item_page(request, item, status=refusal_status(error),
                         error=" ".join(error.messages))
    messages.success(request, done % {"label": item.label})
    return back_to(request, list_url(item.usulan) + f"#item-{item.pk}")


@login_required
@require_POST
def item_terima(request: HttpRequest, pk: int) -> HttpResponse:
    return item_step(request, pk, access.may_verify,
                     lambda item, user, note: item.terima(user, note),
                     _("Accepted: %(label)s."))


@login_required
@require_POST
def item_kembalikan(request: HttpRequest, pk: int) -> HttpResponse:
    """Return an item to the village, with the reason (required: the model says so)."""
    return item_step(request, pk, access.may_verify,
                     lambda item, user, note: item.kembalikan(user, note),
                     _("Returned to the village: %(label)s."))


@login_required
@require_POST
def item_ajukan_ulang(request: HttpRequest, pk: int) -> HttpResponse:
    """The village answers a returned item and submits it again as it is."""
    return item_step(request, pk, access.may_propose,
                     lambda item, user, note: item.ajukan_ulang(user, note),
                     _("Submitted again: %(label)s."))
