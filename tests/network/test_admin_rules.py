"""The admin keeps the network's rules as the web pages do: an outside partner recorded above a
village is seen by the village's operator but changed only by whoever may write its own area
(`Mitra.edit_filter`); a forum's member groups are the active groups of its own village
(`Forum.member_choices`), in the admin as on the forum's page."""

import pytest
from django.urls import reverse

from network.models import Forum, Mitra
from tests.admin_import import csv_file, english, upload, validation_messages  # noqa: F401
from tests.conftest import CIBEUREUM, MELONG

pytestmark = pytest.mark.django_db

KECAMATAN = "32.77.01"  # Cimahi Selatan: Cibeureum's kecamatan
KOTA = "32.77"


@pytest.fixture
def partners(db):
    return {
        "desa": Mitra.objects.create(nama="Puskesmas Cibeureum", jenis="PEMERINTAH",
                                     wilayah_id=CIBEUREUM),
        "kecamatan": Mitra.objects.create(nama="Kantor Kecamatan Cimahi Selatan",
                                          jenis="PEMERINTAH", wilayah_id=KECAMATAN),
        "kota": Mitra.objects.create(nama="Dinas Sosial Kota Cimahi", jenis="PEMERINTAH",
                                     wilayah_id=KOTA),
    }


def partner_data(partner, **changes) -> dict:
    data = {"nama": partner.nama, "jenis": partner.jenis, "wilayah": partner.wilayah_id,
            "keterangan": partner.keterangan}
    return {**data, **changes}


def unchanged(partner) -> bool:
    stored = Mitra.objects.filter(pk=partner.pk).values("nama", "wilayah").first()
    return stored == {"nama": partner.nama, "wilayah": partner.wilayah_id}


# Outside partners -------------------------------------------------------------------------------
@pytest.mark.parametrize("level", ["kecamatan", "kota"])
def test_a_village_operator_may_not_rename_or_move_a_partner_above_the_village(
        client, operator, partners, level):
    partner = partners[level]
    client.force_login(operator)
    url = reverse("admin:network_mitra_change", args=[partner.pk])
    page = client.get(url)
    assert page.status_code == 200  # seen: the village's groups link to it
    assert page.context["has_change_permission"] is False
    for changes in ({"nama": "Diganti operator desa"}, {"wilayah": CIBEUREUM}):
        response = client.post(url, partner_data(partner, **changes))
        assert response.status_code == 403
        assert unchanged(partner)


@pytest.mark.parametrize("level", ["kecamatan", "kota"])
def test_a_village_operator_may_not_delete_a_partner_above_the_village(
        client, operator, partners, level):
    partner = partners[level]
    client.force_login(operator)
    response = client.post(reverse("admin:network_mitra_delete", args=[partner.pk]),
                           {"post": "yes"})
    assert response.status_code == 403
    assert Mitra.objects.filter(pk=partner.pk).exists()


def test_the_operator_still_changes_the_villages_own_partner_and_staff_the_kecamatans(
        client, operator, staf, partners):
    client.force_login(operator)
    own = partners["desa"]
    response = client.post(reverse("admin:network_mitra_change", args=[own.pk]),
                           partner_data(own, nama="Puskesmas Cibeureum Baru"))
    assert response.status_code == 302
    assert Mitra.objects.get(pk=own.pk).nama == "Puskesmas Cibeureum Baru"
    client.force_login(staf)
    above = partners["kecamatan"]
    response = client.post(reverse("admin:network_mitra_change", args=[above.pk]),
                           partner_data(above, nama="Kantor Camat Cimahi Selatan"))
    assert response.status_code == 302
    assert Mitra.objects.get(pk=above.pk).nama == "Kantor Camat Cimahi Selatan"


def test_editable_follows_the_partners_own_area(operator, kecamatan, staf, admin_user,
                                                 partners):
    def editable(user):
        return set(Mitra.objects.editable_by(user).values_list("wilayah", flat=True))

    assert set(Mitra.objects.visible_to(operator).values_list("wilayah", flat=True)) == {
        CIBEUREUM, KECAMATAN, KOTA}
    assert editable(operator) == {CIBEUREUM}
    assert editable(kecamatan) == set()  # a kecamatan worker changes no records
    assert editable(staf) == editable(admin_user) == {CIBEUREUM, KECAMATAN, KOTA}


def test_the_partner_import_does_not_rename_a_partner_above_the_village(
        client, operator, partners, tmp_path):
    partner = partners["kecamatan"]
    client.force_login(operator)
    path = csv_file(tmp_path, ["id", "nama", "jenis", "wilayah", "keterangan"],
                    [[partner.pk, "Diganti lewat impor", "Pemerintah", KECAMATAN, ""]])
    preview = upload(client, "/admin/network/mitra/", path)
    assert validation_messages(preview)
    assert unchanged(partner)


# Forum members ----------------------------------------------------------------------------------
@pytest.fixture
def forum_groups(make_perkumpulan):
    return {
        "own": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "inactive": make_perkumpulan("CBR-DW-002", nama="Dasa Wisma Bubar", aktif=False),
        "melong": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong"),
    }


def forum_data(client, url) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for prefix in ("pengurus", "pertemuan", "dana"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def members(forum) -> set[str]:
    return set(forum.anggota.values_list("kode", flat=True))


@pytest.mark.parametrize("stranger", ["melong", "inactive"])
def test_the_forum_admin_refuses_a_member_group_the_web_would_not_offer(
        client, staf, forum_groups, stranger):
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    forum.anggota.add(forum_groups["own"])
    client.force_login(staf)
    url = reverse("admin:network_forum_change", args=[forum.pk])
    data = forum_data(client, url)
    data["anggota"] = [forum_groups["own"].pk, forum_groups[stranger].pk]
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("anggota", "invalid_choice")
    assert members(forum) == {"CBR-DW-001"}
    # The village's own active groups are taken.
    data["anggota"] = [forum_groups["own"].pk]
    data["nama"] = "WKSBM Cibeureum Raya"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Forum.objects.get(pk=forum.pk).nama == "WKSBM Cibeureum Raya"


def test_a_forum_added_in_the_admin_takes_no_group_of_another_village(
        client, staf, forum_groups):
    client.force_login(staf)
    data = {"desa": CIBEUREUM, "tingkat": "DESA", "rw": "", "rt": "", "dukuh": "",
            "nama": "WKSBM Cibeureum", "mekanisme": "TIM", "tanggal_dibentuk": "",
            "anggota": [forum_groups["own"].pk, forum_groups["melong"].pk], "keterangan": ""}
    for prefix in ("pengurus", "pertemuan", "dana"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(reverse("admin:network_forum_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("anggota", "invalid_choice")
    assert not Forum.objects.exists()


def test_the_web_form_and_the_admin_offer_the_same_groups(forum_groups):
    assert set(Forum.member_choices(CIBEUREUM).values_list("kode", flat=True)) == {
        "CBR-DW-001"}


@pytest.mark.parametrize("stranger", ["melong", "inactive"])
def test_the_forum_import_takes_no_group_the_web_would_not_offer(
        client, staf, forum_groups, tmp_path, stranger):
    """The admin's forum import (CSV) follows the same rule as its form: a group of another
    village, or an inactive one, is refused on its row, and nothing is written."""
    client.force_login(staf)
    codes = f"CBR-DW-001; {forum_groups[stranger].kode}"
    path = csv_file(tmp_path, ["desa", "nama", "mekanisme", "tanggal_dibentuk", "anggota",
                               "keterangan"],
                    [[CIBEUREUM, "WKSBM Cibeureum", "TIM", "", codes, ""]])
    preview = upload(client, "/admin/network/forum/", path)
    assert any(f"Not an active group of this village: {forum_groups[stranger].kode}" in m
               for m in validation_messages(preview)), validation_messages(preview)
    assert not Forum.objects.exists()
