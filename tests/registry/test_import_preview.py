"""The web import says what it will write and how far it has got: a passed check shows the first
rows of each sheet (personal data as the viewer's role allows), a refused or expired import
offers "Unggah lagi" on its own page, and a running step writes its rows read where the waiting
page shows them."""

import datetime

from django.urls import reverse
from django.utils import timezone

from registry import import_queue, workbook
from registry.models import Impor, StatusImpor
from registry.views import impor
from tests.registry.test_import_web import CIBEUREUM, upload, workbook_bytes

GROUPS = [(f"W-DW-{i}", CIBEUREUM, f"Dasa Wisma Uji {i}", "Dasa Wisma", 2000 + i)
          for i in range(1, 8)]
MEMBERS = [("W-DW-1", "3277014101800001", "Siti Aminah", "Ketua"),
           ("W-DW-1", "3277010203750002", "Budi Santoso", "Anggota")]


def detail(client, record):
    return client.get(reverse("registry:impor_detail", args=[record.pk]))


def test_a_passed_check_shows_the_first_rows_it_will_write(client, operator):
    client.force_login(operator)
    upload(client, workbook_bytes(GROUPS, MEMBERS))
    record = Impor.objects.get()
    assert record.status == StatusImpor.DIPERIKSA
    sheets = detail(client, record).context["preview"]
    assert [s["name"] for s in sheets] == ["perkumpulan", "anggota"]
    groups, members = sheets
    assert groups["columns"] == ["kode_perkumpulan", "kode_wilayah", "nama", "jenis",
                                 "tahun_berdiri"]
    assert groups["total"] == 7 and len(groups["rows"]) == workbook.PREVIEW_ROWS == 5
    assert groups["rows"][0] == [2, "W-DW-1", CIBEUREUM, "Dasa Wisma Uji 1", "Dasa Wisma", "2001"]
    assert groups["rows"][4][0] == 6  # the sheet's own row numbers
    assert members["rows"] == [[2, "W-DW-1", "3277014101800001", "Siti Aminah", "Ketua"],
                               [3, "W-DW-1", "3277010203750002", "Budi Santoso", "Anggota"]]
    html = detail(client, record).content.decode()
    assert "Lembar perkumpulan: 5 baris pertama dari 7, seperti yang akan ditulis" in html
    assert "Dasa Wisma Uji 5" in html and "Dasa Wisma Uji 6" not in html


def test_the_preview_shows_personal_data_as_the_role_allows(client, operator, staf, pengamat):
    """Staff of the area see the rows as the uploader does. An observer opens no import; were
    the preview shown to a role without personal data, its NIKs would be masked, addresses and
    birth dates left out, and the PMKS sheet with them."""
    client.force_login(operator)
    upload(client, workbook_bytes(GROUPS[:1], MEMBERS))
    record = Impor.objects.get()
    client.force_login(staf)
    assert detail(client, record).context["preview"][1]["rows"][0][2] == "3277014101800001"
    client.force_login(pengamat)
    assert detail(client, record).status_code == 404
    assert [sheet["lembar"] for sheet in record.pratinjau] == ["perkumpulan", "anggota"]
    members = record.pratinjau[1]
    members["kolom"].append("alamat")
    for row in members["baris"]:
        row.append("Jl. Mawar 1")
    record.pratinjau.append({"lembar": "pmks", "kolom": ["nama"], "baris": [[2, "Mak Icih"]]})
    sheets = impor.shown_preview(record, pengamat)
    assert [s["name"] for s in sheets] == ["perkumpulan", "anggota"]
    assert sheets[1]["columns"] == ["kode_perkumpulan", "nik", "nama", "peran"]
    assert sheets[1]["rows"][0] == [2, "W-DW-1", "••••••••••••0001", "Siti Aminah", "Ketua"]
    assert impor.shown_preview(record, staf)[1]["rows"][0][-1] == "Jl. Mawar 1"


def test_errors_show_no_preview_and_offer_to_upload_again(client, operator):
    client.force_login(operator)
    upload(client, workbook_bytes([("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Bukan Jenis", 2001)]))
    record = Impor.objects.get()
    assert record.status == StatusImpor.GAGAL and record.pratinjau == []
    response = detail(client, record)
    html = response.content.decode()
    assert response.context["preview"] == []
    assert 'id="unggah-lagi"' in html and 'href="#unggah-lagi"' in html
    form = html[html.index('id="unggah-lagi"'):]
    assert f'action="{reverse("registry:impor_new")}"' in form and 'type="file"' in form
    # The file mended and sent from that form: checked again, this time passed.
    response = upload(client, workbook_bytes(GROUPS[:1]))
    again = Impor.objects.exclude(pk=record.pk).get()
    assert response["Location"] == reverse("registry:impor_detail", args=[again.pk])
    assert again.status == StatusImpor.DIPERIKSA
    assert 'id="unggah-lagi"' not in detail(client, again).content.decode()


def test_the_preview_goes_once_the_file_is_saved_or_expired(client, operator, settings):
    client.force_login(operator)
    upload(client, workbook_bytes(GROUPS[:2]))
    saved = Impor.objects.get()
    client.post(reverse("registry:impor_confirm", args=[saved.pk]))
    saved.refresh_from_db()
    assert saved.status == StatusImpor.DIIMPOR and saved.pratinjau == []
    upload(client, workbook_bytes([("W-DW-9", CIBEUREUM, "Dasa Wisma Lain", "Dasa Wisma", 2009)]))
    left = Impor.objects.exclude(pk=saved.pk).get()
    assert left.pratinjau
    later = left.diperiksa + datetime.timedelta(hours=settings.WKSBM_UPLOAD_KEEP_HOURS + 1)
    import_queue.clean_up(now=later)
    left.refresh_from_db()
    assert left.status == StatusImpor.KEDALUWARSA and left.pratinjau == []
    assert 'id="unggah-lagi"' in detail(client, left).content.decode()


def test_a_running_step_writes_its_rows_read_for_its_page(operator, monkeypatch):
    """The progress the waiting page shows: every report of the reading written on the record
    (here every one: no interval), its rows summed over the sheets read."""
    record = Impor.objects.create(pengguna=operator, nama_berkas="x.xlsx", status="MENUNGGU")
    monkeypatch.setattr(import_queue.Progress, "INTERVAL", 0)
    tell = import_queue.Progress(record)
    tell("perkumpulan", 3000)
    tell("anggota", 1000)
    record.refresh_from_db()
    assert (record.baris_dibaca, record.lembar_dibaca) == (4000, "anggota")


def test_the_waiting_page_shows_the_rows_read(client, operator, tmp_path):
    """A save running in another request (its file locked): its page shows a bar of the rows
    read out of those its check counted; a check, whose rows are not known beforehand, the rows
    read so far."""
    stored = tmp_path / "x.xlsx"
    stored.write_bytes(b"x")
    record = Impor.objects.create(
        pengguna=operator, nama_berkas="x.xlsx", status=StatusImpor.MENUNGGU, simpan=True,
        berkas=str(stored), menunggu_sejak=timezone.now(),
        jumlah={"perkumpulan": {"created": 3000, "updated": 0, "unchanged": 0},
                "anggota": {"created": 7000, "updated": 0, "unchanged": 0}},
        baris_dibaca=4000, lembar_dibaca="anggota")
    client.force_login(operator)
    handle = import_queue._lock(stored)  # the step that runs it, in another request
    try:
        html = detail(client, record).content.decode()
        assert '<progress max="10000" value="4000">' in html
        assert "4000 dari 10000 baris terbaca" in html and "lembar anggota" in html
        Impor.objects.filter(pk=record.pk).update(simpan=False)
        html = detail(client, record).content.decode()
        assert "4000 baris terbaca sejauh ini" in html and '<progress max=' not in html
    finally:
        import_queue._unlock(handle)


def test_the_preview_shows_dates_as_they_will_be_written(client, operator):
    """A date cell and a date typed as text (day first) are shown as the registry shows dates,
    in the reader's language: the officer sees 05/08/1980 read as 5 August, not 8 May."""
    client.force_login(operator)
    upload(client, workbook_bytes(GROUPS[:1], [
        [*MEMBERS[0], datetime.datetime(1980, 8, 5)],
        [*MEMBERS[1], "02/12/1975"],
        ["W-DW-1", "3277010508800003", "Ani", "Anggota", None]],
        member_columns=["peran", "tanggal_lahir"]))
    record = Impor.objects.get()
    assert record.status == StatusImpor.DIPERIKSA
    assert record.pratinjau[1]["tanggal"] == ["tanggal_lahir"]
    shown = detail(client, record).context["preview"][1]
    at = shown["columns"].index("tanggal_lahir") + 1  # after the row's number
    assert [row[at] for row in shown["rows"]] == ["5 Agu 1980", "2 Des 1975", ""]
    html = detail(client, record).content.decode()
    assert "<td>2 Des 1975</td>" in html and "02/12/1975" not in html
    client.cookies["django_language"] = "en"
    assert [row[at] for row in detail(client, record).context["preview"][1]["rows"]] == [
        "5 Aug 1980", "2 Dec 1975", ""]


def test_the_preview_shows_listed_values_as_they_will_be_written(client, operator):
    """A value of a fixed list typed in another spelling is shown as what the registry will
    hold, in the reader's language ("Pria" → Laki-laki / Male, "slta" → SMA, "wakil" → Wakil
    Ketua, "y" → Ya / Yes); a group type typed in small letters by the name it is registered as."""
    client.force_login(operator)
    upload(client, workbook_bytes(
        [["W-PY-1", CIBEUREUM, "Posyandu Uji", "posyandu", 2001,
          "arisan ,  PENGAJIAN; kerja  bakti bulanan", "iuran anggota", "y"]],
        [["W-PY-1", "3277010101800001", "Asep", "Pria", "slta", "wakil"],
         ["W-PY-1", "3277014101800002", "Siti", "P", "", "Ketua"]],
        group_columns=["kegiatan", "sumber_dana", "aktif"],
        member_columns=["jenis_kelamin", "pendidikan", "peran"]))
    record = Impor.objects.get()
    assert record.status == StatusImpor.DIPERIKSA
    assert record.pratinjau[1]["pilihan"] == {
        "jenis_kelamin": "members.models.JenisKelamin",
        "pendidikan": "members.models.Pendidikan", "peran": "members.models.PeranAnggota"}
    groups, people = detail(client, record).context["preview"]
    assert groups["columns"][-3:] == ["sumber_dana", "kegiatan", "aktif"]
    assert groups["rows"] == [[2, "W-PY-1", CIBEUREUM, "Posyandu Uji", "Posyandu", "2001",
                               "Iuran Anggota", "Arisan; Pengajian; kerja bakti bulanan", "Ya"]]
    assert people["rows"] == [
        [2, "W-PY-1", "3277010101800001", "Asep", "Laki-laki", "SMA", "Wakil Ketua"],
        [3, "W-PY-1", "3277014101800002", "Siti", "Perempuan", "", "Ketua"]]
    html = detail(client, record).content.decode()
    assert "<td>Wakil Ketua</td>" in html and "<td>wakil</td>" not in html
    client.cookies["django_language"] = "en"
    groups, people = detail(client, record).context["preview"]
    assert people["rows"][0][4:] == ["Male", "Senior high school (SMA)", "Vice chair"]
    assert groups["rows"][0][-1] == "Yes"
