"""Printed documents (issue 20): a group's profile and member list, a forum meeting's minutes, a
village's list in a round, a recap — their scoping per role, the letterhead and signature they
carry; the letterhead's form; the decree (SK) fields and the groups whose decree ends soon."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Keanggotaan
from network.models import Forum, PengurusForum, PertemuanForum
from registry import access
from registry.models import KopSurat, Perkumpulan, Wilayah
from tests.conftest import CIBEUREUM, MELONG, today
from verifikasi.models import Putaran, Tahap


def nik(n: int) -> str:
    return f"327701010180{n:04d}"


@pytest.fixture
def group(make_perkumpulan, make_warga):
    """A Dasa Wisma of Cibeureum with a decree, a chair and three members."""
    g = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", sk_nomor="SK-12/2025",
                         sk_tanggal=datetime.date(2025, 1, 2),
                         sk_berlaku_sampai=today() + datetime.timedelta(days=30))
    for i, (name, role) in enumerate([("Siti Aminah", "KETUA"), ("Budi Santoso", "ANGGOTA"),
                                      ("Cucu Cahyati", "ANGGOTA"), ("Dedi Mulyadi", "ANGGOTA")]):
        person = make_warga(nik(i + 1), nama=name, wilayah_id=CIBEUREUM)
        Keanggotaan.objects.create(warga=person, perkumpulan=g, peran=role,
                                   mulai=datetime.date(2024, 1, 1))
    return g


@pytest.fixture
def letterhead(db):
    return KopSurat.objects.create(
        wilayah_id="32.77.01", instansi="PEMERINTAH KOTA CIMAHI\nKECAMATAN CIMAHI SELATAN",
        alamat="Jl. Amir Machmud 1", kota="Cimahi", penandatangan="Drs. Asep Saepudin",
        jabatan="Camat Cimahi Selatan", nip="197001011990031001")


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


# A group's profile and member list ------------------------------------------------------------
def test_profile_prints_identity_decree_board_members_and_letterhead(
        client, operator, group, letterhead, django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:perkumpulan_cetak", args=[group.kode]))
    assert response.status_code == 200
    text = response.content.decode()
    for value in ("Dasa Wisma Mawar", "CBR-DW-001", "SK-12/2025", "Siti Aminah", "Dedi Mulyadi",
                  "KECAMATAN CIMAHI SELATAN", "Drs. Asep Saepudin", "Camat Cimahi Selatan",
                  "print.css"):
        assert value in text
    assert "<script" not in text


def test_without_letterhead_the_areas_names_are_printed(client, operator, group):
    text = get(client, operator, reverse("registry:perkumpulan_cetak", args=[group.kode])) \
        .content.decode()
    assert "KOTA CIMAHI" in text and "CIMAHI SELATAN" in text and "CIBEUREUM" in text


def test_nearest_ancestors_letterhead_is_used(db, letterhead):
    KopSurat.objects.create(wilayah_id="32.77", instansi="PEMERINTAH KOTA CIMAHI")
    assert KopSurat.for_area(Wilayah.objects.get(pk=CIBEUREUM)).wilayah_id == "32.77.01"
    assert KopSurat.for_area(Wilayah.objects.get(pk="32.77.02")).wilayah_id == "32.77"


def test_member_list_numbers_every_current_member(client, operator, group,
                                                  django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("members:anggota_cetak", args=[group.kode]))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Siti Aminah") < text.index("Budi Santoso")  # the board first
    assert '<td class="no">4</td>' in text and '<td class="no">5</td>' not in text
    assert nik(1) in text


@pytest.mark.parametrize("name", ["registry:perkumpulan_cetak", "members:anggota_cetak"])
def test_group_prints_are_scoped_like_the_groups_page(client, name, group, operator_lain,
                                                      kecamatan_lain, staf_lain, kecamatan,
                                                      staf, admin_user):
    url = reverse(name, args=[group.kode])
    for user in (operator_lain, kecamatan_lain, staf_lain):
        assert get(client, user, url).status_code == 404
    for user in (kecamatan, staf, admin_user):
        assert get(client, user, url).status_code == 200


def test_observer_reads_the_member_list_with_nik_masked(client, pengamat, group):
    text = get(client, pengamat, reverse("members:anggota_cetak", args=[group.kode])) \
        .content.decode()
    assert "Siti Aminah" in text and nik(1) not in text


def test_print_needs_login(client, group):
    response = client.get(reverse("registry:perkumpulan_cetak", args=[group.kode]))
    assert response.status_code == 302


# The forum's minutes ---------------------------------------------------------------------------
@pytest.fixture
def meeting(group, make_warga):
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="Forum WKSBM Cibeureum",
                                 mekanisme="TIM")
    forum.anggota.add(group)
    PengurusForum.objects.create(forum=forum, warga=make_warga(nik(50), nama="Haji Engkos"),
                                 jabatan="Ketua Forum")
    return PertemuanForum.objects.create(forum=forum, tanggal=today(), jenis="RUTIN", hadir=12,
                                         notulen="Membahas pendataan lansia terlantar.")


def test_minutes_print_the_attendance_list_to_sign(client, operator, meeting,
                                                   django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network:pertemuan_cetak", args=[meeting.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    for value in ("Forum WKSBM Cibeureum", "Haji Engkos", "Ketua Forum", "Dasa Wisma Mawar",
                  "pendataan lansia"):
        assert value in text
    # 12 came: the leader and the member group's line, then empty lines up to 12.
    assert '<td class="no">12</td>' in text and '<td class="no">13</td>' not in text


def test_minutes_are_scoped_like_the_forum(client, meeting, operator_lain, kecamatan_lain,
                                           staf_lain, kecamatan, pengamat):
    url = reverse("network:pertemuan_cetak", args=[meeting.pk])
    for user in (operator_lain, kecamatan_lain, staf_lain):
        assert get(client, user, url).status_code == 404
    for user in (kecamatan, pengamat):
        assert get(client, user, url).status_code == 200


# A village's list in a round -------------------------------------------------------------------
@pytest.fixture
def putaran(staf):
    return Putaran.objects.create(
        nama="Verifikasi 2026", wilayah_id="32.77", mulai=today().replace(month=1, day=1),
        selesai=today().replace(month=12, day=31), batas_usulan=today() + datetime.timedelta(7),
        batas_verifikasi=today() + datetime.timedelta(14),
        batas_persetujuan=today() + datetime.timedelta(21), dibuat_oleh=staf)


@pytest.fixture
def usulan(putaran, operator, make_perkumpulan, group):
    make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas")
    u = putaran.usulan_desa(Wilayah.objects.get(pk=CIBEUREUM))
    u.musdes_tanggal, u.musdes_tempat, u.musdes_hadir = today(), "Balai Desa", 40
    u.ajukan(operator)
    return u


def cetak_url(u, versi="diajukan"):
    return reverse("verifikasi:usulan_cetak", args=[u.putaran_id, u.desa_id]) + f"?versi={versi}"


def test_village_list_as_submitted_then_as_approved(client, usulan, operator, kecamatan, staf,
                                                    group):
    text = get(client, operator, cetak_url(usulan)).content.decode()
    assert "Dasa Wisma Mawar" in text and "Karang Taruna Tunas" in text
    assert get(client, operator, cetak_url(usulan, "disetujui")).status_code == 404
    kept, returned = sorted(usulan.items.all(), key=lambda i: i.label)
    kept.terima(kecamatan)
    returned.kembalikan(kecamatan, "Tidak aktif lagi")
    returned.ajukan_ulang(operator, "Masih aktif")
    returned.terima(kecamatan)
    usulan.verifikasi(kecamatan)
    usulan.setujui(staf)
    response = get(client, staf, cetak_url(usulan, "disetujui"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "CBR-DW-001" in text and "CBR-KT-001" in text
    assert "Camat Cimahi Selatan" in text and "Kota Cimahi" in text  # three signature blocks


def test_village_list_refuses_an_unknown_version(client, usulan, operator):
    assert get(client, operator, cetak_url(usulan, "x")).status_code == 400


def test_village_list_is_scoped(client, usulan, operator_lain, kecamatan_lain, staf_lain,
                                pengamat, kecamatan, staf):
    for user in (operator_lain, kecamatan_lain, staf_lain, pengamat):
        assert get(client, user, cetak_url(usulan)).status_code == 404
    for user in (kecamatan, staf):
        assert get(client, user, cetak_url(usulan)).status_code == 200


def test_unsubmitted_list_has_nothing_to_print(client, putaran, operator):
    u = putaran.usulan_desa(Wilayah.objects.get(pk=CIBEUREUM))
    assert u.tahap == Tahap.BELUM
    assert get(client, operator, cetak_url(u)).status_code == 404


# A recap -----------------------------------------------------------------------------------------
def test_recap_prints_area_year_totals_and_signature(client, staf, group, letterhead):
    response = get(client, staf, reverse("registry:rekap_cetak") + "?wilayah=32.77.01&tahun=2026")
    text = response.content.decode()
    assert response.status_code == 200
    assert "32.77.01" in text and "2026" in text and "Drs. Asep Saepudin" in text


def test_recap_print_is_scoped_and_checks_its_year(client, staf_lain, operator, staf):
    url = reverse("registry:rekap_cetak")
    assert get(client, staf_lain, url + "?wilayah=32.77").status_code == 404
    assert get(client, operator, url + "?wilayah=32.77.01").status_code == 404
    assert get(client, staf, url + "?wilayah=32.77&tahun=abc").status_code == 400


# The letterhead's form ---------------------------------------------------------------------------
def test_who_may_edit_a_letterhead(db, operator, kecamatan, kecamatan_lain, staf, pengamat,
                                   admin_user):
    kec = Wilayah.objects.get(pk="32.77.01")
    village = Wilayah.objects.get(pk=CIBEUREUM)
    assert access.may_edit_letterhead(kecamatan, kec)
    assert not access.may_edit_letterhead(kecamatan, village)
    assert not access.may_edit_letterhead(kecamatan_lain, kec)
    assert access.may_edit_letterhead(operator, village)
    assert not access.may_edit_letterhead(operator, kec)
    assert access.may_edit_letterhead(staf, kec) and access.may_edit_letterhead(admin_user, kec)
    assert not access.may_edit_letterhead(pengamat, kec)


def test_kecamatan_worker_keeps_their_letterhead(client, kecamatan):
    client.force_login(kecamatan)
    url = reverse("registry:kop_surat", args=["32.77.01"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"instansi": "KECAMATAN CIMAHI SELATAN", "kota": "Cimahi",
                                 "penandatangan": "Asep", "jabatan": "Camat"})
    assert response.status_code == 302
    assert KopSurat.objects.get(pk="32.77.01").penandatangan == "Asep"
    # Empty heading: refused, nothing changed.
    response = client.post(url, {"instansi": "", "penandatangan": "Lain"})
    assert response.status_code == 400
    assert KopSurat.objects.get(pk="32.77.01").penandatangan == "Asep"


def test_dashboard_leads_to_the_letterhead_of_ones_area(client, kecamatan, pengamat):
    text = get(client, kecamatan, reverse("registry:dashboard")).content.decode()
    assert reverse("registry:kop_surat", args=["32.77.01"]) in text
    text = get(client, pengamat, reverse("registry:dashboard")).content.decode()
    assert "/kop-surat/" not in text


def test_pages_lead_to_their_prints(client, operator, group):
    text = get(client, operator, reverse("registry:perkumpulan_detail", args=[group.kode])) \
        .content.decode()
    assert reverse("registry:perkumpulan_cetak", args=[group.kode]) in text
    assert reverse("members:anggota_cetak", args=[group.kode]) in text
    text = get(client, operator, reverse("registry:rekap") + f"?wilayah={CIBEUREUM}") \
        .content.decode()
    assert reverse("registry:rekap_cetak") in text


def test_letterhead_form_refuses_others(client, kecamatan, operator, pengamat, kecamatan_lain):
    assert get(client, kecamatan, reverse("registry:kop_surat", args=[CIBEUREUM])) \
        .status_code == 403
    assert get(client, operator, reverse("registry:kop_surat", args=["32.77.01"])) \
        .status_code == 404
    assert get(client, pengamat, reverse("registry:kop_surat", args=["32.77"])).status_code == 403
    assert get(client, kecamatan_lain, reverse("registry:kop_surat", args=["32.77.01"])) \
        .status_code == 404


# The decree ---------------------------------------------------------------------------------------
def test_decree_cannot_end_before_its_date(make_perkumpulan):
    with pytest.raises(ValidationError) as caught:
        make_perkumpulan("CBR-DW-009", sk_tanggal=datetime.date(2025, 5, 1),
                         sk_berlaku_sampai=datetime.date(2025, 4, 30))
    assert "sk_berlaku_sampai" in caught.value.message_dict


def test_group_form_refuses_a_decree_ending_before_its_date(client, operator, group):
    client.force_login(operator)
    url = reverse("registry:perkumpulan_edit", args=[group.kode])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"nama": group.nama, "jenis": group.jenis_id, "tahun_berdiri": 2000,
                 "aktif": "on", "sk_nomor": "SK-1", "sk_tanggal": "2025-05-01",
                 "sk_berlaku_sampai": "2025-04-30"})
    data.update({f.html_name: f.value() for f in form.hidden_fields()})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "sk_berlaku_sampai" in response.context["form"].errors
    group.refresh_from_db()
    assert group.sk_nomor == "SK-12/2025"


def test_group_page_shows_the_decree_and_its_expiry(client, operator, group):
    text = get(client, operator, reverse("registry:perkumpulan_detail", args=[group.kode])) \
        .content.decode()
    assert "SK-12/2025" in text and "sk-segera" in text and " 30 " in text


@pytest.fixture
def decrees(make_perkumpulan):
    made = {}
    for kode, days in (("A", 60), ("B", 61), ("C", -1), ("D", 0), ("E", None)):
        until = today() + datetime.timedelta(days=days) if days is not None else None
        made[kode] = make_perkumpulan(f"CBR-SK-{kode}", sk_berlaku_sampai=until)
    make_perkumpulan("MLG-SK-A", desa=MELONG, sk_berlaku_sampai=today())
    return made


def test_decrees_ending_within_60_days_are_listed(client, operator, decrees,
                                                  django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry:sk_berakhir"))
    text = response.content.decode()
    listed = [k for k in "ABCDE" if f"CBR-SK-{k}" in text]
    assert listed == ["A", "C", "D"]  # 60 days: in; 61: out; ended: in
    assert "MLG-SK-A" not in text  # another village's
    assert text.index("CBR-SK-C") < text.index("CBR-SK-D") < text.index("CBR-SK-A")


def test_dashboard_card_counts_decrees_ending_soon(client, operator, kecamatan, decrees):
    text = get(client, operator, reverse("registry:dashboard")).content.decode()
    assert reverse("registry:sk_berakhir") in text
    card = next(c for c in get(client, kecamatan, reverse("registry:dashboard"))
                .context["cards"] if c[2] == reverse("registry:sk_berakhir"))
    assert card[1] == 4  # Cibeureum's three and Melong's one


def test_no_card_without_decrees_ending(client, operator):
    response = get(client, operator, reverse("registry:dashboard"))
    assert all(c[2] != reverse("registry:sk_berakhir") for c in response.context["cards"])


def test_sk_remaining_days(db):
    g = Perkumpulan(sk_berlaku_sampai=today())
    assert g.sk_sisa == 0 and g.sk_segera_berakhir
    assert Perkumpulan().sk_sisa is None
