"""One list of funds (registry.models.JenisDana) for the forum's funds, the groups' own funds and
the sources of PMKS help: every code the two former lists stored keeps its meaning and is
still accepted by the PMKS help form, the forum's fund form and the forum's admin page."""

import pytest
from django.utils import translation

from bantuan.models import Program
from network.models import DanaKomunitas, DanaPerkumpulan, Forum
from pmks.models import KasusPMKS, KategoriPMKS
from registry.models import JenisDana
from tests.conftest import CIBEUREUM

# The codes (and names) the forum's funds and the PMKS help stored before they shared a list.
FORUM_FUNDS = {"DANA_KEMATIAN": "Death fund (dana kematian)",
               "JIMPITAN": "Rice collection (jimpitan beras)", "ARISAN": "Arisan",
               "LAIN": "Other"}
HELP_SOURCES = {**FORUM_FUNDS, "IURAN": "Members' dues", "CSR": "Company (CSR)",
                "PEMERINTAH": "Government (APBN/APBD)"}


def test_one_list_holds_both_former_lists_and_the_seeds_funds():
    labels = dict(JenisDana.choices)
    with translation.override("en"):
        assert {code: str(labels[code]) for code in HELP_SOURCES} == HELP_SOURCES
        assert str(labels["SIMPAN_PINJAM"]) == "Savings and loans (simpan-pinjam)"
    with translation.override("id"):  # the names the officers read stay as they were
        assert [str(labels[c]) for c in ("DANA_KEMATIAN", "JIMPITAN", "IURAN", "LAIN")] == [
            "Dana kematian", "Jimpitan beras", "Iuran anggota", "Lainnya"]
    assert {"SIMPAN_PINJAM", "SUMBANGAN", "ZAKAT_INFAK", "DANA_DESA"} <= set(JenisDana.values)
    for model, name in ((DanaKomunitas, "jenis"), (DanaPerkumpulan, "jenis"),
                        (Program, "sumber")):
        assert model._meta.get_field(name).choices == JenisDana.choices


@pytest.mark.django_db
@pytest.mark.parametrize("code", [*HELP_SOURCES, "SIMPAN_PINJAM", "ZAKAT_INFAK"])
def test_the_pmks_help_form_takes_every_former_source(client, operator, code):
    case = KasusPMKS.objects.create(nama="Mak Icih", desa_id=CIBEUREUM,
                                    kategori=KategoriPMKS.objects.order_by("urutan").first())
    client.force_login(operator)
    response = client.post(f"/pmks/{case.pk}/bantuan/", {
        "tanggal": "2026-07-01", "bentuk": "UANG", "sumber": code, "nilai": "50000"})
    assert response.status_code == 302
    assert case.bantuan.get().penerima.program.get_sumber_display() == JenisDana(code).label


@pytest.fixture
def forum(db):
    return Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")


@pytest.mark.django_db
@pytest.mark.parametrize("code", [*FORUM_FUNDS, "SIMPAN_PINJAM"])
def test_the_forum_fund_form_takes_every_former_fund(client, operator, forum, code):
    client.force_login(operator)
    response = client.post("/forum/", {"desa": CIBEUREUM, "aksi": "dana", "jenis": code,
                                       "tanggal": "2026-04-30", "terkumpul": "400000",
                                       "dipakai": "150000"})
    assert response.status_code == 302
    assert list(forum.dana.values_list("jenis", "terkumpul")) == [(code, 400000)]
    page = client.get("/forum/", {"desa": CIBEUREUM})
    assert [(f["jenis"], f["saldo"]) for f in page.context["funds"]] == [(code, 250000)]


@pytest.mark.django_db
def test_the_forum_admin_keeps_and_takes_the_former_funds(client, staf, forum):
    DanaKomunitas.objects.create(forum=forum, jenis="JIMPITAN", tanggal="2026-03-31",
                                 terkumpul=90000)
    client.force_login(staf)
    url = f"/admin/network/forum/{forum.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["anggota"] = []
    entry = forum.dana.get()
    for prefix in ("pengurus", "pertemuan"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({
        "dana-TOTAL_FORMS": 2, "dana-INITIAL_FORMS": 1,
        "dana-0-id": entry.pk, "dana-0-forum": forum.pk, "dana-0-jenis": "JIMPITAN",
        "dana-0-tanggal": "2026-03-31", "dana-0-terkumpul": 90000, "dana-0-dipakai": 0,
        "dana-1-forum": forum.pk, "dana-1-jenis": "DANA_KEMATIAN", "dana-1-tanggal": "2026-04-30",
        "dana-1-terkumpul": 250000, "dana-1-dipakai": 300000,
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(forum.dana.values_list("jenis", "terkumpul", "dipakai")) == [
        ("DANA_KEMATIAN", 250000, 300000), ("JIMPITAN", 90000, 0)]
