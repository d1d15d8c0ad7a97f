"""Every workbook the registry writes holds text, never formulas (issue 16).

Hostile text — what a village officer could type as a name, or a district's staff add to a
reference list — is planted in every place a download shows: every reference list, a group, a
person, a PMKS case, a partner, a link, a forum, an import's errors. Then every download the app
can produce is fetched (over HTTP as Dinas Sosial staff, the admin's Export of every model in
XLSX and CSV, and the management commands), every sheet and every cell is walked, and:

- no cell is a formula (openpyxl's data_type "f"), and text starting like a formula is
  quote-prefixed, so that Excel keeps it as text even when the cell is edited;
- the planted text is there, unchanged (a writer that dropped or altered it fails);
- in CSV, no field starts with a formula character without the apostrophe.

The list of downloads is checked against the site: every URL of the authorisation matrix that
answers a file must be walked here, and no module but registry/sheets.py (and the admin's formats,
registry/formats.py) may create a workbook or write CSV.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from registry import sheets
from tests import world as world_module

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# The planted text, one per place, each unique so that a missing one is named.
PLANTED = {
    "group": '=HYPERLINK("http://x","klik")',
    "person": "+1+1",
    "case": "@SUM(A1)",
    "partner": "=1+1",
    "import_value": "-2+3",
    "address": "-2+3 Jl. Mawar",
    "household_address": "@SUM(A1) Jl. Kenanga",
    "case_address": "=1+1 Gg. Melati",
    "case_note": "@SUM(A1) catatan",
    "link_note": '=HYPERLINK("http://x","catatan")',
    "partner_note": "+1+1 keterangan",
    "forum": "=1+1 Forum",
    "profil_note": "=1+1 Monografi",
    "livelihood": "+1+1 petani",
    "jenis": '=HYPERLINK("http://x","jenis")',
    "kategori": "-2+3 kategori",
    "tujuan": "@SUM(A1) tujuan",
    "syarat": "+1+1 syarat",
    "sumber_dana": "-2+3 dana",
    "nilai": "=1+1 nilai",
    # A multi-valued cell separates its values with ";" or ",": a value holding either cannot
    # travel in one (a limit of the survey format, formulas or not).
    "kegiatan": '=HYPERLINK("http://x/kegiatan")',
}
LISTS = ["tujuan", "syarat", "sumber_dana", "nilai", "kegiatan"]
FIELDS = {"syarat": "syarat_keanggotaan", "nilai": "nilai_solidaritas"}  # the group's field
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def w(operator, operator_lain, staf, staf_lain, admin_user, make_perkumpulan, make_warga):
    """The world of tests/world.py with hostile text everywhere in Cibeureum."""
    from members.models import Keluarga, Warga
    from network.models import Forum, Hubungan, Mitra
    from pmks.models import KasusPMKS, KategoriPMKS
    from registry.models import Impor, JenisPerkumpulan, Perkumpulan, Pilihan, ProfilDesa

    built = world_module.build(make_perkumpulan, make_warga, {
        "cbr": operator, "mlg": operator_lain, "skr": staf_lain})
    group = built.group["cbr"]
    # Names are written past the forms' rules: whatever got in, a download must not run it.
    Perkumpulan.objects.filter(pk=group.pk).update(nama=PLANTED["group"])
    Warga.objects.filter(pk=built.warga["cbr"].pk).update(
        nama=PLANTED["person"], alamat=PLANTED["address"])
    Keluarga.objects.filter(pk=built.keluarga["cbr"].pk).update(
        alamat=PLANTED["household_address"])
    KasusPMKS.objects.filter(pk=built.kasus["cbr"].pk).update(
        nama=PLANTED["case"], alamat=PLANTED["case_address"], catatan=PLANTED["case_note"])
    Mitra.objects.filter(pk=built.mitra["cbr"].pk).update(
        nama=PLANTED["partner"], keterangan=PLANTED["partner_note"])
    Hubungan.objects.filter(pk=built.hubungan["cbr"].pk).update(keterangan=PLANTED["link_note"])
    Forum.objects.filter(pk=built.forum["cbr"].pk).update(nama=PLANTED["forum"])
    ProfilDesa.objects.filter(pk=built.profil["cbr"].pk).update(
        sumber=PLANTED["profil_note"], mata_pencaharian=PLANTED["livelihood"])
    Impor.objects.filter(pk=built.impor["cbr"].pk).update(kesalahan=[
        ["perkumpulan", 2, "nama", PLANTED["import_value"], "contoh"]])
    JenisPerkumpulan.objects.filter(kode="DW").update(nama=PLANTED["jenis"])
    KategoriPMKS.objects.filter(kode="FM").update(nama=PLANTED["kategori"])
    # One value of every list, renamed and given to the group (so the recap counts it).
    group = Perkumpulan.objects.get(pk=group.pk)
    for daftar in LISTS:
        value = Pilihan.objects.filter(daftar=daftar).order_by("urutan", "pk").first()
        Pilihan.objects.filter(pk=value.pk).update(nama=PLANTED[daftar])
        if daftar == "tujuan":
            group.tujuan_id = value.pk
            group.save()
        else:
            field = FIELDS.get(daftar, daftar)
            getattr(group, field).add(value)
    built.staf, built.admin_user = staf, admin_user
    return built


# Reading what was written ------------------------------------------------------------------------
def workbook_texts(content: bytes, name: str) -> list[str]:
    """Every text cell of every sheet of an xlsx; fails on a formula, or on text that starts like
    a formula and is not quote-prefixed."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts, wrong = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    wrong.append(f"{name} {sheet.title}!{cell.coordinate}: formula {cell.value!r}")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(sheets.FORMULA_START) and not cell.quotePrefix:
                        wrong.append(f"{name} {sheet.title}!{cell.coordinate}: "
                                     f"{cell.value!r} not quote-prefixed")
    assert not wrong, "\n".join(wrong)
    return texts


def csv_texts(content: bytes, name: str) -> list[str]:
    """Every field of a CSV, with the apostrophe of an escaped one removed; fails on a field
    that starts like a formula without it."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    wrong = [f"{name} row {n}: {field!r}" for n, row in enumerate(rows, start=1)
             for field in row if field.startswith(sheets.FORMULA_START)]
    assert not wrong, "CSV fields a spreadsheet would run:\n" + "\n".join(wrong)
    return [f[1:] if f.startswith("'") and f[1:].startswith(sheets.FORMULA_START) else f
            for row in rows for f in row]


def xml_texts(content: bytes) -> list[str]:
    """Every attribute value and text of an XML download (GraphML, GEXF)."""
    texts = []
    for element in ET.fromstring(content).iter():
        texts.extend(element.attrib.values())
        if element.text and element.text.strip():
            texts.append(element.text)
    return texts


def planted_in(texts: list[str]) -> set[str]:
    """The places whose planted text appears, unchanged, as a whole cell or as one of the
    values of a multi-valued cell ("a; b")."""
    found = set()
    values = set(texts)
    for text in texts:
        values.update(part.strip() for part in text.split(";"))
    for place, text in PLANTED.items():
        if text in values:
            found.add(place)
    return found


# Every download of the web app ------------------------------------------------------------------
# Keyed by the URL pattern's name (tests/test_authorisation.py's ROWS): how to ask for it, as
# Cimahi staff, and which planted places it must show.
DOWNLOADS = {
    "registry:perkumpulan_xlsx": (lambda w: reverse("registry:perkumpulan_xlsx"),
                                  {"group", "jenis"}),
    "registry:impor_errors": (lambda w: reverse("registry:impor_errors",
                                                   args=[w.impor["cbr"].pk]), {"import_value"}),
    "registry:workbook_template": (lambda w: reverse("registry:workbook_template"),
                         {"jenis", "kategori", *LISTS}),
    "registry:workbook_export": (lambda w: reverse("registry:workbook_export") + "?wilayah=32.77",
                        {"group", "person", "household_address", "case", "case_note", "partner",
                         "link_note", "jenis", "kategori", "profil_note", "livelihood", *LISTS}),
    "registry:rekap_xlsx": (lambda w: reverse("registry:rekap_xlsx") + "?wilayah=32.77",
                            {"jenis", "kategori", "tujuan", "syarat", "sumber_dana", "nilai"}),
    "pmks:kasus_xlsx": (lambda w: reverse("pmks:kasus_xlsx"),
                        {"case", "case_address", "kategori", "group"}),
    "network:jaringan_download": (
        lambda w: reverse("network:jaringan_download", kwargs={"format": "graphml"})
        + "?wilayah=32.77", {"group", "partner"}),
    "bantuan:program_xlsx": (lambda w: reverse("bantuan:program_xlsx",
                                               args=[w.program["cbr"].pk]), {"person", "address"}),
    # The social-resilience indicators (figures and the areas' names) and an assessment
    # round's blank sheet (the statements' codes): no planted record shows in them.
    "ketahanan:indikator_xlsx": (lambda w: reverse("ketahanan:indikator_xlsx")
                                 + "?wilayah=32.77", set()),
    "ketahanan:penilaian_template": (lambda w: reverse("ketahanan:penilaian_template",
                                                       args=[w.penilaian["cbr"].pk]), set()),
    # The survey as an XLSForm (ODK, KoboToolbox): the reference lists are its choices.
    "odk:xlsform": (lambda w: reverse("odk:xlsform") + "?wilayah=32.77",
                    {"jenis", "kategori", *LISTS}),
    # Not a workbook: the proof of a distribution, as it was uploaded.
    "bantuan:penyaluran_bukti": (lambda w: reverse("bantuan:penyaluran_bukti",
                                                   args=[w.penyaluran["cbr"].pk]), set()),
    # Nor a stimulus report's evidence (a photo), as it was uploaded.
    "bantuan:laporan_bukti": (lambda w: reverse("bantuan:laporan_bukti",
                                                args=[w.laporan["cbr"].pk]), set()),
    # Nor the scanned minutes of a village meeting, as uploaded with the village's list.
    "verifikasi:berita_acara": (lambda w: reverse("verifikasi:berita_acara",
                                                  args=[w.putaran["cbr"].pk, w.place["cbr"]]),
                                set()),
}


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_every_download_holds_the_planted_text_as_text(client, w, name):
    url, places = DOWNLOADS[name]
    client.force_login(w.staf)
    content = fetch(client, url(w))
    if name in ("bantuan:penyaluran_bukti", "verifikasi:berita_acara"):
        assert content == b"%PDF-1.4\n"
        return
    if name == "bantuan:laporan_bukti":
        assert content == b"\xff\xd8\xff"  # the JPEG's first bytes, as uploaded
        return
    if name == "network:jaringan_download":
        # Not a workbook: GraphML and GEXF are XML for Gephi; the names are XML-escaped text.
        found = set()
        for fmt in ("graphml", "gexf"):
            address = (reverse("network:jaringan_download", kwargs={"format": fmt})
                       + "?wilayah=32.77")
            found |= planted_in(xml_texts(fetch(client, address)))
        assert places <= found, f"{name}: missing {sorted(places - found)}"
        return
    found = planted_in(workbook_texts(content, name))
    assert places <= found, f"{name}: missing {sorted(places - found)}"


def is_download(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    kind = response.get("Content-Type", "")
    return "attachment" in disposition or kind.startswith((XLSX, "text/csv"))


def test_every_download_of_the_site_is_walked(client, w):
    """Every URL pattern (tests/test_authorisation.py keeps the list complete) asked as the
    national administrator: whatever answers with a file must be in DOWNLOADS."""
    from tests.test_authorisation import ROWS

    client.force_login(w.admin_user)
    w.users, w.refs = {"operator": w.impor["cbr"].pengguna}, {}
    answered_files = set()
    for name, row in ROWS.items():
        if row.get is None or row.get == "never":
            continue
        response = client.get(row.url(w, "cbr"))
        if is_download(response):
            answered_files.add(name)
    assert answered_files == set(DOWNLOADS)


# The admin's Export of every model, in both formats ----------------------------------------------
def exporting_admins() -> list[tuple[str, object]]:
    return sorted(
        (f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "get_export_formats")
    )


ADMIN_PLANTED = {
    "/admin/registry/perkumpulan/": {"group", "syarat", "sumber_dana", "nilai", "kegiatan"},
    "/admin/members/warga/": {"person", "address"},
    "/admin/members/keanggotaan/": {"person"},
    "/admin/members/keluarga/": {"household_address"},
    "/admin/pmks/kasuspmks/": {"case", "case_address", "case_note"},
    "/admin/network/mitra/": {"partner", "partner_note"},
    "/admin/network/hubungan/": {"partner", "link_note"},
    "/admin/network/forum/": {"forum"},
}


def test_every_admin_export_is_walked():
    assert sorted(url for url, _admin in exporting_admins()) == sorted(ADMIN_PLANTED)


def test_the_admin_exports_and_imports_with_the_registrys_formats():
    for url, model_admin in exporting_admins():
        for listed in (model_admin.get_export_formats(), model_admin.get_import_formats()):
            assert {f.__name__ for f in listed} == {"CSV", "XLSX"}, url
            assert all(f.__module__ == "registry.formats" for f in listed), url


def admin_export(client, url: str, model_admin, fmt: str) -> bytes:
    resource = model_admin.get_export_resource_classes(None)[0]
    names = [f.__name__ for f in model_admin.get_export_formats()]
    data = {"format": str(names.index(fmt)), "resource": "0"}
    data.update({f"{resource.__name__.lower()}_{field}": "on"
                 for field in resource().get_export_order()})
    response = client.post(f"{url}export/", data)
    assert response.status_code == 200, (url, fmt, response.status_code)
    return response.content


@pytest.mark.parametrize("url", sorted(ADMIN_PLANTED))
def test_every_admin_export_holds_the_planted_text_as_text(client, w, url):
    model_admin = dict(exporting_admins())[url]
    client.force_login(w.staf)
    in_xlsx = planted_in(workbook_texts(admin_export(client, url, model_admin, "XLSX"), url))
    in_csv = planted_in(csv_texts(admin_export(client, url, model_admin, "CSV"), url))
    assert ADMIN_PLANTED[url] <= in_xlsx, f"xlsx: missing {sorted(ADMIN_PLANTED[url] - in_xlsx)}"
    assert ADMIN_PLANTED[url] <= in_csv, f"csv: missing {sorted(ADMIN_PLANTED[url] - in_csv)}"


# The management commands -------------------------------------------------------------------------
def test_the_commands_write_text_as_text(w, tmp_path):
    recap, export, template = (tmp_path / n for n in ("rekap.xlsx", "ekspor.xlsx", "form.xlsx"))
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("rekap", wilayah="32.77", format="xlsx", output=str(recap), **quiet)
    call_command("export_survey", wilayah="32.77", output=str(export), **quiet)
    call_command("export_survey", template=True, output=str(template), **quiet)
    expected = {recap: DOWNLOADS["registry:rekap_xlsx"][1],
                export: DOWNLOADS["registry:workbook_export"][1],
                template: DOWNLOADS["registry:workbook_template"][1]}
    for path, places in expected.items():
        found = planted_in(workbook_texts(path.read_bytes(), path.name))
        assert places <= found, f"{path.name}: missing {sorted(places - found)}"


def test_an_exported_workbook_imports_again_to_the_same_records(w):
    """The text is unchanged: the survey export of a village, imported again, changes nothing."""
    from pmks.models import KasusPMKS
    from registry import workbook

    # One NIK, one name: the case of the person carries the person's name.
    KasusPMKS.objects.filter(pk=w.kasus["cbr"].pk).update(nama=PLANTED["person"])
    buffer = io.BytesIO()
    workbook.export_workbook(buffer, user=w.admin_user, area=w.group["cbr"].desa)
    result = workbook.run(io.BytesIO(buffer.getvalue()), user=w.admin_user, dry_run=True)
    assert result.errors == []
    assert all(c.created == c.updated == 0 for c in result.counts.values()), result.summary()


# No other writer ---------------------------------------------------------------------------------
APPS = ["registry", "members", "pmks", "network", "wksbm_site"]
# openpyxl's workbooks and cells, the csv module's writers, tablib's export to a format, and
# django-import-export's own formats.
WRITERS = re.compile(r"Workbook\(|WriteOnlyCell|csv\.writer|csv\.DictWriter|\.export\(\s*[\"']|"
                     r"base_formats|export_set\(")
ALLOWED = {"registry/sheets.py", "registry/formats.py"}


def test_no_other_module_writes_a_spreadsheet():
    """A workbook or a CSV is written by registry.sheets (and the admin's formats) alone; a new
    writer must go through them, and its download be added above."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WRITERS.search(line) and not line.lstrip().startswith("#"):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_a_control_character_in_a_name_does_not_fail_a_download(client, staf, make_perkumpulan):
    """A vertical tab pasted into a name (no xlsx may hold it) is written as U+FFFD: the download
    works and the rest of the name is kept."""
    make_perkumpulan("CBR-DW-001", nama="Dasa\x0bWisma Mawar")
    client.force_login(staf)
    response = client.get("/perkumpulan/unduh.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [c.value for row in book.active.iter_rows() for c in row]
    assert "Dasa\ufffdWisma Mawar" in names


def test_a_download_whose_rows_fail_leaves_no_temporary_file_behind():
    """A streaming workbook spills its rows to temporary files; when the rows fail midway (a
    query that fails, a download cut short) they are removed, not left until the server
    restarts."""
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)

    def rows():
        yield ["Melati", 1]
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError, match="the query failed"):
        sheets.table(io.BytesIO(), "Data", ["nama", "n"], rows())
    left = set(ALL_TEMP_FILES) - before
    assert left == set() and not any(Path(p).exists() for p in left)
    # The same book saved whole keeps nothing behind either, and reads back.
    stream = io.BytesIO()
    assert sheets.table(stream, "Data", ["nama", "n"], [["Melati", 1]]) == 1
    assert set(ALL_TEMP_FILES) == before
    assert list(openpyxl.load_workbook(stream).active.values) == [("nama", "n"), ("Melati", 1)]
