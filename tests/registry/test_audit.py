"""The audit history (registry.audit): every change to groups, people, memberships, cases and
links — by web forms, the admin and survey imports — with who, when and the old and new values,
on each record's page and in the admin, within the user's area only."""

import datetime

from members.models import Keanggotaan, Warga
from network.models import Hubungan
from pmks.models import KasusPMKS
from registry import workbook
from registry.models import JenisPerkumpulan, Perkumpulan
from tests.conftest import CIBEUREUM, MELONG
from tests.survey_files import case, group, link, make_xlsx, member

SITI = "3277014101800001"
BUDI = "3277011505750002"


def form(**changes):
    data = {"nama": "Dasa Wisma Mawar", "jenis": JenisPerkumpulan.objects.get(kode="DW").pk,
            "tahun_berdiri": "1999", "rw": "3", "aktif": "on"}
    data.update(changes)
    return data


def kinds(model, **lookup):
    return [(h.history_type, h.history_user.username if h.history_user else None,
             h.history_change_reason)
            for h in model.history.filter(**lookup).order_by("history_date", "history_id")]


def test_a_web_edit_is_recorded_with_its_user_and_shown_on_the_group_s_page(
        client, operator, make_perkumpulan):
    dw = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", rw=3, tahun_berdiri=1999)
    client.force_login(operator)
    response = client.post("/perkumpulan/CBR-DW-001/ubah/", form(nama="Dasa Wisma Melati", rw="4"))
    assert response.status_code == 302
    assert kinds(Perkumpulan, id=dw.pk) == [("+", None, None), ("~", operator.username, None)]
    page = client.get("/perkumpulan/CBR-DW-001/")
    change = page.context["history"][0]
    assert (change.user, change.kind, change.fields) == (
        operator.username, "diubah",
        [("nama", "Dasa Wisma Mawar", "Dasa Wisma Melati"), ("RW", "3", "4")])
    assert "<del>Dasa Wisma Mawar</del> → <ins>Dasa Wisma Melati</ins>" in page.content.decode()


def test_a_save_that_changes_nothing_is_not_shown(client, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", rw=3, tahun_berdiri=1999)
    client.force_login(operator)
    client.post("/perkumpulan/CBR-DW-001/ubah/", form())
    history = client.get("/perkumpulan/CBR-DW-001/").context["history"]
    assert [c.kind for c in history] == ["dibuat"]


def test_members_and_links_of_a_group_are_in_its_history_even_once_deleted(
        client, operator, make_perkumpulan, make_warga):
    dw = make_perkumpulan("CBR-DW-001")
    kt = make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna")
    siti = make_warga(SITI, nama="Siti Aminah")
    client.force_login(operator)
    membership = Keanggotaan.objects.create(warga=siti, perkumpulan=dw, peran="ANGGOTA")
    membership.peran = "KETUA"
    membership.save()
    connection = Hubungan.objects.create(perkumpulan=dw, mitra_perkumpulan=kt, bentuk="KOORDINASI")
    assert client.post(f"/hubungan/{connection.pk}/hapus/").status_code == 302
    assert kinds(Hubungan, id=connection.pk)[-1] == ("-", operator.username, None)
    history = client.get("/perkumpulan/CBR-DW-001/").context["history"]
    assert [(c.what, c.kind) for c in history[:4]] == [
        ("Hubungan CBR-DW-001 Kelompok CBR-DW-001 → CBR-KT-001 Karang Taruna", "dihapus"),
        ("Hubungan CBR-DW-001 Kelompok CBR-DW-001 → CBR-KT-001 Karang Taruna", "dibuat"),
        ("Keanggotaan Siti Aminah (••••••••••••0001)", "diubah"),
        ("Keanggotaan Siti Aminah (••••••••••••0001)", "dibuat"),
    ]
    assert history[2].fields == [("peran", "Anggota", "Ketua")]
    # The other group's page shows the same link, declared from its side.
    assert "dihapus" in [c.kind for c in client.get("/perkumpulan/CBR-KT-001/").context["history"]]


def test_an_import_writes_history_for_every_record_it_creates_or_changes(
        tmp_path, operator, make_perkumpulan):
    make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna")
    first = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-DW-002")],
        "anggota": [member("CBR-DW-001", SITI, "Siti Aminah", peran="Ketua"),
                    member("CBR-DW-002", BUDI, "Budi")],
        "pmks": [case("Siti Aminah", nik=SITI, tanggal_identifikasi=datetime.date(2026, 1, 5))],
        "jaringan": [link("CBR-DW-001", "CBR-KT-001", bentuk="Koordinasi")],
    }, name="desa-cibeureum.xlsx")
    assert workbook.run(first, user=operator).ok
    reason = "Impor: desa-cibeureum.xlsx"
    created = ("+", operator.username, reason)
    for model, count in ((Perkumpulan, 2), (Warga, 2), (Keanggotaan, 2), (KasusPMKS, 1),
                         (Hubungan, 1)):
        rows = kinds(model, history_change_reason=reason)
        assert rows == [created] * count, model
    # The history rows hold the records as written.
    siti = Warga.history.get(nik=SITI)
    assert (siti.nama, siti.id) == ("Siti Aminah", Warga.objects.get(nik=SITI).pk)

    # Again with one group renamed and Budi made chair: only those two get a new version.
    second = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-DW-002", nama="Dasa Wisma Baru")],
        "anggota": [member("CBR-DW-001", SITI, "Siti Aminah", peran="Ketua"),
                    member("CBR-DW-002", BUDI, "Budi", peran="Ketua")],
    }, name="perbaikan.xlsx")
    assert workbook.run(second, user=operator).ok
    again = "Impor: perbaikan.xlsx"
    dw2 = Perkumpulan.objects.get(kode="CBR-DW-002")
    assert kinds(Perkumpulan, history_change_reason=again) == [("~", operator.username, again)]
    assert Perkumpulan.history.filter(history_change_reason=again).get().id == dw2.pk
    # A new role is a new membership period: the old one ends (changed), a new one starts.
    assert sorted(kinds(Keanggotaan, history_change_reason=again)) == [
        ("+", operator.username, again), ("~", operator.username, again)]
    assert not Warga.history.filter(history_change_reason=again).exists()


def test_deleting_a_user_keeps_their_history_without_its_author(tmp_path, operator):
    """A history row's user is a key the database does not check (an import's 100,000 rows
    are not checked one by one at the commit): Django itself empties it when the user goes."""
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001")],
                                "anggota": [member("CBR-DW-001", SITI, "Siti Aminah")]})
    assert workbook.run(path, user=operator).ok
    operator.delete()
    for model in (Perkumpulan, Warga, Keanggotaan):
        assert [(kind, user) for kind, user, _reason in kinds(model)] == [("+", None)], model


def test_a_refused_import_leaves_no_history(tmp_path, operator):
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001"), group("CBR-DW-002",
                                                                        tahun_berdiri="abc")]})
    assert not workbook.run(path, user=operator).ok
    assert not Perkumpulan.history.exists()


def test_a_person_s_page_shows_their_changes_within_the_user_s_area(
        client, staf, make_perkumpulan, make_warga):
    siti = make_warga(SITI, nama="Siti")
    here = make_perkumpulan("CBR-DW-001")
    Keanggotaan.objects.create(warga=siti, perkumpulan=here)
    siti.nama = "Siti Aminah"
    siti.save()
    client.force_login(staf)
    history = client.get(f"/warga/{siti.pk}/").context["history"]
    assert [(c.what, c.kind) for c in history] == [
        ("Warga", "diubah"), ("Keanggotaan CBR-DW-001 Kelompok CBR-DW-001", "dibuat"),
        ("Warga", "dibuat")]
    assert history[0].fields == [("nama", "Siti", "Siti Aminah")]


def test_the_history_of_a_membership_outside_the_area_is_not_shown(
        client, operator, make_perkumpulan, make_warga):
    siti = make_warga(SITI, nama="Siti")
    Keanggotaan.objects.create(warga=siti, perkumpulan=make_perkumpulan("CBR-DW-001"))
    Keanggotaan.objects.create(warga=siti, perkumpulan=make_perkumpulan("MLG-DW-001",
                                                                         desa=MELONG))
    client.force_login(operator)
    history = client.get(f"/warga/{siti.pk}/").context["history"]
    assert [c.what for c in history if "MLG" in c.what] == []


def test_a_case_s_page_shows_its_changes(client, staf, make_warga):
    from pmks.models import KategoriPMKS

    case_ = KasusPMKS.objects.create(nama="Nini Ooh", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.first())
    case_.catatan = "tinggal sendiri"
    case_.save()
    client.force_login(staf)
    history = client.get(f"/pmks/{case_.pk}/").context["history"]
    assert history[0].fields == [("catatan", "–", "tinggal sendiri")]


def test_the_group_page_costs_the_same_queries_however_long_its_history(
        client, operator, make_perkumpulan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dw = make_perkumpulan("CBR-DW-001")
    client.force_login(operator)
    client.get("/perkumpulan/CBR-DW-001/")  # the session, the caches

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/perkumpulan/CBR-DW-001/")
        return len(captured.captured_queries), len(response.context["history"])

    dw.nama = "Nama 0"
    dw.save()
    short = count()
    for n in range(1, 30):
        dw.nama = f"Nama {n}"
        dw.save()
    assert short == (count()[0], 2) and count() == (short[0], 20)


def test_staff_read_a_record_s_history_in_the_admin_within_their_area(
        client, staf, staf_lain, make_perkumpulan):
    dw = make_perkumpulan("CBR-DW-001", nama="Lama")
    dw.nama = "Baru"
    dw.save()
    url = f"/admin/registry/perkumpulan/{dw.pk}/history/"
    client.force_login(staf)
    page = client.get(url)
    assert page.status_code == 200
    assert "Baru" in page.content.decode() and "Lama" in page.content.decode()
    version = dw.history.latest("history_date").history_id
    assert client.get(f"{url}{version}/").status_code == 404  # no reverting
    client.force_login(staf_lain)
    assert client.get(url).status_code == 404
