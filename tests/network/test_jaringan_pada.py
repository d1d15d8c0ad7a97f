"""The network as the registry stood (`jaringan --pada`, the network page's `?pada=`): a link
removed since still links, a group created since is absent, the isolated groups of that moment."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import CIBEUREUM


@pytest.fixture
def network(make_perkumpulan):
    from network.models import Hubungan

    a = make_perkumpulan("CBR-DW-001")
    b = make_perkumpulan("CBR-KT-001", jenis="KT")
    make_perkumpulan("CBR-PSY-001", jenis="POSYANDU")
    link = Hubungan.objects.create(perkumpulan=a, mitra_perkumpulan=b, bentuk="KOORDINASI")
    return link


def figures(*args) -> dict:
    out = StringIO()
    call_command("jaringan", "--wilayah", CIBEUREUM, *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_network_as_it_stood_keeps_a_removed_link_and_leaves_out_a_new_group(
        network, make_perkumpulan):
    moment = timezone.localtime()
    network.delete()
    make_perkumpulan("CBR-BKR-001", jenis="BKR")
    now = figures()
    assert (now["perkumpulan"], now["hubungan"], now["terisolasi"]) == (4, 0, 4)
    past = figures("--pada", moment.isoformat())
    assert (past["perkumpulan"], past["hubungan"], past["terisolasi"]) == (3, 1, 1)
    assert past["pada"].startswith(moment.strftime("%Y-%m-%dT%H:%M"))


def test_the_overlap_of_members_as_it_stood(network, make_warga):
    from members.models import Keanggotaan

    person = make_warga("3277014101800001", wilayah_id=CIBEUREUM)
    for group in (network.perkumpulan, network.mitra_perkumpulan):
        Keanggotaan.objects.create(warga=person, perkumpulan=group, peran="ANGGOTA")
    moment = timezone.localtime()
    membership = Keanggotaan.objects.filter(warga=person).first()
    membership.selesai = timezone.localdate()
    membership.save()
    assert figures()["tumpang_tindih"]["hubungan"] == 0
    assert figures("--pada", moment.isoformat())["tumpang_tindih"] == {
        "hubungan": 1, "orang_di_lebih_dari_satu_perkumpulan": 1}


def test_a_bad_moment_is_told(db):
    with pytest.raises(CommandError, match="--pada"):
        figures("--pada", "kemarin")


def test_the_network_page_takes_a_date(network, client, operator):
    moment = timezone.localtime()
    network.delete()
    client.force_login(operator)
    page = client.get("/jaringan/", {"wilayah": CIBEUREUM, "pada": moment.isoformat()})
    assert page.status_code == 200
    assert page.context["figures"]["hubungan"] == 1
    assert 'name="pada"' in page.content.decode()
    assert client.get("/jaringan/", {"wilayah": CIBEUREUM}).context["figures"]["hubungan"] == 0
    bad = client.get("/jaringan/", {"wilayah": CIBEUREUM, "pada": "2026-02-30"})
    assert bad.status_code == 400
