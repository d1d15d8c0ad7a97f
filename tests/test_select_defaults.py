"""A form sent as it was shown must not record a choice nobody made. Every select of the web's
forms starts blank, or on the record's own value when the form changes a record, or on a
default the form says it takes (the accompanying group gives the help; a new member is a
member). The case page's status form once started on the first status: Save on a case being
handled moved it back to "identified"."""

from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest

from network.models import Forum, Hubungan
from pmks.models import KasusPMKS, KategoriPMKS, RiwayatStatus, StatusKasus
from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM

pytestmark = pytest.mark.django_db


class Selects(HTMLParser):
    """The value each select of a page starts on, by form (its action, or its hidden aksi) and
    name; as a browser does, the first option when none is marked selected."""

    def __init__(self, html: str):
        super().__init__()
        self.form, self.select, self.values, self.chosen = "", None, {}, set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            # "#section": the page itself, reopened at the form's section.
            self.form = urldefrag(attrs.get("action") or "")[0]
        elif tag == "input" and attrs.get("name") == "aksi":
            self.form += f"#{attrs.get('value')}"
        elif tag == "select":
            self.select = (self.form, attrs["name"])
        elif tag == "option" and self.select is not None and self.select not in self.chosen:
            if "selected" in attrs:
                self.chosen.add(self.select)
                self.values[self.select] = attrs.get("value", "")
            else:
                self.values.setdefault(self.select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def starts(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return Selects(response.content.decode()).values


@pytest.fixture
def case(make_perkumpulan, operator):
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna")
    kasus = KasusPMKS.objects.create(
        nama="Abah Entis", desa_id=CIBEUREUM, pendamping=group, status=StatusKasus.DITANGANI,
        respon="BERSYUKUR", kategori=KategoriPMKS.objects.order_by("urutan", "nama")[1])
    kasus.catat_status(operator)
    return kasus


def test_save_on_the_status_form_as_shown_changes_nothing(client, operator, case):
    client.force_login(operator)
    shown = starts(client, f"/pmks/{case.pk}/")
    assert shown[(f"/pmks/{case.pk}/status/", "status")] == ""
    response = client.post(f"/pmks/{case.pk}/status/", {"status": "", "tanggal": "",
                                                        "catatan": ""})
    assert response.status_code == 400
    assert response.context["form"].has_error("status", "required")
    case.refresh_from_db()
    assert case.status == StatusKasus.DITANGANI
    assert RiwayatStatus.objects.filter(kasus=case).count() == 1


def test_the_cases_own_status_is_refused_and_writes_no_history(client, operator, case):
    client.force_login(operator)
    response = client.post(f"/pmks/{case.pk}/status/", {"status": "DITANGANI"})
    assert response.status_code == 400
    assert response.context["form"].has_error("status", "same_status")
    assert RiwayatStatus.objects.filter(kasus=case).count() == 1


def test_every_select_starts_blank_or_on_the_records_value(client, operator, case):
    from members.models import Keanggotaan

    client.force_login(operator)
    kode = "CBR-DW-001"
    expected = {
        # The case page: its status, a referral, help.
        f"/pmks/{case.pk}/": {
            (f"/pmks/{case.pk}/status/", "status"): "",
            (f"/pmks/{case.pk}/rujukan/", "tujuan"): "",
            (f"/pmks/{case.pk}/bantuan/", "bentuk"): "",
            (f"/pmks/{case.pk}/bantuan/", "sumber"): "",
        },
        "/pmks/baru/": {("", "kategori"): "", ("", "respon"): ""},
        f"/pmks/{case.pk}/ubah/": {("", "kategori"): str(case.kategori_id),
                                   ("", "respon"): "BERSYUKUR"},
        # A group's page: a link, a member (a new member is a member).
        f"/perkumpulan/{kode}/": {
            (f"/perkumpulan/{kode}/hubungan/tambah/", "mitra_luar"): "",
            (f"/perkumpulan/{kode}/hubungan/tambah/", "jenis_mitra_baru"): "",
            (f"/perkumpulan/{kode}/hubungan/tambah/", "bentuk"): "",
            (f"/perkumpulan/{kode}/anggota/tambah/", "jenis_kelamin"): "",
            (f"/perkumpulan/{kode}/anggota/tambah/", "pendidikan"): "",
            (f"/perkumpulan/{kode}/anggota/tambah/", "peran"): "ANGGOTA",
        },
        "/perkumpulan/baru/": {("", "jenis"): "", ("", "tujuan"): "",
                               ("", "jaringan_kerja"): "", ("", "prakarsa"): ""},
        f"/forum/?desa={CIBEUREUM}": {("", "mekanisme"): ""},
    }
    for url, selects in expected.items():
        shown = starts(client, url)
        assert {key: shown.get(key) for key in selects} == selects, url
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="DEWAN")
    shown = starts(client, f"/forum/?desa={CIBEUREUM}")
    assert {key: shown.get(key) for key in [("", "mekanisme"), ("#pertemuan", "jenis"),
                                           ("#dana", "jenis")]} == {
        ("", "mekanisme"): forum.mekanisme, ("#pertemuan", "jenis"): "", ("#dana", "jenis"): ""}
    assert Keanggotaan.objects.count() == 0 and Hubungan.objects.count() == 0


def test_a_link_sent_without_choosing_its_form_is_refused(client, operator, case):
    client.force_login(operator)
    kt = Perkumpulan.objects.get(kode="CBR-KT-001")
    response = client.post("/perkumpulan/CBR-DW-001/hubungan/tambah/",
                           {"mitra_perkumpulan": kt.pk, "bentuk": ""})
    assert response.status_code == 400
    assert response.context["p"]["form"].has_error("bentuk", "required")
    assert not Hubungan.objects.exists()


def test_save_on_a_chairs_role_form_as_shown_demotes_no_one(client, operator, case, make_warga):
    """The role form started on "Member": Save on the chair's page demoted the chair."""
    from members.models import Keanggotaan

    chair = Keanggotaan.objects.create(
        warga=make_warga("3277014101800001", nama="Euis", wilayah_id=CIBEUREUM),
        perkumpulan=Perkumpulan.objects.get(kode="CBR-DW-001"), peran="KETUA")
    client.force_login(operator)
    shown = starts(client, f"/anggota/{chair.pk}/")
    assert shown[(f"/anggota/{chair.pk}/peran/", "peran")] == ""
    response = client.post(f"/anggota/{chair.pk}/peran/", {"peran": "", "tanggal": ""})
    assert response.status_code == 400
    assert response.context["role_form"].has_error("peran", "required")
    assert list(Keanggotaan.objects.values_list("peran", "selesai")) == [("KETUA", None)]
