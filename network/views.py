"""The network's pages: a group's links (on its page), the village's WKSBM forum, the network of
an area (figures, a picture of a village's network, downloads), and the dashboard's count of
isolated groups."""

import networkx as nx
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Warga
from network import graph, picture
from network.forms import DanaForm, ForumForm, HubunganForm, PengurusForm, PertemuanForm
from network.models import (
    DanaKomunitas,
    Forum,
    Hubungan,
    JenisDana,
    PengurusForum,
    PertemuanForum,
)
from registry import access, audit, rekap
from registry.forms import ConfirmForm
from registry.models import JenisPerkumpulan, Perkumpulan, Tingkat, Wilayah
from registry.pages import (
    BadRequest,
    area_param,
    can_edit_record,
    get_editable_or_404,
    larger_areas,
    posted,
    require_editing_role,
)
from registry.validators import normalize_kode_wilayah


# On a group's page ----------------------------------------------------------------------------
def hubungan_panel(request: HttpRequest, group: Perkumpulan, form=None) -> dict:
    """The links the group declared and those declared to it: one query."""
    links = list(
        Hubungan.objects.filter(Q(perkumpulan=group) | Q(mitra_perkumpulan=group))
        .select_related("perkumpulan", "mitra_perkumpulan", "mitra_luar").order_by("pk")
    )
    rows = []
    for link in links:
        outgoing = link.perkumpulan_id == group.pk
        other = (link.mitra_perkumpulan or link.mitra_luar) if outgoing else link.perkumpulan
        rows.append({"link": link, "outgoing": outgoing, "other": other,
                     "is_group": isinstance(other, Perkumpulan)})
    can_edit = can_edit_record(request, group)
    if can_edit and form is None:
        form = HubunganForm(group=group, user=request.user)
    return {"group": group, "rows": rows, "can_edit": can_edit,
            "form": form if can_edit else None}


def terisolasi_card(request: HttpRequest, stored):
    """Active groups of the user's area with no link either way (kept with the recap counts)."""
    return (_("isolated groups (no working link)"), rekap.stored_total(stored, "terisolasi"),
            reverse("network:jaringan"))


@login_required
@require_POST
def hubungan_add(request: HttpRequest, kode: str) -> HttpResponse:
    group = get_editable_or_404(request, Perkumpulan, kode=kode)
    form = HubunganForm(request.POST, group=group, user=request.user)
    links = reverse("registry:perkumpulan_detail", args=[group.kode]) + "#hubungan"

    def save() -> str | None:
        try:
            with transaction.atomic():
                link = form.save()
        except IntegrityError:
            form.add_error(None, _("This link is already recorded."))
            return None
        messages.success(request, _("Link to %(mitra)s recorded.") % {"mitra": link.mitra})
        return links

    done = form.save_once(request, save, links)
    if done is not None:
        return done
    return render(request, "network/hubungan_tambah.html",
                  {"group": group, "p": hubungan_panel(request, group, form)}, status=400)


def confirm_page(request: HttpRequest, form: ConfirmForm, question: str, button: str,
                 cancel: str, status: int = 200) -> HttpResponse:
    """The page that asks before deleting or ending something: the question, a button that
    posts and a link back (no script needed)."""
    return render(request, "network/konfirmasi.html", {
        "form": form, "question": question, "button": button, "cancel": cancel,
    }, status=status)


@login_required
def hubungan_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET: the question, a button and a way back); the link goes on the POST."""
    require_editing_role(request)
    form = ConfirmForm(posted(request), user=request.user, name=f"network:hubungan_remove:{pk}")
    if request.method == "POST":
        # A second click on the button: the link is gone already; the first click's page.
        again = form.answered_before(request, reverse("registry:dashboard"))
        if again is not None:
            return again
    link = get_editable_or_404(
        request, Hubungan.objects.select_related("perkumpulan", "mitra_perkumpulan", "mitra_luar"),
        pk=pk)
    group = link.perkumpulan
    links = reverse("registry:perkumpulan_detail", args=[group.kode]) + "#hubungan"
    if request.method == "POST":

        def delete() -> str:
            link.delete()
            messages.success(request, _("Link removed."))
            return links

        done = form.save_once(request, delete, links)
        if done is not None:
            return done
    question = _("Remove the link from %(group)s to %(partner)s? It cannot be undone.") % {
        "group": group.nama, "partner": link.mitra.nama}
    return confirm_page(request, form, question, _("Remove"), links)


# The village forum ----------------------------------------------------------------------------
def _village(request: HttpRequest) -> Wilayah | None:
    kode = request.GET.get("desa") or request.POST.get("desa")
    if not kode and request.user.wilayah and request.user.wilayah.tingkat == Tingkat.DESA:
        return request.user.wilayah
    if not kode:
        return None
    try:
        kode = normalize_kode_wilayah(kode)
    except Exception:  # noqa: BLE001 - any malformed code is simply not found
        kode = ""
    return get_object_or_404(Wilayah.objects.visible_to(request.user).desa(), pk=kode)


MEETINGS_SHOWN = 20
# The forum's records added from its page: the POST's "aksi", the form, the model.
FORUM_RECORDS = [("pertemuan", PertemuanForm, PertemuanForum),
                 ("dana", DanaForm, DanaKomunitas)]


@login_required
def forum(request: HttpRequest) -> HttpResponse:
    desa = _village(request)
    if desa is None:
        return render(request, "network/forum.html", {
            "error": _("Choose a village: add ?desa=CODE, e.g. ?desa=32.77.01.1002."),
        }, status=400)
    record = Forum.objects.filter(desa=desa).first()
    can_edit = access.may_write_area(request.user, desa)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    user = request.user
    form = ForumForm(posted(request), instance=record, desa=desa, user=user) if can_edit else None
    leader_form = PengurusForm(user=user, desa=desa) if can_edit else None
    # A meeting or a fund entry belongs to a forum already recorded.
    extra = {name: form_class(instance=model(forum=record), user=user)
             if can_edit and record else None
             for name, form_class, model in FORUM_RECORDS}
    page = reverse("network:forum") + f"?desa={desa.kode}"
    if request.method == "POST":
        aksi = request.POST.get("aksi")
        if aksi in extra and record is not None:
            form = ForumForm(instance=record, desa=desa, user=user)
            form_class, model = next((f, m) for n, f, m in FORUM_RECORDS if n == aksi)
            extra[aksi] = form_class(request.POST, instance=model(forum=record), user=user)

            def save_record(added=extra[aksi], aksi=aksi) -> str:
                added.save()
                messages.success(request, _("Saved."))
                return f"{page}#{aksi}"

            done = extra[aksi].save_once(request, save_record, f"{page}#{aksi}")
            if done is not None:
                return done
        elif aksi == "pengurus" and record is not None:
            leader_form = PengurusForm(request.POST, user=user, desa=desa)
            form = ForumForm(instance=record, desa=desa, user=user)

            def save_leader() -> str:
                PengurusForum.objects.create(
                    forum=record, warga=leader_form.cleaned_data["nik"],
                    jabatan=leader_form.cleaned_data["jabatan"],
                    mulai=leader_form.cleaned_data["mulai"])
                messages.success(request, _("Forum leader added."))
                return page

            done = leader_form.save_once(request, save_leader, page)
            if done is not None:
                return done
        else:

            def save_forum() -> str | None:
                form.instance.desa = desa
                if form.save() is None:
                    return None
                messages.success(request, _("Forum saved."))
                return page

            done = form.save_once(request, save_forum, page)
            if done is not None:
                return done
            if form.conflicted:
                # Someone else saved the forum meanwhile: the page shows it as it now is.
                record = Forum.objects.filter(desa=desa).first()
    leaders = []
    if record is not None:
        leaders = list(record.pengurus.select_related("warga").order_by("selesai", "jabatan"))
    members = list(record.anggota.select_related("jenis").order_by("nama")) if record else []
    meetings, funds = [], []
    if record is not None:
        meetings = list(record.pertemuan.all()[:MEETINGS_SHOWN])
        names = dict(JenisDana.choices)
        funds = [{"nama": names[row["jenis"]], **row,
                  "saldo": row["terkumpul"] - row["dipakai"]}
                 for row in record.dana.values("jenis").annotate(
                     terkumpul=Sum("terkumpul"), dipakai=Sum("dipakai"), catatan=Count("pk"))
                 .order_by("jenis")]
    return render(request, "network/forum.html", {
        "desa": desa, "forum": record, "form": form, "leader_form": leader_form,
        "meeting_form": extra["pertemuan"], "fund_form": extra["dana"],
        "meetings": meetings, "funds": funds,
        "leaders": leaders, "members": members, "can_edit": can_edit,
        "personal": access.can_see_personal_data(request.user),
    }, status=409 if form is not None and form.conflicted
        else 400 if request.method == "POST" else 200)


@login_required
def pengurus_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET: the question, a button and a way back); the term ends on the POST,
    today."""
    leader = get_editable_or_404(
        request, PengurusForum.objects.select_related("forum", "warga"), pk=pk)
    page = reverse("network:forum") + f"?desa={leader.forum.desa_id}"
    form = ConfirmForm(posted(request), user=request.user, name=f"network:pengurus_end:{pk}")
    if leader.selesai is not None:
        again = form.answered_before(request, page) if request.method == "POST" else None
        if again is None:
            messages.info(request, _("This leader's term has already ended."))
        return again or redirect(page)
    if request.method == "POST":

        def end() -> str:
            leader.selesai = timezone.localdate()
            leader.save(update_fields=["selesai"])
            messages.success(request, _("The leader's term has ended."))
            return page

        done = form.save_once(request, end, page)
        if done is not None:
            return done
    question = _("End the term of %(name)s as %(position)s today?") % {
        "name": leader.warga.nama, "position": leader.jabatan}
    return confirm_page(request, form, question, _("End term"), page)


# The network of an area ---------------------------------------------------------------------
DOWNLOADS = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}


@login_required
def jaringan(request: HttpRequest) -> HttpResponse:
    """The working network of an area: its figures, the groups that bridge most, the overlap of
    shared members and the people in most groups (not for observers), and for an area small
    enough a picture of the declared and the overlap networks side by side."""
    try:
        area = area_param(request)
    except BadRequest as exc:
        return render(request, "network/jaringan.html", {"error": str(exc)}, status=400)
    network = graph.build(area)
    figures = graph.figures(network)
    shared = graph.overlap(area)
    types = list(JenisPerkumpulan.objects.order_by("urutan", "nama").values_list("kode", "nama"))
    names = dict(types)
    per_jenis = [{"nama": names.get(kode, kode), **row,
                  "persen_terisolasi": round(100 * row["terisolasi"] / row["perkumpulan"], 1)}
                 for kode, row in figures["per_jenis"].items()]
    kader = []
    if access.can_see_personal_data(request.user):
        people = Warga.objects.in_bulk([pk for pk, _n in shared.kader])
        kader = [(people[pk], n) for pk, n in shared.kader]
    drawing = overlap_drawing = None
    if figures["perkumpulan"] <= picture.MAX_GROUPS:
        drawing = picture.draw(network, types)
        overlap_drawing = drawing.with_edges(shared.graph)
    return render(request, "network/jaringan.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "figures": figures,
        "per_jenis": per_jenis,
        "shared": shared,
        "kader": kader,
        "picture": drawing,
        "overlap_picture": overlap_drawing,
        "max_groups": picture.MAX_GROUPS,
    })


@login_required
def jaringan_download(request: HttpRequest, format: str) -> HttpResponse:
    """The area's network as GraphML or GEXF, for Gephi."""
    try:
        area = area_param(request)
    except BadRequest as exc:
        return render(request, "network/jaringan.html", {"error": str(exc)}, status=400)
    write = nx.generate_graphml if format == "graphml" else nx.generate_gexf
    response = HttpResponse("\n".join(write(graph.build(area))),
                            content_type=f"{DOWNLOADS[format]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaringan-{area.kode}.{format}"'
    return response


def hubungan_history(group: Perkumpulan) -> audit.Source:
    """The changes of the links from and to a group, for its change history."""
    def label(row, names):
        other = (names["mitra_perkumpulan"].get(row.mitra_perkumpulan_id)
                 or names["mitra_luar"].get(row.mitra_luar_id, "?"))
        return _("Link %(from)s → %(to)s") % {
            "from": names["perkumpulan"].get(row.perkumpulan_id, "?"), "to": other}

    return audit.Source(
        Hubungan.history.filter(Q(perkumpulan_id=group.pk) | Q(mitra_perkumpulan_id=group.pk)),
        label, ("perkumpulan", "mitra_perkumpulan", "mitra_luar"),
    )
