"""The group list: each role its area, the filters and sorting, paging, the xlsx download, the
rows it writes, and what the list, a group's page and the dashboard cost."""

import io

import openpyxl
import pytest
from django.utils import timezone

from registry import rekap
from registry.models import Perkumpulan, RekapBasi
from tests.conftest import CIBEUREUM, MELONG


def codes(response) -> list[str]:
    """The codes of the listed groups (the list reads its rows as tuples, code first)."""
    return [row[0] for row in response.context["page"].object_list]


def test_each_role_lists_only_its_area(client, groups, operator, staf, admin_user):
    client.force_login(operator)
    assert codes(client.get("/perkumpulan/")) == ["CBR-DW-001", "CBR-KT-001"]
    client.force_login(staf)
    assert codes(client.get("/perkumpulan/")) == ["CBR-DW-001", "CBR-KT-001", "MLG-DW-001"]
    client.force_login(admin_user)
    assert len(codes(client.get("/perkumpulan/"))) == 4


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "mawar"}, ["CBR-DW-001"]),
    ({"q": "kt-0"}, ["CBR-KT-001"]),
    ({"jenis": "DW"}, ["CBR-DW-001", "MLG-DW-001"]),
    ({"rw": "3"}, ["CBR-DW-001"]),
    ({"berdiri_sebelum": "1999"}, ["CBR-DW-001"]),
    ({"berdiri_sesudah": "2001"}, ["CBR-KT-001"]),
    ({"jaringan": "PEMERINTAH"}, ["CBR-KT-001"]),
    ({"urut": "-nama"}, ["CBR-KT-001", "MLG-DW-001", "CBR-DW-001"]),
    ({"urut": "tahun"}, ["CBR-DW-001", "MLG-DW-001", "CBR-KT-001"]),
])
def test_filters_and_sorting(client, staf, groups, query, expected):
    client.force_login(staf)
    response = client.get("/perkumpulan/", query)
    assert response.status_code == 200
    assert codes(response) == expected


@pytest.mark.parametrize("query", [
    {"jenis": "XX"}, {"berdiri_sebelum": "abc"}, {"rw": "0"}, {"jaringan": "LAIN"},
    {"urut": "password"},
])
def test_bad_filters_are_400_with_the_form(client, staf, groups, query):
    client.force_login(staf)
    response = client.get("/perkumpulan/", query)
    assert response.status_code == 400
    assert response.context["filter"].form.errors


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1.5"])
def test_any_page_number_gives_a_page(client, staf, make_perkumpulan, page):
    for i in range(55):
        make_perkumpulan(f"P-{i:03d}")
    client.force_login(staf)
    response = client.get("/perkumpulan/", {"page": page})
    assert response.status_code == 200
    assert len(codes(response)) in (50, 5)


@pytest.mark.parametrize(("page", "first", "shown"), [
    (None, "P-000", 50), ("1", "P-000", 50), ("2", "P-050", 6), ("3", "P-050", 6),
    ("0", "P-050", 6), ("-1", "P-050", 6), ("abc", "P-000", 50), ("1.5", "P-000", 50),
    ("", "P-000", 50), (str(10**30), "P-050", 6),
])
def test_a_searched_list_pages_as_the_paginator_reads_the_page(client, staf, make_perkumpulan,
                                                               page, first, shown):
    """A list the stored counts do not count is counted with the page asked for: the same
    total and rows for every `?page=` (not a number: the first page; past the end or below 1:
    the last), the page's rows in the list's order."""
    for i in range(56):
        make_perkumpulan(f"P-{i:03d}", nama=f"Mawar {i}", desa=[CIBEUREUM, MELONG][i % 2])
    make_perkumpulan("X-001", nama="Melati")
    client.force_login(staf)
    response = client.get("/perkumpulan/", {"q": "mawar"} if page is None
                          else {"q": "mawar", "page": page})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 56
    assert codes(response)[0] == first
    assert len(codes(response)) == shown
    listed = codes(client.get("/perkumpulan/", {"q": "mawar", "urut": "-kode", "page": "2"}))
    assert listed == ["P-005", "P-004", "P-003", "P-002", "P-001", "P-000"]


def test_pages_keep_the_filters(client, staf, make_perkumpulan):
    for i in range(60):
        make_perkumpulan(f"P-{i:03d}", jenis="DW" if i % 2 else "KT")
    client.force_login(staf)
    response = client.get("/perkumpulan/", {"jenis": "DW", "urut": "-kode"})
    assert response.context["page"].paginator.count == 30
    html = response.content.decode()
    assert "?jenis=DW&amp;urut=-kode&amp;page=2" not in html  # 30 rows: one page
    response = client.get("/perkumpulan/", {"aktif": "true"})
    assert 'href="?aktif=true&amp;page=2"' in response.content.decode()


def test_the_list_downloads_as_xlsx_with_its_filters(client, staf, groups, make_perkumpulan):
    make_perkumpulan("CBR-DW-002", nama="=HYPERLINK(\"http://x\")")
    client.force_login(staf)
    response = client.get("/perkumpulan/unduh.xlsx", {"jenis": "DW"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["CBR-DW-001", "CBR-DW-002", "MLG-DW-001"]
    assert rows[2][1] == "=HYPERLINK(\"http://x\")"  # the name as it is, as text:
    assert book.active.cell(row=3, column=2).data_type == "s"  # never a formula
    assert rows[1][6] == 1999


PAGES = ["/perkumpulan/", "/perkumpulan/?jenis=DW&urut=-tahun", "/perkumpulan/CBR-DW-001/", "/"]


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_detail_and_dashboard_cost_fixed_queries(client, staf, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    client.force_login(staf)
    for url in PAGES:  # the filter's rendered fields are kept after a first request
        client.get(url)
    few = {url: count_queries(client, url) for url in PAGES}
    for i in range(60):
        make_perkumpulan(f"X-{i:03d}", desa=[CIBEUREUM, MELONG][i % 2],
                         jenis=["DW", "KT", "POSYANDU"][i % 3])
    client.get("/")  # the dashboard computes the changed villages' counts once
    many = {url: count_queries(client, url) for url in PAGES}
    assert many == few
    # The group page: 17 (its four survey lists in one), 4 for its funds (panel, history), 3 for
    # its aid (programmes, reports, help it handed out): the panels of psks and bantuan run
    # whatever the group's size.
    assert max(few.values()) <= 24, few


def test_the_unfiltered_list_counts_from_the_stored_recap(client, staf, operator,
                                                         make_perkumpulan):
    """Unfiltered, or filtered only by type and/or activity, the list's total is the stored
    count of the area's active and inactive groups (of that type); while a village's stored
    counts wait to be computed again, the groups are counted. Either way: the truth."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        make_perkumpulan(f"C-{i}", desa=[CIBEUREUM, MELONG][i % 2], aktif=i != 0,
                         jenis=["DW", "DW", "KT"][i % 3])  # DW: C-0 (inactive), 1, 3, 4
    client.force_login(staf)

    def shown(query=None):
        """(the total shown, read from the store?, groups counted?)"""
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/perkumpulan/", query or {})
        sql = [q["sql"] for q in captured.captured_queries]
        stored = any("registry_rekapsel" in q for q in sql)
        # Counted alone, or with the page's ids (COUNT(…) OVER ()).
        counted = any((q.startswith("SELECT COUNT(") or ") OVER () AS" in q)
                      and "registry_perkumpulan" in q for q in sql)
        return response.context["page"].paginator.count, stored, counted

    rekap.own_writes_counted()  # the groups made above (outside a request)
    assert shown() == (6, True, False)  # 5 active + 1 inactive, from the store
    assert shown({"urut": "-nama"}) == (6, True, False)
    assert shown({"aktif": "false"}) == (1, True, False)
    assert shown({"jenis": "DW"}) == (4, True, False)
    assert shown({"jenis": "DW", "aktif": "true", "urut": "tahun"}) == (3, True, False)
    assert shown({"jenis": "KT", "aktif": "false"}) == (0, True, False)
    assert shown({"q": "C-1"}) == (1, False, True)  # filtered otherwise: counted
    assert shown({"jenis": "DW", "rw": "1"})[1:] == (False, True)
    group = Perkumpulan.objects.get(kode="C-1")
    group.aktif = False
    group.save()  # its village's counts computed again by the save
    make_perkumpulan("C-9", desa=MELONG)
    rekap.own_writes_counted()
    assert shown() == (7, True, False)  # 5 active + 2 inactive
    RekapBasi.objects.create(desa_id=MELONG, sejak=timezone.now())  # waiting: counted
    assert shown() == (7, True, True)  # the store's query also says a village waits
    RekapBasi.objects.all().delete()
    client.force_login(operator)
    assert shown() == (3, True, False)


def test_a_new_group_type_shows_in_the_filter_at_once(client, staf, groups):
    """The filter's rendered fields are kept per process, keyed by the list of types."""
    from registry.models import JenisPerkumpulan

    client.force_login(staf)
    assert "Kelompok Baru" not in client.get("/perkumpulan/").content.decode()
    JenisPerkumpulan.objects.create(kode="BARU", nama="Kelompok Baru", urutan=99)
    html = client.get("/perkumpulan/").content.decode()
    assert '<option value="BARU">Kelompok Baru</option>' in html
    html = client.get("/perkumpulan/", {"jenis": "BARU"}).content.decode()
    assert '<option value="BARU" selected>Kelompok Baru</option>' in html


def test_list_rows_link_to_each_group_and_escape_its_text(client, operator, make_perkumpulan):
    from django.urls import reverse

    make_perkumpulan("CBR/DW.07_a", nama='Dasa Wisma <b>"Tujuh"</b> & Co', rw=None,
                     tahun_berdiri=2001, aktif=False)
    client.force_login(operator)
    html = client.get("/perkumpulan/").content.decode()
    url = reverse("registry:perkumpulan_detail", args=["CBR/DW.07_a"])
    assert f'<a href="{url}">CBR/DW.07_a</a>' in html
    assert client.get(url).context["group"].kode == "CBR/DW.07_a"
    assert "Dasa Wisma &lt;b&gt;&quot;Tujuh&quot;&lt;/b&gt; &amp; Co" in html
    assert "<b>" not in html
    row = html[html.index(url):].split("</tr>")[0]
    assert '<td data-label="RW">–</td>' in row and '<td data-label="Berdiri">2001</td>' in row
    assert '<td data-label="Aktif">tidak</td>' in row


def test_a_type_made_anew_under_an_old_code_lists_its_own_groups(client, staf, make_perkumpulan):
    """The list's SQL is kept per process by its filters as the SQL holds them: a type by its
    primary key, so a type deleted and made again under the same code is a new filter."""
    from registry.models import JenisPerkumpulan

    client.force_login(staf)
    old = JenisPerkumpulan.objects.create(kode="BARU", nama="Kelompok Baru", urutan=99)
    make_perkumpulan("CBR-BARU-001", jenis="BARU")
    assert codes(client.get("/perkumpulan/", {"jenis": "BARU"})) == ["CBR-BARU-001"]
    Perkumpulan.objects.filter(jenis=old).delete()
    old.delete()
    new = JenisPerkumpulan.objects.create(kode="BARU", nama="Kelompok Baru", urutan=99)
    assert new.pk != old.pk
    make_perkumpulan("CBR-BARU-002", jenis="BARU")
    assert codes(client.get("/perkumpulan/", {"jenis": "BARU"})) == ["CBR-BARU-002"]


def test_the_rows_are_read_anew_on_every_request(client, operator, staf, groups):
    """What is kept is the SQL, never the rows: a renamed group shows renamed at once, to the
    user who renamed it and to another user of the same scope asking the same."""
    client.force_login(operator)
    assert "Dasa Wisma Mawar" in client.get("/perkumpulan/").content.decode()
    Perkumpulan.objects.filter(kode="CBR-DW-001").update(nama="Dasa Wisma Melati Putih")
    assert "Dasa Wisma Melati Putih" in client.get("/perkumpulan/").content.decode()
    client.force_login(staf)
    html = client.get("/perkumpulan/", {"q": "melati putih"}).content.decode()
    assert "CBR-DW-001" in html and "Dasa Wisma Mawar" not in html


def test_the_list_shows_each_groups_chair_and_active_members(client, staf, groups, make_warga):
    """Like the village system officers know: the chair's name and the number of current
    members, read with the page's rows (no query more, whatever the page's size)."""
    import datetime

    from members.models import Keanggotaan

    people = [make_warga(f"32770141018000{i:02d}", nama=f"Warga {i}") for i in range(1, 5)]
    Keanggotaan.objects.create(warga=people[0], perkumpulan=groups["cbr"], peran="KETUA")
    Keanggotaan.objects.create(warga=people[1], perkumpulan=groups["cbr"])
    Keanggotaan.objects.create(warga=people[2], perkumpulan=groups["cbr"],
                               selesai=datetime.date(2024, 1, 1))  # ended: not counted
    Keanggotaan.objects.create(warga=people[3], perkumpulan=groups["cbr2"], peran="SEKRETARIS")
    client.force_login(staf)
    response = client.get("/perkumpulan/")
    rows = {row[0]: row[7:] for row in response.context["page"].object_list}
    assert rows == {"CBR-DW-001": ("Warga 1", 2), "CBR-KT-001": (None, 1),
                    "MLG-DW-001": (None, 0)}
    html = response.content.decode()
    assert '<th scope="col">Ketua</th><th scope="col" class="num">Anggota aktif</th>' in html
    row = html[html.index("/perkumpulan/CBR-DW-001/"):].split("</tr>")[0]
    assert '<td data-label="Ketua">Warga 1</td>' in row
    assert '<td data-label="Anggota aktif" class="num">2</td>' in row
    row = html[html.index("/perkumpulan/CBR-KT-001/"):].split("</tr>")[0]
    assert '<td data-label="Ketua">–</td>' in row


def test_staff_narrow_the_list_to_a_kecamatan_or_a_village_of_their_area(
        client, staf, operator, groups, make_perkumpulan):
    """The areas offered are the user's own and the two levels below it (a page's link may name
    the user's own); the total of a part read from
    its stored counts is the true count (a kecamatan's own group included); an area outside the
    user's is refused; a village's officer has nothing to narrow to."""
    make_perkumpulan("KEC-KT-001", desa="32.77.01", jenis="KT", nama="Karang Taruna Kecamatan")
    client.force_login(staf)
    rekap.own_writes_counted()
    response = client.get("/perkumpulan/")
    offered = [(w.kode, w.tingkat) for w in
               response.context["filter"].form.fields["wilayah"].queryset]
    assert ("32.77.01", "kecamatan") in offered and (CIBEUREUM, "desa") in offered
    assert {t for _k, t in offered} == {"kabupaten", "kecamatan", "desa"}
    assert offered[0] == ("32.77", "kabupaten")
    html = response.content.decode()
    assert '<option value="32.77.01.1002">— Cibeureum (32.77.01.1002)</option>' in html
    for area, expected in ((CIBEUREUM, ["CBR-DW-001", "CBR-KT-001"]), (MELONG, ["MLG-DW-001"]),
                           ("32.77.01", ["CBR-DW-001", "CBR-KT-001", "KEC-KT-001",
                                         "MLG-DW-001"]),
                           ("32.77", ["CBR-DW-001", "CBR-KT-001", "KEC-KT-001", "MLG-DW-001"])):
        response = client.get("/perkumpulan/", {"wilayah": area})
        assert codes(response) == expected, area
        assert response.context["page"].paginator.count == len(expected), area
    response = client.get("/perkumpulan/", {"wilayah": "32.73.01"})  # Bandung: not the user's
    assert response.status_code == 400 and response.context["filter"].form.has_error("wilayah")
    client.force_login(operator)
    response = client.get("/perkumpulan/")
    assert "wilayah" not in response.context["filter"].form.fields


def test_the_group_page_shows_its_lists_in_order(client, staf, make_perkumpulan):
    """The group's values of the survey's lists, each in the lists' order (one query for the
    four)."""
    from django.utils.html import escape

    from registry.models import Pilihan

    group = make_perkumpulan("CBR-DW-001")
    values = {}
    for field, daftar in (("syarat_keanggotaan", "syarat"), ("sumber_dana", "sumber_dana"),
                          ("kegiatan", "kegiatan")):
        chosen = list(Pilihan.objects.filter(daftar=daftar))[:3]
        getattr(group, field).set(chosen)
        values[field] = ", ".join(escape(str(p)) for p in getattr(group, field).all())
    client.force_login(staf)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    for field, shown in values.items():
        assert shown.count(", ") == 2
        assert f"<dd>{shown}</dd>" in html, field
