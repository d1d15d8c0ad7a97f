"""Bad input everywhere: whatever is typed into an address, a form or an upload, the user gets the
page or a clear message (in Indonesian, the default) with a 4xx — never a server error.

The client does not raise a view's exception (`raise_request_exception=False`) so that a 500 shows
as a status, and every request runs in a transaction rolled back afterwards: on PostgreSQL a
failed query would otherwise spoil the rest of the test.
"""

import io
import zipfile
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import openpyxl
import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from registry.models import Impor, Perkumpulan, StatusImpor
from tests import world as world_module
from tests.conftest import CIBEUREUM
from tests.test_authorisation import rolled_back

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONG = "x" * 20_000
HUGE = "99999999999999999999"
# What a mistyped, pasted or hostile address carries.
BAD_VALUES = ["abc", "0", "-1", HUGE, NUL, f"32.77{NUL}", LONG, "1e999", "NaN", "[",
              "2026-13-45", "99999-01-01", "ü€😀"]

# Indonesian, the default language: what each kind of answer says.
SAYS = {
    400: ("errorlist", "Permintaan ini tidak dapat dipahami"),
    404: ("Halaman ini tidak ada, atau berada di luar wilayah Anda.",),
    409: ("errorlist",),
}


class SafeClient(Client):
    """A client that shows a server error as a 500 and rolls back each request."""

    def __init__(self):
        super().__init__(raise_request_exception=False)

    def request(self, **request):
        with rolled_back():
            return super().request(**request)


def told(response) -> str:
    """What is wrong with the answer, or "" when the user gets the page or a clear message."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (301, 302):
        return ""
    if response.get("Content-Disposition", "").startswith("attachment"):
        return "" if status == 200 else f"a download with status {status}"
    page = response.content.decode(errors="replace")
    if status == 200 and response.get("Content-Type") == "application/json":
        return "" if page.startswith("{") else "an empty answer"
    if status == 200:
        return "" if "<h1" in page or "<title" in page else "an empty page"
    if status not in SAYS:
        return f"unexpected status {status}"
    return "" if any(text in page for text in SAYS[status]) else f"{status} without a message"


@pytest.fixture
def w(operator, operator_lain, staf_lain, make_perkumpulan, make_warga):
    return world_module.build(make_perkumpulan, make_warga,
                              {"cbr": operator, "mlg": operator_lain, "skr": staf_lain})


@pytest.fixture
def as_staff(staf):
    client = SafeClient()
    client.force_login(staf)
    return client


@pytest.fixture
def as_admin(admin_user):
    client = SafeClient()
    client.force_login(admin_user)
    return client


# Lists and searches -------------------------------------------------------------------------------
# Each list page and the parameters it reads (besides `page`).
LIST_PAGES = {
    "registry:dashboard": [],
    "registry:perkumpulan_list": ["q", "jenis", "wilayah", "rw", "berdiri_sesudah",
                                  "berdiri_sebelum", "aktif", "jaringan", "urut"],
    "registry:perkumpulan_xlsx": ["q", "jenis", "rw", "berdiri_sebelum", "urut"],
    "members:warga_list": ["q", "wilayah"],
    "registry:perkumpulan_cari": ["q", "desa"],
    "pmks:kasus_list": ["q", "kategori", "status", "didampingi", "pendamping", "desa", "rw",
                        "wilayah"],
    "pmks:kasus_xlsx": ["kategori", "pendamping", "desa", "rw"],
    "pmks:cakupan": ["wilayah"],
    "registry:impor_list": [],
    "registry:rekap": ["wilayah", "tahun"],
    "registry:rekap_xlsx": ["wilayah", "tahun"],
    "network:jaringan": ["wilayah"],
    "network:forum": ["desa"],
    "registry:workbook_export": ["wilayah"],
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_list_pages_answer_every_bad_parameter(w, as_staff, name):
    url = reverse(name)
    wrong = []
    for parameter in ["page", *LIST_PAGES[name]]:
        for value in BAD_VALUES:
            problem = told(as_staff.get(url, {parameter: value}))
            if problem:
                wrong.append(f"{parameter}={value[:20]!r}: {problem}")
    assert not wrong, f"{url}\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", ["abc", "0", "-1", HUGE])
def test_a_bad_page_number_gives_a_page_of_the_list(w, as_staff, page):
    response = as_staff.get(reverse("registry:perkumpulan_list"), {"page": page})
    assert response.status_code == 200
    assert "CBR-DW-001" in response.content.decode()


def test_a_bad_filter_is_told_beside_its_field(w, as_staff):
    response = as_staff.get(reverse("registry:perkumpulan_list"), {"berdiri_sesudah": "abc"})
    assert response.status_code == 400
    assert "Masukkan sebuah bilangan." in response.content.decode()  # "Enter a number."
    response = as_staff.get(reverse("registry:rekap"), {"wilayah": CIBEUREUM, "tahun": HUGE})
    assert response.status_code == 400
    assert "tahun" in response.content.decode().lower()


def test_nul_in_a_query_string_is_a_bad_request(w, as_staff):
    response = as_staff.get(reverse("registry:perkumpulan_list"), {"q": f"Mawar{NUL}"})
    assert response.status_code == 400
    assert "Permintaan ini tidak dapat dipahami" in response.content.decode()


# Addresses ----------------------------------------------------------------------------------------
BAD_PATHS = [
    f"/perkumpulan/CBR{NUL}DW/", f"/perkumpulan/CBR-DW-001{NUL}/ubah/",
    f"/perkumpulan/{NUL}/anggota/tambah/", f"/perkumpulan/{NUL}/hubungan/tambah/",
    "/perkumpulan/" + "x" * 5000 + "/", f"/warga/{HUGE}/", f"/pmks/{HUGE}/", f"/pmks/{HUGE}/ubah/",
    f"/impor/{HUGE}/", f"/impor/{HUGE}/kesalahan.xlsx", f"/anggota/{HUGE}/",
    f"/admin/registry/perkumpulan/{NUL}/change/", f"/admin/registry/wilayah/{NUL}/change/",
    f"/admin/registry/wilayah/{NUL}/history/", f"/admin/r/{NUL}/{NUL}/", "/admin/r/1/abc/",
    f"/admin/r/{HUGE}/1/", f"/{NUL}/", f"/admin/{NUL}/",
]


def test_bad_addresses_are_not_found(w, as_staff):
    wrong = []
    for path in BAD_PATHS:
        for method in (as_staff.get, as_staff.post):
            response = method(path)
            # Nothing there: 404; a form page that only takes POST: 405; the admin's
            # "does not exist" redirect; never a 500.
            if response.status_code not in (302, 404, 405) or told(response):
                wrong.append(f"{method.__name__} {path[:60]!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def numbered_routes(resolver=None, prefix="") -> list[str]:
    """Every address pattern of the site with a number in it, as its full route."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    from registry.converters import IdConverter

    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += numbered_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and any(
                isinstance(c, IntConverter | IdConverter)
                for c in getattr(pattern.pattern, "converters", {}).values()):
            found.append(route)
    return found


# What an address's other parts hold, so that the number is what the view looks up.
ROUTE_VALUES = {"desa": CIBEUREUM, "kode": "CBR-DW-001", "aksi": "status"}


@pytest.mark.parametrize("number", [HUGE, str(2**63), str(2**63 - 1)])
def test_every_address_with_a_number_too_large_for_a_key_is_not_found(w, as_admin, number):
    """Any number in any address (a round, a case, a plan…) beside real values for the rest:
    one a database key cannot hold is no address, never a query the database refuses."""
    import re

    routes = numbered_routes()
    assert len(routes) > 50
    wrong = []
    for route in routes:
        path = "/" + re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: number if m.group(1) in ("id", "int") else ROUTE_VALUES.get(m.group(2), "1"),
            route)
        for method in (as_admin.get, as_admin.post):
            response = method(path)
            # Not found, told as such; a page that takes only POST (or GET): 405.
            status = response.status_code
            if status not in (302, 404, 405) or (status == 404 and told(response)):
                wrong.append(f"{method.__name__} {path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_nul_in_a_group_code_is_not_found(w, as_staff):
    response = as_staff.get(f"/perkumpulan/CBR-DW-001{NUL}/")
    assert response.status_code == 404
    assert SAYS[404][0] in response.content.decode()


# The admin's lists --------------------------------------------------------------------------------
ADMIN_QUERIES = [
    {"p": "abc"}, {"p": "-1"}, {"p": HUGE}, {"q": NUL}, {"q": LONG}, {"o": "abc"}, {"o": "99"},
    {"nama__regex": "["}, {"nik__iregex": "("}, {"username__regex": "["}, {"name__regex": "["},
    {"tanggal__gte": "99999-01-01"}, {"tanggal_identifikasi__gte": "99999-01-01"},
    {"waktu__gte": "0001-01-01"}, {"attempt_time__gte": "0001-01-01 00:00"},
    {"date_joined__lt": "0001-01-01"}, {"dibuat__year": "abc"}, {"id__in": "1,abc"},
    {"id__exact": HUGE}, {"tahun_berdiri__gte": "1e999"}, {"wilayah": NUL}, {"wilayah": LONG},
    {"tindakan": NUL}, {"tingkat__exact": NUL}, {"aktif__exact": "abc"},
    {"jenis__id__exact": "abc"}, {"_to_field": "nik"}, {"all": ""},
]


def _changelists():
    return sorted(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"
                  for m in admin.site._registry)


def _date_queries(name: str) -> list[dict]:
    """What a list's date hierarchy sends, out of every range: a year too large for a date or
    for Python's C integer, a month or a day that is none."""
    model_admin = next(a for m, a in admin.site._registry.items()
                       if name == f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
    field = model_admin.date_hierarchy
    if not field:
        return []
    year, month, day = (f"{field}__{part}" for part in ("year", "month", "day"))
    return ([{year: v} for v in (HUGE, str(2**31), "10000", "9999", "1", "0", "-1", "1e3")]
            + [{year: "2026", month: v} for v in (HUGE, "13", "0")]
            + [{year: "2026", month: "2", day: v} for v in (HUGE, "30", "0")])


@pytest.mark.parametrize("name", _changelists())
def test_admin_lists_answer_every_bad_filter(w, as_admin, name):
    url = reverse(name)
    wrong = []
    for query in ADMIN_QUERIES + _date_queries(name):
        response = as_admin.get(url, query, follow=True)
        problem = told(response)
        if problem:
            wrong.append(f"{query!r:.60}: {problem}")
    assert not wrong, f"{url}\n" + "\n".join(wrong)


@pytest.mark.parametrize("query", [{"nama__regex": "["}, {"waktu__gte": "0001-01-01"}])
def test_an_unrunnable_admin_filter_is_a_bad_request(w, as_admin, query):
    name = "admin:pmks_logakses_changelist" if "waktu__gte" in query else \
        "admin:registry_perkumpulan_changelist"
    response = as_admin.get(reverse(name), query)
    assert response.status_code == 400
    assert "Permintaan ini tidak dapat dipahami" in response.content.decode()


def test_an_admin_history_of_a_malformed_id_is_not_found(w, as_admin):
    response = as_admin.get(reverse("admin:registry_perkumpulan_history", args=["abc"]))
    assert response.status_code == 404


def _relation_names(model) -> list[str]:
    """Every name `_meta.get_field` answers for `model`: its columns, and the relations to it
    from other models (a group's `keanggotaan`), which are no columns."""
    return sorted({f.name for f in model._meta.get_fields()})


@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label))
def test_every_admin_page_answers_any_to_field(w, as_admin, model):
    """`?_to_field=` naming any field or relation of the model, on its list, its add page and a
    record's page: the page or a 400, never a 500."""
    opts = model._meta
    record = model._default_manager.order_by("pk").first()
    urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
    if record is not None:
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                            args=[record.pk]))
    wrong = [f"{url}?_to_field={name}: {response.status_code}"
             for name in _relation_names(model) for url in urls
             if (response := as_admin.get(url, {"_to_field": name, "_popup": "1"}))
             .status_code >= 500]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label))
def test_the_admin_autocomplete_answers_any_field_name(w, as_admin, model):
    """The admin's autocomplete asked for any field or relation of any model: results for a
    foreign key or many-to-many the admin searches, else 403 or 404 — never a 500."""
    opts = model._meta
    wrong = []
    for name in _relation_names(model):
        response = as_admin.get(reverse("admin:autocomplete"), {
            "app_label": opts.app_label, "model_name": opts.model_name, "field_name": name,
            "term": "a"})
        field = opts.get_field(name)
        answered = response.status_code
        if answered >= 500 or (answered == 200 and not (field.concrete and field.is_relation)):
            wrong.append(f"{name}: {answered}")
    assert not wrong, "\n".join(wrong)


# Forms --------------------------------------------------------------------------------------------
class Forms(HTMLParser):
    """The POST forms of a page: their action and fields (hidden ones with their values)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "hidden": {}})
        elif self.forms and tag in ("input", "select", "textarea") and attrs.get("name"):
            form = self.forms[-1]
            if attrs.get("type") == "hidden":
                form["hidden"][attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") not in ("submit", "file"):
                form["fields"][attrs["name"]] = attrs.get("value", "")


def post_forms(client, url):
    parser = Forms()
    parser.feed(client.get(url).content.decode())
    for form in parser.forms:  # "#section" (a form that reopens its page there): the page
        form["action"] = urldefrag(urljoin(url, form["action"]))[0] if form["action"] else ""
    skip = ("/i18n/", "logout", "/delete/")
    # A form of one button (remove a link, end a leader's term) has nothing to type wrong.
    return [f for f in parser.forms
            if f["fields"] and not any(s in (f["action"] or url) for s in skip)]


# Wrong types, too long, NUL, out of range: in every field at once.
BAD_FORM_VALUES = ["abc", NUL, f"Mawar{NUL}", LONG, HUGE, "-1", "9999-99-99", "0001-01-01",
                   "99999-01-01", "1e999"]


def form_pages(w):
    group, kasus = w.group["cbr"], w.kasus["cbr"]
    return [
        reverse("registry:perkumpulan_new"),
        reverse("registry:perkumpulan_edit", args=[group.kode]),
        reverse("registry:perkumpulan_detail", args=[group.kode]),  # add a member, add a link
        reverse("members:keanggotaan_detail", args=[w.anggota["cbr"].pk]),  # change role, end
        reverse("network:forum") + f"?desa={CIBEUREUM}",  # forum, leader, meeting, fund
        reverse("pmks:kasus_new"),
        reverse("pmks:kasus_edit", args=[kasus.pk]),
        reverse("pmks:kasus_detail", args=[kasus.pk]),  # status, referral, help
        reverse("password_change"),
    ]


def admin_form_pages(w):
    return [
        reverse("admin:registry_perkumpulan_add"),
        reverse("admin:registry_perkumpulan_change", args=[w.group["cbr"].pk]),
        reverse("admin:members_warga_add"),
        reverse("admin:members_keanggotaan_add"),
        reverse("admin:pmks_kasuspmks_change", args=[w.kasus["cbr"].pk]),
        reverse("admin:network_hubungan_add"),
        reverse("admin:network_mitra_add"),
        reverse("admin:network_forum_change", args=[w.forum["cbr"].pk]),
        reverse("admin:registry_user_add"),
        reverse("admin:registry_jenisperkumpulan_add"),
    ]


def check_forms(client, pages) -> list[str]:
    wrong, seen = [], 0
    for url in pages:
        for form in post_forms(client, url):
            seen += 1
            action = form["action"] or url
            for value in BAD_FORM_VALUES:
                data = {**form["hidden"], **dict.fromkeys(form["fields"], value)}
                response = client.post(action, data)
                if response.status_code in (301, 302):
                    wrong.append(f"{action} accepted {value[:20]!r} in every field")
                elif response.status_code not in (200, 400, 409) or told(response) or (
                        "errorlist" not in response.content.decode()
                        and "errornote" not in response.content.decode()):
                    wrong.append(f"{action} {value[:20]!r}: {response.status_code} "
                                 f"{told(response) or 'without a message'}")
    assert seen >= len(pages), "every page has a form to post"
    return wrong


PROJECT_APPS = ("registry", "members", "pmks", "network", "psks", "bantuan", "verifikasi",
                "ketahanan")


def typed_fields():
    """Every date and number field of the registry's models as a form (the apps' pages and the
    admin) offers it."""
    from django import forms
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if field.primary_key or not field.editable or field.is_relation:
                continue
            formfield = field.formfield()
            if isinstance(formfield, forms.DateField | forms.IntegerField) and not field.choices:
                yield f"{model._meta.label}.{field.name}", formfield


def test_every_date_and_number_a_form_takes_is_of_the_registry_s_range():
    """A date in year 1 or 9999 (a year typed short or long) and a number past a village fund's
    size are told beside the field, whatever the field: ten fund entries of
    Rp 999,999,999,999,999,999 had overflowed a group page's sum."""
    from django import forms
    from django.core.exceptions import ValidationError

    def refuses(formfield, value) -> bool:
        try:
            formfield.clean(value)
        except ValidationError:
            return True
        return False

    checked, wrong = 0, []
    for name, formfield in typed_fields():
        checked += 1
        bad = (["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]
               if isinstance(formfield, forms.DateField)
               else [str(10**12 + 1), "999999999999999999"])
        wrong += [f"{name} takes {value}" for value in bad if not refuses(formfield, value)]
    assert checked > 60
    assert not wrong, "\n".join(wrong)


def test_forms_refuse_bad_values_beside_the_fields(w, as_staff):
    pages = form_pages(w)
    wrong = check_forms(as_staff, pages)
    assert not wrong, "\n".join(wrong)


def test_admin_forms_refuse_bad_values_beside_the_fields(w, as_admin):
    wrong = check_forms(as_admin, admin_form_pages(w))
    assert not wrong, "\n".join(wrong)


def test_a_too_long_name_is_told_and_nothing_saved(w, as_staff):
    group = w.group["cbr"]
    response = as_staff.post(reverse("registry:perkumpulan_new"), {
        "kode": "CBR-DW-999", "nama": "N" * 5000, "jenis": "DW", "desa_kode": CIBEUREUM,
        "tahun_berdiri": "2000"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Perkumpulan.objects.filter(kode="CBR-DW-999").exists()
    assert Perkumpulan.objects.get(pk=group.pk).nama == group.nama


# Uploads ------------------------------------------------------------------------------------------
def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "perkumpulan"
    sheet.append(["kode_perkumpulan", "kode_wilayah", "nama", "jenis", "tahun_berdiri"])
    sheet.append(["CBR-DW-900", CIBEUREUM, "Dasa Wisma Uji", "DW", 2001])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A small zip with an xlsx's name inside that unpacks to 50 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def named(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


UPLOADS = {
    # what is sent: (file name, content, what the page says, in Indonesian)
    "empty": ("survei.xlsx", b"", "kosong"),
    "text named .xlsx": ("survei.xlsx", b"kode,nama\n1,2\n", "bukan"),
    "a CSV": ("survei.csv", b"kode,nama\n1,2\n", ".xlsx"),
    "truncated": ("survei.xlsx", None, "rusak"),
    "zip bomb": ("survei.xlsx", None, "MB"),
    "NUL in the name": (f"sur{NUL}vei.xlsx", None, None),
    "a very long name": ("s" * 300 + ".xlsx", None, None),
}


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_uploads_are_refused_with_a_message(w, operator, kind):
    client = SafeClient()
    client.force_login(operator)
    name, content, says = UPLOADS[kind]
    if content is None:
        content = {"truncated": xlsx_bytes()[:1500], "zip bomb": zip_bomb()}.get(
            kind, xlsx_bytes())
    before = Impor.objects.count()
    response = client.post(reverse("registry:impor_new"), {"berkas": named(content, name)})
    if says is None:  # a good workbook under a strange name: checked like any other
        assert response.status_code in (302, 400), response.status_code
        assert not told(response)
        if response.status_code == 302:
            record = Impor.objects.order_by("-pk").first()
            assert NUL not in record.nama_berkas and len(record.nama_berkas) <= 255
        return
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert "errorlist" in page and says in page, page[-2000:]
    assert Impor.objects.count() == before
    assert not Perkumpulan.objects.filter(kode="CBR-DW-900").exists()


def test_an_upload_over_the_size_limit_is_refused(w, operator, monkeypatch):
    from registry import forms

    monkeypatch.setattr(forms, "MAX_FILE_BYTES", 1024)
    client = SafeClient()
    client.force_login(operator)
    response = client.post(reverse("registry:impor_new"), {
        "berkas": named(xlsx_bytes(), "survei.xlsx")})
    assert response.status_code == 400
    assert "MB" in response.content.decode()
    assert not Impor.objects.filter(pengguna=operator, nama_berkas="survei.xlsx").exists()


def test_confirming_an_import_whose_file_is_gone_says_so(w, operator):
    """A checked import whose stored file has gone (cleaned up, or never kept): upload again."""
    record = w.impor["cbr"]
    client = SafeClient()
    client.force_login(operator)
    response = client.post(reverse("registry:impor_confirm", args=[record.pk]), follow=True)
    assert response.status_code == 200
    assert "unggah" in response.content.decode().lower()  # "upload it again"
    record.refresh_from_db()
    assert record.status == StatusImpor.DIPERIKSA


# The admin's import (django-import-export) --------------------------------------------------------
IMPORTABLE = ["registry/perkumpulan", "members/warga", "members/keanggotaan", "pmks/kasuspmks",
              "network/mitra", "network/hubungan", "network/forum"]


def import_format(url: str, name: str) -> str:
    for model, model_admin in admin.site._registry.items():
        if f"/admin/{model._meta.app_label}/{model._meta.model_name}/" == url:
            return str([f.__name__ for f in model_admin.get_import_formats()].index(name))
    raise LookupError(url)


ADMIN_UPLOADS = {
    "empty CSV": ("data.csv", "CSV", b""),
    "empty xlsx": ("data.xlsx", "XLSX", b""),
    "text as xlsx": ("data.xlsx", "XLSX", b"kode,nama\n1,2\n"),
    "truncated xlsx": ("data.xlsx", "XLSX", None),
    "CSV with NUL": ("data.csv", "CSV", b"kode,nama\nA\x00B,C\x00\n"),
    "CSV of huge and wrong values": (
        "data.csv", "CSV", ("kode,nama,jenis,desa,tahun_berdiri,rw,id,nik,warga,perkumpulan\n"
                            f"{HUGE},{'x' * 5000},{HUGE},{HUGE},abc,1e999,{HUGE},abc,abc,abc\n"
                            ).encode()),
    "not UTF-8": ("data.csv", "CSV", "kode,nama\n\udcff,é\n".encode("utf-8", "surrogateescape")),
}


@pytest.mark.parametrize("model", IMPORTABLE)
def test_admin_import_refuses_bad_files_with_a_message(w, as_admin, model):
    url = f"/admin/{model}/"
    wrong = []
    for kind, (name, fmt, content) in ADMIN_UPLOADS.items():
        if content is None:
            content = xlsx_bytes()[:1500]
        response = as_admin.post(f"{url}import/", {
            "format": import_format(url, fmt), "resource": "0",
            "import_file": named(content, name)})
        # The import page again: with the errors, or with a preview of nothing to import.
        if response.status_code not in (200, 400) or "Impor" not in response.content.decode():
            wrong.append(f"{kind}: {response.status_code}")
    # The confirm step names the stored upload: a name that is no upload is refused.
    for stored in ["../../../etc/passwd", f"a{NUL}b", "tidak-ada", "x" * 5000]:
        response = as_admin.post(f"{url}process_import/", {
            "import_file_name": stored, "original_file_name": "a.csv",
            "format": import_format(url, "CSV"), "resource": "0"})
        if response.status_code >= 500:
            wrong.append(f"confirm {stored[:20]!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_confirming_an_admin_import_whose_upload_is_gone_says_so(w, as_admin):
    url = "/admin/registry/perkumpulan/"
    response = as_admin.post(f"{url}process_import/", {
        "import_file_name": "sudah-dihapus", "original_file_name": "kelompok.csv",
        "format": import_format(url, "CSV"), "resource": "0"}, follow=True)
    assert response.status_code == 200
    assert "unggah berkasnya sekali lagi" in response.content.decode()



def test_a_control_character_in_an_admin_form_is_told_beside_its_field(w, as_admin):
    """As on the registry's pages (test_group_form.py) and in the importers."""
    response = as_admin.post(reverse("admin:registry_jenisperkumpulan_add"),
                             {"kode": "XX", "nama": "Jenis\x1bBaru", "urutan": "99"})
    assert response.status_code in (200, 400)
    assert "memuat karakter kendali (U+001B)" in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "patch", "options", "trace"])
def test_a_page_answers_other_methods_with_405_and_changes_nothing(w, as_staff, method):
    """A form's page asked with PUT, DELETE…: 405 naming the methods it takes, not the page."""
    group = Perkumpulan.objects.get(kode="CBR-DW-001")
    for url in ("/", "/perkumpulan/CBR-DW-001/ubah/", reverse("admin:index"),
                reverse("admin:registry_perkumpulan_change", args=[group.pk])):
        response = getattr(as_staff, method)(url, "nama=Diganti",
                                             content_type="application/x-www-form-urlencoded")
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD, POST"
    group.refresh_from_db()
    assert group.nama != "Diganti"


def test_a_post_only_address_opened_says_so_with_the_way_back(w, as_staff):
    """A form's POST-only address opened by GET (a reload, a bookmark, the language switch after
    a form's error): the site's page in Indonesian with a link back, not a blank 405."""
    url = "/perkumpulan/CBR-DW-001/anggota/tambah/"
    response = as_staff.get(url, HTTP_REFERER="http://testserver/perkumpulan/CBR-DW-001/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "Bukan halaman untuk dibuka" in page
    assert 'href="http://testserver/perkumpulan/CBR-DW-001/"' in page
    # A link back elsewhere is not offered.
    page = as_staff.get(url, HTTP_REFERER="http://evil.example/").content.decode()
    assert "evil.example" not in page


def test_the_language_switch_after_a_forms_error_returns_to_the_forms_page(w, as_staff):
    response = as_staff.post("/perkumpulan/CBR-DW-001/anggota/tambah/", {"nik": "12345"},
                             HTTP_REFERER="http://testserver/perkumpulan/CBR-DW-001/")
    assert response.status_code == 400
    assert ('name="next" type="hidden" value="http://testserver/perkumpulan/CBR-DW-001/"'
            in response.content.decode())
