"""The village's WKSBM forum: recorded, edited and led; a leader's term ended; its meetings and
community funds."""

from django.utils import timezone

from network.models import Forum, PengurusForum
from tests.conftest import CIBEUREUM


def test_the_forum_is_recorded_edited_and_led(client, operator, pengamat, groups, make_warga):
    client.force_login(operator)
    response = client.post("/forum/", {"nama": "", "mekanisme": "TIM"})
    assert response.status_code == 400 and response.context["form"].has_error("nama")
    assert not Forum.objects.exists()
    response = client.post("/forum/", {"nama": "WKSBM Cibeureum", "mekanisme": "TIM",
                                       "anggota": [groups["dw"].kode, groups["kt"].kode]})
    assert response.status_code == 302
    forum = Forum.objects.get()
    assert forum.desa_id == CIBEUREUM
    assert {g.kode for g in forum.anggota.all()} == {"CBR-DW-001", "CBR-KT-001"}
    response = client.post("/forum/", {"nama": "WKSBM Cibeureum", "mekanisme": "DEWAN",
                                       "anggota": [groups["mlg"].kode]})  # another village's
    assert response.status_code == 400 and response.context["form"].has_error("anggota")
    person = make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
    response = client.post("/forum/", {"aksi": "pengurus", "nik": "3277014101800009",
                                       "jabatan": "Ketua"})
    assert response.status_code == 400
    assert response.context["leader_form"].has_error("nik", "unknown")
    response = client.post("/forum/", {"aksi": "pengurus", "nik": person.nik,
                                       "jabatan": "Ketua"})
    assert response.status_code == 302
    leader = PengurusForum.objects.get()
    assert (leader.warga_id, leader.jabatan, leader.selesai) == (person.pk, "Ketua", None)
    client.force_login(pengamat)
    html = client.get("/forum/", {"desa": CIBEUREUM}).content.decode()
    assert "WKSBM Cibeureum" in html and person.nik not in html and person.nik_tersamar in html
    assert client.post(f"/forum/pengurus/{leader.pk}/akhiri/").status_code == 403
    client.force_login(operator)
    assert client.post(f"/forum/pengurus/{leader.pk}/akhiri/").status_code == 302
    leader.refresh_from_db()
    assert leader.selesai is not None


def test_ending_a_leaders_term_asks_first(client, operator, pengamat, make_warga):
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    person = make_warga("3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    leader = PengurusForum.objects.create(forum=forum, warga=person, jabatan="Sekretaris")
    url = f"/forum/pengurus/{leader.pk}/akhiri/"
    client.force_login(pengamat)
    assert client.get(url).status_code == 403
    client.force_login(operator)
    # The forum's button leads to a page that asks; the term goes on until confirmed.
    assert f'action="{url}"' in client.get("/forum/").content.decode()
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Siti Aminah" in html and "Sekretaris" in html and 'method="post"' in html
    assert f'href="/forum/?desa={CIBEUREUM}"' in html
    leader.refresh_from_db()
    assert leader.selesai is None
    assert client.post(url).status_code == 302
    leader.refresh_from_db()
    assert leader.selesai is not None
    # Asked again once ended: back to the forum, nothing to confirm.
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/forum/?desa={CIBEUREUM}"


def test_the_forum_keeps_its_meetings_and_community_funds(client, operator, operator_lain,
                                                         pengamat, groups):
    import datetime

    from network.models import DanaKomunitas, PertemuanForum

    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    client.force_login(operator)
    response = client.post("/forum/", {"aksi": "pertemuan", "tanggal": "2026-03-05",
                                       "jenis": "RUTIN", "hadir": "23",
                                       "notulen": "Membahas lansia terlantar RW 03"})
    assert response.status_code == 302 and response.url.endswith("#pertemuan")
    meeting = PertemuanForum.objects.get()
    assert (meeting.forum, meeting.tanggal, meeting.hadir) == (forum, datetime.date(2026, 3, 5), 23)
    for data in ({"jenis": "JIMPITAN", "terkumpul": "400000", "dipakai": "150000"},
                 {"jenis": "JIMPITAN", "terkumpul": "100000", "dipakai": "0"},
                 {"jenis": "DANA_KEMATIAN", "terkumpul": "250000", "dipakai": "300000"}):
        response = client.post("/forum/", {"aksi": "dana", "tanggal": "2026-04-30", **data})
        assert response.status_code == 302
    funds = {f["jenis"]: (f["terkumpul"], f["dipakai"], f["saldo"])
             for f in client.get("/forum/").context["funds"]}
    assert funds == {"JIMPITAN": (500000, 150000, 350000),
                     "DANA_KEMATIAN": (250000, 300000, -50000)}
    html = client.get("/forum/").content.decode()
    assert "Jimpitan" in html and "-50000" in html
    # A future date, a negative sum: told beside the field, nothing written.
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post("/forum/", {"aksi": "pertemuan", "tanggal": tomorrow,
                                       "jenis": "RUTIN"})
    assert response.status_code == 400
    assert response.context["meeting_form"].has_error("tanggal", "future")
    response = client.post("/forum/", {"aksi": "dana", "tanggal": "2026-04-30",
                                       "jenis": "ARISAN", "terkumpul": "-5", "dipakai": "0"})
    assert response.status_code == 400 and response.context["fund_form"].has_error("terkumpul")
    assert (PertemuanForum.objects.count(), DanaKomunitas.objects.count()) == (1, 3)
    # Another village's officer cannot write to this forum; observers read it.
    client.force_login(operator_lain)
    assert client.post("/forum/", {"desa": CIBEUREUM, "aksi": "pertemuan",
                                   "tanggal": "2026-03-06", "jenis": "RUTIN"}).status_code == 404
    client.force_login(pengamat)
    response = client.get("/forum/", {"desa": CIBEUREUM})
    assert "Membahas lansia terlantar RW 03" in response.content.decode()
    assert response.context["meeting_form"] is None
    assert client.post("/forum/", {"desa": CIBEUREUM, "aksi": "dana"}).status_code == 403


def test_staff_choose_the_village_whose_forum_they_open(client, staf, groups):
    """A forum is a village's: the menu's link takes staff above a village down their area,
    kecamatan by kecamatan, to the village (it was a 400 asking for ?desa=)."""
    client.force_login(staf)
    html = client.get("/forum/").content.decode()
    assert '<a href="/forum/?wilayah=32.77.01">Cimahi Selatan</a>' in html
    html = client.get("/forum/", {"wilayah": "32.77.01"}).content.decode()
    assert f'<a href="/forum/?wilayah={CIBEUREUM}">Cibeureum</a>' in html
    # Another page's link to the village names it as an area: its forum page.
    response = client.get("/forum/", {"wilayah": CIBEUREUM})
    assert response.status_code == 200 and response.context["desa"].kode == CIBEUREUM
    assert client.get("/forum/", {"wilayah": "32.73"}).status_code == 404  # not theirs
