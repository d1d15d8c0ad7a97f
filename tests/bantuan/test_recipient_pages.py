"""The recipient pages: adding a person, a household or a group to a programme (double aid,
quota, scoping), stopping a recipient, recording distributions with their proof and stimulus
reports, the reports due, and the aid history panels of a group's, a person's and a household's
pages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from bantuan.models import (
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    StatusPenerima,
)
from bantuan.views import penerima as views
from members.models import HubunganKeluarga, Keluarga
from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM, MELONG, today

START = today() - datetime.timedelta(days=400)
END = today() - datetime.timedelta(days=30)
SITI = "3277014101800001"
BUDI = "3277010101800002"
ASEP = "3277010101800003"
KK = "3277011505150101"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def make_program(kode, *, bentuk="UANG", sasaran="WARGA", wilayah="32.77", **fields):
    fields.setdefault("mulai", START)
    fields.setdefault("selesai", END)
    fields.setdefault("nama", f"Program {kode}")
    program = Program(kode=kode, sumber="PEMERINTAH", bentuk=bentuk,
                      sasaran=sasaran, wilayah_id=wilayah, **fields)
    program.full_clean()
    program.save()
    return program


@pytest.fixture
def data(make_warga, make_perkumpulan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    siti = make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM)
    budi = make_warga(BUDI, nama="Budi Santoso", wilayah_id=CIBEUREUM)
    asep = make_warga(ASEP, nama="Asep Melong", wilayah_id=MELONG)
    household = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, kepala=budi)
    household.tambah_anggota(budi, HubunganKeluarga.KEPALA, START)
    household.tambah_anggota(siti, HubunganKeluarga.PASANGAN, START)
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    return {
        "siti": siti, "budi": budi, "asep": asep, "household": household, "group": group,
        "blt": make_program("BLT-2026"),
        "sembako": make_program("SEMBAKO-KK", bentuk="BARANG", sasaran="KELUARGA"),
        "stimulan": make_program("STIM-2026", bentuk="STIMULAN", sasaran="PERKUMPULAN",
                                 batas_laporan_hari=60),
    }


def add_url(program):
    return f"/bantuan/program/{program.pk}/penerima/tambah/"


def add(client, program, target, **extra):
    form = {"target": target, "mulai": "", "selesai": "", "status": "DISETUJUI",
            "alasan_ganda": "", **extra}
    return client.post(add_url(program), form)


def recipient(program, **target) -> Penerima:
    return Penerima.objects.create(program=program, mulai=program.mulai,
                                   selesai=program.selesai, status=StatusPenerima.DISETUJUI,
                                   desa_id=CIBEUREUM, **target)


def distribute(client, penerima, **fields):
    form = {"tanggal": (today() - datetime.timedelta(days=100)).isoformat(), "nilai": "300000",
            "jumlah": "", "satuan": "", "penyalur": "Kaur Kesra", "nomor_bukti": "KW-001",
            "keterangan": "", **fields}
    return client.post(f"/bantuan/penerima/{penerima.pk}/salurkan/", form)


# Adding recipients ------------------------------------------------------------------------------
def test_operator_adds_a_person_a_household_and_a_group(client, operator, data):
    client.force_login(operator)
    assert client.get(add_url(data["blt"])).status_code == 200
    response = add(client, data["blt"], SITI)
    siti = Penerima.objects.get(program=data["blt"], warga=data["siti"])
    assert response.status_code == 302
    assert response.url == f"/bantuan/penerima/{siti.pk}/"
    assert siti.desa_id == CIBEUREUM and siti.status == StatusPenerima.DISETUJUI
    assert siti.diputuskan_oleh == operator
    assert (siti.mulai, siti.selesai) == (START, END)  # the programme's period by default

    assert add(client, data["sembako"], KK).status_code == 302
    assert Penerima.objects.filter(program=data["sembako"], keluarga=data["household"]).exists()
    assert add(client, data["stimulan"], "cbr-dw-001").status_code == 302
    group = Penerima.objects.get(program=data["stimulan"], perkumpulan=data["group"])
    page = client.get(f"/bantuan/penerima/{group.pk}/")
    assert page.status_code == 200 and "Dasa Wisma Mawar" in page.content.decode()


def test_a_household_that_does_not_exist_is_a_clear_error(client, operator, data):
    client.force_login(operator)
    response = add(client, data["sembako"], "3277011505150999")
    assert response.status_code == 400
    assert response.context["form"].has_error("target", "not_found")
    assert not Penerima.objects.exists()


def test_a_person_of_another_village_is_not_revealed(client, operator, data):
    client.force_login(operator)
    response = add(client, data["blt"], ASEP)
    assert response.status_code == 400
    assert response.context["form"].has_error("target", "not_found")
    assert "Asep Melong" not in response.content.decode()


def test_a_recipient_outside_the_programmes_area_is_refused(client, staf, data):
    village_programme = make_program("BLT-MELONG", wilayah=MELONG)
    client.force_login(staf)
    response = add(client, village_programme, SITI)
    assert response.status_code == 400
    assert response.context["form"].has_error("target", "outside_area")
    assert not Penerima.objects.exists()


def test_double_aid_is_refused_then_added_with_a_reason(client, operator, data):
    other = make_program("BPNT-2026", nama="Bantuan Pangan", mulai=END - datetime.timedelta(10))
    recipient(other, warga=data["siti"])
    client.force_login(operator)
    response = add(client, data["blt"], SITI)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("alasan_ganda", "double_aid")
    assert "BPNT-2026" in str(form.errors["alasan_ganda"])
    assert "Bantuan Pangan" in response.content.decode()
    assert [g.program.kode for g in form.ganda] == ["BPNT-2026"]
    assert not Penerima.objects.filter(program=data["blt"]).exists()

    response = add(client, data["blt"], SITI, alasan_ganda="Lansia tunggal, disetujui musdes")
    assert response.status_code == 302
    added = Penerima.objects.get(program=data["blt"], warga=data["siti"])
    assert added.alasan_ganda == "Lansia tunggal, disetujui musdes"


def test_double_aid_through_the_household(client, operator, data):
    """Another household sharing a member with this one is double aid for household programmes."""
    old = Keluarga.objects.create(no_kk="3277011505150102", wilayah_id=CIBEUREUM)
    old.tambah_anggota(data["siti"], HubunganKeluarga.ANAK, START - datetime.timedelta(400))
    data["household"].anggota.filter(warga=data["siti"]).delete()
    data["household"].tambah_anggota(data["siti"], HubunganKeluarga.PASANGAN, START)
    other = make_program("RASTRA-KK", bentuk="BARANG", sasaran="KELUARGA")
    recipient(other, keluarga=old)
    client.force_login(operator)
    response = add(client, data["sembako"], KK)
    assert response.status_code == 400
    assert "RASTRA-KK" in str(response.context["form"].errors["alasan_ganda"])


def test_a_full_quota_is_refused(client, operator, data):
    full = make_program("KUOTA-1", kuota_per_desa=1)
    client.force_login(operator)
    assert add(client, full, SITI).status_code == 302
    response = add(client, full, BUDI)
    assert response.status_code == 400
    assert response.context["form"].has_error("target", "quota_full")
    assert full.penerima.count() == 1


def test_added_once_however_often_sent(client, operator, data):
    client.force_login(operator)
    token = client.get(add_url(data["blt"])).context["form"]["sekali"].value()
    first = add(client, data["blt"], SITI, sekali=token)
    second = add(client, data["blt"], SITI, sekali=token)
    assert first.status_code == second.status_code == 302
    assert Penerima.objects.filter(program=data["blt"]).count() == 1


@pytest.mark.parametrize(("role", "status"), [
    ("operator_lain", 200), ("pengamat", 403), ("staf_lain", 404), ("staf", 200)])
def test_adding_per_role(client, request, data, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(add_url(data["blt"])).status_code == status


def test_operator_of_another_village_cannot_add_there(client, operator_lain, data):
    village_programme = make_program("BLT-CBR", wilayah=CIBEUREUM)
    client.force_login(operator_lain)
    assert client.get(add_url(village_programme)).status_code == 404
    assert add(client, data["blt"], SITI).status_code == 400  # Siti is not theirs to find
    assert not Penerima.objects.exists()


# A recipient's page, stopping -------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [
    ("operator", 200), ("operator_lain", 404), ("pengamat", 403), ("staf_lain", 404),
    ("staf", 200), ("admin_user", 200)])
def test_recipient_page_per_role(client, request, data, role, status):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/bantuan/penerima/{siti.pk}/").status_code == status
    assert distribute(client, siti).status_code in ({200: 302}.get(status, status), 403)


def test_stop_needs_a_reason_and_a_stopped_recipient_receives_nothing(client, operator, data):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    url = f"/bantuan/penerima/{siti.pk}/hentikan/"
    response = client.post(url, {"alasan_berhenti": "  "})
    assert response.status_code == 400
    assert response.context["stop_form"].has_error("alasan_berhenti")
    siti.refresh_from_db()
    assert siti.status == StatusPenerima.DISETUJUI

    assert client.post(url, {"alasan_berhenti": "Pindah domisili"}).status_code == 302
    siti.refresh_from_db()
    assert siti.status == StatusPenerima.DIHENTIKAN
    assert siti.alasan_berhenti == "Pindah domisili"
    response = distribute(client, siti)
    assert response.status_code == 400
    assert response.context["salur_form"].has_error("__all__", "stopped")
    assert not Penyaluran.objects.exists()


# Distributions ----------------------------------------------------------------------------------
def test_a_distribution_is_recorded_and_the_recipient_has_received(client, operator, data):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    response = distribute(client, siti)
    assert response.status_code == 302
    record = Penyaluran.objects.get()
    assert (record.nilai, record.nomor_bukti, record.oleh) == (300000, "KW-001", operator)
    siti.refresh_from_db()
    assert siti.status == StatusPenerima.DITERIMA
    page = client.get(f"/bantuan/penerima/{siti.pk}/")
    assert [d.pk for d in page.context["distributions"]] == [record.pk]


@pytest.mark.parametrize(("day", "field", "code"), [
    (START - datetime.timedelta(days=1), "tanggal", "outside_period"),
    (END + datetime.timedelta(days=1), "tanggal", "outside_period"),
    (today() + datetime.timedelta(days=1), "tanggal", None),
])
def test_a_distribution_outside_the_period_is_refused(client, operator, data, day, field,
                                                       code):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    response = distribute(client, siti, tanggal=day.isoformat())
    assert response.status_code == 400
    assert response.context["salur_form"].has_error(field, code)
    assert not Penyaluran.objects.exists()


@pytest.mark.parametrize("nilai", ["-5000", "1000000000001"])
def test_a_negative_or_absurd_value_is_refused(client, operator, data, nilai):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    response = distribute(client, siti, nilai=nilai)
    assert response.status_code == 400
    assert response.context["salur_form"].has_error("nilai")
    assert not Penyaluran.objects.exists()


def test_a_distribution_sent_twice_is_written_once(client, operator, data):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    token = client.get(f"/bantuan/penerima/{siti.pk}/").context["salur_form"]["sekali"].value()
    assert distribute(client, siti, sekali=token).status_code == 302
    assert distribute(client, siti, sekali=token).status_code == 302
    assert Penyaluran.objects.count() == 1


def test_a_real_png_proof_is_stored_and_downloaded_by_the_operator(client, operator, staf,
                                                                     operator_lain, pengamat,
                                                                     data, tmp_path):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    upload = SimpleUploadedFile("serah-terima.png", PNG, content_type="image/png")
    assert distribute(client, siti, berkas_bukti=upload).status_code == 302
    record = Penyaluran.objects.get()
    assert (tmp_path / record.berkas_bukti.name).read_bytes() == PNG
    url = f"/bantuan/penyaluran/{record.pk}/bukti/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PNG
    client.force_login(staf)
    assert client.get(url).status_code == 200
    for outsider in (operator_lain, pengamat):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert not client.get("/media/" + record.berkas_bukti.name).status_code == 200


@pytest.mark.parametrize(("upload", "code"), [
    (SimpleUploadedFile("bukti.png", b"just some text, not a picture"), "bukti_content"),
    (SimpleUploadedFile("bukti.png", PNG + b"\x00" * (5 * 1024 * 1024)), "bukti_size"),
    (SimpleUploadedFile("bukti.exe", b"MZ\x90\x00"), "bukti_type"),
])
def test_a_bad_proof_is_refused(client, operator, data, upload, code, tmp_path):
    siti = recipient(data["blt"], warga=data["siti"])
    client.force_login(operator)
    upload.seek(0)
    response = distribute(client, siti, berkas_bukti=upload)
    assert response.status_code == 400
    assert response.context["salur_form"].has_error("berkas_bukti", code)
    assert not Penyaluran.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_recipient_page_costs_the_same_for_1_or_12_distributions(
        client, operator, data, django_assert_max_num_queries):
    group = recipient(data["stimulan"], perkumpulan=data["group"])
    Penyaluran.objects.create(penerima=group, tanggal=START, nilai=1)
    client.force_login(operator)
    url = f"/bantuan/penerima/{group.pk}/"
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(11):
        Penyaluran.objects.create(penerima=group, tanggal=START + datetime.timedelta(i), nilai=i)
        LaporanStimulan.objects.create(penerima=group, kegiatan=f"Kegiatan {i}", tanggal=END)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["distributions"]) == 12
    assert len(response.context["reports"]) == 11


# Stimulus reports -------------------------------------------------------------------------------
def test_a_group_reports_its_stimulus(client, operator, data):
    group = recipient(data["stimulan"], perkumpulan=data["group"])
    client.force_login(operator)
    url = f"/bantuan/penerima/{group.pk}/laporan/"
    response = client.post(url, {"tanggal": END.isoformat(), "kegiatan": "",
                                 "terpakai": "-1", "sisa": "0", "bukti": ""})
    assert response.status_code == 400
    form = response.context["laporan_form"]
    assert form.has_error("kegiatan") and form.has_error("terpakai")
    response = client.post(url, {
        "tanggal": END.isoformat(), "kegiatan": "Pelatihan kader", "terpakai": "4000000",
        "sisa": "1000000", "bukti": "Kuitansi di sekretariat",
        "berkas_bukti": SimpleUploadedFile("kuitansi.pdf", b"%PDF-1.4 test")})
    assert response.status_code == 302
    report = LaporanStimulan.objects.get()
    assert (report.terpakai, report.sisa, report.oleh) == (4000000, 1000000, operator)
    assert report.berkas_bukti.name.endswith(".pdf")
    siti = recipient(data["blt"], warga=data["siti"])  # no report for a cash programme
    assert client.post(f"/bantuan/penerima/{siti.pk}/laporan/",
                       {"kegiatan": "x"}).status_code == 404


def stimulus_groups(make_perkumpulan, data, n):
    """n more stimulus groups: one reported, one overdue, one not yet distributed…"""
    made = []
    for i in range(n):
        group = make_perkumpulan(f"CBR-DW-{i + 10:03d}")
        r = recipient(data["stimulan"], perkumpulan=group)
        if i % 3 != 2:
            Penyaluran.objects.create(penerima=r, tanggal=START + datetime.timedelta(i), nilai=9)
        if i % 3 == 0:
            LaporanStimulan.objects.create(penerima=r, kegiatan="Arisan", tanggal=END)
        made.append(r)
    return made


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat"])
def test_reports_due_list(client, request, data, make_perkumpulan, role,
                          django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(role))
    recent = recipient(data["stimulan"], perkumpulan=data["group"])
    Penyaluran.objects.create(penerima=recent, tanggal=today() - datetime.timedelta(days=40),
                              nilai=5)
    with django_assert_max_num_queries(12) as few:
        client.get("/bantuan/laporan/")
    made = stimulus_groups(make_perkumpulan, data, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/bantuan/laporan/")
    assert response.status_code == 200
    status = {row.perkumpulan.kode: row.laporan_status for row in response.context["rows"]}
    assert status["CBR-DW-001"] == "jatuh_tempo"  # due in 20 days
    assert status[made[0].perkumpulan.kode] == "dilaporkan"
    assert status[made[1].perkumpulan.kode] == "terlambat"
    assert status[made[2].perkumpulan.kode] == "belum_disalurkan"
    html = response.content.decode()
    links_recipients = f'href="/bantuan/penerima/{recent.pk}/"' in html
    assert links_recipients == (role != "pengamat")


def test_reports_due_list_keeps_to_the_area(client, staf_lain, operator_lain, data,
                                             make_perkumpulan):
    stimulus_groups(make_perkumpulan, data, 3)
    for user in (staf_lain, operator_lain):
        client.force_login(user)
        assert list(client.get("/bantuan/laporan/").context["rows"]) == []


# Panels -----------------------------------------------------------------------------------------
def panel_of(response, template):
    return next(p["context"] for p in response.context["panels"] if p["template"] == template)


@pytest.fixture
def history(data, operator):
    """Siti receives cash herself, food through her household and help in her PMKS case; the
    group a stimulus it reported, and it handed out help in the case."""
    siti = recipient(data["blt"], warga=data["siti"])
    own = Penyaluran.objects.create(penerima=siti, tanggal=START, nilai=300000)
    kk = recipient(data["sembako"], keluarga=data["household"])
    food = Penyaluran.objects.create(penerima=kk, tanggal=START, jumlah=10, satuan="kg")
    kasus = KasusPMKS.objects.create(nama="Siti Aminah", warga=data["siti"], desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.first())
    case = Penyaluran.bantu_kasus(kasus, tanggal=today(), sumber="JIMPITAN", bentuk="BARANG",
                                  nilai=50000, perkumpulan=data["group"])
    waiting = recipient(make_program("PKH-2026", bentuk="JASA"), warga=data["siti"])
    group = recipient(data["stimulan"], perkumpulan=data["group"])
    stimulus = Penyaluran.objects.create(penerima=group, tanggal=START, nilai=5000000)
    report = LaporanStimulan.objects.create(penerima=group, kegiatan="Posyandu", tanggal=END)
    return {"own": own, "food": food, "case": case, "waiting": waiting, "group": group,
            "stimulus": stimulus, "report": report}


def test_person_page_shows_everything_the_person_received(client, operator, data, history):
    client.force_login(operator)
    response = client.get(f"/warga/{data['siti'].pk}/")
    panel = panel_of(response, "bantuan/panel_warga.html")
    assert {d.pk for d in panel["distributions"]} == {
        history["own"].pk, history["food"].pk, history["case"].pk}
    assert [r.pk for r in panel["waiting"]] == [history["waiting"].pk]
    html = response.content.decode()
    assert 'id="bantuan-penyaluran"' in html and "SEMBAKO-KK" in html and "PKH-2026" in html


def test_household_page_shows_its_aid_and_its_members_own(client, operator, data, history):
    client.force_login(operator)
    response = client.get(f"/keluarga/{data['household'].pk}/")
    panel = panel_of(response, "bantuan/panel_keluarga.html")
    assert {d.pk for d in panel["distributions"]} == {
        history["food"].pk, history["own"].pk, history["case"].pk}  # the members' own too
    assert "BLT-2026" in response.content.decode()


def test_group_page_shows_its_aid(client, operator, data, history):
    client.force_login(operator)
    response = client.get("/perkumpulan/CBR-DW-001/")
    panel = panel_of(response, "bantuan/panel_perkumpulan.html")
    assert [r.pk for r in panel["recipients"]] == [history["group"].pk]
    assert [d.pk for d in panel["distributions"]] == [history["stimulus"].pk]
    assert [r.pk for r in panel["reports"]] == [history["report"].pk]
    assert panel["given"] == 1
    assert 'id="bantuan-laporan"' in response.content.decode()


def test_no_aid_panel_for_observers(client, pengamat, data, history):
    client.force_login(pengamat)
    response = client.get("/perkumpulan/CBR-DW-001/")
    assert all(p["template"] != "bantuan/panel_perkumpulan.html"
               for p in response.context["panels"])
    assert 'id="bantuan-judul"' not in response.content.decode()
    request = RequestFactory().get("/")
    request.user = pengamat
    assert views.warga_panel(request, data["siti"]) is None
    assert views.keluarga_panel(request, data["household"]) is None


def test_panels_cost_a_fixed_number_of_queries(staf, data, history, make_perkumpulan,
                                               django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = staf
    staf.wilayah  # noqa: B018 — loaded once per request by the login
    for _round in range(2):
        with django_assert_num_queries(5):
            views.warga_panel(request, data["siti"])
        with django_assert_num_queries(4):
            views.keluarga_panel(request, data["household"])
        with django_assert_num_queries(3):  # its recipients, then their distributions by id
            given = views.perkumpulan_panel(request, data["group"])["given"]
        assert given == 1 + _round
        for i in range(5):
            Penyaluran.objects.create(penerima=history["group"], tanggal=START, nilai=i)
            Penyaluran.objects.create(penerima=history["own"].penerima, tanggal=START, nilai=i)
        Penyaluran.objects.create(penerima=history["own"].penerima, tanggal=START, nilai=1,
                                  perkumpulan=data["group"])
