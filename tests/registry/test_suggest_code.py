"""A new group's code: the next free one for its area and type, in the shape the area's codes
have (registry.models.Perkumpulan.suggest_code); the duplicate-code error offers it."""

from registry.models import JenisPerkumpulan, Perkumpulan
from tests.conftest import CIBEUREUM, MELONG


def test_the_next_code_follows_the_areas_own_shape(make_perkumpulan):
    dw, posyandu = (JenisPerkumpulan.objects.get(kode=k) for k in ("DW", "POSYANDU"))
    make_perkumpulan("CBR-DW-001")
    make_perkumpulan("CBR-DW-007")
    make_perkumpulan("CBR-DW-X")  # no number: no shape of its own
    assert Perkumpulan.suggest_code(CIBEUREUM, dw) == "CBR-DW-008"
    assert Perkumpulan.suggest_code(CIBEUREUM, posyandu) == "CBR-POSYANDU-001"
    assert Perkumpulan.suggest_code(MELONG, posyandu) == "POSYANDU-001"
    make_perkumpulan("POSYANDU-001", desa=CIBEUREUM, jenis="KT")  # taken elsewhere, any type
    assert Perkumpulan.suggest_code(MELONG, posyandu) == "POSYANDU-002"


def test_the_duplicate_code_error_offers_the_next_free_one(client, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    make_perkumpulan("CBR-DW-002")
    client.force_login(operator)
    response = client.get("/perkumpulan/baru/")
    token = response.context["form"]["sekali"].value()
    response = client.post("/perkumpulan/baru/", {
        "kode": "CBR-DW-002", "nama": "Dasa Wisma Anyelir", "tahun_berdiri": "2010",
        "jenis": JenisPerkumpulan.objects.get(kode="DW").pk, "sekali": token})
    form = response.context["form"]
    assert response.status_code == 400
    assert form.has_error("kode", "unique") and form.has_error("kode", "suggested")
    assert "CBR-DW-003" in response.content.decode()
