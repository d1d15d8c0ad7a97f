"""The village officer's pages about members: the board and members on a group's page, adding a
member by NIK, changing a role, ending a membership, the people search and a person's page.

Everything starts from `visible_to(user)` / `editable_by(user)` (registry/access.py): a row outside
the user's area answers 404, a role that may not change anything 403. Observers see the board and
members of a group with masked NIKs, never the people pages.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from members.forms import (
    AddHouseholdMemberForm,
    AddMemberForm,
    ChangeRoleForm,
    EndHouseholdMemberForm,
    EndMembershipForm,
    KeluargaForm,
    SearchForm,
    WargaForm,
    found_people,
    person_label,
)
from members.models import (
    AnggotaKeluarga,
    Keanggotaan,
    KeanggotaanKeluarga,
    Keluarga,
    PeranAnggota,
    Warga,
)
from registry import access, audit, rekap
from registry.forms import today
from registry.models import Perkumpulan
from registry.pages import (
    can_edit_record,
    get_editable_or_404,
    paged,
    posted,
    require_editing_role,
)
from registry.panels import PAGE_PANELS, shown

# The board first, in the order of PeranAnggota (chair, vice chair, secretary, treasurer).
ROLE_ORDER = {value: i for i, value in enumerate(PeranAnggota.values)}
ADD_PREFIX = "anggota-%s"  # ids of the add form's inputs, unique on the group's page


ADD_AGAIN = "tambah=anggota"  # after a member is added: the form open for the next one


def perkumpulan_url(group: Perkumpulan) -> str:
    return reverse("registry:perkumpulan_detail", args=[group.kode]) + "#anggota"


def require_warga_access(request: HttpRequest) -> None:
    """The people pages are all personal data: a role that may not open people (observers) gets
    403, here as in the admin (registry.access.may_view)."""
    if not access.may_view(request.user, Warga):
        raise PermissionDenied


# On a group's page ----------------------------------------------------------------------------
def anggota_panel(request: HttpRequest, group: Perkumpulan) -> dict:
    """The board, the members, the member households (a Dasa Wisma's KK) and the ended
    memberships of a group: three queries, whatever the group's size."""
    user = request.user
    rows = list(
        Keanggotaan.objects.visible_to(user)
        .filter(perkumpulan=group)
        .select_related("warga")
        .order_by("pk")
    )
    current = sorted(
        (m for m in rows if m.aktif),
        key=lambda m: (ROLE_ORDER.get(m.peran, len(ROLE_ORDER)), m.warga.nama.casefold(), m.pk),
    )
    ended = sorted(
        (m for m in rows if not m.aktif),
        key=lambda m: (m.selesai, m.mulai or datetime.date.min, m.pk),
        reverse=True,
    )
    households = list(
        KeanggotaanKeluarga.objects.visible_to(user)
        .filter(perkumpulan=group, selesai__isnull=True)
        .select_related("keluarga__kepala")
        .order_by("keluarga__kepala__nama", "pk")
    )
    can_edit = can_edit_record(request, group)
    add_again = request.GET.get("tambah") == "anggota"
    form = AddMemberForm(group=group, user=user, auto_id=ADD_PREFIX) if can_edit else None
    if form is not None and add_again:  # the next member's NIK typed at once
        form.fields["nik"].widget.attrs["autofocus"] = True
    return {
        "group": group,
        "board": [m for m in current if m.peran != PeranAnggota.ANGGOTA],
        "members": [m for m in current if m.peran == PeranAnggota.ANGGOTA],
        "households": households,
        "ended": ended,
        "personal": access.can_see_personal_data(user),
        "can_edit": can_edit,
        "add_again": add_again,
        "form": form,
    }


# On the group list ----------------------------------------------------------------------------
def _current(**lookups):
    return Keanggotaan.objects.filter(perkumpulan=OuterRef("pk"), selesai__isnull=True,
                                      **lookups).order_by()


def chair_name():
    """Each listed group's current chair (one at most: `one_current_chair`)."""
    return Subquery(_current(peran=PeranAnggota.KETUA).values("warga__nama")[:1])


def active_members():
    """Each listed group's current memberships (read from `one_current_membership`'s index)."""
    return Coalesce(Subquery(_current().values("perkumpulan").annotate(n=Count("pk"))
                             .values("n")), Value(0))


def keanggotaan_card(request: HttpRequest, stored) -> tuple[str, int, str] | None:
    """Dashboard: the current memberships of the active groups within the user's area (kept
    with the recap counts), leading to the people search."""
    if not access.may_view(request.user, Warga):
        return None
    n = rekap.stored_total(stored, "anggota")
    return (
        ngettext("current membership", "current memberships", n),
        n,
        reverse("members:warga_list"),
    )


@login_required
@require_POST
def anggota_add(request: HttpRequest, kode: str) -> HttpResponse:
    """Add a member by NIK; errors are shown beside the fields on a page of their own."""
    group = get_editable_or_404(request, Perkumpulan, kode=kode)
    form = AddMemberForm(request.POST, group=group, user=request.user, auto_id=ADD_PREFIX)
    if form.is_valid():
        membership = form.save()
        if membership is not None:
            values = {"name": form.person.nama, "group": group.nama,
                      "role": membership.get_peran_display()}
            if form.found:
                messages.success(request, _(
                    "%(name)s, already registered with this NIK, was added to %(group)s as "
                    "%(role)s; their recorded data was kept."
                ) % values)
            else:
                messages.success(request, _("%(name)s was added to %(group)s as %(role)s.")
                                 % values)
            for warning in form.warnings:
                messages.warning(request, warning)
            # Back to the group with the form open again, for the next member.
            return redirect(reverse("registry:perkumpulan_detail", args=[group.kode])
                            + f"?{ADD_AGAIN}#anggota")
    return render(request, "members/anggota_tambah.html", {
        "form": form, "group": group,
    }, status=400)


# One membership --------------------------------------------------------------------------------
def editable_keanggotaan(request: HttpRequest, pk: int) -> Keanggotaan:
    return get_editable_or_404(
        request, Keanggotaan.objects.select_related("warga", "perkumpulan"), pk=pk)


def keanggotaan_page(request, membership, role_form=None, end_form=None, status=200):
    if membership.aktif:
        role_form = role_form or ChangeRoleForm(membership=membership, auto_id="peran-%s")
        end_form = end_form or EndMembershipForm(membership=membership, auto_id="akhir-%s")
    return render(request, "members/keanggotaan.html", {
        "m": membership,
        "group": membership.perkumpulan,
        "role_form": role_form,
        "end_form": end_form,
    }, status=status)


@login_required
def keanggotaan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A membership, with the forms that change its role or end it."""
    return keanggotaan_page(request, editable_keanggotaan(request, pk))


@login_required
@require_POST
def keanggotaan_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = editable_keanggotaan(request, pk)
    form = ChangeRoleForm(request.POST, membership=membership, auto_id="peran-%s")
    if form.is_valid() and form.save():
        messages.success(request, _("%(name)s is now %(role)s of %(group)s.") % {
            "name": membership.warga.nama,
            "role": form.new.get_peran_display(),
            "group": membership.perkumpulan.nama,
        })
        return redirect(perkumpulan_url(membership.perkumpulan))
    return keanggotaan_page(request, membership, role_form=form, status=400)


@login_required
@require_POST
def keanggotaan_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = editable_keanggotaan(request, pk)
    form = EndMembershipForm(request.POST, membership=membership, auto_id="akhir-%s")
    if form.is_valid() and form.save():
        messages.success(request, _("The membership of %(name)s in %(group)s has ended.") % {
            "name": membership.warga.nama, "group": membership.perkumpulan.nama,
        })
        return redirect(perkumpulan_url(membership.perkumpulan))
    return keanggotaan_page(request, membership, end_form=form, status=400)


# People ----------------------------------------------------------------------------------------
@login_required
def warga_list(request: HttpRequest) -> HttpResponse:
    """Search the people within the user's area by name or NIK; each with their current groups
    (three queries a page, whatever its length)."""
    require_warga_access(request)
    user = request.user
    form = SearchForm(request.GET, request=request)
    people = Warga.objects.none()
    if form.is_valid():
        people = form.search(Warga.objects.visible_to(user))
    current = Prefetch(
        "keanggotaan",
        queryset=Keanggotaan.objects.visible_to(user)
        .filter(selesai__isnull=True)
        .select_related("perkumpulan__desa")
        .order_by("perkumpulan__nama", "pk"),
        to_attr="kini",
    )
    people = people.select_related("wilayah").prefetch_related(current).order_by("nama", "pk")
    page, query = paged(request, people)
    for person in page.object_list:
        # Where the person lives; where the residence is not recorded (a survey lists people
        # by their groups), the villages of their current groups, said so.
        person.desa_kelompok = [] if person.wilayah_id else sorted(
            {m.perkumpulan.desa.nama for m in person.kini})
    return render(request, "members/warga_list.html", {
        "form": form,
        "page": page,
        "query": query,
        "searched": bool(form.is_valid() and form.cleaned_data.get("q")),
    }, status=200 if form.is_valid() else 400)


SEARCH_SHOWN = 20


@login_required
def warga_cari(request: HttpRequest) -> JsonResponse:
    """The registered people the user sees whose name holds the words of `?q=`, or whose NIK
    begins with its digits (2 characters or more), for the person boxes (members.forms.
    PersonPicker): at most 20, each {"kode": NIK, "label"}, in one query. The people pages'
    rule: a role that may not open people gets 403."""
    require_warga_access(request)
    text = " ".join(request.GET.get("q", "").split())[:100]
    found = found_people(request.user, text, SEARCH_SHOWN) if len(text) >= 2 else []
    return JsonResponse({"hasil": [{"kode": p.nik, "label": person_label(p)} for p in found]})


@login_required
def warga_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's data and their memberships within the user's area, current ones first."""
    require_warga_access(request)
    user = request.user
    person = get_object_or_404(Warga.objects.visible_to(user).select_related("wilayah"), pk=pk)
    memberships = (
        Keanggotaan.objects.visible_to(user)
        .filter(warga=person)
        .select_related("perkumpulan", "perkumpulan__desa")
        .order_by(F("selesai").desc(nulls_first=True), "perkumpulan__nama", "-pk")
    )
    household = (
        AnggotaKeluarga.objects.visible_to(user).filter(warga=person, selesai__isnull=True)
        .select_related("keluarga").first()
    )
    history, history_total = audit.timeline([
        audit.Source(Warga.history.filter(id=person.pk), lambda row, names: _("Person")),
        audit.Source(
            Keanggotaan.history.filter(
                warga_id=person.pk,
                perkumpulan_id__in=Perkumpulan.objects.visible_to(user).values("pk")),
            lambda row, names: _("Membership of %(group)s") % {
                "group": names["perkumpulan"].get(row.perkumpulan_id, "?")},
            ("perkumpulan",)),
    ], user)
    return render(request, "members/warga_detail.html", {
        "person": person,
        "panels": shown(PAGE_PANELS["warga"], request, person),
        "memberships": memberships,
        "household": household,
        "history": history,
        "history_total": history_total,
        "can_edit": access.can_edit(user),
        "can_edit_person": can_edit_record(request, person),
    })


@login_required
def warga_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's data (Ubah on their page): 403 for a role that may not edit, 404 for a
    person the user may not change."""
    require_warga_access(request)
    person = get_editable_or_404(request, Warga.objects.select_related("wilayah"), pk=pk)
    form = WargaForm(posted(request), instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved is not None:
            messages.success(request, _("The person's data was saved."))
            for warning in form.warnings:
                messages.warning(request, warning)
            return redirect("members:warga_detail", pk=saved.pk)
    return render(request, "members/warga_form.html", {"form": form, "person": person},
                  status=form.http_status)


def keanggotaan_history(group: Perkumpulan) -> audit.Source:
    """The changes of a group's memberships, for its change history."""
    return audit.Source(
        Keanggotaan.history.filter(perkumpulan_id=group.pk),
        lambda row, names: _("Membership of %(person)s") % {
            "person": names["warga"].get(row.warga_id, "?")},
        ("warga",),
    )


# Households ------------------------------------------------------------------------------------
def require_keluarga_access(request: HttpRequest) -> None:
    """A household's page is personal data, as a person's is: 403 for observers."""
    if not access.may_view(request.user, Keluarga):
        raise PermissionDenied


def keluarga_page(request, household: Keluarga, add_form=None, end_form=None, status=200):
    """A household: its card, address and head, its members (current first), the groups it
    belongs to within the user's area; the forms to add a member and end one (each with its
    one-time token: no query). Five queries."""
    user = request.user
    members = list(
        household.anggota.select_related("warga")
        .order_by(F("selesai").desc(nulls_first=True), "hubungan", "warga__nama", "pk")
    )
    groups = (
        KeanggotaanKeluarga.objects.visible_to(user).filter(keluarga=household)
        .select_related("perkumpulan")
        .order_by(F("selesai").desc(nulls_first=True), "perkumpulan__nama", "pk")
    )
    can_edit = can_edit_record(request, household)
    if can_edit:
        if add_form is None:
            add_form = AddHouseholdMemberForm(keluarga=household, user=user, auto_id="kk-%s")
        for m in members:
            if m.aktif:
                m.end_form = (end_form if end_form is not None and end_form.member.pk == m.pk
                              else EndHouseholdMemberForm(member=m, user=user))
    return render(request, "members/keluarga_detail.html", {
        "k": household,
        "panels": shown(PAGE_PANELS["keluarga"], request, household),
        "members": members,
        "groups": groups,
        "can_edit": can_edit,
        "add_form": add_form if can_edit else None,
        "end_form": end_form,
        "today": today(),
    }, status=status)


@login_required
def keluarga_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_keluarga_access(request)
    household = get_object_or_404(
        Keluarga.objects.visible_to(request.user).select_related("wilayah", "kepala"), pk=pk)
    return keluarga_page(request, household)


@login_required
def keluarga_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new household (recorded once however often the form is sent) or a change to one
    (checked against the version it was opened with: 409 with what was typed kept)."""
    require_keluarga_access(request)
    household = None
    if pk is None:
        require_editing_role(request)
    else:
        household = get_editable_or_404(request, Keluarga, pk=pk)
    if request.method != "POST":
        initial = {} if household else {"initial": {"desa": request.user.wilayah_id or ""}}
        form = KeluargaForm(user=request.user, instance=household, **initial)
    else:
        form = KeluargaForm(request.POST, user=request.user, instance=household)

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("The household was saved.") if household
                             else _("The household was registered."))
            return reverse("members:keluarga_detail", args=[saved.pk])

        done = form.save_once(request, save, reverse("members:warga_list"))
        if done is not None:
            return done
    return render(request, "members/keluarga_form.html", {"form": form, "k": household},
                  status=form.http_status)


@login_required
@require_POST
def anggota_keluarga_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_editable_or_404(
        request, Keluarga.objects.select_related("wilayah", "kepala"), pk=pk)
    form = AddHouseholdMemberForm(request.POST, keluarga=household, user=request.user,
                                  auto_id="kk-%s")

    def save() -> str | None:
        member = form.save()
        if member is None:
            return None
        messages.success(request, _("%(name)s was added to the household as %(relation)s.") % {
            "name": member.warga.nama, "relation": member.get_hubungan_display()})
        return reverse("members:keluarga_detail", args=[household.pk])

    done = form.save_once(request, save, reverse("members:keluarga_detail", args=[household.pk]))
    return done or keluarga_page(request, household, add_form=form, status=400)


@login_required
@require_POST
def anggota_keluarga_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_editable_or_404(request, AnggotaKeluarga.objects.select_related(
        "warga", "keluarga__wilayah", "keluarga__kepala"), pk=pk)
    form = EndHouseholdMemberForm(request.POST, member=member, user=request.user)
    page = reverse("members:keluarga_detail", args=[member.keluarga_id])

    def save() -> str | None:
        if not form.save():
            return None
        messages.success(request, _("%(name)s no longer belongs to this household.") % {
            "name": member.warga.nama})
        return page

    done = form.save_once(request, save, page)
    return done or keluarga_page(request, member.keluarga, end_form=form, status=400)
