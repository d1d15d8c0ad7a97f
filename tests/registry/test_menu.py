"""The main menu (registry/templatetags/menu.py): the links each role may follow, the current
page marked, each language's labels."""

import re

import pytest
from django.test import Client


def menu(response) -> list[tuple[str, str, bool]]:
    """(path, label, current) of the menu's links."""
    html = response.content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    return [(href, label, bool(current)) for href, current, label in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)]


@pytest.mark.parametrize(("path", "current"), [
    ("/", "Beranda"),
    ("/perkumpulan/", "Perkumpulan"),
    ("/perkumpulan/CBR-DW-001/", "Perkumpulan"),
    ("/jaringan/", "Jaringan"),
    ("/forum/", "Forum"),
    ("/rekap/?wilayah=32.77", "Rekap"),
])
def test_the_current_page_is_marked_in_the_menu(client, staf, groups, path, current):
    client.force_login(staf)
    links = menu(client.get(path))
    assert [label for _href, label, marked in links if marked] == [current]
    assert len(links) == 13


def test_observers_have_no_links_to_people_pmks_or_the_import(client, staf, pengamat):
    client.force_login(staf)
    staff_labels = [label for _h, label, _c in menu(client.get("/"))]
    observer = Client()
    observer.force_login(pengamat)
    labels = [label for _h, label, _c in menu(observer.get("/"))]
    assert set(staff_labels) - set(labels) == {"Warga", "PMKS", "Impor"}
    assert len(labels) == 10


def test_the_menu_speaks_the_chosen_language(client, staf):
    client.force_login(staf)
    assert ("/perkumpulan/", "Perkumpulan", False) in menu(client.get("/"))
    client.cookies["django_language"] = "en"
    assert ("/perkumpulan/", "Groups", False) in menu(client.get("/"))
    del client.cookies["django_language"]
    assert ("/perkumpulan/", "Perkumpulan", False) in menu(client.get("/"))
