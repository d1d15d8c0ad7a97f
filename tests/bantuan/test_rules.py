"""The aid app's rules on the models: who may be a programme's recipient (kind, area, period,
stop reason, uniqueness, quota), the double-aid rule (`find_double_aid`), a distribution's checks
and the help given in a PMKS case (`Penyaluran.bantu_kasus`), and the proof upload's checks."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from bantuan.models import (
    Kandidat,
    Penerima,
    Penyaluran,
    Program,
    StatusPenerima,
    find_double_aid,
)
from members.models import Keluarga
from pmks.models import KasusPMKS, KategoriPMKS
from registry import validators
from tests.conftest import CIBEUREUM, MELONG

D = datetime.date
KOTA = "32.77"
START, END = D(2025, 1, 1), D(2025, 12, 31)


def program(kode, wilayah=CIBEUREUM, bentuk="UANG", sasaran="WARGA", mulai=START,
            selesai=END, **fields) -> Program:
    fields.setdefault("nama", f"Program {kode}")
    record = Program(kode=kode, wilayah_id=wilayah, bentuk=bentuk, sasaran=sasaran,
                     sumber=fields.pop("sumber", "PEMERINTAH"), mulai=mulai, selesai=selesai,
                     **fields)
    record.full_clean()
    record.save()
    return record


def penerima(prog, **fields) -> Penerima:
    record = Penerima(program=prog, **fields)
    record.full_clean()
    record.save()
    return record


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def siti(make_warga):
    return make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)


@pytest.fixture
def budi(make_warga):
    return make_warga("3277011505750002", nama="Budi", wilayah_id=MELONG)


@pytest.fixture
def kasus_tanpa_nik(db):
    return KasusPMKS.objects.create(nama="Abah", desa_id=CIBEUREUM,
                                    kategori=KategoriPMKS.objects.get(kode="FM"))


# Penerima.clean -------------------------------------------------------------------------------
def test_the_target_kind_must_be_the_programmes(siti, make_perkumpulan, kasus_tanpa_nik):
    people = program("PKH-2025")
    groups = program("STIM-2025", bentuk="STIMULAN", sasaran="PERKUMPULAN")
    group = make_perkumpulan("CBR-DW-001")
    with pytest.raises(ValidationError) as refused:
        penerima(people, perkumpulan=group)
    assert list(field_errors(refused)) == ["perkumpulan"]
    with pytest.raises(ValidationError) as refused:
        penerima(groups, warga=siti)
    assert list(field_errors(refused)) == ["warga"]
    # A person known only by their case (no NIK) is a person.
    abah = penerima(people, kasus=kasus_tanpa_nik)
    assert (abah.desa_id, abah.nama) == (CIBEUREUM, "Abah")
    assert penerima(groups, perkumpulan=group).desa_id == CIBEUREUM


def test_a_recipient_without_a_target_is_refused_with_a_message(db):
    with pytest.raises(ValidationError):
        penerima(program("PKH-2025"), desa_id=CIBEUREUM)
    assert not Penerima.objects.exists()


def test_a_recipient_outside_the_programmes_area_is_refused_naming_both(siti, budi):
    prog = program("PKH-CBR")
    with pytest.raises(ValidationError) as refused:
        penerima(prog, warga=budi)
    message = field_errors(refused)["program"][0]
    assert "Melong" in message and "Cibeureum" in message
    assert penerima(program("PKH-KOTA", wilayah=KOTA), warga=budi).desa_id == MELONG
    assert not Penerima.objects.filter(program=prog).exists()


def test_the_start_must_lie_in_the_programmes_period(siti):
    prog = program("PKH-2025")
    for mulai in (D(2024, 12, 31), D(2026, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            penerima(prog, warga=siti, mulai=mulai)
        assert "mulai" in field_errors(refused)
    done = penerima(prog, warga=siti)  # no start given: the programme's (it has ended)
    assert (done.mulai, done.selesai) == (D(2025, 1, 1), D(2025, 12, 31))


def test_stopping_needs_a_reason_in_clean_in_hentikan_and_in_the_database(siti, admin_user):
    prog = program("PKH-2025")
    with pytest.raises(ValidationError) as refused:
        penerima(prog, warga=siti, status=StatusPenerima.DIHENTIKAN, alasan_berhenti="  ")
    assert "alasan_berhenti" in field_errors(refused)
    record = penerima(prog, warga=siti, mulai=D(2025, 2, 1))
    with pytest.raises(ValidationError):
        record.hentikan("   ")
    record.refresh_from_db()
    assert record.status == StatusPenerima.USULAN
    record.hentikan("Pindah ke luar kota", oleh=admin_user, tanggal=D(2025, 6, 30))
    record.refresh_from_db()
    assert (record.status, record.alasan_berhenti, record.selesai, record.diputuskan_oleh) == (
        StatusPenerima.DIHENTIKAN, "Pindah ke luar kota", D(2025, 6, 30), admin_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Penerima.objects.filter(pk=record.pk).update(alasan_berhenti="")


def test_one_recipient_per_programme_and_target(siti, kasus_tanpa_nik):
    prog = program("PKH-2025")
    penerima(prog, warga=siti)
    penerima(prog, kasus=kasus_tanpa_nik)
    for target in ({"warga": siti}, {"kasus": kasus_tanpa_nik}):
        with pytest.raises(ValidationError) as refused:
            penerima(prog, **target)
        assert "Sudah menjadi penerima program ini." in str(refused.value)
    # Another programme of the same form and period is double aid: added with its reason.
    assert penerima(program("PKH-2025-B"), warga=siti,
                    alasan_ganda="Disetujui musdes").program.kode == "PKH-2025-B"


def test_the_quota_counts_the_villages_recipients_not_stopped(make_warga):
    prog = program("PKH-KOTA", wilayah=KOTA, kuota_per_desa=2)
    first = penerima(prog, warga=make_warga("3277010101900003", wilayah_id=CIBEUREUM))
    penerima(prog, warga=make_warga("3277014202850004", wilayah_id=CIBEUREUM))
    third = Penerima(program=prog, warga=make_warga("3277010303700005", wilayah_id=CIBEUREUM))
    # full_clean asks the quota (the admin's form, the web's): told at the area.
    with pytest.raises(ValidationError) as refused:
        third.full_clean()
    assert [e.code for e in refused.value.error_dict["desa"]] == ["quota_full"]
    with pytest.raises(ValidationError) as refused:
        third.check_quota()
    assert refused.value.code == "quota_full" and "Cibeureum" in refused.value.messages[0]
    # Another village has its own quota; a stopped recipient frees a place.
    elsewhere = Penerima(program=prog, warga=make_warga("3277011111800006", wilayah_id=MELONG))
    elsewhere.full_clean()
    elsewhere.check_quota()
    first.hentikan("Meninggal dunia", tanggal=D(2025, 3, 1))
    third.check_quota()
    # A recipient already counted does not count against itself.
    Penerima.objects.get(pk=first.pk).check_quota()


# find_double_aid ------------------------------------------------------------------------------
def test_the_same_person_on_two_programmes_of_one_form_overlapping(siti):
    first = penerima(program("PKH-A", mulai=D(2025, 1, 1), selesai=D(2025, 6, 30)), warga=siti)
    later = program("PKH-B", mulai=D(2025, 6, 1), selesai=D(2025, 12, 31))
    candidate = Penerima(program=later, warga=siti, mulai=D(2025, 6, 1))
    assert candidate.double_aid() == [first]
    # After the first ends: none.
    assert Penerima(program=later, warga=siti, mulai=D(2025, 7, 1),
                    selesai=D(2025, 12, 31)).double_aid() == []
    # Another form: none.
    goods = program("BPNT", bentuk="BARANG")
    assert Penerima(program=goods, warga=siti, mulai=D(2025, 6, 1)).double_aid() == []
    # The recipient itself is not its own double.
    assert first.double_aid() == []


def test_a_case_of_a_registered_person_names_the_person(siti):
    kasus = KasusPMKS.objects.create(warga=siti, nama="Siti", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.get(kode="FM"))
    first = penerima(program("PKH-A"), warga=siti)
    by_case = Penerima(program=program("PKH-B"), kasus=kasus)
    assert by_case.double_aid() == [first]
    with pytest.raises(ValidationError) as refused:  # double aid: a reason is needed
        by_case.full_clean()
    assert [e.code for e in refused.value.error_dict["alasan_ganda"]] == ["double_aid"]
    by_case.alasan_ganda = "Lansia tunggal"
    by_case.full_clean()
    by_case.save()
    assert (by_case.warga, by_case.kasus) == (siti, None)
    with pytest.raises(ValidationError):  # the same person again, by their case
        penerima(first.program, kasus=kasus)


def test_stopped_recipients_and_ad_hoc_help_are_no_double_aid(siti, kasus_tanpa_nik):
    stopped = penerima(program("PKH-A"), warga=siti)
    stopped.hentikan("Tidak memenuhi syarat", tanggal=D(2025, 12, 31))
    kasus = KasusPMKS.objects.create(warga=siti, nama="Siti", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.get(kode="FM"))
    Penyaluran.bantu_kasus(kasus, tanggal=D(2025, 3, 1), sumber="DANA_DESA", bentuk="UANG",
                           nilai=100_000)
    assert Penerima.objects.filter(warga=siti, program__ad_hoc=True).exists()
    assert Penerima(program=program("PKH-B"), warga=siti,
                    mulai=D(2025, 3, 1)).double_aid() == []


def test_a_household_on_two_programmes_same_or_sharing_a_member(siti, budi, make_warga):
    rumah = Keluarga.objects.create(no_kk="3277010101200001", wilayah_id=CIBEUREUM)
    lama = Keluarga.objects.create(no_kk="3277010101100002", wilayah_id=CIBEUREUM)
    lain = Keluarga.objects.create(no_kk="3277010101100003", wilayah_id=CIBEUREUM)
    # Siti lived in `lama` and moved to `rumah`; nobody of `lain` ever lived with her.
    lama.tambah_anggota(siti, "PASANGAN", D(2010, 1, 1))
    rumah.tambah_anggota(siti, "KEPALA", D(2020, 1, 1))
    lain.tambah_anggota(make_warga("3277010101900003", wilayah_id=CIBEUREUM), "KEPALA",
                        D(2010, 1, 1))
    first = program("PKH-KK-A", sasaran="KELUARGA")
    on_lama = penerima(first, keluarga=lama)
    penerima(first, keluarga=lain)
    second = program("PKH-KK-B", sasaran="KELUARGA")
    assert Penerima(program=second, keluarga=rumah, mulai=D(2025, 1, 1)).double_aid() == [
        on_lama]
    assert [p.keluarga for p in Penerima(program=second, keluarga=lama,
                                         mulai=D(2025, 1, 1)).double_aid()] == [lama]
    # Goods: another form, no double.
    goods = program("BPNT-KK", sasaran="KELUARGA", bentuk="BARANG")
    assert Penerima(program=goods, keluarga=rumah, mulai=D(2025, 1, 1)).double_aid() == []


def test_a_group_on_two_stimulus_programmes(make_perkumpulan):
    group = make_perkumpulan("CBR-DW-001")
    other = make_perkumpulan("CBR-DW-002")
    first = penerima(program("STIM-A", bentuk="STIMULAN", sasaran="PERKUMPULAN"),
                     perkumpulan=group)
    second = program("STIM-B", bentuk="STIMULAN", sasaran="PERKUMPULAN")
    found = find_double_aid([Kandidat(0, "STIMULAN", D(2025, 5, 1), None, perkumpulan_id=group.pk),
                             Kandidat(1, "STIMULAN", D(2025, 5, 1), None,
                                      perkumpulan_id=other.pk)])
    assert found == {0: [first]}
    assert Penerima(program=second, perkumpulan=other, mulai=D(2025, 5, 1)).double_aid() == []


def test_double_aid_of_an_unsaved_recipient_not_yet_cleaned(siti):
    first = penerima(program("PKH-A"), warga=siti)
    # No start yet (the form has not been cleaned): the programme's start counts.
    assert Penerima(program=program("PKH-B"), warga=siti).double_aid() == [first]
    assert Penerima(warga=siti).double_aid() == []  # no programme chosen yet


def test_find_double_aid_runs_a_fixed_number_of_queries(make_warga, django_assert_num_queries):
    prog = program("PKH-A")
    people = [make_warga(f"32770101019{n:05d}", wilayah_id=CIBEUREUM) for n in range(1, 301)]
    Penerima.objects.bulk_create(Penerima(program=prog, warga=w, desa_id=CIBEUREUM,
                                          mulai=D(2025, 1, 1)) for w in people[:150])
    homes = [Keluarga.objects.create(no_kk=f"32770101011{n:05d}", wilayah_id=CIBEUREUM)
             for n in range(1, 301)]

    def candidates(n):
        return ([Kandidat(i, "UANG", D(2025, 2, 1), None, warga_id=people[i].pk)
                 for i in range(n)]
                + [Kandidat(n + i, "UANG", D(2025, 2, 1), None, keluarga_id=homes[i].pk)
                   for i in range(n)])

    with django_assert_num_queries(3) as few:
        assert len(find_double_aid(candidates(10))) == 10
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(find_double_aid(candidates(300))) == 150


# Penyaluran -----------------------------------------------------------------------------------
def test_a_stopped_recipient_receives_nothing(siti):
    record = penerima(program("PKH-A"), warga=siti)
    record.hentikan("Pindah", tanggal=D(2025, 6, 30))
    with pytest.raises(ValidationError) as refused:
        Penyaluran(penerima=record, tanggal=D(2025, 7, 1), nilai=300_000).full_clean()
    assert "Pindah" in field_errors(refused)["penerima"][0]


def test_a_distribution_lies_within_the_programmes_period(siti):
    record = penerima(program("PKH-A"), warga=siti)
    for tanggal in (D(2024, 12, 31), D(2026, 1, 2)):
        with pytest.raises(ValidationError) as refused:
            Penyaluran(penerima=record, tanggal=tanggal, nilai=300_000).full_clean()
        assert "tanggal" in field_errors(refused)
    Penyaluran(penerima=record, tanggal=D(2025, 12, 31), nilai=300_000).full_clean()


@pytest.mark.parametrize("fields, field", [
    ({"nilai": validators.NILAI_BANTUAN_MAX + 1}, "nilai"),
    ({"nilai": -1}, "nilai"),
    ({"jumlah": 0}, "jumlah"),
    ({"jumlah": validators.JUMLAH_BANTUAN_MAX + 1}, "jumlah"),
])
def test_absurd_values_and_quantities_are_refused(siti, fields, field):
    record = penerima(program("PKH-A"), warga=siti)
    with pytest.raises(ValidationError) as refused:
        Penyaluran(penerima=record, tanggal=D(2025, 3, 1), **fields).full_clean()
    assert list(field_errors(refused)) == [field]


def test_a_distribution_moves_a_proposed_recipient_to_received(siti):
    record = penerima(program("PKH-A"), warga=siti)
    assert record.status == StatusPenerima.USULAN
    given = Penyaluran(penerima=record, tanggal=D(2025, 3, 1),
                       nilai=validators.NILAI_BANTUAN_MAX)
    given.full_clean()
    given.save()
    record.refresh_from_db()
    assert record.status == StatusPenerima.DITERIMA


# Penyaluran.bantu_kasus -----------------------------------------------------------------------
def test_help_in_a_case_makes_the_villages_ad_hoc_programme_once(siti, kasus_tanpa_nik, operator):
    kasus = KasusPMKS.objects.create(warga=siti, nama="Siti", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.get(kode="FM"))
    first = Penyaluran.bantu_kasus(kasus, tanggal=D(2025, 5, 1), sumber="DANA_DESA",
                                   bentuk="UANG", oleh=operator, nilai=200_000)
    prog = first.penerima.program
    assert (prog.ad_hoc, prog.wilayah_id, prog.kode, prog.mulai) == (
        True, CIBEUREUM, "PMKS-3277011002-DANA_D-UANG", D(2025, 5, 1))
    assert (first.penerima.warga, first.kasus, first.oleh) == (siti, kasus, operator)
    # Earlier help: the same programme and recipient, whose start moves back.
    earlier = Penyaluran.bantu_kasus(kasus, tanggal=D(2025, 2, 1), sumber="DANA_DESA",
                                     bentuk="UANG", nilai=100_000)
    assert earlier.penerima_id == first.penerima_id
    prog.refresh_from_db()
    earlier.penerima.refresh_from_db()
    assert prog.mulai == earlier.penerima.mulai == D(2025, 2, 1)
    # A person without a NIK: a recipient by the case, on the same programme.
    abah = Penyaluran.bantu_kasus(kasus_tanpa_nik, tanggal=D(2025, 3, 1), sumber="DANA_DESA",
                                  bentuk="UANG", nilai=50_000)
    assert (abah.penerima.program_id, abah.penerima.kasus, abah.penerima.warga) == (
        prog.pk, kasus_tanpa_nik, None)
    # Another form: another ad-hoc programme.
    goods = Penyaluran.bantu_kasus(kasus, tanggal=D(2025, 3, 1), sumber="DANA_DESA",
                                   bentuk="BARANG", jumlah=10, satuan="kg")
    assert goods.penerima.program_id != prog.pk
    assert Program.objects.filter(ad_hoc=True).count() == 2
    assert Penyaluran.objects.filter(penerima__warga=siti).count() == 3


# validators.validate_bukti --------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PDF = b"%PDF-1.4\n" + b"\x00" * 100


@pytest.mark.parametrize("name, content", [("foto.png", PNG), ("foto.JPG", JPEG),
                                           ("foto.jpeg", JPEG), ("kuitansi.pdf", PDF)])
def test_a_real_photo_or_scan_is_accepted(name, content):
    validators.validate_bukti(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("name, content, code", [
    ("foto.png", JPEG, "bukti_content"),
    ("kuitansi.pdf", b"<html>not a pdf</html>", "bukti_content"),
    ("virus.exe", PDF, "bukti_type"),
    ("tanpa-nama", PNG, "bukti_type"),
    ("besar.pdf", PDF + b"\x00" * validators.BUKTI_MAX_BYTES, "bukti_size"),
])
def test_a_wrong_or_large_file_is_refused(name, content, code):
    with pytest.raises(ValidationError) as refused:
        validators.validate_bukti(SimpleUploadedFile(name, content))
    assert refused.value.code == code


def test_the_proof_is_checked_on_the_distribution(siti):
    record = penerima(program("PKH-A"), warga=siti)
    given = Penyaluran(penerima=record, tanggal=D(2025, 3, 1), nilai=1,
                       berkas_bukti=SimpleUploadedFile("foto.png", io.BytesIO(JPEG).read()))
    with pytest.raises(ValidationError) as refused:
        given.full_clean()
    assert list(field_errors(refused)) == ["berkas_bukti"]



def test_the_case_page_offers_the_programmes_the_person_is_on_and_not_stopped(
        siti, make_warga, operator):
    """Another recipient stopped on a programme leaves it on offer; the person's own stop does
    not."""
    from bantuan.forms import KasusBantuanForm

    pkh, blt = program("PKH-2025"), program("BLT-2025", bentuk="BARANG")
    penerima(pkh, warga=siti)
    penerima(blt, warga=siti).hentikan("Pindah", tanggal=D(2025, 3, 1))
    other = make_warga("3277010101900003", wilayah_id=CIBEUREUM)
    penerima(pkh, warga=other).hentikan("Meninggal dunia", tanggal=D(2025, 3, 1))
    kasus = KasusPMKS.objects.create(nama=siti.nama, warga=siti, desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.get(kode="FM"))
    form = KasusBantuanForm(kasus=kasus, user=operator)
    assert list(form.fields["program"].queryset) == [pkh]
