"""Indonesian first, English switchable; the committed catalogue is compiled."""

import gettext

from django.conf import settings


def test_it_speaks_indonesian_whatever_the_browser_asks(client, db):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert page["Content-Language"] == "id"
    assert "Registri WKSBM" in page.content.decode()
    assert "WKSBM Registry" not in page.content.decode()


def test_it_switches_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert "WKSBM Registry" in client.get("/admin/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/admin/login/"})
    assert "Registri WKSBM" in client.get("/admin/login/").content.decode()


def test_it_ignores_an_unknown_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert "Registri WKSBM" in client.get("/admin/login/").content.decode()


def test_the_compiled_catalogue_holds_every_message_of_the_source():
    folder = settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    entries = sum(1 for line in source.splitlines() if line.startswith("msgid ")) - 1  # header
    with (folder / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalogue} - {""}
    assert len(compiled) == entries


def test_no_choice_of_the_main_forms_is_left_in_english(client, operator, staf):
    """Every <option> of the lists' filters and the main forms, in Indonesian: none is one of the
    catalogue's English messages (whose translation differs), none is django-filter's English
    "(descending)"."""
    import html
    import re

    folder = settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    english = {key for key, text in catalogue.items()
               if isinstance(key, str) and key and text != key}
    left = []
    for user, urls in ((staf, ["/perkumpulan/", "/pmks/", "/bantuan/", "/perkumpulan/baru/"]),
                       (operator, ["/forum/", "/pmks/baru/", "/psks/petugas/baru/"])):
        client.force_login(user)
        for url in urls:
            page = client.get(url).content.decode()
            page = page[page.index("<main"):]  # the header's language names are each its own
            for option in re.findall(r"<option[^>]*>([^<]*)</option>", page):
                text = html.unescape(option).strip()
                if text in english or "descending" in text or text == "Tidak diketahui":
                    left.append(f"{url}: {text}")
    assert left == []
    client.force_login(staf)
    assert "kode (menurun)" in client.get("/perkumpulan/").content.decode()
    # A yes/no filter left empty keeps every row: it says "All".
    for url, name in (("/perkumpulan/", "aktif"), ("/pmks/", "didampingi")):
        page = client.get(url).content.decode()
        select = page[page.index(f'name="{name}"'):]
        assert re.findall(r"<option[^>]*>([^<]*)</option>", select)[:3] == ["Semua", "Ya", "Tidak"]


def test_one_date_format_on_every_page(client, operator, make_perkumpulan):
    """Day, short month, year — "5 Agu 1980" — whichever of Django's formats a page asks for;
    the same in English; a moment with its time as "2 Des 2026 09.51"."""
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template('{{ d }}|{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|'
                        '{{ t|date:"SHORT_DATETIME_FORMAT" }}|{{ t|date:"DATETIME_FORMAT" }}')
    context = Context({"d": datetime.date(1980, 8, 5),
                       "t": datetime.datetime(2026, 12, 2, 9, 51)})
    with translation.override("id"):
        assert template.render(context) == ("5 Agu 1980|5 Agu 1980|5 Agu 1980|"
                                            "2 Des 2026 09.51|2 Des 2026 09.51")
    with translation.override("en"):
        assert template.render(context) == ("5 Aug 1980|5 Aug 1980|5 Aug 1980|"
                                            "2 Dec 2026 09:51|2 Dec 2026 09:51")
    make_perkumpulan("CBR-DW-001", sk_nomor="12/2020", sk_tanggal=datetime.date(2020, 3, 1))
    client.force_login(operator)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert "1 Mar 2020" in html and "01-03-2020" not in html and "1 Maret 2020" not in html


def test_the_admin_s_import_and_export_pages_speak_indonesian(client, staf):
    """django-import-export has no Indonesian catalogue and Django writes its search icon's text
    in English: the project's catalogue and templates say them."""
    import re

    client.force_login(staf)
    for url in ("/admin/registry/perkumpulan/export/", "/admin/registry/perkumpulan/import/",
                "/admin/registry/perkumpulan/"):
        page = client.get(url).content.decode()
        visible = re.sub(r"<script.*?</script>", "", page, flags=re.S)
        for english in ("This exporter will", "This importer will", "Select all",
                        "File to import", 'value="Submit"', 'alt="Search"'):
            assert english not in visible, (url, english)
    page = client.get("/admin/registry/perkumpulan/export/").content.decode()
    assert "Ekspor ini memuat kolom berikut" in page and "Pilih semua" in page


def test_no_message_the_site_shows_mixes_in_the_english_word_field(db):
    """Django's own Indonesian catalogue says "Field ini tidak boleh kosong." for a model's
    rule, beside the site's "Bidang ini…": every message a user can be shown, in the catalogue
    the site runs with, says "Bidang"."""
    from django.utils import translation
    from django.utils.translation import trans_real

    with translation.override("id"):
        keys = {key for key in trans_real.translation("id")._catalog.keys()
                if isinstance(key, str)}  # the catalogues of every app and the site's own
        mixed = sorted(f"{key!r}: {text!r}" for key in keys
                       if (text := translation.gettext(key)).startswith("Field "))
    assert not mixed, "\n".join(mixed)


def test_the_commands_tell_their_errors_in_indonesian(operator, tmp_path):
    """Run as an operator would, without choosing a language: a command's error says it in
    Indonesian, not in the English of its source."""
    import io

    import pytest
    from django.core.management import CommandError, call_command

    not_a_backup = tmp_path / "catatan.txt"
    not_a_backup.write_text("bukan basis data")
    cases = [
        (["rekap", "--wilayah", "99"], "belum dimuat", "is not loaded"),
        (["import_survey", str(tmp_path / "tidak-ada.xlsx")], "Tidak dapat membaca",
         "Cannot read"),
        (["create_user", "operator_cibeureum", "--role", "admin"], "sudah ada",
         "already exists"),
        (["restore", str(not_a_backup), "--yes"], "bukan cadangan", "is not a backup"),
        (["rekap", "--wilayah", "32.77", "--tahun-acuan", "20"], "bukan tahun",
         "not a plausible year"),
    ]
    for args, indonesian, english in cases:
        with pytest.raises(CommandError) as caught:
            call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
        assert indonesian in str(caught.value), (args, str(caught.value))
        assert english not in str(caught.value), (args, str(caught.value))
