"""The PSKS sheets of the survey workbook (psks.workbook): `psks` (workers), `lks` (welfare
institutions) and `pelatihan` (trainings, a row per participant). A good file records exactly its
rows, again changes nothing; bad rows are told by sheet, row and column and nothing is written;
the export imports back unchanged; the blank template carries the sheets."""

import datetime
import io

import openpyxl
import pytest

from members.models import Warga
from psks.models import LKS, Pelatihan, PeranPSKS, PesertaPelatihan, PetugasPSKS
from registry import workbook
from registry.models import Wilayah
from registry.workbook import choice_label, choice_labels
from tests.conftest import CIBEUREUM, MELONG
from tests.psks.conftest import KECAMATAN, nik
from tests.survey_files import created, imported, make_xlsx, message, refused, tally, unchanged

pytestmark = pytest.mark.django_db

HADI, INDAH, JOKO = nik(1), nik(2), nik(3)
PSKS_COLUMNS = ["nik", "nama", "peran", "kode_wilayah", "mulai", "selesai", "keterangan"]
LKS_COLUMNS = ["nama", "kode_wilayah", "status_hukum", "nomor_registrasi", "layanan", "alamat",
               "aktif"]
PELATIHAN_COLUMNS = ["topik", "tanggal_mulai", "tanggal_selesai", "penyelenggara",
                     "kode_wilayah", "keterangan", "nik_peserta", "nama_peserta"]


def good_sheets() -> dict:
    """Hadi (registered) is the kecamatan's TKSK and was a PSM of Cibeureum; Indah (new) is a PSM;
    two LKS; a two-day training of the kecamatan attended by Hadi, Indah and Joko (new), and a
    training of Cibeureum with no one listed yet."""
    return {
        "psks": [
            {"nik": HADI, "peran": "tksk", "kode_wilayah": KECAMATAN, "mulai": "01-01-2020"},
            {"nik": INDAH, "nama": "Indah  Permata", "peran": "Pekerja Sosial Masyarakat",
             "kode_wilayah": "3277011002", "mulai": datetime.date(2024, 2, 1),
             "keterangan": "RW 01-05"},
            {"nik": HADI, "peran": "PSM", "kode_wilayah": CIBEUREUM, "mulai": "2015-01-01",
             "selesai": "31-12-2019"},
        ],
        "lks": [
            {"nama": "Panti Asuhan Al-Ikhlas", "kode_wilayah": CIBEUREUM,
             "status_hukum": "Berbadan Hukum", "nomor_registrasi": "AHU-0012",
             "layanan": "anak terlantar", "alamat": "Jl. Cibeureum 3", "aktif": "Ya"},
            {"nama": "Rumah Lansia Sejahtera", "kode_wilayah": KECAMATAN, "aktif": "Tidak"},
        ],
        "pelatihan": [
            {"topik": "Pengelolaan keuangan kelompok", "tanggal_mulai": "05-03-2024",
             "tanggal_selesai": "06-03-2024", "penyelenggara": "Dinas Sosial Kota Cimahi",
             "kode_wilayah": KECAMATAN, "nik_peserta": HADI},
            {"topik": "pengelolaan  keuangan kelompok", "tanggal_mulai": "2024-03-05",
             "kode_wilayah": KECAMATAN, "nik_peserta": INDAH},
            {"topik": "Pengelolaan keuangan kelompok", "tanggal_mulai": "05-03-2024",
             "kode_wilayah": KECAMATAN, "nik_peserta": JOKO, "nama_peserta": "Joko Susilo"},
            {"topik": "Administrasi kelompok", "tanggal_mulai": "01-06-2025",
             "penyelenggara": "Kelurahan Cibeureum", "kode_wilayah": CIBEUREUM,
             "keterangan": "di balai desa"},
        ],
    }


def workers() -> list[tuple]:
    return list(PetugasPSKS.objects.order_by("warga__nik", "peran").values_list(
        "warga__nik", "peran", "wilayah_id", "mulai", "selesai", "keterangan"))


def institutions() -> list[tuple]:
    return list(LKS.objects.order_by("nama").values_list(
        "nama", "wilayah_id", "status_hukum", "nomor_registrasi", "layanan", "alamat", "aktif"))


def trainings() -> list[tuple]:
    return [(t.topik, t.tanggal_mulai, t.tanggal_selesai, t.penyelenggara, t.wilayah_id,
             t.keterangan, sorted(t.peserta.values_list("warga__nik", flat=True)))
            for t in Pelatihan.objects.order_by("tanggal_mulai")]


def everything() -> tuple:
    people = sorted(Warga.objects.values_list("nik", "nama"))
    return people, workers(), institutions(), trainings()


@pytest.fixture
def hadi(make_warga):
    return make_warga(HADI, nama="Hadi Gunawan", wilayah_id=CIBEUREUM)


def test_a_good_file_records_exactly_its_rows(tmp_path, staf, hadi):
    imp = imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    assert tally(imp) == {"psks": created(3), "lks": created(2), "pelatihan": created(5)}
    # Indah and Joko are registered by their NIK and name (no village: as the pmks sheet does).
    assert sorted(Warga.objects.values_list("nik", "nama", "wilayah_id")) == [
        (HADI, "Hadi Gunawan", CIBEUREUM), (INDAH, "Indah Permata", None),
        (JOKO, "Joko Susilo", None)]
    assert workers() == [
        (HADI, "PSM", CIBEUREUM, datetime.date(2015, 1, 1), datetime.date(2019, 12, 31), ""),
        (HADI, "TKSK", KECAMATAN, datetime.date(2020, 1, 1), None, ""),
        (INDAH, "PSM", CIBEUREUM, datetime.date(2024, 2, 1), None, "RW 01-05"),
    ]
    assert institutions() == [
        ("Panti Asuhan Al-Ikhlas", CIBEUREUM, "BADAN_HUKUM", "AHU-0012", "anak terlantar",
         "Jl. Cibeureum 3", True),
        ("Rumah Lansia Sejahtera", KECAMATAN, "BELUM", "", "", "", False),
    ]
    # The three rows of one training (its topic in any case and spacing) make one training.
    assert trainings() == [
        ("Pengelolaan keuangan kelompok", datetime.date(2024, 3, 5), datetime.date(2024, 3, 6),
         "Dinas Sosial Kota Cimahi", KECAMATAN, "", [HADI, INDAH, JOKO]),
        ("Administrasi kelompok", datetime.date(2025, 6, 1), None, "Kelurahan Cibeureum",
         CIBEUREUM, "di balai desa", []),
    ]
    # Every record has its "created" history, by the importing user.
    assert PetugasPSKS.history.filter(history_type="+", history_user=staf).count() == 3
    assert LKS.history.filter(history_type="+").count() == 2
    assert Pelatihan.history.filter(history_type="+").count() == 2
    assert PesertaPelatihan.history.filter(history_type="+").count() == 3


def test_importing_the_same_file_again_changes_nothing(tmp_path, staf, hadi):
    imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    before = everything()
    imp = imported(make_xlsx(tmp_path, good_sheets(), name="again.xlsx"), user=staf)
    assert tally(imp) == {"psks": unchanged(3), "lks": unchanged(2), "pelatihan": unchanged(5)}
    assert everything() == before
    assert PetugasPSKS.history.count() == 3 and LKS.history.count() == 2


def test_a_reimport_ends_a_period_and_updates_the_rest(tmp_path, staf, hadi):
    imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    sheets = good_sheets()
    # Hadi's TKSK period ends; Indah's note changes; the LKS is now registered; the training's
    # organiser is corrected.
    sheets["psks"][0]["selesai"] = "31-12-2025"
    sheets["psks"][1]["keterangan"] = "RW 01-06"
    sheets["lks"][1].update(status_hukum="Terdaftar", nomor_registrasi="460/7-Dinsos")
    sheets["pelatihan"][0]["penyelenggara"] = "Dinas Sosial dan P3A Kota Cimahi"
    imp = imported(make_xlsx(tmp_path, sheets, name="changed.xlsx"), user=staf)
    assert tally(imp) == {"psks": {"created": 0, "updated": 2, "unchanged": 1},
                          "lks": {"created": 0, "updated": 1, "unchanged": 1},
                          "pelatihan": {"created": 0, "updated": 1, "unchanged": 4}}
    assert workers()[1] == (HADI, "TKSK", KECAMATAN, datetime.date(2020, 1, 1),
                            datetime.date(2025, 12, 31), "")
    assert workers()[2][-1] == "RW 01-06"
    assert institutions()[1][2:4] == ("TERDAFTAR", "460/7-Dinsos")
    assert trainings()[0][3] == "Dinas Sosial dan P3A Kota Cimahi"
    # A new open TKSK period of the same person and kecamatan may now start.
    sheets["psks"].append({"nik": HADI, "peran": "TKSK", "kode_wilayah": KECAMATAN,
                           "mulai": "01-01-2026"})
    imp = imported(make_xlsx(tmp_path, sheets, name="next.xlsx"), user=staf)
    assert tally(imp)["psks"] == {"created": 1, "updated": 0, "unchanged": 3}
    assert PetugasPSKS.objects.filter(warga=hadi, peran="TKSK", selesai__isnull=True).count() == 1


def test_bad_rows_are_located_and_nothing_is_written(tmp_path, operator, hadi):
    good = {"nik": HADI, "peran": "PSM", "kode_wilayah": CIBEUREUM}
    path = make_xlsx(tmp_path, {
        "psks": [
            good,                                                           # row 2: good
            {**good, "peran": "Lurah"},                                     # 3: no such role
            {**good, "nik": "32770101018000"},                              # 4: not a NIK
            {**good, "kode_wilayah": MELONG},                               # 5: not the user's
            {**good, "mulai": "01-05-2024", "selesai": "01-01-2024"},       # 6: ends first
            {**good, "peran": "TKSK"},                                      # 7: not a kecamatan
            {**good, "nik": nik(9)},                                        # 8: unknown, no name
        ],
        "lks": [
            {"nama": "Panti Asuhan Al-Ikhlas", "kode_wilayah": CIBEUREUM,
             "status_hukum": "Belum Terdaftar", "nomor_registrasi": "AHU-0012"},  # 2
            {"kode_wilayah": CIBEUREUM, "layanan": "lansia"},                        # 3: no name
        ],
        "pelatihan": [
            {"topik": "Administrasi", "tanggal_mulai": "01-06-2025",
             "tanggal_selesai": "31-05-2025", "penyelenggara": "Kelurahan",
             "kode_wilayah": CIBEUREUM},                                  # 2: last day first
            {"topik": "Pembukuan", "tanggal_mulai": "01-07-2025", "kode_wilayah": CIBEUREUM,
             "nik_peserta": HADI},                                        # 3: no organiser
        ],
    })
    before = everything()
    imp = refused(path, [
        ("psks", 3, "peran"), ("psks", 4, "nik"), ("psks", 5, "kode_wilayah"),
        ("psks", 6, "selesai"), ("psks", 7, "kode_wilayah"),
        ("lks", 2, "nomor_registrasi"), ("lks", 3, "nama"),
        ("psks", 8, "nik"),
        ("pelatihan", 2, "tanggal_selesai"), ("pelatihan", 3, "penyelenggara"),
    ], user=operator)
    assert "TKSK" in message(imp, 0)  # the accepted roles are listed
    assert "32.77.01.1001" in message(imp, 2)
    assert "kecamatan" in message(imp, 4)
    assert "0009" in message(imp, 7) and nik(9) not in message(imp, 7)  # the NIK is masked
    assert everything() == before
    assert (PetugasPSKS.objects.count(), LKS.objects.count(), Pelatihan.objects.count()) == (
        0, 0, 0)


def test_one_open_period_and_one_listing_per_training_in_a_file(tmp_path, staf, hadi):
    row = {"nik": HADI, "peran": "PSM", "kode_wilayah": CIBEUREUM}
    training = {"topik": "Administrasi", "tanggal_mulai": "01-06-2025",
                "penyelenggara": "Kelurahan", "kode_wilayah": CIBEUREUM}
    refused(make_xlsx(tmp_path, {
        "psks": [row, {**row, "mulai": "01-01-2024"}],
        "lks": [{"nama": "Panti A", "kode_wilayah": CIBEUREUM},
                {"nama": "PANTI  a", "kode_wilayah": CIBEUREUM}],
        "pelatihan": [{**training, "nik_peserta": HADI}, {**training, "nik_peserta": HADI},
                      {**training, "penyelenggara": "Dinas Sosial"}],
    }), [("psks", 3, "peran"), ("lks", 3, "nama"), ("pelatihan", 3, "nik_peserta"),
         ("pelatihan", 4, "penyelenggara")], user=staf)


def test_the_export_imports_back_unchanged(tmp_path, staf, hadi):
    imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    before = everything()
    buffer = io.BytesIO()
    counts = workbook.export_workbook(buffer, user=staf, area=Wilayah.objects.get(pk="32.77"))
    assert (counts["psks"], counts["lks"], counts["pelatihan"]) == (3, 2, 4)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    # The kecamatan's worker first; the role by its name, as the template's list gives it.
    assert [list(r) for r in book["psks"].iter_rows(max_row=3, values_only=True)] == [
        PSKS_COLUMNS,
        [HADI, "Hadi Gunawan", choice_label(PeranPSKS, "TKSK"), KECAMATAN,
         datetime.datetime(2020, 1, 1), None, None],
        [HADI, "Hadi Gunawan", choice_label(PeranPSKS, "PSM"), CIBEUREUM,
         datetime.datetime(2015, 1, 1), datetime.datetime(2019, 12, 31), None]]
    assert [c.value for c in book["lks"][1]] == LKS_COLUMNS
    assert [c.value for c in book["pelatihan"][1]] == PELATIHAN_COLUMNS
    buffer.seek(0)
    imp = imported(buffer, user=staf)
    assert {k: v for k, v in tally(imp).items() if k in ("psks", "lks", "pelatihan")} == {
        "psks": unchanged(3), "lks": unchanged(2), "pelatihan": unchanged(5)}
    assert everything() == before


def test_the_template_carries_the_sheets(tmp_path):
    blank = io.BytesIO()
    workbook.template_workbook(blank)
    book = openpyxl.load_workbook(io.BytesIO(blank.getvalue()))
    assert book.sheetnames[-4:-1] == ["psks", "lks", "pelatihan"]
    assert [c.value for c in book["psks"][1]] == PSKS_COLUMNS
    assert [c.value for c in book["lks"][1]] == LKS_COLUMNS
    assert [c.value for c in book["pelatihan"][1]] == PELATIHAN_COLUMNS
    lists = {book["daftar"].cell(1, c).value: [book["daftar"].cell(r, c).value
                                                for r in range(2, 9)]
             for c in range(1, book["daftar"].max_column + 1)}
    assert lists["psks.peran"] == choice_labels(PeranPSKS)  # the roles' dropdown
    assert lists["lks.aktif"][:2] == ["Ya", "Tidak"]
    assert book["psks"]["A2"].number_format == "@"  # NIKs typed as text


def test_an_observer_exports_the_trainings_without_their_people(tmp_path, staf, pengamat, hadi):
    imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    buffer = io.BytesIO()
    counts = workbook.export_workbook(buffer, user=pengamat, area=Wilayah.objects.get(pk="32.77"))
    assert (counts["psks"], counts["lks"], counts["pelatihan"]) == (0, 2, 2)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert [r[-2:] for r in book["pelatihan"].iter_rows(min_row=2, values_only=True)] == [
        (None, None), (None, None)]
