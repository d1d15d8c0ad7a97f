"""A case's status history, referrals and help, kept by the importer, the model and the admin;
the access log read by staff of the area only."""

import datetime

import pytest

from pmks.models import (
    KasusPMKS,
    KategoriPMKS,
    LogAkses,
    RiwayatStatus,
    Rujukan,
    StatusKasus,
    Tindakan,
)
from registry.models import Wilayah
from tests.conftest import CIBEUREUM
from tests.survey_files import case, imported, make_xlsx

S = StatusKasus


def history(kasus) -> list:
    return [(r.status, r.tanggal, r.oleh and r.oleh.username, r.catatan)
            for r in kasus.riwayat.select_related("oleh")]


def test_an_import_starts_each_history_and_keeps_a_status_it_changes(tmp_path, operator):
    path = make_xlsx(tmp_path, {"pmks": [
        case("Mak Icih", tanggal_identifikasi="12-03-2026"),
        case("Abah Entis", status="Ditangani"),
    ]})
    imported(path, user=operator)
    icih = KasusPMKS.objects.get(nama="Mak Icih")
    assert history(icih) == [(S.TERIDENTIFIKASI, datetime.date(2026, 3, 12), operator.username,
                              "impor survei")]
    imported(path, user=operator)  # unchanged: no new line
    assert RiwayatStatus.objects.count() == 2
    imported(make_xlsx(tmp_path, {"pmks": [
        case("Mak Icih", tanggal_identifikasi="12-03-2026", status="Dirujuk"),
        case("Abah Entis", status="Ditangani", catatan="dikunjungi"),  # status unchanged
    ]}, name="again.xlsx"), user=operator)
    assert [h[0] for h in history(icih)] == [S.TERIDENTIFIKASI, S.DIRUJUK]
    assert len(history(KasusPMKS.objects.get(nama="Abah Entis"))) == 1


def test_a_status_change_is_dated_by_whom_and_why(operator):
    kasus = KasusPMKS.objects.create(nama="Ujang", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.first())
    kasus.catat_status(operator, datetime.date(2026, 1, 5))
    kasus.ubah_status(S.DITANGANI, operator, datetime.date(2026, 2, 1), "dikunjungi kader")
    kasus.refresh_from_db()
    assert kasus.status == S.DITANGANI
    assert history(kasus) == [
        (S.TERIDENTIFIKASI, datetime.date(2026, 1, 5), operator.username, ""),
        (S.DITANGANI, datetime.date(2026, 2, 1), operator.username, "dikunjungi kader"),
    ]


def admin_form(client, url):
    """The admin change form's current values, as the browser would post them back."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for prefix in ("riwayat", "rujukan", "bantuan"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_the_admin_keeps_status_changes_and_who_recorded_a_referral(client, staf):
    kasus = KasusPMKS.objects.create(nama="Ujang", desa_id=CIBEUREUM,
                                     kategori=KategoriPMKS.objects.first())
    client.force_login(staf)
    url = f"/admin/pmks/kasuspmks/{kasus.pk}/change/"
    data = admin_form(client, url)
    data.update({"status": S.DIRUJUK, "rujukan-TOTAL_FORMS": 1,
                 "rujukan-0-tanggal": "2026-04-01", "rujukan-0-tujuan": "PANTI",
                 "rujukan-0-lembaga": "Panti Werdha Cimahi", "rujukan-0-kasus": kasus.pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [(h[0], h[2]) for h in history(kasus)] == [(S.DIRUJUK, staf.username)]
    referral = Rujukan.objects.get()
    assert (referral.tujuan, referral.lembaga, referral.oleh) == ("PANTI", "Panti Werdha Cimahi",
                                                                 staf)


@pytest.mark.parametrize(("role", "seen"), [
    ("staf", {"cbr", "city"}), ("staf_lain", {"bdg"}), ("operator", set()), ("pengamat", set()),
    ("admin_user", {"cbr", "city", "bdg", "national"}),
])
def test_the_access_log_is_read_by_staff_of_the_area(request, operator, role, seen):
    LogAkses.catat(operator, Tindakan.LIHAT, Wilayah.objects.get(pk=CIBEUREUM), keterangan="cbr")
    LogAkses.catat(operator, Tindakan.EKSPOR, Wilayah.objects.get(pk="32.77"), keterangan="city")
    LogAkses.catat(operator, Tindakan.EKSPOR, Wilayah.objects.get(pk="32.73"), keterangan="bdg")
    LogAkses.catat(operator, Tindakan.EKSPOR, None, keterangan="national")  # a whole-country export
    user = request.getfixturevalue(role)
    assert set(LogAkses.objects.visible_to(user).values_list("keterangan", flat=True)) == seen
