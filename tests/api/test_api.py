"""The JSON API as a data team's script uses it: a token made on the token page, the rows of the
user's area only (as the pages scope them), NIKs masked for observers, PMKS refused to observers
and logged for the others, pages of 100, a rate limit, an OpenAPI description."""

import pytest
from django.test import Client
from django.urls import reverse

from api.models import Token
from members.models import Keanggotaan
from pmks.models import LogAkses, Tindakan
from registry.validators import mask_nik
from tests.conftest import CIBEUREUM
from tests.world import CODES, NIKS

pytestmark = pytest.mark.django_db

LISTS = ["api:perkumpulan_list", "api:anggota_list", "api:jejaring_list", "api:pmks_list"]
AREA_VIEWS = ["api:rekap", "api:jaringan", "api:ketahanan"]
# What each role finds of the three villages' groups (Cibeureum and Melong in Cimahi, Sukarasa
# in Bandung).
SEES = {
    "operator": {"cbr"}, "operator_lain": {"mlg"}, "kecamatan": {"cbr", "mlg"},
    "staf": {"cbr", "mlg"}, "staf_lain": {"skr"}, "pengamat": {"cbr", "mlg"},
    "admin": {"cbr", "mlg", "skr"},
}


def token_client(user) -> Client:
    _token, key = Token.make(user, "skrip")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_reads_the_rows_of_its_own_area_only(w, role):
    client = token_client(w.users[role])
    groups = {g["kode"] for g in rows(client.get(reverse("api:perkumpulan_list")))}
    assert groups == {CODES[p] for p in SEES[role]}
    members = rows(client.get(reverse("api:anggota_list")))
    assert {m["perkumpulan"] for m in members} == {CODES[p] for p in SEES[role]}
    links = rows(client.get(reverse("api:jejaring_list")))
    assert {link["perkumpulan"] for link in links} == {CODES[p] for p in SEES[role]}
    pmks = client.get(reverse("api:pmks_list"))
    if role == "pengamat":
        assert pmks.status_code == 403
        assert "PMKS" in pmks.json()["detail"]
    else:
        assert {c["nama"] for c in rows(pmks)} == {f"Kasus {p}" for p in SEES[role]}
    for place, kode in CODES.items():
        detail = client.get(reverse("api:perkumpulan_detail", args=[kode]))
        assert detail.status_code == (200 if place in SEES[role] else 404)
        for name in AREA_VIEWS:
            figures = client.get(reverse(name), {"wilayah": w.place[place]})
            assert figures.status_code == (200 if place in SEES[role] else 404), name


@pytest.mark.parametrize("name", [*LISTS, *AREA_VIEWS, "api:perkumpulan_detail"])
def test_without_a_valid_token_a_script_is_refused_with_401(w, name):
    url = (reverse(name, args=[CODES["cbr"]]) if name == "api:perkumpulan_detail"
           else reverse(name) + f"?wilayah={CIBEUREUM}")
    anonymous = Client().get(url)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert Client(HTTP_AUTHORIZATION="Token salah").get(url).status_code == 401
    # A revoked token.
    token, key = Token.make(w.users["staf"], "lama")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(url).status_code == 200
    token.revoke()
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(url)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Token ini tidak dikenal atau sudah dicabut."
    # The token of a suspended account.
    _token, key = Token.make(w.users["operator"], "skrip")
    w.users["operator"].is_active = False
    w.users["operator"].save()
    suspended = Client(HTTP_AUTHORIZATION=f"Token {key}").get(url)
    assert suspended.status_code == 401
    assert suspended.json()["detail"] == "Akun pemilik token ini dinonaktifkan."


def test_the_session_of_a_logged_in_user_reads_the_api_too(w, client):
    client.force_login(w.users["operator"])
    assert [g["kode"] for g in rows(client.get(reverse("api:perkumpulan_list")))] == [
        CODES["cbr"]]


def test_only_a_tokens_hash_is_stored_and_its_use_is_recorded(w):
    token, key = Token.make(w.users["staf"], "skrip")
    assert key not in {token.key_hash, token.prefix} and token.prefix == key[:8]
    assert len(key) >= 40
    Client(HTTP_AUTHORIZATION=f"Token {key}").get(reverse("api:perkumpulan_list"))
    token.refresh_from_db()
    assert token.last_used is not None


def test_an_observer_reads_memberships_with_the_nik_masked(w):
    people = {m["warga"]["nama"]: m["warga"]
              for m in rows(token_client(w.users["pengamat"]).get(reverse("api:anggota_list")))}
    assert people["Warga cbr"]["nik"] == mask_nik(NIKS["cbr"])
    assert people["Warga cbr"]["alamat"] is None
    staff = {m["warga"]["nama"]: m["warga"]
             for m in rows(token_client(w.users["staf"]).get(reverse("api:anggota_list")))}
    assert staff["Warga cbr"]["nik"] == NIKS["cbr"]
    assert staff["Warga cbr"]["alamat"] == "Jl. Mawar 1"


def test_each_pmks_request_is_written_in_the_access_log(w):
    staf = w.users["staf"]
    before = LogAkses.objects.filter(pengguna=staf).count()
    client = token_client(staf)
    rows(client.get(reverse("api:pmks_list"), {"status": "TERIDENTIFIKASI"}))
    logged = LogAkses.objects.filter(pengguna=staf).order_by("-pk")
    assert logged.count() == before + 1
    entry = logged.first()
    assert entry.tindakan == Tindakan.LIHAT and entry.wilayah_id == "32.77"
    assert entry.keterangan.startswith("api")
    token_client(w.users["pengamat"]).get(reverse("api:pmks_list"))
    assert not LogAkses.objects.filter(pengguna=w.users["pengamat"]).exists()


def test_the_lists_filter_as_the_web_lists_do(w, make_perkumpulan):
    make_perkumpulan("CBR-PSY-001", jenis="POSYANDU", nama="Posyandu Melati", aktif=False)
    client = token_client(w.users["staf"])
    url = reverse("api:perkumpulan_list")
    assert [g["kode"] for g in rows(client.get(url, {"jenis": "POSYANDU"}))] == ["CBR-PSY-001"]
    assert [g["kode"] for g in rows(client.get(url, {"aktif": "false"}))] == ["CBR-PSY-001"]
    assert [g["kode"] for g in rows(client.get(url, {"q": "melati"}))] == ["CBR-PSY-001"]
    assert {g["kode"] for g in rows(client.get(url, {"wilayah": "32.77.01.1001"}))} == {
        CODES["mlg"]}
    bad = client.get(url, {"berdiri_sesudah": "tahun lalu"})
    assert bad.status_code == 400
    assert "berdiri_sesudah" in bad.json()
    members = reverse("api:anggota_list")
    assert [m["perkumpulan"] for m in rows(client.get(members, {"perkumpulan": CODES["mlg"]}))
            ] == [CODES["mlg"]]


def test_a_group_code_with_a_slash_is_found(w, make_perkumpulan):
    make_perkumpulan("CBR/DW/009")
    response = token_client(w.users["operator"]).get(
        reverse("api:perkumpulan_detail", args=["CBR/DW/009"]))
    assert response.status_code == 200
    assert response.json()["kode"] == "CBR/DW/009"


def test_a_bad_area_is_told_in_indonesian(w):
    client = token_client(w.users["staf"])
    for name in AREA_VIEWS:
        response = client.get(reverse(name), {"wilayah": "bukan-kode"})
        assert response.status_code == 400
        assert "wilayah" in response.json()["detail"].lower()
    assert client.get(reverse("api:rekap"), {"wilayah": CIBEUREUM,
                                             "tahun": "1800"}).status_code == 400
    recap = client.get(reverse("api:rekap"), {"wilayah": "32.77"}).json()
    assert recap["wilayah"]["kode"] == "32.77" and recap["jumlah_perkumpulan"] == 2
    network = client.get(reverse("api:jaringan"), {"wilayah": "32.77"}).json()
    assert network["perkumpulan"] == 2
    resilience = client.get(reverse("api:ketahanan"), {"wilayah": "32.77"}).json()
    assert resilience["wilayah"] == "32.77" and "dimensi" in resilience
    # An administrator without an area who names none is told in JSON (the web pages list the
    # provinces to choose from instead).
    admin = token_client(w.users["admin"])
    for name in AREA_VIEWS:
        response = admin.get(reverse(name))
        assert response.status_code == 400, name
        assert "?wilayah=" in response.json()["detail"]


def test_pages_of_100_and_page_size_up_to_500(w, make_perkumpulan, django_assert_max_num_queries):
    from registry.models import JenisPerkumpulan, Perkumpulan

    dw = JenisPerkumpulan.objects.get(kode="DW")
    Perkumpulan.objects.bulk_create(
        Perkumpulan(kode=f"CBR-X-{i:04d}", nama=f"Kelompok {i}", jenis=dw, desa_id=CIBEUREUM,
                    tahun_berdiri=2000) for i in range(230))
    client = token_client(w.users["operator"])
    url = reverse("api:perkumpulan_list")
    first = client.get(url).json()
    assert first["count"] == 231 and len(first["results"]) == 100 and first["next"]
    with django_assert_max_num_queries(6):
        third = client.get(url, {"page": 3}).json()
    assert len(third["results"]) == 31 and third["next"] is None
    assert len(client.get(url, {"page_size": 1000}).json()["results"]) == 231
    missing = client.get(url, {"page": 9})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Halaman 9 tidak ada."}  # in the user's language
    # Memberships: the same number of queries for a page of 1 row as of 100.
    group = Perkumpulan.objects.get(kode="CBR-X-0001")
    people = [f"32770141019{i:05d}" for i in range(120)]
    from members.models import Warga

    Warga.objects.bulk_create(Warga(nik=n, nama=f"W {n}", wilayah_id=CIBEUREUM) for n in people)
    Keanggotaan.objects.bulk_create(
        Keanggotaan(warga=p, perkumpulan=group) for p in Warga.objects.filter(nik__in=people))
    with django_assert_max_num_queries(6):
        assert len(rows(client.get(reverse("api:anggota_list")))) == 100


def test_the_request_over_the_limit_answers_429(w, settings):
    settings.API_THROTTLE_RATES = {"user": "3/hour", "anon": "2/hour"}
    client = token_client(w.users["operator"])
    url = reverse("api:perkumpulan_list")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    # Without login (the public OpenAPI description), per address.
    schema = reverse("api:schema")
    assert [Client().get(schema).status_code for _ in range(3)] == [200, 200, 429]


def test_the_openapi_description_is_served_and_valid(client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/perkumpulan/" in schema["paths"]
    assert "token" in schema["components"]["securitySchemes"]
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_the_token_page_makes_shows_once_and_revokes(w, client):
    staf = w.users["staf"]
    client.force_login(staf)
    page = client.get(reverse("api:token"))
    assert page.status_code == 200
    assert "Anda belum punya token." in page.content.decode()
    assert client.post(reverse("api:token"), {"name": ""}).status_code == 400
    made = client.post(reverse("api:token"), {"name": "Skrip dasbor"}, follow=True)
    token = Token.objects.get(user=staf)
    assert made.redirect_chain == [(reverse("api:token"), 302)]  # reloading sends nothing again
    html = made.content.decode()
    key = html.split('<code class="token-key">')[1].split("</code>")[0]
    assert token.prefix == key[:8] and "Skrip dasbor" in html
    assert key not in client.get(reverse("api:token")).content.decode()  # shown once
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api:perkumpulan_list")).status_code == 200
    # Another user cannot revoke it.
    other = Client()
    other.force_login(w.users["operator"])
    assert other.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    done = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "dicabut" in done.content.decode()
    assert api.get(reverse("api:perkumpulan_list")).status_code == 401


def test_the_schema_command_validates_without_a_warning(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/pmks/" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", LISTS)
def test_every_list_reads_a_page_in_a_few_queries(w, name, django_assert_max_num_queries):
    """Token, count, rows (their related rows joined), and for PMKS the log's insert: never a
    query per row."""
    client = token_client(w.users["admin"])
    with django_assert_max_num_queries(7):
        assert len(rows(client.get(reverse(name)))) == 3


def test_a_group_reads_the_same_in_the_list_and_on_its_own(w):
    client = token_client(w.users["operator"])
    listed = rows(client.get(reverse("api:perkumpulan_list")))[0]
    alone = client.get(reverse("api:perkumpulan_detail", args=[CODES["cbr"]])).json()
    assert listed == alone
    assert alone["jenis"] == "DW" and alone["wilayah"] == CIBEUREUM


def test_every_error_of_the_api_is_json_in_indonesian(w, settings):
    """Whatever a script gets wrong, the answer is JSON that says why in the user's language:
    no English words from the libraries, no model's name, no HTML page."""
    settings.API_THROTTLE_RATES = {"user": "3/hour", "anon": "60/hour"}
    client = token_client(w.users["operator"])
    url = reverse("api:perkumpulan_list")
    answers = {
        405: client.post(url, {}),
        406: client.get(url, HTTP_ACCEPT="text/nonsense"),
        404: client.get(reverse("api:perkumpulan_detail", args=["TIDAK-ADA"])),
        400: client.get(url, {"jenis": "ZZZ"}),
        401: Client(HTTP_AUTHORIZATION="Token salah").get(url),
        429: client.get(url),
    }
    expected = {
        405: {"detail": "API hanya membaca: permintaan POST tidak diterima."},
        404: {"detail": "Data tidak ditemukan."},
        401: {"detail": "Token ini tidak dikenal atau sudah dicabut."},
        429: {"detail": "Terlalu banyak permintaan: coba lagi dalam 3600 detik."},
    }
    for status, response in answers.items():
        assert response.status_code == status, (status, response.content)
        assert response["Content-Type"] == "application/json", status
        if status in expected:
            assert response.json() == expected[status]
    assert "Accept" in answers[406].json()["detail"] and "Permintaan" in answers[406].json()[
        "detail"]
    assert answers[400].json()["jenis"][0].startswith("Masukkan pilihan yang valid")
    # A NUL in the address: JSON too, not the site's HTML error page.
    nul = client.get(url, {"nama": "a\x00b"})
    assert nul.status_code == 400 and nul.json() == {"detail": "Alamat memuat karakter NUL."}
    assert client.get("/api/v1/perkumpulan/a%00b/").json() == {"detail": "Data tidak ditemukan."}


def test_an_administrator_revokes_a_script_token_in_the_admin(w, client):
    """A lost laptop: the administrator finds the officer's token by name and revokes it; the
    script is refused from then on. The key's hash is never shown; staff do not see tokens."""
    token, key = Token.make(w.users["operator"], "Skrip laptop desa")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api:perkumpulan_list")).status_code == 200
    client.force_login(w.users["staf"])
    assert client.get(reverse("admin:api_token_changelist")).status_code == 403
    client.force_login(w.users["admin"])
    listed = client.get(reverse("admin:api_token_changelist"), {"q": "laptop"})
    html = listed.content.decode()
    assert listed.status_code == 200 and "Skrip laptop desa" in html and token.prefix in html
    assert token.key_hash not in html and "skrip uji" not in html  # the search found one
    shown = client.get(reverse("admin:api_token_change", args=[token.pk])).content.decode()
    assert token.prefix in shown and token.key_hash not in shown
    done = client.post(reverse("admin:api_token_changelist"),
                       {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert "1 token dicabut" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked is not None
    assert api.get(reverse("api:perkumpulan_list")).status_code == 401
    assert Token.objects.get(pk=w.token.pk).revoked is None  # the others stay
    active = client.get(reverse("admin:api_token_changelist"), {"status": "aktif"})
    assert "Skrip laptop desa" not in active.content.decode()
