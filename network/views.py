"""The network's pages: a group's links (on its page), the village's WKSBM forum, the network of
an area (figures, a picture of a village's network, downloads), and the dashboard's count of
isolated groups."""

import networkx as nx
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Warga
from network import graph, picture
from network.forms import (
    DanaForm,
    DanaPerkumpulanForm,
    ForumBaruForm,
    ForumForm,
    HubunganForm,
    PengurusForm,
    PertemuanForm,
)
from network.models import (
    DanaKomunitas,
    DanaPerkumpulan,
    Forum,
    Hubungan,
    PengurusForum,
    PertemuanForum,
    TingkatForum,
)
from registry import access, audit, rekap, replicas
from registry.forms import ConfirmForm
from registry.models import JenisPerkumpulan, Perkumpulan, Tingkat, Wilayah
from registry.pages import (
    BadRequest,
    ChooseArea,
    area_param,
    can_edit_record,
    get_editable_or_404,
    larger_areas,
    pada_param,
    posted,
    require_editing_role,
)
from registry.validators import normalize_kode_wilayah


# On a group's page ----------------------------------------------------------------------------
def group_links(group: Perkumpulan) -> list[dict]:
    """The links the group declared and those declared to it, each with the other side: one
    query (the group's page and its printed profile)."""
    links = list(
        Hubungan.objects.filter(Q(perkumpulan=group) | Q(mitra_perkumpulan=group))
        .select_related("perkumpulan__desa", "mitra_perkumpulan__desa", "mitra_luar")
        .order_by("pk")
    )
    rows = []
    for link in links:
        outgoing = link.perkumpulan_id == group.pk
        other = (link.mitra_perkumpulan or link.mitra_luar) if outgoing else link.perkumpulan
        rows.append({"link": link, "outgoing": outgoing, "other": other,
                     "is_group": isinstance(other, Perkumpulan)})
    return rows


def hubungan_panel(request: HttpRequest, group: Perkumpulan, form=None) -> dict:
    """The links the group declared and those declared to it: one query. A partner group is a
    link only for a user who may open its page (a village's officer does not open the
    kecamatan's groups it works with: their name and code are shown)."""
    rows = group_links(group)
    for row in rows:
        row["linked"] = row["is_group"] and access.reaches(request.user, row["other"].desa)
    can_edit = can_edit_record(request, group)
    if can_edit and form is None:
        form = HubunganForm(group=group, user=request.user)
    return {"group": group, "rows": rows, "can_edit": can_edit,
            "form": form if can_edit else None}


FUNDS_SHOWN = 20  # the latest entries on a group's page; the totals count them all


def dana_panel(request: HttpRequest, group: Perkumpulan, form=None) -> dict:
    """The group's own funds: each kind's totals over all its entries and the latest entries
    (two queries; one more to know whether the user may add to them). Funds are no personal
    data: every role that sees the group sees them."""
    totals = group.dana.per_jenis()
    entries = list(group.dana.order_by("-tanggal", "-pk")[:FUNDS_SHOWN])
    can_edit = can_edit_record(request, group)
    if can_edit and form is None:
        form = DanaPerkumpulanForm(instance=DanaPerkumpulan(perkumpulan=group),
                                   user=request.user)
    return {
        "group": group, "totals": totals, "entries": entries,
        "more": max(0, sum(t["catatan"] for t in totals) - len(entries)),
        "sum": {key: sum(t[key] for t in totals) for key in ("terkumpul", "dipakai", "saldo")},
        "can_edit": can_edit, "form": form if can_edit else None,
    }


@login_required
@require_POST
def dana_add(request: HttpRequest, kode: str) -> HttpResponse:
    """An entry of one of the group's funds, from its page: 403 for a role that may not write,
    404 for a group outside the user's area."""
    group = get_editable_or_404(request, Perkumpulan, kode=kode)
    form = DanaPerkumpulanForm(request.POST, instance=DanaPerkumpulan(perkumpulan=group),
                               user=request.user)
    funds = reverse("registry:perkumpulan_detail", args=[group.kode]) + "#dana"

    def save() -> str | None:
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            form.add_error(None, _("This group already has an entry of this fund for this "
                                   "period."))
            return None
        messages.success(request, _("Fund entry saved."))
        return funds

    done = form.save_once(request, save, funds)
    if done is not None:
        return done
    return render(request, "network/dana_tambah.html",
                  {"group": group, "p": dana_panel(request, group, form)}, status=400)


def dana_history(group: Perkumpulan) -> audit.Source:
    """The changes of a group's fund entries, for its change history."""
    def label(row, names):
        return _("Fund %(fund)s %(date)s") % {"fund": row.get_jenis_display(),
                                               "date": row.tanggal}

    return audit.Source(DanaPerkumpulan.history.filter(perkumpulan_id=group.pk), label, ())


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


def end_term(request: HttpRequest, record, name: str, page: str, question: str,
             ended: str, already: str) -> HttpResponse:
    """Asks first (GET); a term (a forum's leader, a Pokja's member) ends today on the POST;
    a second click, or a term ended already, goes back to `page`."""
    form = ConfirmForm(posted(request), user=request.user, name=name)
    if record.selesai is not None:
        again = form.answered_before(request, page) if request.method == "POST" else None
        if again is None:
            messages.info(request, already)
        return again or redirect(page)
    if request.method == "POST":

        def end() -> str:
            record.selesai = timezone.localdate()
            record.save(update_fields=["selesai"])
            messages.success(request, ended)
            return page

        done = form.save_once(request, end, page)
        if done is not None:
            return done
    return confirm_page(request, form, question, _("End term"), page)


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
def _visible_area(request: HttpRequest, kode: str, villages_only: bool = False) -> Wilayah:
    try:
        kode = normalize_kode_wilayah(kode)
    except Exception:  # noqa: BLE001 - any malformed code is simply not found
        kode = ""
    areas = Wilayah.objects.visible_to(request.user)
    return get_object_or_404(areas.desa() if villages_only else areas, pk=kode)


def _village(request: HttpRequest) -> Wilayah | None:
    """The village of `?desa=` (or of `?wilayah=`, the area links of other pages, when it is a
    village), else the officer's own; None where there is none to show (`_areas_to_choose`)."""
    kode = request.GET.get("desa") or request.POST.get("desa")
    if kode:
        return _visible_area(request, kode, villages_only=True)
    area = request.GET.get("wilayah")
    if area:
        area = _visible_area(request, area)
        return area if area.tingkat == Tingkat.DESA else None
    if request.user.wilayah and request.user.wilayah.tingkat == Tingkat.DESA:
        return request.user.wilayah
    return None


MEETINGS_SHOWN = 20
# The forum's records added from its page: the POST's "aksi", the form, the model.
FORUM_RECORDS = [("pertemuan", PertemuanForm, PertemuanForum),
                 ("dana", DanaForm, DanaKomunitas)]


def village_forums(desa: Wilayah) -> list[Forum]:
    """The village's forums in the page's order (the village's own first, then RW by RW, each
    RW's before its RTs, then the dukuh), each with its members, leaders and latest meetings:
    four queries however many forums."""
    forums = list(Forum.objects.filter(desa=desa).prefetch_related(
        Prefetch("anggota", Perkumpulan.objects.select_related("jenis").order_by("nama")),
        Prefetch("pengurus", PengurusForum.objects.select_related("warga")
                 .order_by("selesai", "jabatan")),
        Prefetch("pertemuan", PertemuanForum.objects.order_by("-tanggal", "-pk")[:MEETINGS_SHOWN],
                 to_attr="latest_meetings"),
    ))
    return sorted(forums, key=lambda f: f.urutan)


def fund_totals(forums: list[Forum]) -> dict[int, list[dict]]:
    """Each forum's funds summed by kind (collected, spent, balance): one query."""
    totals: dict[int, list[dict]] = {f.pk: [] for f in forums}
    for row in DanaKomunitas.objects.filter(forum__in=[f.pk for f in forums]).per_jenis("forum"):
        totals[row.pop("forum")].append(row)
    return totals


def _anchor(forum: Forum, name: str) -> str:
    """The id of a part of a forum's section: the village's own keeps the plain one."""
    return name if forum.tingkat == TingkatForum.DESA else f"{name}-{forum.pk}"


def _record_forms(forum: Forum, user) -> dict:
    """The forms that add to a forum: a leader, a meeting, a fund entry (none query)."""
    return {
        "pengurus": PengurusForm(user=user, forum=forum,
                                 auto_id=_anchor(forum, "pengurus") + "-%s"),
        **{name: form_class(instance=model(forum=forum), user=user,
                            auto_id=_anchor(forum, name) + "-%s")
           for name, form_class, model in FORUM_RECORDS},
    }


@login_required
def forum(request: HttpRequest) -> HttpResponse:
    """A village's WKSBM forums: its own, and those of its RWs, RTs and dukuh, each with its
    members, leaders, meetings and funds; an officer of the village records, edits and adds to
    them here (a POST names its forum by `forum`; without it, the village's own)."""
    desa = _village(request)
    if desa is None:
        if request.method == "POST":
            return render(request, "network/forum.html", {
                "error": _("Choose a village: add ?desa=CODE, e.g. ?desa=32.77.01.1002."),
            }, status=400)
        area = request.GET.get("wilayah")
        raise ChooseArea(within=_visible_area(request, area) if area else request.user.wilayah)
    can_edit = access.may_write_area(request.user, desa)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    user = request.user
    forums = village_forums(desa)
    record = next((f for f in forums if f.tingkat == TingkatForum.DESA), None)
    form = ForumForm(instance=record, desa=desa, user=user) if can_edit else None
    new_form = ForumBaruForm(instance=Forum(desa=desa), user=user) if can_edit else None
    added = {f.pk: _record_forms(f, user) if can_edit else {} for f in forums}
    page = reverse("network:forum") + f"?desa={desa.kode}"
    if request.method == "POST":
        aksi = request.POST.get("aksi")
        target = record
        if request.POST.get("forum"):
            target = next((f for f in forums if str(f.pk) == request.POST["forum"]), None)
            if target is None:
                raise Http404
        if aksi in ("pertemuan", "dana", "pengurus") and target is not None:
            anchor = f"{page}#{_anchor(target, aksi if aksi != 'pengurus' else 'forum')}"
            auto_id = _anchor(target, aksi) + "-%s"
            if aksi == "pengurus":
                bound = PengurusForm(request.POST, user=user, forum=target, auto_id=auto_id)

                def save() -> str:
                    PengurusForum.objects.create(
                        forum=target, warga=bound.cleaned_data["nik"],
                        jabatan=bound.cleaned_data["jabatan"], mulai=bound.cleaned_data["mulai"])
                    messages.success(request, _("Forum leader added."))
                    return page if target is record else anchor
            else:
                form_class, model = next((f, m) for n, f, m in FORUM_RECORDS if n == aksi)
                bound = form_class(request.POST, instance=model(forum=target), user=user,
                                   auto_id=auto_id)

                def save() -> str:
                    bound.save()
                    messages.success(request, _("Saved."))
                    return f"{page}#{_anchor(target, aksi)}"

            done = bound.save_once(request, save, anchor)
            if done is not None:
                return done
            added[target.pk][aksi] = bound
        elif aksi == "forum_baru":
            new_form = ForumBaruForm(request.POST, instance=Forum(desa=desa), user=user)

            def save_new() -> str | None:
                try:
                    with transaction.atomic():
                        made = new_form.save()
                except IntegrityError:
                    new_form.add_error(None, _(
                        "Someone else recorded this forum meanwhile; nothing was saved."))
                    return None
                messages.success(request, _("Forum %(nama)s recorded.") % {"nama": made.nama})
                return f"{page}#forum-{made.pk}"

            done = new_form.save_once(request, save_new, page)
            if done is not None:
                return done
        else:
            form = ForumForm(request.POST, instance=record, desa=desa, user=user)

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
                forums = village_forums(desa)
                record = next((f for f in forums if f.tingkat == TingkatForum.DESA), None)
    funds = fund_totals(forums)
    sections = [{
        "forum": f, "village": f.tingkat == TingkatForum.DESA,
        "members": list(f.anggota.all()), "leaders": list(f.pengurus.all()),
        "meetings": f.latest_meetings, "funds": funds.get(f.pk, []),
        "leader_form": added.get(f.pk, {}).get("pengurus"),
        "meeting_form": added.get(f.pk, {}).get("pertemuan"),
        "fund_form": added.get(f.pk, {}).get("dana"),
        "pertemuan_id": _anchor(f, "pertemuan"), "dana_id": _anchor(f, "dana"),
    } for f in forums]
    own = next((s for s in sections if s["village"]), {})
    return render(request, "network/forum.html", {
        "desa": desa, "forum": record, "form": form, "new_form": new_form,
        "sections": sections,
        # The village's own forum, as the page has always given it.
        "leader_form": own.get("leader_form"), "meeting_form": own.get("meeting_form"),
        "fund_form": own.get("fund_form"), "meetings": own.get("meetings", []),
        "funds": own.get("funds", []), "leaders": own.get("leaders", []),
        "members": own.get("members", []), "can_edit": can_edit,
        "personal": access.can_see_personal_data(request.user),
    }, status=409 if form is not None and form.conflicted
        else 400 if request.method == "POST" else 200)


@login_required
def forum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A forum's own data (name, mechanism, date formed, member groups, notes), for a forum
    below the village; the village's own is edited on its page."""
    record = get_editable_or_404(request, Forum.objects.select_related("desa"), pk=pk)
    desa = record.desa
    page = reverse("network:forum") + f"?desa={desa.kode}#forum-{record.pk}"
    form = ForumForm(posted(request), instance=record, desa=desa, user=request.user)
    if request.method == "POST":

        def save() -> str | None:
            if form.save() is None:
                return None
            messages.success(request, _("Forum saved."))
            return page

        done = form.save_once(request, save, page)
        if done is not None:
            return done
        if form.conflicted:
            record.refresh_from_db()
    return render(request, "network/forum_ubah.html", {
        "desa": desa, "forum": record, "form": form, "page": page,
    }, status=409 if form.conflicted else 400 if request.method == "POST" else 200)


@login_required
def pengurus_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET: the question, a button and a way back); the term ends on the POST,
    today."""
    leader = get_editable_or_404(
        request, PengurusForum.objects.select_related("forum", "warga"), pk=pk)
    page = reverse("network:forum") + f"?desa={leader.forum.desa_id}"
    question = _("End the term of %(name)s as %(position)s today?") % {
        "name": leader.warga.nama, "position": leader.jabatan}
    return end_term(request, leader, f"network:pengurus_end:{pk}", page, question,
                    _("The leader's term has ended."), _("This leader's term has already ended."))


# The network of an area ---------------------------------------------------------------------
DOWNLOADS = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}


@login_required
@replicas.heavy
def jaringan(request: HttpRequest) -> HttpResponse:
    """The working network of an area: its figures, the groups that bridge most, the overlap of
    shared members and the people in most groups (not for observers), and for an area small
    enough a picture of the declared and the overlap networks side by side."""
    try:
        area = area_param(request)
        pada = pada_param(request)
    except BadRequest as exc:
        return render(request, "network/jaringan.html", {"error": str(exc)}, status=400)
    network = graph.build(area, pada=pada)
    figures = graph.figures(network)
    shared = graph.overlap(area, pada=pada)
    forums = graph.forums(area)
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
        "forums": forums,
        "per_jenis": per_jenis,
        "shared": shared,
        "kader": kader,
        "picture": drawing,
        "overlap_picture": overlap_drawing,
        "max_groups": picture.MAX_GROUPS,
        "pada": pada,
        "pada_value": request.GET.get("pada", "").strip()[:10] if pada else "",
        "today": timezone.localdate(),
    })


@login_required
@replicas.heavy
def jaringan_download(request: HttpRequest, format: str) -> HttpResponse:
    """The area's network as GraphML or GEXF, for Gephi."""
    try:
        area = area_param(request)
        pada = pada_param(request)
    except BadRequest as exc:
        return render(request, "network/jaringan.html", {"error": str(exc)}, status=400)
    write = nx.generate_graphml if format == "graphml" else nx.generate_gexf
    response = HttpResponse("\n".join(write(graph.build(area, pada=pada))),
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
