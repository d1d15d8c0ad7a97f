"""The printed documents as Chromium prints them: each print view saved as an A4 PDF
(`page.pdf()`), read back with Debian's poppler-utils (`pdfinfo`, `pdftotext -layout`): the page
count expected for the fixture, and the names, codes and totals in the text.

Skipped, with the reason in the summary, without Chromium/Playwright (tests/browser/conftest.py)
or without poppler-utils (`.ci/run` installs both). With WKSBM_SCREENSHOTS=1, two print views are
also saved as docs/screenshots/cetak-*.png."""

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CIBEUREUM, today

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def poppler():
    for tool in ("pdftotext", "pdfinfo"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not found (Debian's poppler-utils): PDF tests skipped")


class Printed:
    def __init__(self, path: Path):
        self.path = path
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
        self.pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        self.text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout
        self.page_texts = self.text.split("\f")


@pytest.fixture
def pdf(site, poppler, tmp_path):
    """pdf(page, path, name) -> Printed: the print view at `path`, as Chromium prints it on A4."""

    def make(page, path: str, name: str, screenshot: bool = False) -> Printed:
        response = page.goto(site.url + path)
        assert response.status == 200, path
        assert page.locator("script").count() == 0  # no JavaScript on paper
        if screenshot and os.environ.get("WKSBM_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"cetak-{name}.png", full_page=True)
        target = tmp_path / f"{name}.pdf"
        page.pdf(path=str(target), format="A4", prefer_css_page_size=True)
        return Printed(target)

    return make


def nik(n: int) -> str:
    return f"327701010180{n:04d}"


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def letterhead(db):
    from registry.models import KopSurat

    return KopSurat.objects.create(
        wilayah_id="32.77.01", instansi="PEMERINTAH KOTA CIMAHI\nKECAMATAN CIMAHI SELATAN",
        alamat="Jl. Amir Machmud No. 1, Cimahi", kota="Cimahi",
        penandatangan="Drs. Asep Saepudin", jabatan="Camat Cimahi Selatan")


def group_of(make_perkumpulan, make_warga, size: int):
    """A Dasa Wisma of `size` current members (a chair, a secretary, the rest members), its
    decree ending in 20 days."""
    from members.models import Keanggotaan

    group = make_perkumpulan(f"CBR-DW-{size:03d}", nama="Dasa Wisma Melati",
                             sk_nomor="SK-77/2025", sk_tanggal=datetime.date(2025, 1, 2),
                             sk_berlaku_sampai=today() + datetime.timedelta(days=20))
    roles = {1: "KETUA", 2: "SEKRETARIS"}
    for i in range(1, size + 1):
        person = make_warga(nik(i), nama=f"Warga Melati {i:02d}", wilayah_id=CIBEUREUM)
        Keanggotaan.objects.create(warga=person, perkumpulan=group, peran=roles.get(i, "ANGGOTA"),
                                   mulai=datetime.date(2024, 1, 1))
    return group


@pytest.fixture
def big_group(make_perkumpulan, make_warga, letterhead):
    """60 members: two pages of the member list."""
    return group_of(make_perkumpulan, make_warga, 60)


@pytest.fixture
def small_group(make_perkumpulan, make_warga, letterhead):
    """6 members: the profile on one page."""
    return group_of(make_perkumpulan, make_warga, 6)


def test_member_list_of_60_prints_on_two_pages(site, operator, big_group, pdf):
    page = site.login(operator)
    printed = pdf(page, f"/perkumpulan/{big_group.kode}/anggota/cetak/", "anggota",
                  screenshot=True)
    assert printed.pages == 2
    text = squeeze(printed.text)
    assert "KECAMATAN CIMAHI SELATAN" in text and "Dasa Wisma Melati" in text
    assert "CBR-DW-060" in text and "60" in text
    for i in (1, 2, 30, 60):
        assert f"Warga Melati {i:02d}" in text and nik(i) in text
    # Numbered 1..60, the chair first; the signature block on the last page.
    assert re.search(r"^\s*1\s+Warga Melati 01", printed.text, re.M)
    assert re.search(r"^\s*60\s+Warga Melati", printed.text, re.M)
    assert "Drs. Asep Saepudin" in squeeze(printed.page_texts[1])


def test_observer_prints_the_member_list_with_nik_masked(site, pengamat, big_group, pdf):
    page = site.login(pengamat)
    printed = pdf(page, f"/perkumpulan/{big_group.kode}/anggota/cetak/", "anggota-pengamat")
    assert printed.pages == 2
    assert "Warga Melati 60" in printed.text and nik(60) not in printed.text


def test_group_profile(site, operator, small_group, make_perkumpulan, pdf):
    from network.models import Hubungan

    other = make_perkumpulan("CBR-POS-001", jenis="POSYANDU", nama="Posyandu Kenanga")
    Hubungan.objects.create(perkumpulan=small_group, mitra_perkumpulan=other)
    page = site.login(operator)
    printed = pdf(page, f"/perkumpulan/{small_group.kode}/cetak/", "perkumpulan",
                  screenshot=True)
    assert printed.pages == 1
    text = squeeze(printed.text)
    for value in ("Dasa Wisma Melati", "CBR-DW-006", "SK-77/2025", "Warga Melati 01",
                  "Warga Melati 06", "Posyandu Kenanga", "CBR-POS-001", "Camat Cimahi Selatan",
                  "Drs. Asep Saepudin"):
        assert value in text
    assert re.search(r"\b20\b", text)  # the decree ends in 20 days


def test_forum_minutes_with_attendance_list(site, operator, make_warga, make_perkumpulan, pdf):
    from network.models import Forum, PengurusForum, PertemuanForum

    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="Forum WKSBM Cibeureum",
                                 mekanisme="TIM")
    for kode, nama in (("CBR-DW-001", "Dasa Wisma Mawar"), ("CBR-KT-001", "Karang Taruna")):
        forum.anggota.add(make_perkumpulan(kode, nama=nama, jenis=kode.split("-")[1]))
    PengurusForum.objects.create(forum=forum, warga=make_warga(nik(90), nama="Haji Engkos"),
                                 jabatan="Ketua Forum")
    meeting = PertemuanForum.objects.create(forum=forum, tanggal=today(), jenis="RUTIN", hadir=15,
                                            notulen="Membahas pendataan lansia.")
    page = site.login(operator)
    printed = pdf(page, f"/forum/pertemuan/{meeting.pk}/cetak/", "berita-acara")
    assert printed.pages == 1
    text = squeeze(printed.text)
    for value in ("Forum WKSBM Cibeureum", "Haji Engkos", "Ketua Forum", "Dasa Wisma Mawar",
                  "Karang Taruna", "pendataan lansia", "CIBEUREUM"):
        assert value in text
    # 15 lines to sign: the leader, the two groups, twelve empty ones.
    assert re.search(r"^\s*15\s*$", printed.text, re.M)
    assert not re.search(r"^\s*16\s*$", printed.text, re.M)


def test_village_list_as_submitted_and_as_approved(site, operator, kecamatan, staf,
                                                   make_perkumpulan, pdf):
    from registry.models import Wilayah
    from verifikasi.models import Putaran

    putaran = Putaran.objects.create(
        nama="Verifikasi Semester I", wilayah_id="32.77", mulai=today().replace(month=1, day=1),
        selesai=today().replace(month=12, day=31), batas_usulan=today() + datetime.timedelta(7),
        batas_verifikasi=today() + datetime.timedelta(14),
        batas_persetujuan=today() + datetime.timedelta(21), dibuat_oleh=staf)
    for i in range(1, 4):
        make_perkumpulan(f"CBR-DW-10{i}", nama=f"Dasa Wisma Nomor {i}")
    usulan = putaran.usulan_desa(Wilayah.objects.get(pk=CIBEUREUM))
    usulan.musdes_tanggal, usulan.musdes_tempat, usulan.musdes_hadir = today(), "Balai Desa", 40
    usulan.ajukan(operator)
    url = f"/verifikasi/{putaran.pk}/desa/{CIBEUREUM}/cetak/"
    page = site.login(operator)
    printed = pdf(page, url + "?versi=diajukan", "usulan-diajukan")
    assert printed.pages == 1
    text = squeeze(printed.text)
    assert all(f"CBR-DW-10{i}" in text for i in range(1, 4))
    assert "Verifikasi Semester I" in text and "Balai Desa" in text
    for item in usulan.items.all():
        item.terima(kecamatan)
    usulan.verifikasi(kecamatan)
    usulan.setujui(staf)
    printed = pdf(page, url + "?versi=disetujui", "usulan-disetujui")
    assert printed.pages == 1
    text = squeeze(printed.text)
    assert all(f"CBR-DW-10{i}" in text for i in range(1, 4))
    assert "Disetujui" in text or "Approved" in text
    # Three signature blocks: the village, the kecamatan, the district.
    assert "Cibeureum" in text and "Cimahi Selatan" in text and "Kota Cimahi" in text


def test_recap(site, staf, make_perkumpulan, pdf):
    for i in range(1, 8):
        make_perkumpulan(f"CBR-DW-2{i:02d}", tahun_berdiri=2000 + i)
    make_perkumpulan("CBR-POS-201", jenis="POSYANDU", tahun_berdiri=2010)
    page = site.login(staf)
    printed = pdf(page, f"/rekap/cetak/?wilayah={CIBEUREUM}&tahun={today().year}", "rekap")
    text = squeeze(printed.text)
    assert CIBEUREUM in text and str(today().year) in text
    assert re.search(r"(Jumlah|Total)\s+0\s+0,00\s+8\s+100,00\s+8", printed.text)
    # Seed 004's tables of a village with 8 groups of two types: two pages, the signature
    # block at the foot of the second.
    assert printed.pages == 2
    assert "KOTA CIMAHI" in printed.text and "(......" in printed.page_texts[1]
