"""The PSKS records' rules: a TKSK serves a kecamatan, periods run forward, one current period
per person, role and area, an unregistered LKS has no number, one attendance per person; and
who sees and changes them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS
from tests.conftest import CIBEUREUM
from tests.psks.conftest import KECAMATAN


def errors(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def test_a_tksk_serves_a_kecamatan_and_periods_run_forward(world):
    hadi = world["people"]["Hadi"]
    at_village = PetugasPSKS(warga=hadi, peran="TKSK", wilayah_id=CIBEUREUM)
    assert list(errors(at_village)) == ["wilayah"]
    backwards = PetugasPSKS(warga=hadi, peran="PSM", wilayah_id=CIBEUREUM,
                            mulai=datetime.date(2024, 1, 1), selesai=datetime.date(2023, 1, 1))
    assert list(errors(backwards)) == ["selesai"]
    PetugasPSKS(warga=hadi, peran="PENDAMPING", wilayah_id=KECAMATAN).full_clean()


def test_one_current_period_per_person_role_and_area(world):
    again = PetugasPSKS(warga=world["people"]["Hadi"], peran="TKSK", wilayah_id=KECAMATAN)
    assert "__all__" in errors(again)
    again.selesai = datetime.date(2019, 12, 31)  # an earlier, ended period is history
    again.full_clean()
    again.save()
    assert PetugasPSKS.objects.filter(peran="TKSK").count() == 2


def test_an_unregistered_lks_has_no_number_and_names_are_unique_per_area(world):
    lks = LKS(nama="Yayasan Peduli Lansia", wilayah_id=CIBEUREUM, status_hukum="BELUM",
              nomor_registrasi="123")
    assert list(errors(lks)) == ["nomor_registrasi"]
    twin = LKS(nama="Panti Asuhan Al-Ikhlas", wilayah_id=CIBEUREUM)
    assert "__all__" in errors(twin)


def test_a_training_ends_after_it_starts_and_lists_a_person_once(world):
    training = Pelatihan(topik="Pelatihan kader", tanggal_mulai=datetime.date(2025, 2, 3),
                         tanggal_selesai=datetime.date(2025, 2, 1), penyelenggara="Dinsos",
                         wilayah_id=CIBEUREUM)
    assert list(errors(training)) == ["tanggal_selesai"]
    with pytest.raises(IntegrityError), transaction.atomic():
        PesertaPelatihan.objects.create(pelatihan=world["keuangan"], warga=world["people"]["Ani"])
    assert world["keuangan"].peserta.count() == 5


def test_who_sees_and_changes_the_records(world, operator, operator_lain, staf, pengamat):
    tksk, psm = world["tksk"], world["psm"]
    # The village's operator sees its kecamatan's TKSK but changes only its own village's PSM.
    assert set(PetugasPSKS.objects.visible_to(operator)) == {tksk, psm}
    assert set(PetugasPSKS.objects.editable_by(operator)) == {psm}
    assert set(PetugasPSKS.objects.visible_to(operator_lain)) == {tksk}
    assert set(PetugasPSKS.objects.editable_by(staf)) == {tksk, psm}
    # Workers and participants are people: none for observers; LKS and trainings are not.
    assert not PetugasPSKS.objects.visible_to(pengamat).exists()
    assert not PesertaPelatihan.objects.visible_to(pengamat).exists()
    assert LKS.objects.visible_to(pengamat).count() == 1
    assert Pelatihan.objects.visible_to(pengamat).count() == 2
    # Melong's operator sees the kecamatan's training and, of its participants, Melong's own.
    assert Pelatihan.objects.visible_to(operator_lain).get() == world["keuangan"]
    seen = PesertaPelatihan.objects.visible_to(operator_lain)
    assert [p.warga.nama for p in seen] == ["Fajar"]
    assert not PesertaPelatihan.objects.editable_by(operator_lain).exists()
    assert PesertaPelatihan.objects.editable_by(staf).count() == 6
