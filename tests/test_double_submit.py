"""Every form of the web app that records something — money, help, a status, a referral, a
membership, a link, a forum's meeting, fund entry or leader, a case, a group, a household and its
members — records it once,
however many times it is sent: two quick clicks on Save, the browser sending again, the back button.

Each page's form carries a one-time token (registry.forms.OnceForm); the tests post a form as the
page rendered it, twice, and find one row, the second sending answered with the first one's page
and a message saying it was not carried out again. The same holds when the two sendings come
at the same moment (the token's INSERT decides, not a check before it), and the pages that ask
before deleting or ending something do the same for their button. Adding a member is guarded by
the database's rule of one current membership per person and group."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from bantuan.models import Penyaluran
from members.models import AnggotaKeluarga, Keanggotaan, Keluarga, Warga
from network.models import DanaKomunitas, Forum, Hubungan, PengurusForum, PertemuanForum
from pmks.models import KasusPMKS, KategoriPMKS, RiwayatStatus, Rujukan, StatusKasus
from registry.forms import TOKEN_FIELD, OnceForm
from registry.models import FormulirTerkirim, JenisPerkumpulan, Perkumpulan
from tests.conftest import CIBEUREUM

pytestmark = pytest.mark.django_db
NIK = "3277014101800001"


class Forms(HTMLParser):
    """The forms of a page: each one's attributes and the values its inputs would send."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[dict, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs, {}))
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""


def rendered(client: Client, url: str, action: str | None = None, aksi: str | None = None
             ) -> dict:
    """What the page at `url` would send from its form posting to `action` (None: to the page
    itself) carrying the hidden `aksi`: its inputs, the one-time token among them."""
    response = client.get(url)
    assert response.status_code == 200, url
    for attrs, values in Forms(response.content.decode()).forms:
        if attrs.get("method", "get").lower() != "post":
            continue
        # "#section": the page itself, reopened at the form's section.
        posts_to = urldefrag(attrs.get("action") or "")[0] or None
        if posts_to == action and values.get("aksi") == aksi:
            assert values.get(TOKEN_FIELD), (url, action, aksi, values)
            return values
    raise AssertionError(f"no form posting to {action} ({aksi}) on {url}")


def told_once(response) -> bool:
    text = str(OnceForm.once_message)
    return any(str(m) == text for m in get_messages(response.wsgi_request))


@pytest.fixture
def case(make_perkumpulan, operator):
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    kasus = KasusPMKS.objects.create(
        nama="Abah Entis", desa_id=CIBEUREUM, pendamping=group, status=StatusKasus.DITANGANI,
        kategori=KategoriPMKS.objects.order_by("urutan", "nama").first())
    kasus.catat_status(operator)
    return kasus


@pytest.fixture
def forum(make_perkumpulan):
    return Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")


def count(model) -> int:
    return model.objects.count()


# (name, page, form's action or None, hidden aksi, what is typed, model written) -------------
CASE_FORMS = [
    ("bantuan", {"tanggal": "2026-07-01", "bentuk": "UANG", "sumber": "DANA_KEMATIAN",
                 "nilai": "250000"}, Penyaluran),
    ("rujukan", {"tanggal": "2026-06-01", "tujuan": "PUSKESMAS", "tandai": "on"}, Rujukan),
    ("status", {"status": "SELESAI", "catatan": "sudah mandiri"}, RiwayatStatus),
]


@pytest.mark.parametrize(("aksi", "typed", "model"), CASE_FORMS,
                         ids=[name for name, *_rest in CASE_FORMS])
def test_a_case_form_sent_twice_writes_once(client, operator, case, aksi, typed, model):
    client.force_login(operator)
    action = f"/pmks/{case.pk}/{aksi}/"
    data = {**rendered(client, f"/pmks/{case.pk}/", action), **typed}
    before = count(model)
    first = client.post(action, data)
    assert first.status_code == 302 and not told_once(first)
    second = client.post(action, data)
    assert count(model) == before + 1
    assert second.status_code == 302 and second.url == first.url  # the same timeline
    assert told_once(second)
    case.refresh_from_db()
    assert case.status == (StatusKasus.DITANGANI if aksi == "bantuan" else
                           StatusKasus.DIRUJUK if aksi == "rujukan" else StatusKasus.SELESAI)
    assert case.riwayat.count() == (1 if aksi == "bantuan" else 2)


@pytest.mark.parametrize(("aksi", "typed", "model"), CASE_FORMS,
                         ids=[name for name, *_rest in CASE_FORMS])
def test_two_sendings_at_the_same_moment_write_once(rf, operator, case, monkeypatch, aksi,
                                                     typed, model):
    """Both sendings are checked before either writes: neither finds the other's token, both
    forms are valid (the status is not yet the new one). The token's INSERT in the writing
    transaction lets one through; the other is rolled back — help, referral and status change
    alike — and answered as a second sending."""
    from django.contrib.messages.storage.cookie import CookieStorage

    from pmks.views import ACTIONS

    form_class = next(f for name, f, _title in ACTIONS if name == aksi)
    data = {**form_class(kasus=case, user=operator).initial, **typed}
    data[TOKEN_FIELD] = form_class(kasus=case, user=operator)[TOKEN_FIELD].value()
    sendings = []
    for _twice in range(2):
        request = rf.post(f"/pmks/{case.pk}/{aksi}/", data)
        request.user, request._messages = operator, CookieStorage(request)
        form = form_class(data, kasus=KasusPMKS.objects.get(pk=case.pk), user=operator)
        assert form.is_valid(), form.errors
        sendings.append((request, form))
    monkeypatch.setattr(OnceForm, "sent_before", lambda self: None)  # as when both checked
    before, history = count(model), case.riwayat.count()
    answers = []
    for request, form in sendings:

        def save(form=form):
            form.save()
            return f"/pmks/{case.pk}/"

        answers.append(form.save_once(request, save, f"/pmks/{case.pk}/"))
    assert [a.status_code for a in answers] == [302, 302]
    told = [[str(m) for m in request._messages] for request, _form in sendings]
    assert told == [[], [str(OnceForm.once_message)]]
    assert count(model) == before + 1
    assert case.riwayat.count() == history + (aksi != "bantuan")


def test_a_form_refused_for_its_errors_saves_once_corrected(client, operator, case):
    """The token is stored with what the form writes, not before: a refused sending leaves it
    unused, and the corrected form (same token) saves — once."""
    client.force_login(operator)
    action = f"/pmks/{case.pk}/bantuan/"
    data = rendered(client, f"/pmks/{case.pk}/", action)
    typed = {"tanggal": "2026-07-01", "bentuk": "UANG", "sumber": "IURAN"}
    assert client.post(action, {**data, **typed, "nilai": "-5"}).status_code == 400
    assert not Penyaluran.objects.exists() and not FormulirTerkirim.objects.exists()
    for _twice in range(2):
        assert client.post(action, {**data, **typed, "nilai": "5000"}).status_code == 302
    assert list(Penyaluran.objects.values_list("nilai", flat=True)) == [5000]


def test_each_showing_of_a_form_is_a_new_entry(client, operator, case):
    """Two entries of help on purpose: the page shows the form afresh after each save."""
    client.force_login(operator)
    action = f"/pmks/{case.pk}/bantuan/"
    typed = {"tanggal": "2026-07-01", "bentuk": "BARANG", "sumber": "JIMPITAN"}
    for _entry in range(2):
        data = rendered(client, f"/pmks/{case.pk}/", action)
        assert client.post(action, {**data, **typed}).status_code == 302
    assert Penyaluran.objects.count() == 2


def test_a_token_of_another_user_or_form_tells_nothing_of_its_result(
        client, operator, staf, case):
    client.force_login(operator)
    action = f"/pmks/{case.pk}/bantuan/"
    data = {**rendered(client, f"/pmks/{case.pk}/", action), "tanggal": "2026-07-01",
            "bentuk": "UANG", "sumber": "IURAN"}
    assert client.post(action, data).status_code == 302
    # The same token sent by someone else, or to another form: nothing written, and the answer
    # is the form's own page, not the address stored with the token.
    FormulirTerkirim.objects.update(hasil="/somewhere-else/")
    other = Client()
    other.force_login(staf)
    response = other.post(action, data)
    assert response.status_code == 302 and response.url == f"/pmks/{case.pk}/#timeline-judul"
    response = client.post(f"/pmks/{case.pk}/rujukan/", {**data, "tujuan": "PANTI"})
    assert response.status_code == 302 and response.url == f"/pmks/{case.pk}/#timeline-judul"
    assert (Penyaluran.objects.count(), Rujukan.objects.count()) == (1, 0)


def test_a_new_case_sent_twice_is_one_case(client, operator, case):
    client.force_login(operator)
    data = {**rendered(client, "/pmks/baru/"), "nama": "Nini Ooh", "alamat": "Kp. Babakan",
            "kategori": case.kategori_id}
    first = client.post("/pmks/baru/", data)
    second = client.post("/pmks/baru/", data)
    new = KasusPMKS.objects.get(nama="Nini Ooh")
    assert first.url == second.url == f"/pmks/{new.pk}/"
    assert told_once(second) and new.riwayat.count() == 1


def test_a_new_group_sent_twice_is_one_group(client, operator):
    client.force_login(operator)
    data = {**rendered(client, "/perkumpulan/baru/"), "kode": "CBR-DW-009",
            "nama": "Dasa Wisma Anggrek", "tahun_berdiri": "2010", "aktif": "on",
            "jenis": str(JenisPerkumpulan.objects.get(kode="DW").pk)}
    first = client.post("/perkumpulan/baru/", data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post("/perkumpulan/baru/", data)
    assert second.status_code == 302 and second.url == first.url == "/perkumpulan/CBR-DW-009/"
    assert told_once(second)
    assert Perkumpulan.objects.filter(kode="CBR-DW-009").count() == 1


def test_a_link_sent_twice_is_one_link(client, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    kt = make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna")
    client.force_login(operator)
    action = "/perkumpulan/CBR-DW-001/hubungan/tambah/"
    data = {**rendered(client, "/perkumpulan/CBR-DW-001/", action),
            "mitra_perkumpulan": str(kt.pk), "bentuk": "KOORDINASI"}
    first = client.post(action, data)
    second = client.post(action, data)
    assert first.status_code == second.status_code == 302 and told_once(second)
    assert Hubungan.objects.count() == 1


FORUM_FORMS = [
    ("pertemuan", {"tanggal": "2026-03-05", "jenis": "RUTIN", "hadir": "23"}, PertemuanForum),
    ("dana", {"tanggal": "2026-04-30", "jenis": "JIMPITAN", "terkumpul": "400000",
              "dipakai": "150000"}, DanaKomunitas),
    ("pengurus", {"nik": NIK, "jabatan": "Sekretaris"}, PengurusForum),
]


@pytest.mark.parametrize(("aksi", "typed", "model"), FORUM_FORMS,
                         ids=[name for name, *_rest in FORUM_FORMS])
def test_a_forum_form_sent_twice_writes_once(client, operator, forum, make_warga, aksi, typed,
                                             model):
    make_warga(NIK, nama="Siti", wilayah_id=CIBEUREUM)
    client.force_login(operator)
    page = f"/forum/?desa={CIBEUREUM}"
    data = {**rendered(client, page, aksi=aksi), **typed}
    first = client.post("/forum/", data)
    second = client.post("/forum/", data)
    assert count(model) == 1
    assert first.status_code == second.status_code == 302 and second.url == first.url
    assert told_once(second) and not told_once(first)


def test_the_fund_totals_count_an_entry_sent_twice_once(client, operator, forum):
    client.force_login(operator)
    data = {**rendered(client, f"/forum/?desa={CIBEUREUM}", aksi="dana"),
            "tanggal": "2026-04-30", "jenis": "JIMPITAN", "terkumpul": "400000", "dipakai": "0"}
    client.post("/forum/", data)
    client.post("/forum/", data)
    funds = client.get("/forum/").context["funds"]
    assert [(f["jenis"], f["terkumpul"], f["catatan"]) for f in funds] == [
        ("JIMPITAN", 400000, 1)]


def test_a_new_forum_sent_twice_is_one_forum_and_no_conflict(client, operator):
    client.force_login(operator)
    page = f"/forum/?desa={CIBEUREUM}"
    data = {**rendered(client, page), "nama": "WKSBM Cibeureum", "mekanisme": "TIM"}
    assert client.post(page, data).status_code == 302
    second = client.post(page, data)
    assert second.status_code == 302 and told_once(second)  # not a 409 "someone else saved"
    assert Forum.objects.count() == 1


def test_a_confirmation_sent_twice_answers_the_first_ones_page(client, operator, forum,
                                                              make_perkumpulan, make_warga):
    dw = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    kt = make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna")
    link = Hubungan.objects.create(perkumpulan=dw, mitra_perkumpulan=kt, bentuk="KOORDINASI")
    leader = PengurusForum.objects.create(
        forum=forum, warga=make_warga(NIK, wilayah_id=CIBEUREUM), jabatan="Ketua",
        mulai=datetime.date(2024, 1, 1))
    client.force_login(operator)
    for url, gone in ((f"/hubungan/{link.pk}/hapus/",
                       lambda: not Hubungan.objects.filter(pk=link.pk).exists()),
                      (f"/forum/pengurus/{leader.pk}/akhiri/",
                       lambda: PengurusForum.objects.get(pk=leader.pk).selesai is not None)):
        data = rendered(client, url)
        first = client.post(url, data)
        assert first.status_code == 302 and gone()
        second = client.post(url, data)  # the link is gone by now: no 404
        assert second.status_code == 302 and second.url == first.url and told_once(second)


def test_adding_a_member_twice_is_refused_by_the_one_current_membership_rule(
        client, operator, make_perkumpulan):
    """Not a token: the database keeps one current membership per person and group, and the
    form says so beside the NIK."""
    make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    client.force_login(operator)
    data = {"nik": NIK, "nama": "Rina", "jenis_kelamin": "P", "peran": "ANGGOTA"}
    assert client.post("/perkumpulan/CBR-DW-001/anggota/tambah/", data).status_code == 302
    second = client.post("/perkumpulan/CBR-DW-001/anggota/tambah/", data)
    assert second.status_code == 400
    assert second.context["form"].has_error("nik", "one_current_membership")
    assert Keanggotaan.objects.count() == 1 and Warga.objects.count() == 1


@pytest.mark.parametrize(("action", "data"), [("peran", {"peran": "BENDAHARA"}),
                                             ("akhiri", {})])
def test_a_role_change_or_an_end_sent_twice_is_refused_the_second_time(
        client, operator, make_perkumpulan, make_warga, action, data):
    """Not a token either: both act on a current membership, which the first sending ended."""
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    member = Keanggotaan.objects.create(warga=make_warga(NIK, wilayah_id=CIBEUREUM),
                                        perkumpulan=group)
    client.force_login(operator)
    assert client.post(f"/anggota/{member.pk}/{action}/", data).status_code == 302
    second = client.post(f"/anggota/{member.pk}/{action}/", data)
    assert second.status_code == 400
    assert Keanggotaan.objects.count() == (2 if action == "peran" else 1)
    assert Keanggotaan.objects.filter(selesai__isnull=True).count() == (
        1 if action == "peran" else 0)


KK = "3277011505150001"


@pytest.fixture
def household(make_warga):
    k = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, rw=3, rt=2)
    k.tambah_anggota(make_warga("3277010203750002", nama="Budi", wilayah_id=CIBEUREUM),
                     "KEPALA", datetime.date(2015, 5, 15))
    return k


def test_a_new_household_sent_twice_is_one_household(client, operator):
    client.force_login(operator)
    data = {**rendered(client, "/keluarga/baru/"), "no_kk": KK, "desa": CIBEUREUM, "rw": "3"}
    first = client.post("/keluarga/baru/", data)
    k = Keluarga.objects.get()
    assert first.status_code == 302 and first.url == f"/keluarga/{k.pk}/"
    second = client.post("/keluarga/baru/", data)  # not "this KK number is taken"
    assert second.status_code == 302 and second.url == first.url and told_once(second)
    assert Keluarga.objects.count() == 1


def test_a_household_member_added_twice_is_added_once(client, operator, household,
                                                      make_perkumpulan, make_warga):
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    Keanggotaan.objects.create(warga=make_warga(NIK, nama="Siti", wilayah_id=CIBEUREUM),
                               perkumpulan=group)
    client.force_login(operator)
    page = f"/keluarga/{household.pk}/"
    action = f"/keluarga/{household.pk}/anggota/tambah/"
    data = {**rendered(client, page, action), "nik": NIK, "hubungan": "PASANGAN",
            "mulai": "2015-05-15"}
    first = client.post(action, data)
    second = client.post(action, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url == page
    assert told_once(second) and not told_once(first)
    assert list(AnggotaKeluarga.objects.filter(keluarga=household).order_by("pk")
                .values_list("warga__nama", "hubungan")) == [("Budi", "KEPALA"),
                                                             ("Siti", "PASANGAN")]


def test_ending_a_household_member_sent_twice_ends_it_once(client, operator, household):
    member = AnggotaKeluarga.objects.get(keluarga=household)
    client.force_login(operator)
    page = f"/keluarga/{household.pk}/"
    action = f"/keluarga/anggota/{member.pk}/akhiri/"
    data = {**rendered(client, page, action), "selesai": "2024-01-31"}
    first = client.post(action, data)
    member.refresh_from_db()
    assert first.status_code == 302 and member.selesai == datetime.date(2024, 1, 31)
    second = client.post(action, {**data, "selesai": "2024-02-29"})  # the row has no form now
    assert second.status_code == 302 and second.url == first.url == page and told_once(second)
    member.refresh_from_db()
    assert member.selesai == datetime.date(2024, 1, 31)
    assert AnggotaKeluarga.objects.count() == 1


def test_old_tokens_are_forgotten(client, operator, case):
    from django.utils import timezone

    old = FormulirTerkirim.objects.create(token="x" * 32, pengguna=operator, formulir="lama")
    FormulirTerkirim.objects.filter(pk=old.pk).update(
        waktu=timezone.now() - OnceForm.KEPT - datetime.timedelta(minutes=1))
    client.force_login(operator)
    action = f"/pmks/{case.pk}/bantuan/"
    data = {**rendered(client, f"/pmks/{case.pk}/", action), "tanggal": "2026-07-01",
            "bentuk": "UANG", "sumber": "IURAN"}
    assert client.post(action, data).status_code == 302
    assert list(FormulirTerkirim.objects.values_list("formulir", flat=True)) == [
        f"pmks:bantuan:{case.pk}"]


@pytest.mark.parametrize("token", ["", "pendek", "\x00" * 30, "ä" * 40, "x" * 65])
def test_a_form_without_a_usable_token_saves_as_before(client, operator, case, token):
    """A page opened before the token existed (or a script): not refused, not checked."""
    client.force_login(operator)
    response = client.post(f"/pmks/{case.pk}/bantuan/", {
        TOKEN_FIELD: token, "tanggal": "2026-07-01", "bentuk": "UANG", "sumber": "IURAN"})
    assert response.status_code == 302
    assert Penyaluran.objects.count() == 1 and not FormulirTerkirim.objects.exists()


def test_showing_a_form_stores_nothing(client, operator, case):
    """The token is made when the page is shown and stored only when a form saves."""
    client.force_login(operator)
    for url in (f"/pmks/{case.pk}/", "/pmks/baru/", "/perkumpulan/baru/",
                f"/forum/?desa={CIBEUREUM}", "/perkumpulan/CBR-DW-001/"):
        assert client.get(url).status_code == 200
    assert not FormulirTerkirim.objects.exists()


def test_a_token_form_sent_twice_makes_one_token_and_shows_its_key_once(client, staf):
    """A double click on "Buat token" makes one API token; its key is shown by the page the
    form goes to, once, and never by a second sending."""
    from api.models import Token

    client.force_login(staf)
    data = {**rendered(client, "/akun/token/"), "name": "Skrip dasbor"}
    first = client.post("/akun/token/", data)
    assert first.status_code == 302 and not told_once(first)
    second = client.post("/akun/token/", data)
    assert second.status_code == 302 and second.url == first.url and told_once(second)
    token = Token.objects.get(user=staf)
    shown = client.get(first.url).content.decode()
    key = shown.split('<code class="token-key">')[1].split("</code>")[0]
    assert token.prefix == key[:8]
    assert 'class="token-key"' not in client.get(first.url).content.decode()
