"""A group's form: creating and editing, errors beside the fields, observers refused, a code with
a slash."""

import pytest

from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

VALID = {"kode": "CBR-PY-009", "nama": "Posyandu Anggrek", "jenis": "", "tahun_berdiri": "2004",
         "rw": "5", "aktif": "on"}


def form_data(**changes):
    from registry.models import JenisPerkumpulan

    data = {**VALID, "jenis": JenisPerkumpulan.objects.get(kode="POSYANDU").pk}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_operator_creates_a_group_in_their_village(client, operator):
    client.force_login(operator)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode=MELONG))
    assert response.status_code == 302
    assert response["Location"] == "/perkumpulan/CBR-PY-009/"
    group = Perkumpulan.objects.get(kode="CBR-PY-009")
    assert group.desa_id == CIBEUREUM  # an operator's village, whatever is posted
    assert (group.nama, group.rw, group.tahun_berdiri, group.aktif) == (
        "Posyandu Anggrek", 5, 2004, True)


def test_a_form_sent_empty_is_told_what_it_lacks(client, operator):
    """An empty POST is a submission: 400 with the required fields marked, not a fresh form."""
    client.force_login(operator)
    before = Perkumpulan.objects.count()
    response = client.post("/perkumpulan/baru/", {})
    assert response.status_code == 400
    assert response.context["form"].has_error("nama", "required")
    response = client.post("/impor/", {})
    assert response.status_code == 400 and response.context["form"].has_error("berkas", "required")
    assert Perkumpulan.objects.count() == before


def test_staff_types_a_village_within_their_area(client, staf):
    client.force_login(staf)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode="3277011001"))
    assert response.status_code == 302
    assert Perkumpulan.objects.get(kode="CBR-PY-009").desa_id == MELONG
    response = client.post("/perkumpulan/baru/", form_data(kode="X-1", desa_kode=SUKARASA))
    assert response.status_code == 400
    assert response.context["form"].has_error("desa_kode", "outside_area")
    response = client.post("/perkumpulan/baru/", form_data(kode="X-2", desa_kode="32.73"))
    assert response.context["form"].has_error("desa_kode", "outside_area")  # another city
    assert not Perkumpulan.objects.filter(kode__startswith="X-").exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"kode": ""}, "kode"),
    ({"kode": "CBR-DW-001"}, "kode"),  # taken
    ({"nama": ""}, "nama"),
    ({"tahun_berdiri": "2999"}, "tahun_berdiri"),
    ({"tahun_berdiri": "abc"}, "tahun_berdiri"),
    ({"rw": "0"}, "rw"),
    ({"jenis": "999999"}, "jenis"),
    # A code whose address a browser folds ("..", "//", "/" at the end) or that is another
    # page's address (the group PRB's edit page): the group could never be opened.
    ({"kode": "a/b/../c"}, "kode"),
    ({"kode": "CBR//DW"}, "kode"),
    ({"kode": "CBR/"}, "kode"),
    ({"kode": "PRB/ubah"}, "kode"),
    ({"kode": "PRB/Anggota"}, "kode"),
])
def test_bad_input_is_shown_next_to_the_field_and_kept(client, operator, groups, changes,
                                                        field):
    client.force_login(operator)
    before = Perkumpulan.objects.count()
    response = client.post("/perkumpulan/baru/", form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'value="Posyandu Anggrek"' in html or field == "nama"  # what was typed is kept
    assert Perkumpulan.objects.count() == before


def test_editing_keeps_the_code_and_refreshes_the_recap(client, operator, groups):
    from registry import rekap
    from registry.models import Wilayah

    area = Wilayah.objects.get(pk=CIBEUREUM)
    assert rekap.build(area, 2026).jumlah_perkumpulan == 2
    client.force_login(operator)
    data = form_data(kode="GANTI-KODE", nama="Dasa Wisma Mawar Merah", aktif=None)
    response = client.post("/perkumpulan/CBR-DW-001/ubah/", data)
    assert response.status_code == 302
    group = Perkumpulan.objects.get(pk=groups["cbr"].pk)
    assert (group.kode, group.nama, group.aktif) == ("CBR-DW-001", "Dasa Wisma Mawar Merah",
                                                     False)
    assert rekap.build(area, 2026).jumlah_perkumpulan == 1


def test_observers_may_not_post(client, pengamat, groups):
    client.force_login(pengamat)
    assert client.post("/perkumpulan/baru/", form_data()).status_code == 403
    assert client.post("/perkumpulan/CBR-DW-001/ubah/", form_data()).status_code == 403
    assert not Perkumpulan.objects.filter(kode="CBR-PY-009").exists()


def test_a_code_with_a_slash_has_its_pages(client, operator, make_perkumpulan):
    make_perkumpulan("CBR/DW/007", nama="Dasa Wisma Tujuh")
    client.force_login(operator)
    assert client.get("/perkumpulan/CBR/DW/007/").context["group"].nama == "Dasa Wisma Tujuh"
    response = client.get("/perkumpulan/CBR/DW/007/ubah/")
    assert response.status_code == 200 and response.context["group"].kode == "CBR/DW/007"


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", " \ufeff\u2060 ", "\u200c\u200d"])
def test_a_name_of_invisible_characters_is_empty(client, operator, name):
    """Zero-width spaces, joiners or a byte-order mark alone make a name that shows as nothing:
    the form says the name is required, as for spaces, and saves nothing."""
    client.force_login(operator)
    response = client.post("/perkumpulan/baru/", form_data(nama=name))
    assert response.status_code == 400
    assert response.context["form"].errors["nama"][0] == "Bidang ini harus diisi."
    assert not Perkumpulan.objects.filter(kode="CBR-PY-009").exists()
    assert client.post("/perkumpulan/baru/", form_data(nama=f"\u200b{name}Mawar")).status_code \
        == 302
    assert Perkumpulan.objects.get(kode="CBR-PY-009").nama == "Mawar"


@pytest.mark.parametrize("character", ["\x0b", "\u202e", "\u2066"])
def test_a_control_character_in_the_name_is_told_and_nothing_saved(client, operator, character):
    """A vertical tab pasted into a name, or an invisible right-to-left override that turns
    the rest around on every page, is refused beside the field, as the importers refuse it; the
    same form with the name cleaned saves."""
    client.force_login(operator)
    response = client.post("/perkumpulan/baru/", form_data(nama=f"Posyandu{character}Anggrek"))
    assert response.status_code == 400
    assert f"memuat karakter kendali (U+{ord(character):04X})" in response.content.decode()
    assert not Perkumpulan.objects.filter(kode="CBR-PY-009").exists()
    assert client.post("/perkumpulan/baru/", form_data()).status_code == 302
