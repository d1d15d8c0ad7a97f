"""The PMKS cases a group accompanies, on its page and on the dashboard: never for observers."""

import pytest

from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM, MELONG


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "dw": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "kt": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna"),
        "py": make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Melati"),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong"),
    }


def test_cases_a_group_accompanies_never_for_observers(client, operator, pengamat, groups):
    kategori = KategoriPMKS.objects.first()
    for i, status in enumerate(["TERIDENTIFIKASI", "DITANGANI", "SELESAI", "MENOLAK"]):
        KasusPMKS.objects.create(nama=f"Warga {i}", desa_id=CIBEUREUM, kategori=kategori,
                                 status=status, pendamping=groups["dw"] if i < 3 else None)
    client.force_login(operator)
    response = client.get("/perkumpulan/CBR-DW-001/")
    cases = next(p["context"]["cases"] for p in response.context["panels"]
                 if "cases" in p["context"])
    assert [c.nama for c in cases] == ["Warga 1", "Warga 2", "Warga 0"]  # by status code
    cards = {label: value for label, value, _url in client.get("/").context["cards"]}
    assert cards["kasus PMKS terbuka"] == 2
    client.force_login(pengamat)
    response = client.get("/perkumpulan/CBR-DW-001/")
    assert not any("cases" in p["context"] for p in response.context["panels"])
    assert "Warga 1" not in response.content.decode()
    labels = [label for label, _value, _url in client.get("/").context["cards"]]
    assert "kasus PMKS terbuka" not in labels
