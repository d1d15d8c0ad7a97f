"""The admin's recipient form keeps the rules the web's form keeps, because they are the
recipient's own (`Penerima.clean`): the recipient's area is the target's own, the programme's
quota per village, and double aid only with a reason. An edit of a recipient already placed (a
decision, stopping it) is not refused for its own place in the quota nor for the double aid it
was added with."""

import datetime

import pytest
from django.urls import reverse

from bantuan.models import Penerima, Program, StatusPenerima
from members.models import Keanggotaan
from tests.conftest import CIBEUREUM, MELONG

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
SITI = "3277014101800001"
BUDI = "3277014101800002"
ASEP = "3277011505750003"  # lives in Melong
ADD = reverse("admin:bantuan_penerima_add")


def make_program(kode, *, wilayah="32.77", bentuk="UANG", **fields) -> Program:
    fields.setdefault("nama", f"Program {kode}")
    program = Program(kode=kode, sumber="PEMERINTAH", bentuk=bentuk, sasaran="WARGA",
                      wilayah_id=wilayah, mulai=START, selesai=END, **fields)
    program.full_clean()
    program.save()
    return program


@pytest.fixture
def people(make_warga, make_perkumpulan):
    """Siti and Budi of Cibeureum; Asep of Melong, a member of a Cibeureum group (so the
    Cibeureum operator sees him, and picks him in the admin)."""
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    found = {
        "siti": make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM),
        "budi": make_warga(BUDI, nama="Budi Santoso", wilayah_id=CIBEUREUM),
        "asep": make_warga(ASEP, nama="Asep Melong", wilayah_id=MELONG),
    }
    Keanggotaan.objects.create(warga=found["asep"], perkumpulan=group, peran="ANGGOTA")
    return found


def placed(program, person, **fields) -> Penerima:
    """A recipient already registered (as the importer or an earlier form left it)."""
    fields = {"status": StatusPenerima.USULAN, "mulai": START, "selesai": END, **fields}
    return Penerima.objects.create(program=program, warga=person, desa_id=person.wilayah_id,
                                   **fields)


def inlines(data: dict) -> dict:
    for prefix in ("penyaluran", "laporan"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def add_data(program, person, **changes) -> dict:
    data = {"program": program.pk, "warga": person.pk, "keluarga": "", "perkumpulan": "",
            "kasus": "", "desa": person.wilayah_id, "mulai": START.isoformat(),
            "selesai": END.isoformat(), "status": StatusPenerima.USULAN,
            "alasan_berhenti": "", "alasan_ganda": ""}
    return inlines({**data, **changes})


def change_data(client, recipient) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    url = reverse("admin:bantuan_penerima_change", args=[recipient.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return inlines({k: ("" if v is None else v) for k, v in data.items()})


def errors(response, field) -> list[str]:
    assert response.status_code == 200, "refused: the form is shown again"
    return [e.code for e in response.context["adminform"].form.errors.as_data().get(field, [])]


# Adding --------------------------------------------------------------------------------------
def test_a_person_of_another_village_is_not_placed_in_the_operators(client, operator, people):
    """Asep lives in Melong: the Cibeureum operator may not record him as Cibeureum's."""
    program = make_program("BLT-KOTA")
    client.force_login(operator)
    response = client.post(ADD, add_data(program, people["asep"], desa=CIBEUREUM))
    assert errors(response, "desa") == ["not_target_area"]
    assert not Penerima.objects.exists()


def test_a_full_quota_is_refused_in_the_admin(client, operator, people):
    program = make_program("KUOTA-1", kuota_per_desa=1)
    placed(program, people["siti"])
    client.force_login(operator)
    response = client.post(ADD, add_data(program, people["budi"]))
    assert errors(response, "desa") == ["quota_full"]
    assert list(program.penerima.values_list("warga__nik", flat=True)) == [SITI]


def test_double_aid_needs_a_reason_in_the_admin(client, operator, people):
    other = make_program("BPNT-2025", nama="Bantuan Pangan")
    placed(other, people["siti"])
    program = make_program("BLT-2025")
    client.force_login(operator)
    response = client.post(ADD, add_data(program, people["siti"]))
    assert errors(response, "alasan_ganda") == ["double_aid"]
    assert "BPNT-2025" in response.content.decode()
    assert not program.penerima.exists()
    response = client.post(ADD, add_data(program, people["siti"],
                                         alasan_ganda="Lansia tunggal, disetujui musdes"))
    assert response.status_code == 302
    added = program.penerima.get()
    assert (added.alasan_ganda, added.desa_id, added.diputuskan_oleh) == (
        "Lansia tunggal, disetujui musdes", CIBEUREUM, operator)


# Changing ------------------------------------------------------------------------------------
def test_a_recipient_is_not_moved_to_another_area_than_its_own(client, staf, people):
    program = make_program("BLT-KOTA")
    recipient = placed(program, people["asep"])
    client.force_login(staf)
    data = change_data(client, recipient)
    data["desa"] = CIBEUREUM
    response = client.post(reverse("admin:bantuan_penerima_change", args=[recipient.pk]), data)
    assert errors(response, "desa") == ["not_target_area"]
    assert Penerima.objects.get(pk=recipient.pk).desa_id == MELONG


def test_a_decision_on_a_recipient_counts_it_once_and_keeps_its_double_aid(
        client, operator, people):
    """A full quota the recipient fills itself, and a double aid it was added with (the reason
    given by it, or by the other programme's recipient), do not stop its approval nor its
    stopping."""
    first = make_program("BPNT-2025")
    second = make_program("BLT-2025", kuota_per_desa=1)
    on_first = placed(first, people["siti"])
    on_second = placed(second, people["siti"], alasan_ganda="Disetujui musdes")
    client.force_login(operator)
    for recipient in (on_second, on_first):
        url = reverse("admin:bantuan_penerima_change", args=[recipient.pk])
        data = change_data(client, recipient)
        data["status"] = StatusPenerima.DISETUJUI
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Penerima.objects.get(pk=recipient.pk).status == StatusPenerima.DISETUJUI
    data = change_data(client, on_second)
    data.update(status=StatusPenerima.DIHENTIKAN, alasan_berhenti="Pindah")
    response = client.post(reverse("admin:bantuan_penerima_change", args=[on_second.pk]), data)
    assert response.status_code == 302
    stopped = Penerima.objects.get(pk=on_second.pk)
    assert (stopped.status, stopped.alasan_ganda) == (StatusPenerima.DIHENTIKAN,
                                                      "Disetujui musdes")


def test_a_stopped_recipient_going_on_again_takes_a_place_anew(client, operator, people):
    program = make_program("KUOTA-1", kuota_per_desa=1)
    stopped = placed(program, people["siti"], status=StatusPenerima.DIHENTIKAN,
                     alasan_berhenti="Pindah")
    placed(program, people["budi"])
    client.force_login(operator)
    data = change_data(client, stopped)
    data.update(status=StatusPenerima.DISETUJUI, alasan_berhenti="")
    response = client.post(reverse("admin:bantuan_penerima_change", args=[stopped.pk]), data)
    assert errors(response, "desa") == ["quota_full"]
    assert Penerima.objects.get(pk=stopped.pk).status == StatusPenerima.DIHENTIKAN


def test_a_longer_period_is_refused_only_for_a_new_double_aid(client, staf, people):
    early = make_program("BPNT-A")
    Program.objects.filter(pk=early.pk).update(selesai=D(2025, 3, 31))
    late = make_program("BLT-B")
    placed(early, people["budi"], selesai=D(2025, 3, 31))
    recipient = placed(late, people["budi"], mulai=D(2025, 6, 1), selesai=D(2025, 9, 30))
    client.force_login(staf)
    url = reverse("admin:bantuan_penerima_change", args=[recipient.pk])
    data = change_data(client, recipient)
    data["mulai"] = "2025-03-01"  # now overlapping BPNT-A's recipient
    response = client.post(url, data)
    assert errors(response, "alasan_ganda") == ["double_aid"]
    assert Penerima.objects.get(pk=recipient.pk).mulai == D(2025, 6, 1)
    data = change_data(client, recipient)
    data["selesai"] = "2025-12-31"  # longer, meeting no other programme
    assert client.post(url, data).status_code == 302
    assert Penerima.objects.get(pk=recipient.pk).selesai == END
