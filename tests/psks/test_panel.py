"""The group page's panel of trained leaders: each current leader with the trainings attended,
in one query whatever the group's size; numbers only for observers."""

import datetime

from django.test import RequestFactory

from members.models import Keanggotaan
from psks import views
from psks.models import Pelatihan, PesertaPelatihan


def panel_of(response) -> str:
    html = response.content.decode()
    start = html.index('id="pelatihan"')
    return html[start:html.index("</section>", start)]


def test_the_group_page_shows_which_leaders_were_trained(world, client, operator):
    client.force_login(operator)
    response = client.get("/perkumpulan/CBR-DW-001/")
    context = next(p["context"] for p in response.context["panels"]
                   if p["template"] == "psks/panel_pelatihan.html")
    assert (context["trained"], context["leaders"]) == (2, 3)
    # The chair first, then the secretary and the treasurer.
    assert [r["nama"] for r in context["rows"]] == ["Ani", "Budi", "Cici"]
    panel = panel_of(response)
    assert "Ani" in panel and "Pengelolaan keuangan kelompok" in panel
    assert "Administrasi kelompok" in panel  # Ani's second training
    assert "Dodi" not in panel  # a plain member is no leader


def test_observers_see_the_number_of_trained_leaders_only(world, client, pengamat):
    client.force_login(pengamat)
    panel = panel_of(client.get("/perkumpulan/CBR-DW-001/"))
    assert "2" in panel and "3" in panel
    assert "Ani" not in panel and "Pengelolaan keuangan" not in panel


def test_a_group_without_leaders_has_no_panel(world, client, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-009", nama="Dasa Wisma Baru")
    client.force_login(operator)
    assert 'id="pelatihan"' not in client.get("/perkumpulan/CBR-DW-009/").content.decode()


def test_the_panel_costs_one_query_whatever_the_groups_size(
    world, operator, make_warga, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = operator
    small = world["groups"]["py"]  # one leader, one training
    with django_assert_num_queries(1):
        context = views.pelatihan_panel(request, small)
    assert (context["trained"], context["leaders"]) == (1, 1)
    big = world["groups"]["dw"]
    trainings = [Pelatihan.objects.create(topik=f"Pelatihan {i}", penyelenggara="Dinsos",
                                          tanggal_mulai=datetime.date(2025, 1, i + 1),
                                          wilayah_id=big.desa_id) for i in range(5)]
    for i, peran in enumerate(["WAKIL"] * 8):
        person = make_warga(f"327701010180{i + 50:04d}", nama=f"Wakil {i}")
        Keanggotaan.objects.create(perkumpulan=big, warga=person, peran=peran)
        for training in trainings:
            PesertaPelatihan.objects.create(pelatihan=training, warga=person)
    with django_assert_num_queries(1):
        context = views.pelatihan_panel(request, big)
    assert (context["trained"], context["leaders"]) == (10, 11)
    assert [len(r["trainings"]) for r in context["rows"] if r["peran"] == "WAKIL"] == [5] * 8
