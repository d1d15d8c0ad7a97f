"""The authorisation matrix: every URL of the site, for every role, against what registry/access.py
says the role may do.

`ROWS` names every URL pattern (the admin's included, generated from `ADMIN_MODELS`) with how to
build its address for a record of a given village, the capability a GET needs, the capability a
POST needs, and which records the role must be able to reach. The expected answer is worked out
from those and from the capabilities of registry/access.py, never from what a view answers:

- anonymous: the login page (the admin's own login page for the admin);
- lacking the capability: refused — 403, or 404 (the admin also answers a record it will not
  show with its "does not exist" redirect to its index);
- the capability, but a record of another area (a Melong group asked by the Cibeureum operator, a
  Bandung case by Cimahi staff): not found — 404, or the admin's "does not exist" redirect;
- otherwise the page (or what the row says a successful request answers).

A refused or not-found POST must leave every row as it was. Each request runs in a transaction
rolled back afterwards, so that one role's successful POST (a link removed) does not change what
the next role finds. A URL pattern missing from the table fails `test_every_url_has_a_row`.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from registry import access
from tests import world as world_module
from tests.conftest import CIBEUREUM

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "operator", "operator_lain", "kecamatan", "staf", "staf_lain", "pengamat",
         "admin_user"]


# Capabilities, from registry/access.py ---------------------------------------------------------
def _logged_in(user) -> bool:
    return user.is_authenticated and user.is_active


CAPS: dict[str, Callable] = {
    "public": lambda user: True,  # no login needed
    "page": _logged_in,  # any logged-in user (what the user reaches is still limited by area)
    "personal": access.can_see_personal_data,
    "pmks": access.can_see_pmks,
    "edit": access.can_edit,
    "edit_pmks": lambda user: access.can_edit(user) and access.can_see_pmks(user),
    "lists": access.can_extend_lists,
    "logs": access.can_read_access_logs,
    "users": access.can_manage_users,  # administrators (Django superusers)
    "unlock": access.can_unlock_accounts,
    "never": lambda user: False,
    # Verification rounds: the village proposes, the kecamatan verifies, the district approves.
    "propose": lambda user: access.user_is(user, "operator", "admin"),
    "verify": lambda user: access.user_is(user, "kecamatan", "admin"),
    "approve": lambda user: access.user_is(user, "staf", "admin"),
    "rounds": lambda user: access.user_is(user, "staf", "admin"),
}


# Reach: may the user reach the record of `place` (its village's code)? -------------------------
def in_area(user, w, place) -> bool:
    code = w.place[place]
    if user.peran == "admin" and user.wilayah_id is None:
        return True
    area = user.wilayah_id
    return area is not None and (code == area or code.startswith(area + "."))


def import_reach(user, w, place) -> bool:
    """Operators see the imports they made; staff and administrators those of their area."""
    if user.peran == "operator":
        return w.impor[place].pengguna_id == user.pk
    return in_area(user, w, place)


def round_reach(user, w, place) -> bool:
    """A round is seen in its district, within it and from the province above it."""
    if user.peran == "admin" and user.wilayah_id is None:
        return True
    district, area = w.putaran[place].wilayah_id, user.wilayah_id
    return area is not None and (area == district or area.startswith(district + ".")
                                 or district.startswith(area + "."))


def uploader(user, w, place) -> bool:
    """Only who uploaded a workbook confirms it."""
    return w.impor[place].pengguna_id == user.pk


# The table ---------------------------------------------------------------------------------------
@dataclass
class Row:
    url: Callable  # (world, place) -> the address
    get: str | None = "page"  # capability a GET needs; None: POST only (GET answers 405)
    post: str | None = None  # capability a POST needs; None: not posted
    reach: Callable | None = None  # (user, world, place) -> bool; None: not about one record
    ok: set = field(default_factory=lambda: {200})  # a permitted GET answers
    post_ok: set = field(default_factory=lambda: {400})  # a permitted POST answers
    data: Callable | None = None  # (world, place) -> the POST's data
    done: Callable | None = None  # (world, place, response) -> bool: the permitted POST worked
    admin: bool = False
    anonymous: set = field(default_factory=lambda: {"login"})


API_ANON = {401, 403}  # the JSON API answers an anonymous request itself


def q(w, p) -> str:
    """The query string of a page about the village of `p`."""
    return f"?wilayah={w.place[p]}"


def r(name, *args, query="", **kwargs) -> str:
    return reverse(name, args=args, kwargs=kwargs or None) + query


WEB = {
    # registry
    "registry:dashboard": Row(lambda w, p: r("registry:dashboard")),
    "registry:perkumpulan_list": Row(lambda w, p: r("registry:perkumpulan_list")),
    "registry:perkumpulan_xlsx": Row(lambda w, p: r("registry:perkumpulan_xlsx")),
    "registry:perkumpulan_cari": Row(lambda w, p: r("registry:perkumpulan_cari", query="?q=dasa")),
    "registry:perkumpulan_new": Row(lambda w, p: r("registry:perkumpulan_new"), get="edit",
                                     post="edit"),
    "registry:perkumpulan_edit": Row(
        lambda w, p: r("registry:perkumpulan_edit", w.group[p].kode), get="edit", post="edit",
        reach=in_area, post_ok={400, 409}),
    "registry:perkumpulan_detail": Row(
        lambda w, p: r("registry:perkumpulan_detail", w.group[p].kode), reach=in_area),
    "registry:profil_list": Row(lambda w, p: r("registry:profil_list", w.place[p]),
                                reach=in_area),
    "registry:profil_new": Row(lambda w, p: r("registry:profil_new", w.place[p]), get="edit",
                               post="edit", reach=in_area),
    "registry:profil_edit": Row(lambda w, p: r("registry:profil_edit", w.place[p], 2006),
                                get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "registry:impor_new": Row(lambda w, p: r("registry:impor_new"), get="edit", post="edit"),
    "registry:impor_list": Row(lambda w, p: r("registry:impor_list")),
    "registry:impor_detail": Row(lambda w, p: r("registry:impor_detail", w.impor[p].pk),
                                 get="personal", reach=import_reach),
    "registry:impor_confirm": Row(
        lambda w, p: r("registry:impor_confirm", w.impor[p].pk), get=None, post="edit",
        reach=uploader, post_ok={302}),  # no stored file: "upload it again", nothing written
    "registry:impor_cancel": Row(
        lambda w, p: r("registry:impor_cancel", w.impor[p].pk), get=None, post="edit",
        reach=uploader, post_ok={302}),  # to the upload page, or back: "cannot be cancelled"
    "registry:impor_errors": Row(lambda w, p: r("registry:impor_errors", w.impor[p].pk),
                                 get="personal", reach=import_reach),
    "registry:workbook_template": Row(lambda w, p: r("registry:workbook_template")),
    "registry:export_page": Row(lambda w, p: r("registry:export_page")),
    "odk:xlsform": Row(lambda w, p: r("odk:xlsform", query=q(w, p)), reach=in_area),
    "registry:workbook_export": Row(
        lambda w, p: r("registry:workbook_export", query=f"?wilayah={w.place[p]}"),
        reach=in_area),
    # printed documents: as the pages they print
    "registry:perkumpulan_cetak": Row(
        lambda w, p: r("registry:perkumpulan_cetak", w.group[p].kode), reach=in_area),
    "registry:rekap_cetak": Row(
        lambda w, p: r("registry:rekap_cetak", query=f"?wilayah={w.place[p]}"), reach=in_area),
    "registry:sk_berakhir": Row(lambda w, p: r("registry:sk_berakhir")),
    "registry:kop_surat": Row(lambda w, p: r("registry:kop_surat", w.place[p]), get="edit",
                              post="edit", reach=in_area),
    "members:anggota_cetak": Row(lambda w, p: r("members:anggota_cetak", w.group[p].kode),
                                 reach=in_area),
    "network:pertemuan_cetak": Row(lambda w, p: r("network:pertemuan_cetak",
                                                  w.pertemuan[p].pk), reach=in_area),
    "verifikasi:usulan_cetak": Row(
        lambda w, p: r("verifikasi:usulan_cetak", w.putaran[p].pk, w.place[p]), get="pmks",
        reach=in_area),
    "registry:rekap": Row(lambda w, p: r("registry:rekap", query=f"?wilayah={w.place[p]}"),
                          reach=in_area),
    "registry:rekap_xlsx": Row(
        lambda w, p: r("registry:rekap_xlsx", query=f"?wilayah={w.place[p]}"), reach=in_area),
    # members
    "members:warga_list": Row(lambda w, p: r("members:warga_list"), get="personal"),
    "members:warga_cari": Row(lambda w, p: r("members:warga_cari", query="?q=an"),
                              get="personal"),
    "members:warga_detail": Row(lambda w, p: r("members:warga_detail", w.warga[p].pk),
                                get="personal", reach=in_area),
    "members:warga_edit": Row(lambda w, p: r("members:warga_edit", w.warga[p].pk),
                              get="edit", post="edit", reach=in_area),
    "members:anggota_add": Row(
        lambda w, p: r("members:anggota_add", w.group[p].kode), get=None, post="edit",
        reach=in_area),
    "members:keanggotaan_detail": Row(
        lambda w, p: r("members:keanggotaan_detail", w.anggota[p].pk), get="edit",
        reach=in_area),
    "members:keanggotaan_role": Row(
        lambda w, p: r("members:keanggotaan_role", w.anggota[p].pk), get=None, post="edit",
        reach=in_area, post_ok={302}, data=lambda w, p: {"peran": "ANGGOTA"},
        done=lambda w, p, response: type(w.anggota[p]).objects.get(pk=w.anggota[p].pk).selesai
        is not None),
    "members:keanggotaan_end": Row(
        lambda w, p: r("members:keanggotaan_end", w.anggota[p].pk), get=None, post="edit",
        reach=in_area, post_ok={302},
        done=lambda w, p, response: type(w.anggota[p]).objects.get(pk=w.anggota[p].pk).selesai
        is not None),
    "members:keluarga_new": Row(lambda w, p: r("members:keluarga_new"), get="edit",
                                post="edit"),
    "members:keluarga_detail": Row(lambda w, p: r("members:keluarga_detail", w.keluarga[p].pk),
                                   get="personal", reach=in_area),
    "members:keluarga_edit": Row(lambda w, p: r("members:keluarga_edit", w.keluarga[p].pk),
                                 get="edit", post="edit", reach=in_area),
    "members:anggota_keluarga_add": Row(
        lambda w, p: r("members:anggota_keluarga_add", w.keluarga[p].pk), get=None,
        post="edit", reach=in_area),
    "members:anggota_keluarga_end": Row(
        lambda w, p: r("members:anggota_keluarga_end", w.anggota_keluarga[p].pk), get=None,
        post="edit", reach=in_area, post_ok={302}, data=lambda w, p: {"selesai": "2024-01-01"},
        done=lambda w, p, response: type(w.anggota_keluarga[p]).objects.get(
            pk=w.anggota_keluarga[p].pk).selesai is not None),
    # network
    "network:hubungan_add": Row(
        lambda w, p: r("network:hubungan_add", w.group[p].kode), get=None, post="edit",
        reach=in_area),
    "network:dana_add": Row(
        lambda w, p: r("network:dana_add", w.group[p].kode), get=None, post="edit",
        reach=in_area),
    # GET asks first (a page with the button); the POST removes.
    "network:hubungan_remove": Row(
        lambda w, p: r("network:hubungan_remove", w.hubungan[p].pk), get="edit", post="edit",
        reach=in_area, post_ok={302},
        done=lambda w, p, response: not type(w.hubungan[p]).objects.filter(
            pk=w.hubungan[p].pk).exists()),
    "network:forum": Row(lambda w, p: r("network:forum", query=f"?desa={w.place[p]}"),
                         post="edit", reach=in_area),
    # A forum's own data (the world's forum is a village's own; the page edits any forum).
    "network:forum_edit": Row(lambda w, p: r("network:forum_edit", w.forum[p].pk), get="edit",
                              post="edit", reach=in_area, post_ok={400, 409}),
    "network:jaringan": Row(lambda w, p: r("network:jaringan", query=f"?wilayah={w.place[p]}"),
                            reach=in_area),
    "network:jaringan_download": Row(
        lambda w, p: r("network:jaringan_download", format="gexf", query=f"?wilayah={w.place[p]}"),
        reach=in_area),
    "network:pengurus_end": Row(
        lambda w, p: r("network:pengurus_end", w.pengurus[p].pk), get="edit", post="edit",
        reach=in_area, post_ok={302},
        done=lambda w, p, response: type(w.pengurus[p]).objects.get(pk=w.pengurus[p].pk).selesai
        is not None),
    # psks: workers and participants are people (observers: numbers only, on the same pages)
    "psks:index": Row(lambda w, p: r("psks:index", query=f"?wilayah={w.place[p]}"),
                      reach=in_area),
    "psks:petugas_new": Row(lambda w, p: r("psks:petugas_new"), get="edit", post="edit"),
    "psks:petugas_edit": Row(lambda w, p: r("psks:petugas_edit", w.petugas[p].pk), get="edit",
                             post="edit", reach=in_area, post_ok={400, 409}),
    "psks:lks_new": Row(lambda w, p: r("psks:lks_new"), get="edit", post="edit"),
    "psks:lks_edit": Row(lambda w, p: r("psks:lks_edit", w.lks[p].pk), get="edit", post="edit",
                         reach=in_area, post_ok={400, 409}),
    "psks:pelatihan_new": Row(lambda w, p: r("psks:pelatihan_new"), get="edit", post="edit"),
    "psks:pelatihan_detail": Row(lambda w, p: r("psks:pelatihan_detail", w.pelatihan[p].pk),
                                 reach=in_area),
    "psks:pelatihan_edit": Row(lambda w, p: r("psks:pelatihan_edit", w.pelatihan[p].pk),
                               get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "psks:peserta_add": Row(lambda w, p: r("psks:peserta_add", w.pelatihan[p].pk), get=None,
                            post="edit", reach=in_area),
    # bantuan: programmes (totals) for every role; recipients name the poor (never observers)
    "bantuan:program_list": Row(lambda w, p: r("bantuan:program_list")),
    "bantuan:program_new": Row(lambda w, p: r("bantuan:program_new"), get="edit", post="edit"),
    "bantuan:program_detail": Row(lambda w, p: r("bantuan:program_detail", w.program[p].pk),
                                  reach=in_area),
    "bantuan:program_edit": Row(lambda w, p: r("bantuan:program_edit", w.program[p].pk),
                                get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "bantuan:program_xlsx": Row(lambda w, p: r("bantuan:program_xlsx", w.program[p].pk),
                                get="pmks", reach=in_area),
    "bantuan:ganda_list": Row(lambda w, p: r("bantuan:ganda_list"), get="pmks"),
    "bantuan:penerima_add": Row(lambda w, p: r("bantuan:penerima_add", w.program[p].pk),
                                get="edit_pmks", post="edit_pmks", reach=in_area),
    "bantuan:penerima_detail": Row(lambda w, p: r("bantuan:penerima_detail", w.penerima[p].pk),
                                   get="pmks", reach=in_area),
    "bantuan:penerima_stop": Row(lambda w, p: r("bantuan:penerima_stop", w.penerima[p].pk),
                                 get=None, post="edit_pmks", reach=in_area),
    "bantuan:penyaluran_add": Row(lambda w, p: r("bantuan:penyaluran_add", w.penerima[p].pk),
                                  get=None, post="edit_pmks", reach=in_area),
    "bantuan:penyaluran_bukti": Row(
        lambda w, p: r("bantuan:penyaluran_bukti", w.penyaluran[p].pk), get="pmks",
        reach=in_area),
    "bantuan:laporan_add": Row(lambda w, p: r("bantuan:laporan_add", w.stimulan[p].pk),
                               get=None, post="edit_pmks", reach=in_area),
    "bantuan:laporan_list": Row(lambda w, p: r("bantuan:laporan_list")),
    # A stimulus report's evidence: a group's, no personal data, for every role of the area.
    "bantuan:laporan_bukti": Row(lambda w, p: r("bantuan:laporan_bukti", w.laporan[p].pk),
                                 reach=in_area),
    # verifikasi: rounds (opened and changed by Dinas Sosial), their progress for every role
    "verifikasi:putaran_list": Row(lambda w, p: r("verifikasi:putaran_list")),
    "verifikasi:putaran_new": Row(lambda w, p: r("verifikasi:putaran_new"), get="rounds",
                                  post="rounds"),
    "verifikasi:putaran_detail": Row(lambda w, p: r("verifikasi:putaran_detail",
                                                    w.putaran[p].pk), reach=round_reach),
    "verifikasi:putaran_edit": Row(lambda w, p: r("verifikasi:putaran_edit", w.putaran[p].pk),
                                   get="rounds", post="rounds", reach=round_reach),
    "verifikasi:usulan_selisih": Row(
        lambda w, p: r("verifikasi:usulan_selisih", w.putaran[p].pk, w.place[p]), get="pmks",
        reach=in_area),
    # verifikasi: a village's list and each step on it (the list's stage for every role, its
    # items for the roles that see PMKS)
    "verifikasi:usulan_detail": Row(
        lambda w, p: r("verifikasi:usulan_detail", w.putaran[p].pk, w.place[p]), post="verify",
        reach=in_area, post_ok={302}),
    "verifikasi:usulan_ajukan": Row(
        lambda w, p: r("verifikasi:usulan_ajukan", w.putaran[p].pk, w.place[p]), get="propose",
        post="propose", reach=in_area, ok={302}, post_ok={400, 409}),  # already submitted
    "verifikasi:usulan_perbarui": Row(
        lambda w, p: r("verifikasi:usulan_perbarui", w.putaran[p].pk, w.place[p]), get=None,
        post="propose", reach=in_area, post_ok={302}),
    "verifikasi:usulan_verifikasi": Row(
        lambda w, p: r("verifikasi:usulan_verifikasi", w.putaran[p].pk, w.place[p]), get=None,
        post="verify", reach=in_area, post_ok={409}),  # items still awaiting
    "verifikasi:usulan_setujui": Row(
        lambda w, p: r("verifikasi:usulan_setujui", w.putaran[p].pk, w.place[p]), get=None,
        post="approve", reach=in_area, post_ok={409}),  # not verified yet
    "verifikasi:usulan_kembalikan": Row(
        lambda w, p: r("verifikasi:usulan_kembalikan", w.putaran[p].pk, w.place[p]), get=None,
        post="approve", reach=in_area, post_ok={400, 409}),
    "verifikasi:berita_acara": Row(
        lambda w, p: r("verifikasi:berita_acara", w.putaran[p].pk, w.place[p]), get="personal",
        reach=in_area),
    "verifikasi:item_detail": Row(lambda w, p: r("verifikasi:item_detail", w.item[p].pk),
                                  get="pmks", reach=in_area),
    "verifikasi:item_terima": Row(lambda w, p: r("verifikasi:item_terima", w.item[p].pk),
                                  get=None, post="verify", reach=in_area, post_ok={302}),
    "verifikasi:item_kembalikan": Row(
        lambda w, p: r("verifikasi:item_kembalikan", w.item[p].pk), get=None, post="verify",
        reach=in_area),  # no reason given
    "verifikasi:item_ajukan_ulang": Row(
        lambda w, p: r("verifikasi:item_ajukan_ulang", w.item[p].pk), get=None,
        post="propose", reach=in_area, post_ok={400, 409}),  # not returned
    # ketahanan: indicators and rounds of an area for every role (observers see no names);
    # the Pokja, assessments, plans and named rounds written by the village's editors
    "ketahanan:indikator": Row(lambda w, p: r("ketahanan:indikator", query=q(w, p)),
                               reach=in_area),
    # A village has no villages to compare: told with a 400 (the page's tests compare them).
    "ketahanan:indikator_banding": Row(
        lambda w, p: r("ketahanan:indikator_banding", query=q(w, p)), reach=in_area, ok={400}),
    "ketahanan:indikator_xlsx": Row(lambda w, p: r("ketahanan:indikator_xlsx", query=q(w, p)),
                                    reach=in_area),
    "ketahanan:putaran_list": Row(lambda w, p: r("ketahanan:putaran_list", query=q(w, p)),
                                  reach=in_area),
    "ketahanan:putaran_new": Row(lambda w, p: r("ketahanan:putaran_new", query=q(w, p)),
                                 get="edit", post="edit", reach=in_area),
    "ketahanan:perubahan": Row(lambda w, p: r("ketahanan:perubahan", query=q(w, p)),
                               reach=in_area),
    "ketahanan:pokja_list": Row(lambda w, p: r("ketahanan:pokja_list", query=q(w, p)),
                                reach=in_area),
    "ketahanan:pokja_new": Row(lambda w, p: r("ketahanan:pokja_new", query=q(w, p)),
                               get="edit", post="edit", reach=in_area),
    "ketahanan:pokja_detail": Row(lambda w, p: r("ketahanan:pokja_detail", w.pokja[p].pk),
                                  reach=in_area),
    "ketahanan:pokja_edit": Row(lambda w, p: r("ketahanan:pokja_edit", w.pokja[p].pk),
                                get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "ketahanan:pokja_anggota_add": Row(
        lambda w, p: r("ketahanan:pokja_anggota_add", w.pokja[p].pk), get=None, post="edit",
        reach=in_area),
    "ketahanan:pokja_anggota_end": Row(
        lambda w, p: r("ketahanan:pokja_anggota_end", w.anggota_pokja[p].pk), get="edit",
        post="edit", reach=in_area, post_ok={302}),
    "ketahanan:penilaian_list": Row(lambda w, p: r("ketahanan:penilaian_list", query=q(w, p)),
                                    reach=in_area),
    "ketahanan:penilaian_new": Row(lambda w, p: r("ketahanan:penilaian_new", query=q(w, p)),
                                   get="edit", post="edit", reach=in_area),
    "ketahanan:penilaian_detail": Row(
        lambda w, p: r("ketahanan:penilaian_detail", w.penilaian[p].pk), reach=in_area),
    "ketahanan:penilaian_skor": Row(
        lambda w, p: r("ketahanan:penilaian_skor", w.penilaian[p].pk), get="edit", post="edit",
        reach=in_area),
    "ketahanan:penilaian_impor": Row(
        lambda w, p: r("ketahanan:penilaian_impor", w.penilaian[p].pk), get="edit",
        post="edit", reach=in_area),
    "ketahanan:penilaian_template": Row(
        lambda w, p: r("ketahanan:penilaian_template", w.penilaian[p].pk), reach=in_area),
    "ketahanan:rencana_list": Row(lambda w, p: r("ketahanan:rencana_list", query=q(w, p)),
                                  reach=in_area),
    "ketahanan:rencana_new": Row(lambda w, p: r("ketahanan:rencana_new", query=q(w, p)),
                                 get="edit", post="edit", reach=in_area),
    "ketahanan:rencana_detail": Row(lambda w, p: r("ketahanan:rencana_detail", w.rencana[p].pk),
                                    reach=in_area),
    "ketahanan:rencana_edit": Row(lambda w, p: r("ketahanan:rencana_edit", w.rencana[p].pk),
                                  get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "ketahanan:kegiatan_new": Row(lambda w, p: r("ketahanan:kegiatan_new", w.rencana[p].pk),
                                  get="edit", post="edit", reach=in_area),
    "ketahanan:kegiatan_edit": Row(lambda w, p: r("ketahanan:kegiatan_edit", w.kegiatan[p].pk),
                                   get="edit", post="edit", reach=in_area, post_ok={400, 409}),
    "ketahanan:kegiatan_status": Row(
        lambda w, p: r("ketahanan:kegiatan_status", w.kegiatan[p].pk), get="edit", post="edit",
        reach=in_area),
    # pmks: never for observers
    "pmks:kasus_list": Row(lambda w, p: r("pmks:kasus_list"), get="pmks"),
    "pmks:cakupan": Row(lambda w, p: r("pmks:cakupan"), get="pmks"),
    "pmks:kasus_xlsx": Row(lambda w, p: r("pmks:kasus_xlsx"), get="pmks"),
    "pmks:kasus_new": Row(lambda w, p: r("pmks:kasus_new"), get="edit_pmks", post="edit_pmks"),
    "pmks:kasus_detail": Row(lambda w, p: r("pmks:kasus_detail", w.kasus[p].pk), get="pmks",
                             reach=in_area),
    "pmks:kasus_edit": Row(lambda w, p: r("pmks:kasus_edit", w.kasus[p].pk), get="edit_pmks",
                           post="edit_pmks", reach=in_area, post_ok={400, 409}),
    "pmks:kasus_aksi": Row(lambda w, p: r("pmks:kasus_aksi", pk=w.kasus[p].pk, aksi="status"),
                           get=None, post="edit_pmks", reach=in_area),
    # accounts and language
    "login": Row(lambda w, p: r("login"), get="public"),
    "logout": Row(lambda w, p: r("logout"), get="public", ok={405}),  # logging out is a POST
    "password_change": Row(lambda w, p: r("password_change")),
    "password_change_done": Row(lambda w, p: r("password_change_done")),
    # No mail server in the tests: the reset is not offered (a page saying whom to ask).
    "password_reset": Row(lambda w, p: r("password_reset"), get="public", ok={404}),
    "password_reset_done": Row(lambda w, p: r("password_reset_done"), get="public", ok={404}),
    "password_reset_confirm": Row(lambda w, p: r("password_reset_confirm", uidb64="MQ",
                                                 token="bad-token"), get="public"),
    "password_reset_complete": Row(lambda w, p: r("password_reset_complete"), get="public"),
    "set_language": Row(lambda w, p: r("set_language"), get="public", ok={302}),
    # The JSON API (api/): without a session or token 401/403 in JSON, never the login page.
    "api:perkumpulan_list": Row(lambda w, p: r("api:perkumpulan_list"), anonymous=API_ANON),
    "api:perkumpulan_detail": Row(lambda w, p: r("api:perkumpulan_detail", w.group[p].kode),
                                  reach=in_area, anonymous=API_ANON),
    "api:anggota_list": Row(lambda w, p: r("api:anggota_list"), anonymous=API_ANON),
    "api:jejaring_list": Row(lambda w, p: r("api:jejaring_list"), anonymous=API_ANON),
    "api:pmks_list": Row(lambda w, p: r("api:pmks_list"), get="pmks", anonymous=API_ANON),
    "api:rekap": Row(lambda w, p: r("api:rekap", query=q(w, p)), reach=in_area,
                     anonymous=API_ANON),
    "api:jaringan": Row(lambda w, p: r("api:jaringan", query=q(w, p)), reach=in_area,
                        anonymous=API_ANON),
    "api:ketahanan": Row(lambda w, p: r("api:ketahanan", query=q(w, p)), reach=in_area,
                         anonymous=API_ANON),
    # The OpenAPI description: public, as the API's own documentation.
    "api:schema": Row(lambda w, p: r("api:schema"), get="public"),
    # The token page: any logged-in user's own tokens (an empty name is refused).
    "api:token": Row(lambda w, p: r("api:token"), post="page"),
    # Revoking: a POST, of one's own token only (there is none here).
    "api:token_revoke": Row(lambda w, p: r("api:token_revoke", 999999), get=None, post="page",
                            post_ok={404}),
}


# The admin: one entry per registered model ------------------------------------------------------
@dataclass
class AdminModel:
    obj: Callable  # (world, place) -> the primary key of the record of that village
    view: str  # capability to list and open
    edit: str  # capability to change and delete
    add: str | None = None  # capability to add (default: edit)
    reach: Callable | None = in_area  # None: not about an area
    change: str | None = None  # capability to change (default: edit)


def _ref(model_path: str, **lookup):
    """A reference-list entry: the first one matching `lookup`, the same one all test long."""
    def obj(w, p):
        from django.apps import apps

        if model_path not in w.refs:
            model = apps.get_model(*model_path.split("."))
            w.refs[model_path] = model.objects.filter(**lookup).order_by("pk").first().pk
        return w.refs[model_path]

    return obj


ADMIN_MODELS = {
    # Official areas: read within the area, corrected by administrators only.
    "registry.wilayah": AdminModel(lambda w, p: w.place[p], view="page", edit="users"),
    # Reference lists: everyone reads them, Dinas Sosial extends them.
    "registry.jenisperkumpulan": AdminModel(_ref("registry.JenisPerkumpulan", kode="DW"),
                                            view="page", edit="lists", reach=None),
    "registry.pilihan": AdminModel(_ref("registry.Pilihan"),
                                   view="page", edit="lists", reach=None),
    "pmks.kategoripmks": AdminModel(_ref("pmks.KategoriPMKS", kode="FM"), view="page",
                                    edit="lists", reach=None),
    "registry.perkumpulan": AdminModel(lambda w, p: w.group[p].pk, view="page", edit="edit"),
    "registry.profildesa": AdminModel(lambda w, p: w.profil[p].pk, view="page", edit="edit"),
    # People: every page of a person is personal data, as on the web (access.may_view).
    "members.warga": AdminModel(lambda w, p: w.warga[p].pk, view="personal", edit="edit"),
    "members.keanggotaan": AdminModel(lambda w, p: w.anggota[p].pk, view="page", edit="edit"),
    # Households: personal data, as people are; their memberships of groups, as members are.
    "members.keluarga": AdminModel(lambda w, p: w.keluarga[p].pk, view="personal", edit="edit"),
    "members.keanggotaankeluarga": AdminModel(lambda w, p: w.keanggotaan_keluarga[p].pk,
                                              view="page", edit="edit"),
    "pmks.kasuspmks": AdminModel(lambda w, p: w.kasus[p].pk, view="pmks", edit="edit_pmks"),
    # Who saw a case: read by staff and administrators, written by the app alone.
    "pmks.logakses": AdminModel(lambda w, p: w.log[p].pk, view="logs", edit="never"),
    "network.mitra": AdminModel(lambda w, p: w.mitra[p].pk, view="page", edit="edit"),
    "network.hubungan": AdminModel(lambda w, p: w.hubungan[p].pk, view="page", edit="edit"),
    "network.forum": AdminModel(lambda w, p: w.forum[p].pk, view="page", edit="edit"),
    "network.danaperkumpulan": AdminModel(lambda w, p: w.dana[p].pk, view="page", edit="edit"),
    # A PSKS worker is a person: not for observers; an LKS and a training are no people.
    "psks.petugaspsks": AdminModel(lambda w, p: w.petugas[p].pk, view="personal", edit="edit"),
    "psks.lks": AdminModel(lambda w, p: w.lks[p].pk, view="page", edit="edit"),
    "psks.pelatihan": AdminModel(lambda w, p: w.pelatihan[p].pk, view="page", edit="edit"),
    # Aid: programmes and stimulus reports are no personal data; recipients and distributions
    # name the poor, seen as PMKS cases are.
    "bantuan.program": AdminModel(lambda w, p: w.program[p].pk, view="page", edit="edit"),
    "bantuan.penerima": AdminModel(lambda w, p: w.penerima[p].pk, view="pmks", edit="edit_pmks"),
    "bantuan.penyaluran": AdminModel(lambda w, p: w.penyaluran[p].pk, view="pmks",
                                     edit="edit_pmks"),
    "bantuan.laporanstimulan": AdminModel(lambda w, p: w.laporan[p].pk, view="page",
                                          edit="edit"),
    # Letterheads: by whoever writes the area (and a kecamatan worker their own kecamatan's).
    "registry.kopsurat": AdminModel(lambda w, p: w.kop[p].pk, view="page", edit="edit"),
    # Verification: rounds changed by Dinas Sosial; the villages' lists change by their steps
    # on the web only.
    # (a round is never deleted: its lists hang on it)
    "verifikasi.putaran": AdminModel(lambda w, p: w.putaran[p].pk, view="page", edit="never",
                                     add="rounds", change="rounds", reach=round_reach),
    "verifikasi.usulandesa": AdminModel(lambda w, p: w.usulan[p].pk, view="page",
                                        edit="never"),
    # Social resilience: the village's records; the statements are a reference list; an
    # assessment's respondents are personal opinions (their inline is left out for observers).
    "ketahanan.pokjatansosmas": AdminModel(lambda w, p: w.pokja[p].pk, view="page",
                                           edit="edit"),
    # (a statement is never deleted: retired with "in use", its scores stay)
    "ketahanan.pernyataan": AdminModel(_ref("ketahanan.Pernyataan"), view="page", edit="never",
                                       add="lists", change="lists", reach=None),
    "ketahanan.penilaian": AdminModel(lambda w, p: w.penilaian[p].pk, view="page", edit="edit"),
    "ketahanan.rencanaaksi": AdminModel(lambda w, p: w.rencana[p].pk, view="page", edit="edit"),
    "ketahanan.putaranpantau": AdminModel(lambda w, p: w.pantau[p].pk, view="page",
                                          edit="edit"),
    # Accounts, permission groups and login attempts: administrators only.
    "registry.user": AdminModel(lambda w, p: w.users["operator"].pk, view="users", edit="users",
                                reach=None),
    "auth.group": AdminModel(lambda w, p: w.user_group.pk, view="users", edit="users",
                             reach=None),
    # Failed logins: Dinas Sosial staff unlock (delete) their area's accounts, administrators
    # any; read-only otherwise. The world's attempt names no account: the national
    # administrator's alone (tests/registry/test_lockout.py has staff unlocking their own).
    "axes.accessattempt": AdminModel(lambda w, p: w.attempt.pk, view="unlock", edit="unlock",
                                     add="never", change="never",
                                     reach=lambda user, w, p: access.sees_everything(user)),
    # API tokens: administrators see and revoke them (an action); made by their own user only,
    # never changed or deleted.
    "api.token": AdminModel(lambda w, p: w.token.pk, view="users", edit="never", reach=None),
    "axes.accesslog": AdminModel(lambda w, p: w.access_log.pk, view="users", edit="users",
                                 add="never", reach=None),
    "axes.accessfailurelog": AdminModel(lambda w, p: w.failure_log.pk, view="users",
                                        edit="users", add="never", reach=None),
}


def _admin_rows() -> dict[str, Row]:
    from django.contrib import admin

    rows = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        spec = ADMIN_MODELS.get(label)
        if spec is None:
            continue  # test_every_url_has_a_row names it
        info = label.replace(".", "_")

        def url(suffix, spec=spec, info=info, with_id=True):
            if with_id:
                return lambda w, p: reverse(f"admin:{info}_{suffix}", args=[spec.obj(w, p)])
            return lambda w, p: reverse(f"admin:{info}_{suffix}")

        def gone(w, p, response, spec=spec, model=model):
            """Deleted; or, for a record others depend on, the page saying it cannot be."""
            if response.status_code == 200:
                return bool(response.context["protected"])
            return not model._default_manager.filter(pk=spec.obj(w, p)).exists()

        add = spec.add or spec.edit
        common = {"admin": True, "reach": spec.reach}
        rows[f"admin:{info}_changelist"] = Row(url("changelist", with_id=False), get=spec.view,
                                               admin=True)
        rows[f"admin:{info}_add"] = Row(url("add", with_id=False), get=add, post=add,
                                        post_ok={200}, admin=True)
        rows[f"admin:{info}_change"] = Row(url("change"), get=spec.view,
                                           post=spec.change or spec.edit,
                                           post_ok={200, 302}, **common)
        rows[f"admin:{info}_delete"] = Row(
            url("delete"), get=spec.edit, post=spec.edit, post_ok={200, 302},
            data=lambda w, p: {"post": "yes"}, done=gone, **common)
        rows[f"admin:{info}_history"] = Row(url("history"), get=spec.view, **common)
        # The admin's old address of a record: a redirect to its change page, for anyone.
        prefix = reverse(f"admin:{info}_changelist")[1:]
        rows[f"{prefix}<path:object_id>/"] = Row(
            lambda w, p, prefix=prefix, spec=spec: f"/{prefix}{spec.obj(w, p)}/", ok={302},
            admin=True)
        if hasattr(model_admin, "history_form_view"):
            # simple-history's "revert to this version": never offered.
            rows[f"admin:{info}_simple_history"] = Row(
                lambda w, p, info=info, spec=spec: reverse(
                    f"admin:{info}_simple_history", args=[spec.obj(w, p), 1]),
                get="never", admin=True)
        if hasattr(model_admin, "import_action"):
            rows[f"admin:{info}_import"] = Row(url("import", with_id=False), get=add, post=add,
                                               post_ok={200}, admin=True)
            rows[f"admin:{info}_process_import"] = Row(
                url("process_import", with_id=False), get=None, post=add, post_ok={200},
                admin=True)
            rows[f"admin:{info}_export"] = Row(url("export", with_id=False), get=spec.view,
                                               admin=True)
    rows["admin:auth_user_password_change"] = Row(
        lambda w, p: reverse("admin:auth_user_password_change", args=[w.users["operator"].pk]),
        get="users", post="users", post_ok={200}, admin=True)
    return rows


ADMIN_SITE = {
    "admin:index": Row(lambda w, p: r("admin:index"), admin=True),
    # The login form; a logged-in user is sent on to the index.
    "admin:login": Row(lambda w, p: r("admin:login"), get="public", ok={200, "admin_index"},
                       admin=True),
    # Logging out is a POST; the admin sends a visitor without a session to its index.
    "admin:logout": Row(lambda w, p: r("admin:logout"), ok={405}, admin=True,
                        anonymous={"admin_index"}),
    "admin:password_change": Row(lambda w, p: r("admin:password_change"), admin=True),
    "admin:password_change_done": Row(lambda w, p: r("admin:password_change_done"), admin=True),
    # The villages a group's form offers: any logged-in user, within their area (see below).
    "admin:autocomplete": Row(
        lambda w, p: r("admin:autocomplete", query="?app_label=registry&model_name=perkumpulan"
                       "&field_name=desa&term="), admin=True),
    "admin:jsi18n": Row(lambda w, p: r("admin:jsi18n"), admin=True),
    # "View on site": no model of the registry has a public page.
    "admin:view_on_site": Row(lambda w, p: r("admin:view_on_site", content_type_id=1,
                                             object_id=1), get="never", admin=True),
    # An app's index: every role has some model of the registry app to read.
    "admin:app_list": Row(lambda w, p: r("admin:app_list", app_label="registry"), admin=True),
    "admin/(?P<url>.*)$": Row(lambda w, p: "/admin/tidak-ada/", get="never", admin=True),
}

ROWS: dict[str, Row] = {**WEB, **ADMIN_SITE, **_admin_rows()}


# Walking the URL patterns -------------------------------------------------------------------------
def url_keys(resolver=None, prefix="", namespace="") -> list[str]:
    """Every URL pattern's key: "namespace:name", or its full route when it has no name."""
    resolver = resolver or get_resolver()
    keys = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            keys += url_keys(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                keys.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                keys.append(prefix + str(pattern.pattern))
    return keys


def test_every_url_has_a_row():
    """A new URL pattern (a new view, a newly registered admin model) needs a row here."""
    keys = set(url_keys())
    assert sorted(keys - set(ROWS)) == [], "URL patterns without a row in the matrix"
    assert sorted(set(ROWS) - keys) == [], "rows of URL patterns that are gone"


def test_every_registered_admin_model_has_an_entry():
    from django.contrib import admin

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


# Running the matrix ---------------------------------------------------------------------------
@pytest.fixture
def users(operator, operator_lain, kecamatan, staf, staf_lain, pengamat, admin_user):
    return {"anonymous": AnonymousUser(), "operator": operator, "operator_lain": operator_lain,
            "kecamatan": kecamatan, "staf": staf, "staf_lain": staf_lain, "pengamat": pengamat,
            "admin_user": admin_user}


@pytest.fixture
def w(users, make_perkumpulan, make_warga):
    built = world_module.build(make_perkumpulan, make_warga, {
        "cbr": users["operator"], "mlg": users["operator_lain"], "skr": users["staf_lain"]})
    built.users, built.refs = users, {}
    return built


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot() -> dict:
    """Every row of the tables a POST could change."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    from members.models import Keanggotaan, Warga
    from network.models import Forum, Hubungan, Mitra, PengurusForum
    from pmks.models import KasusPMKS, KategoriPMKS, LogAkses
    from registry.models import Impor, JenisPerkumpulan, Perkumpulan, Pilihan, User, Wilayah

    tables = [Perkumpulan, Warga, Keanggotaan, KasusPMKS, LogAkses, Mitra, Hubungan, Forum,
              PengurusForum, Impor, JenisPerkumpulan, Pilihan, KategoriPMKS, User, Group,
              AccessAttempt, AccessLog, AccessFailureLog]
    state = {m.__name__: sorted(map(repr, m._default_manager.values_list())) for m in tables}
    state["Wilayah"] = Wilayah.objects.count()
    return state


def outcome(response):
    """What the user sees: "login", "admin_index" (the admin's "does not exist" redirect), or
    the status code."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        if location == reverse("admin:index"):
            return "admin_index"
    return response.status_code


def expected(row: Row, role: str, user, w, place, method: str) -> tuple[set, bool]:
    """The answers the user may get, and whether the request is permitted."""
    capability = row.get if method == "GET" else row.post
    if role == "anonymous" and capability != "public":
        return row.anonymous, False
    if method == "GET" and capability is None:
        return {405}, False
    refused = {403, 404, "admin_index"} if row.admin else {403, 404}
    not_found = {404, "admin_index"} if row.admin else {404}
    if not CAPS[capability](user):
        return refused, False
    if row.reach is not None and not row.reach(user, w, place):
        return not_found, False
    return (row.ok if method == "GET" else row.post_ok), True


def places(row: Row) -> list[str]:
    """A record of each village when the row is about one; else once."""
    return list(world_module.PLACES) if row.reach is not None else ["cbr"]


def run(client, row, w, method) -> list[str]:
    wrong = []
    for role in ROLES:
        user = w.users[role]
        for place in places(row):
            want, permitted = expected(row, role, user, w, place, method)
            with rolled_back():
                client.logout()
                if role != "anonymous":
                    client.force_login(user)
                url = row.url(w, place)
                if method == "GET":
                    response = client.get(url)
                else:
                    before = snapshot()
                    data = row.data(w, place) if row.data else {}
                    response = client.post(url, data)
                got = outcome(response)
                if got not in want:
                    wrong.append(f"{role} {method} {url} ({place}): {got}, expected "
                                 f"{' or '.join(map(str, sorted(want, key=str)))}")
                elif method == "POST":
                    if not permitted and snapshot() != before:
                        wrong.append(f"{role} POST {url} ({place}) was refused but changed data")
                    if permitted and row.done is not None and not row.done(w, place, response):
                        wrong.append(f"{role} POST {url} ({place}) was permitted but did nothing")
    return wrong


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(client, w, name):
    row = ROWS[name]
    wrong = run(client, row, w, "GET")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if row.post))
def test_post(client, w, name):
    row = ROWS[name]
    wrong = run(client, row, w, "POST")
    assert not wrong, "\n".join(wrong)


# What the matrix cannot say with a status code -------------------------------------------------
def test_autocomplete_offers_only_the_villages_of_the_users_area(client, w):
    client.force_login(w.users["operator"])
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "registry", "model_name": "perkumpulan", "field_name": "desa", "term": ""})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [CIBEUREUM]


def test_observer_finds_no_pmks_in_the_admin_index(client, w):
    client.force_login(w.users["pengamat"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "/admin/pmks/kasuspmks/" not in page
    assert "/admin/registry/perkumpulan/" in page


def test_no_page_title_names_a_person(client, w):
    """A browser's tab title stays in the history of shared office PCs: no page of the web app
    or of the admin puts a person's name, NIK or family card number in it — the pages about a
    person (a case, a person, a membership, a recipient, a household) say what they are, not
    whom."""
    import re

    client.force_login(w.users["staf"])
    secrets = [*world_module.NIKS.values(), *world_module.KKS.values(),
               *(person.nama for person in w.warga.values()),
               *(case.nama for case in w.kasus.values())]
    leaks, unlike = [], []
    for key, row in ROWS.items():
        if row.get is None or row.get == "never":
            continue
        with rolled_back():
            response = client.get(row.url(w, "cbr"))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
        if title and any(secret in title[1] for secret in secrets):
            leaks.append(f"{key}: {title[1].strip()}")
        # One pattern for every tab: what the page is, then the registry's name (a printed
        # document's title is the document's own: it names the saved PDF).
        if title and "cetak" not in key and not row.admin and (
                not title[1].strip().endswith(" · Registri WKSBM")
                or not title[1].strip()[0].isupper()):  # "forum WKSBM", "kasus PMKS 3"
            unlike.append(f"{key}: {title[1].strip()}")
    assert leaks == [], "\n".join(leaks)
    assert unlike == [], unlike


def test_every_filter_says_what_its_empty_choice_means(client, w):
    """A list's filter left empty keeps every row: its empty choice says so in words ("Semua
    jenis", "Semua wilayah saya"), never Django's "---------" nor nothing at all, on every page
    of the web app, for staff (who have the most filters) and an operator."""
    import re

    empty, seen = [], set()
    for role in ("staf", "operator"):
        client.force_login(w.users[role])
        for key, row in WEB.items():
            if row.get is None or row.get == "never" or row.admin:
                continue
            with rolled_back():
                response = client.get(row.url(w, "cbr"))
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            page = response.content.decode()
            for form in re.findall(r'<form[^>]*method="get".*?</form>', page, re.S | re.I):
                for name, first in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>\s*'
                                              r'<option value=""[^>]*>([^<]*)</option>', form):
                    seen.add(f"{key} {name}")
                    if not first.strip() or first.strip().startswith("---"):
                        empty.append(f"{role} {key} {name}: {first!r}")
    assert empty == []
    assert {"registry:perkumpulan_list jenis", "pmks:kasus_list kategori"} <= seen, seen
