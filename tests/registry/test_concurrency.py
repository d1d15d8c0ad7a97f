"""Two officers editing one record: the second save is told that the record changed meanwhile
(409, the form again with everything typed kept and a link to the current data), nothing is
written, and sending the form again afterwards saves. The check is one shared layer
(registry.forms.VersionedForm) used by the group, the PMKS case and the forum forms."""

import datetime

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.utils import translation

from network.models import Forum
from pmks.models import KasusPMKS, StatusKasus
from registry.forms import VERSION_FIELD, PerkumpulanForm, VersionedForm
from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM


def as_posted(form) -> dict:
    """What a browser sends for a form page as it was rendered (its initial values)."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, datetime.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    return data


def opened(client, user, url) -> dict:
    """Log `user` in on `client`, open the edit page at `url`; its form as it would be posted."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'type="hidden" name="{VERSION_FIELD}"' in html
    return as_posted(response.context["form"])


def conflict_message() -> str:
    with translation.override("id"):
        return str(VersionedForm.version_message)


def assert_told_of_conflict(response, typed: dict, current_url: str):
    assert response.status_code == 409
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "conflict")
    html = response.content.decode()
    assert conflict_message() in html.replace("&#x27;", "'")
    assert "Orang lain menyimpan data ini setelah Anda membuka formulir" in html  # in Indonesian
    assert "Buka data terbaru di tab baru" in html
    assert f'href="{current_url}" target="_blank"' in html
    for name, value in typed.items():  # everything typed is still in the form
        assert form[name].value() == value, name


@pytest.fixture
def group(make_perkumpulan):
    return make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", rw=3, tahun_berdiri=1999)


def test_the_second_of_two_edits_of_a_group_is_told_and_writes_nothing(group, operator, staf):
    url = f"/perkumpulan/{group.kode}/ubah/"
    first, second = Client(), Client()
    mine = opened(first, operator, url)
    theirs = opened(second, staf, url)

    response = first.post(url, {**mine, "nama": "Dasa Wisma Mawar Merah"})
    assert response.status_code == 302

    typed = {"nama": "Dasa Wisma Melati", "rw": "7"}
    response = second.post(url, {**theirs, **typed})
    assert_told_of_conflict(response, typed, f"/perkumpulan/{group.kode}/")
    group.refresh_from_db()
    assert (group.nama, group.rw) == ("Dasa Wisma Mawar Merah", 3)  # the first's change only

    # Having looked, the second officer sends the form again: now it saves.
    again = as_posted(response.context["form"])
    assert again[VERSION_FIELD] != theirs[VERSION_FIELD]
    assert second.post(url, again).status_code == 302
    group.refresh_from_db()
    assert (group.nama, group.rw) == ("Dasa Wisma Melati", 7)


def test_the_same_page_saved_twice_is_a_conflict_too(group, operator):
    """A second tab, or the back button: the version was used up by the first save."""
    url = f"/perkumpulan/{group.kode}/ubah/"
    client = Client()
    data = opened(client, operator, url)
    assert client.post(url, {**data, "nama": "Nama Pertama"}).status_code == 302
    assert client.post(url, {**data, "nama": "Nama Kedua"}).status_code == 409
    assert Perkumpulan.objects.get(pk=group.pk).nama == "Nama Pertama"


def test_a_garbled_version_is_refused_not_trusted(group, operator):
    url = f"/perkumpulan/{group.kode}/ubah/"
    client = Client()
    data = opened(client, operator, url)
    response = client.post(url, {**data, VERSION_FIELD: "kemarin", "nama": "Lain"})
    assert response.status_code == 409
    assert Perkumpulan.objects.get(pk=group.pk).nama == "Dasa Wisma Mawar"


def test_two_forms_checked_at_once_cannot_both_save(group, operator, staf):
    """Both forms pass validation with the same version; the write itself decides: the first
    to claim the row saves, the second finds a newer version."""
    url = f"/perkumpulan/{group.kode}/ubah/"
    data = opened(Client(), operator, url)
    first = PerkumpulanForm({**data, "nama": "Satu"}, instance=Perkumpulan.objects.get(pk=group.pk),
                            user=operator)
    second = PerkumpulanForm({**data, "nama": "Dua", "desa_kode": CIBEUREUM},
                             instance=Perkumpulan.objects.get(pk=group.pk), user=staf)
    assert first.is_valid() and second.is_valid()
    assert first.save() is not None
    assert second.save() is None and second.conflicted
    assert Perkumpulan.objects.get(pk=group.pk).nama == "Satu"


def test_a_form_without_the_version_saves_as_before(group, operator):
    """A page opened before the check existed (or a script) is not refused."""
    url = f"/perkumpulan/{group.kode}/ubah/"
    client = Client()
    data = opened(client, operator, url)
    del data[VERSION_FIELD]
    assert client.post(url, {**data, "nama": "Tanpa Versi"}).status_code == 302


def test_a_new_group_has_no_version(operator):
    client = Client()
    client.force_login(operator)
    form = client.get("/perkumpulan/baru/").context["form"]
    assert VERSION_FIELD not in form.fields


# A PMKS case ---------------------------------------------------------------------------------
@pytest.fixture
def case(make_perkumpulan, make_warga):
    from pmks.models import KategoriPMKS

    return KasusPMKS.objects.create(
        nama="Abah Entis", desa_id=CIBEUREUM, rw=5,
        kategori=KategoriPMKS.objects.order_by("urutan", "nama").first())


def test_the_second_of_two_edits_of_a_case_is_told_and_writes_nothing(case, operator, staf):
    url = f"/pmks/{case.pk}/ubah/"
    first, second = Client(), Client()
    mine = opened(first, operator, url)
    theirs = opened(second, staf, url)

    assert first.post(url, {**mine, "alamat": "Jl. Kenanga 2"}).status_code == 302

    typed = {"rw": "9", "catatan": "dikunjungi kader"}
    response = second.post(url, {**theirs, **typed})
    assert_told_of_conflict(response, typed, f"/pmks/{case.pk}/")
    case.refresh_from_db()
    assert (case.alamat, case.rw, case.catatan) == ("Jl. Kenanga 2", 5, "")

    assert second.post(url, as_posted(response.context["form"])).status_code == 302
    case.refresh_from_db()
    assert (case.rw, case.catatan) == (9, "dikunjungi kader")


def test_a_status_change_meanwhile_is_not_undone_by_an_edit(case, operator, staf):
    """The edit form writes the whole case, its status included: an edit opened before a status
    change would have put the old status back. It is told instead."""
    url = f"/pmks/{case.pk}/ubah/"
    editor = Client()
    data = opened(editor, operator, url)
    other = Client()
    other.force_login(staf)
    assert other.post(f"/pmks/{case.pk}/status/", {"status": "DITANGANI"}).status_code == 302

    assert editor.post(url, {**data, "rw": "6"}).status_code == 409
    case.refresh_from_db()
    assert (case.status, case.rw) == (StatusKasus.DITANGANI, 5)


# The village forum ---------------------------------------------------------------------------
def test_the_second_of_two_edits_of_the_forum_is_told_and_writes_nothing(operator, staf):
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    url = f"/forum/?desa={CIBEUREUM}"
    first, second = Client(), Client()
    mine = opened(first, operator, url)
    theirs = opened(second, staf, url)

    assert first.post(url, {**mine, "desa": CIBEUREUM, "nama": "WKSBM Cibeureum Raya"}
                      ).status_code == 302
    typed = {"keterangan": "rapat tiap bulan"}
    response = second.post(url, {**theirs, "desa": CIBEUREUM, **typed})
    assert_told_of_conflict(response, typed, f"/forum/?desa={CIBEUREUM}")
    assert response.context["forum"].nama == "WKSBM Cibeureum Raya"  # the page shows it now
    forum.refresh_from_db()
    assert (forum.nama, forum.keterangan) == ("WKSBM Cibeureum Raya", "")


# The admin -----------------------------------------------------------------------------------
def admin_opened(client, user, url) -> dict:
    """Log `user` in, open the admin change page at `url`; what the browser would send back,
    inlines and their management forms included."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert f'type="hidden" name="{VERSION_FIELD}"' in response.content.decode()
    return admin_posted(response)


def admin_posted(response) -> dict:
    data = as_posted(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(as_posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(as_posted(form))
    return data


def test_two_admins_editing_one_group_the_second_is_told(group, staf, admin_user):
    url = f"/admin/registry/perkumpulan/{group.pk}/change/"
    first, second = Client(), Client()
    mine = admin_opened(first, staf, url)
    theirs = admin_opened(second, admin_user, url)

    assert first.post(url, {**mine, "nama": "Dasa Wisma Mawar Merah"}).status_code == 302

    response = second.post(url, {**theirs, "nama": "Dasa Wisma Melati", "rw": "7"})
    assert response.status_code == 409
    assert conflict_message() in response.content.decode().replace("&#x27;", "'")
    form = response.context["adminform"].form
    assert (form["nama"].value(), form["rw"].value()) == ("Dasa Wisma Melati", "7")
    group.refresh_from_db()
    assert (group.nama, group.rw) == ("Dasa Wisma Mawar Merah", 3)

    # Sent again after looking: it saves over the first change.
    assert second.post(url, admin_posted(response)).status_code == 302
    group.refresh_from_db()
    assert (group.nama, group.rw) == ("Dasa Wisma Melati", 7)


def test_an_admin_form_refused_for_its_inlines_keeps_its_version(group, staf):
    """The group's fields are valid but a new member row is not: nothing is saved, and the
    corrected form saves (the version was not used up by the refused send)."""
    url = f"/admin/registry/perkumpulan/{group.pk}/change/"
    client = Client()
    data = admin_opened(client, staf, url)
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "keanggotaan" in k)[
        : -len("-TOTAL_FORMS")]
    bad = {**data, "nama": "Nama Baru", f"{prefix}-TOTAL_FORMS": "1",
           f"{prefix}-0-warga": "999999", f"{prefix}-0-peran": "ANGGOTA"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert response.context["errors"]
    assert Perkumpulan.objects.get(pk=group.pk).nama == "Dasa Wisma Mawar"
    assert client.post(url, {**data, "nama": "Nama Baru"}).status_code == 302
    assert Perkumpulan.objects.get(pk=group.pk).nama == "Nama Baru"


def test_the_admin_checks_every_versioned_record(case, staf):
    """The same check on a case's admin page (any admin of a record with a version)."""
    url = f"/admin/pmks/kasuspmks/{case.pk}/change/"
    first, second = Client(), Client()
    mine, theirs = admin_opened(first, staf, url), admin_opened(second, staf, url)
    assert first.post(url, {**mine, "nama": "Abah Entis Suganda"}).status_code == 302
    assert second.post(url, {**theirs, "rw": "9"}).status_code == 409
    case.refresh_from_db()
    assert (case.nama, case.rw) == ("Abah Entis Suganda", 5)
