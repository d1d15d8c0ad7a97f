"""Several WKSBM forums in one village, each at its level (seed 003, Kedudukan: RT, RW, dukuh or
the village): the migration keeps a village's one forum as its village-level forum; officers add
forums below the village and keep each one's leaders, meetings and funds; a duplicate is told;
the page costs the same however many forums; the network page counts them all."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import (
    DanaKomunitas,
    Forum,
    PengurusForum,
    PertemuanForum,
    TingkatForum,
)
from tests.conftest import CIBEUREUM, MELONG

PAGE = f"/forum/?desa={CIBEUREUM}"


def constraint_message(name: str) -> str:
    return str(next(c for c in Forum._meta.constraints if c.name == name)
               .violation_error_message)


def add_forum(client, **data):
    return client.post("/forum/", {"aksi": "forum_baru", "desa": CIBEUREUM, "mekanisme": "TIM",
                                   **data})


# The migration ----------------------------------------------------------------------------------
# Transactional: schema changes cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_villages_forum_as_its_village_level_forum(
        reference_data_reloaded):
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("network", "0005_history_fewer_indexes")], [("network", "0006_forum_tingkat")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldForum = old.get_model("network", "Forum")
    forum = OldForum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    person = old.get_model("members", "Warga").objects.create(
        nik="3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
    old.get_model("network", "PengurusForum").objects.create(forum=forum, warga=person,
                                                              jabatan="Ketua")
    old.get_model("network", "PertemuanForum").objects.create(
        forum=forum, tanggal=datetime.date(2026, 3, 5), jenis="RUTIN")
    old.get_model("network", "DanaKomunitas").objects.create(
        forum=forum, jenis="JIMPITAN", tanggal=datetime.date(2026, 4, 30), terkumpul=400000)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    try:
        kept = Forum.objects.get()
        assert (kept.pk, kept.desa_id, kept.tingkat, kept.rw, kept.rt, kept.dukuh) == (
            forum.pk, CIBEUREUM, TingkatForum.DESA, None, None, "")
        assert [p.jabatan for p in kept.pengurus.all()] == ["Ketua"]
        assert (kept.pertemuan.count(), kept.dana.get().terkumpul) == (1, 400000)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# Forums below the village ------------------------------------------------------------------------
def test_two_rw_forums_and_the_village_forum_each_keep_their_own_records(
        client, operator, groups, make_warga):
    client.force_login(operator)
    assert client.post("/forum/", {"nama": "WKSBM Cibeureum", "mekanisme": "TIM",
                                   "anggota": [groups["dw"].kode]}).status_code == 302
    response = add_forum(client, tingkat="RW", rw="3", nama="WKSBM RW 03",
                         tanggal_dibentuk="2020-01-15")
    assert response.status_code == 302
    rw3 = Forum.objects.get(tingkat="RW", rw=3)
    assert response.url == f"{PAGE}#forum-{rw3.pk}"
    assert (rw3.desa_id, rw3.nama, rw3.tanggal_dibentuk) == (
        CIBEUREUM, "WKSBM RW 03", datetime.date(2020, 1, 15))
    assert add_forum(client, tingkat="RW", rw="1", nama="WKSBM RW 01").status_code == 302
    assert add_forum(client, tingkat="RT", rw="3", rt="2", nama="WKSBM RT 02/03").status_code == 302
    assert add_forum(client, tingkat="RT", rw="1", rt="2", nama="WKSBM RT 02/01").status_code == 302
    assert add_forum(client, tingkat="DUKUH", dukuh="Krajan",
                     nama="WKSBM Krajan").status_code == 302
    village = Forum.objects.get(tingkat="DESA")
    rw1 = Forum.objects.get(tingkat="RW", rw=1)
    # The page: the village's own first, then RW by RW (each RW before its RTs), then the dukuh.
    response = client.get(PAGE)
    assert [s["forum"].nama for s in response.context["sections"]] == [
        "WKSBM Cibeureum", "WKSBM RW 01", "WKSBM RT 02/01", "WKSBM RW 03", "WKSBM RT 02/03",
        "WKSBM Krajan"]
    # Each forum's forms write to that forum.
    response = client.post("/forum/", {"desa": CIBEUREUM, "forum": rw3.pk, "aksi": "pertemuan",
                                       "tanggal": "2026-03-05", "jenis": "INSIDENTAL",
                                       "hadir": "12"})
    assert response.status_code == 302 and response.url == f"{PAGE}#pertemuan-{rw3.pk}"
    client.post("/forum/", {"desa": CIBEUREUM, "forum": rw1.pk, "aksi": "dana",
                            "jenis": "JIMPITAN", "tanggal": "2026-04-30", "terkumpul": "120000",
                            "dipakai": "20000"})
    client.post("/forum/", {"desa": CIBEUREUM, "aksi": "dana", "jenis": "JIMPITAN",
                            "tanggal": "2026-04-30", "terkumpul": "500000", "dipakai": "0"})
    person = make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
    client.post("/forum/", {"desa": CIBEUREUM, "forum": rw1.pk, "aksi": "pengurus",
                            "nik": person.nik, "jabatan": "Ketua RW"})
    assert list(PertemuanForum.objects.values_list("forum", "hadir")) == [(rw3.pk, 12)]
    assert sorted(DanaKomunitas.objects.values_list("forum", "terkumpul")) == sorted(
        [(rw1.pk, 120000), (village.pk, 500000)])
    assert list(PengurusForum.objects.values_list("forum", "jabatan")) == [(rw1.pk, "Ketua RW")]
    sections = {s["forum"].pk: s for s in client.get(PAGE).context["sections"]}
    assert [(f["jenis"], f["saldo"]) for f in sections[rw1.pk]["funds"]] == [("JIMPITAN", 100000)]
    assert [(f["jenis"], f["saldo"]) for f in sections[village.pk]["funds"]] == [
        ("JIMPITAN", 500000)]
    assert [m.hadir for m in sections[rw3.pk]["meetings"]] == [12]
    assert sections[rw3.pk]["leaders"] == [] and sections[village.pk]["meetings"] == []
    assert [g.kode for g in sections[village.pk]["members"]] == ["CBR-DW-001"]
    # A forum's own page edits its data and member groups.
    url = f"/forum/{rw3.pk}/ubah/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"nama": "WKSBM RW 03 Sejahtera", "mekanisme": "DEWAN",
                                 "anggota": [groups["kt"].kode, groups["py"].kode]})
    assert response.status_code == 302 and response.url == f"{PAGE}#forum-{rw3.pk}"
    rw3.refresh_from_db()
    assert (rw3.nama, rw3.mekanisme, rw3.tingkat, rw3.rw) == (
        "WKSBM RW 03 Sejahtera", "DEWAN", "RW", 3)
    assert {g.kode for g in rw3.anggota.all()} == {"CBR-KT-001", "CBR-PY-001"}
    # Another village's group is no choice.
    response = client.post(url, {"nama": "X", "mekanisme": "TIM", "anggota": [groups["mlg"].kode]})
    assert response.status_code == 400 and response.context["form"].has_error("anggota")


@pytest.mark.parametrize(("first", "again", "field", "constraint"), [
    ({"tingkat": "RW", "rw": "3"}, {"tingkat": "RW", "rw": "3"}, "rw", "forum_rw_unik"),
    ({"tingkat": "RT", "rw": "3", "rt": "2"}, {"tingkat": "RT", "rw": "3", "rt": "2"}, "rt",
     "forum_rt_unik"),
    ({"tingkat": "DUKUH", "dukuh": "Krajan"}, {"tingkat": "DUKUH", "dukuh": " krajan "},
     "dukuh", "forum_dukuh_unik"),
])
def test_a_second_forum_for_the_same_place_is_refused_beside_its_field(
        client, operator, first, again, field, constraint):
    client.force_login(operator)
    assert add_forum(client, nama="Pertama", **first).status_code == 302
    response = add_forum(client, nama="Kedua", **again)
    assert response.status_code == 400
    form = response.context["new_form"]
    assert form.errors[field] == [constraint_message(constraint)]
    assert list(Forum.objects.values_list("nama", flat=True)) == ["Pertama"]


def test_the_same_number_elsewhere_is_another_place(client, operator, operator_lain):
    client.force_login(operator)
    assert add_forum(client, tingkat="RT", rw="3", rt="2", nama="RT 2/3").status_code == 302
    assert add_forum(client, tingkat="RT", rw="4", rt="2", nama="RT 2/4").status_code == 302
    assert add_forum(client, tingkat="RW", rw="2", nama="RW 2").status_code == 302
    client.force_login(operator_lain)
    response = client.post("/forum/", {"aksi": "forum_baru", "desa": MELONG, "mekanisme": "TIM",
                                       "tingkat": "RT", "rw": "3", "rt": "2", "nama": "RT 2/3"})
    assert response.status_code == 302
    assert Forum.objects.filter(tingkat="RT", rw=3, rt=2).count() == 2


@pytest.mark.parametrize(("typed", "errors"), [
    ({"tingkat": "RW"}, {"rw"}),
    ({"tingkat": "RT", "rw": "3"}, {"rt"}),
    ({"tingkat": "DUKUH"}, {"dukuh"}),
    ({"tingkat": "RW", "rw": "3", "dukuh": "Krajan"}, {"dukuh"}),
    ({"tingkat": "RW", "rw": "1000"}, {"rw"}),
    ({"tingkat": "RT", "rw": "0", "rt": "abc"}, {"rw", "rt"}),
    ({"tingkat": "DESA"}, {"tingkat"}),  # the village's own is recorded with its own form
    ({"tingkat": ""}, {"tingkat"}),
])
def test_a_level_needs_its_place_and_only_it(client, operator, typed, errors):
    client.force_login(operator)
    response = add_forum(client, nama="Forum", **typed)
    assert response.status_code == 400
    assert set(response.context["new_form"].errors) == errors
    assert not Forum.objects.exists()


def test_observers_and_other_villages_cannot_add_or_edit_forums(
        client, operator_lain, staf_lain, pengamat):
    rw = Forum.objects.create(desa_id=CIBEUREUM, nama="RW 1", mekanisme="TIM",
                              tingkat=TingkatForum.RW, rw=1)
    data = {"tingkat": "RW", "rw": "2", "nama": "RW 2"}
    client.force_login(pengamat)
    assert add_forum(client, **data).status_code == 403
    assert client.get(f"/forum/{rw.pk}/ubah/").status_code == 403
    assert client.post(f"/forum/{rw.pk}/ubah/", {"nama": "X", "mekanisme": "TIM"}).status_code \
        == 403
    assert client.get(PAGE).context["new_form"] is None
    for user in (operator_lain, staf_lain):
        client.force_login(user)
        assert add_forum(client, **data).status_code == 404
        assert client.get(f"/forum/{rw.pk}/ubah/").status_code == 404
        # Naming a forum of Cibeureum on the own village's page: not there.
        assert client.post("/forum/", {"desa": MELONG, "forum": rw.pk, "aksi": "pertemuan",
                                       "tanggal": "2026-03-05", "jenis": "RUTIN"}).status_code \
            == 404
    assert list(Forum.objects.values_list("nama", flat=True)) == ["RW 1"]
    assert not PertemuanForum.objects.exists()


# The page's cost ------------------------------------------------------------------------------
def forum_with_records(desa, n, person, groups, **place):
    forum = Forum.objects.create(desa_id=desa, nama=f"Forum {n}", mekanisme="TIM", **place)
    forum.anggota.add(*groups)
    PengurusForum.objects.create(forum=forum, warga=person, jabatan=f"Ketua {n}")
    PertemuanForum.objects.create(forum=forum, tanggal=datetime.date(2026, 3, n), jenis="RUTIN")
    DanaKomunitas.objects.create(forum=forum, jenis="ARISAN", tanggal=datetime.date(2026, 4, n),
                                 terkumpul=1000 * n)
    return forum


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_for_one_forum_and_for_five(client, operator, groups, make_warga):
    person = make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
    members = [groups["dw"], groups["kt"]]
    forum_with_records(CIBEUREUM, 1, person, members)
    client.force_login(operator)
    one = page_queries(client)
    forum_with_records(CIBEUREUM, 2, person, members, tingkat="RW", rw=1)
    forum_with_records(CIBEUREUM, 3, person, members, tingkat="RW", rw=2)
    forum_with_records(CIBEUREUM, 4, person, members, tingkat="RT", rw=2, rt=5)
    forum_with_records(CIBEUREUM, 5, person, [groups["py"]], tingkat="DUKUH", dukuh="Krajan")
    assert page_queries(client) == one
    html = client.get(PAGE).content.decode()
    assert all(f"Ketua {n}" in html for n in range(1, 6))
    assert all(f'name="forum" value="{pk}"' in html
               for pk in Forum.objects.values_list("pk", flat=True))


# The network page and the admin --------------------------------------------------------------
def test_the_network_page_counts_every_forum_and_their_groups_once(client, pengamat, groups):
    from network import graph
    from registry.models import Wilayah

    village = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM", mekanisme="TIM")
    village.anggota.add(groups["dw"])
    rw = Forum.objects.create(desa_id=CIBEUREUM, nama="RW 1", mekanisme="TIM",
                              tingkat=TingkatForum.RW, rw=1)
    rw.anggota.add(groups["dw"], groups["kt"])  # the Dasa Wisma is in both: counted once
    Forum.objects.create(desa_id=CIBEUREUM, nama="Krajan", mekanisme="TIM",
                         tingkat=TingkatForum.DUKUH, dukuh="Krajan")
    Forum.objects.create(desa_id=MELONG, nama="Melong", mekanisme="TIM").anggota.add(
        groups["mlg"])
    figures = graph.forums(Wilayah.objects.get(pk=CIBEUREUM))
    assert (figures["forum"], figures["anggota"]) == (3, 2)
    assert [n for _label, n in figures["per_tingkat"]] == [1, 1, 0, 1]  # village, RW, RT, dukuh
    kecamatan = graph.forums(Wilayah.objects.get(pk="32.77.01"))
    assert (kecamatan["forum"], kecamatan["anggota"]) == (4, 3)
    client.force_login(pengamat)
    response = client.get("/jaringan/", {"wilayah": CIBEUREUM})
    assert response.status_code == 200 and response.context["forums"] == figures


def test_the_admin_shows_and_filters_forums_by_level(client, admin_user):
    Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Desa", mekanisme="TIM")
    Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM RW Tiga", mekanisme="TIM",
                         tingkat=TingkatForum.RW, rw=3)
    client.force_login(admin_user)
    response = client.get("/admin/network/forum/", {"tingkat__exact": "RW"})
    assert response.status_code == 200
    assert [f.nama for f in response.context["cl"].result_list] == ["WKSBM RW Tiga"]
    assert "tingkat" in response.context["cl"].list_display
