"""The survey as an XLSForm for ODK Collect and KoboToolbox, made from the definitions the survey
workbook uses: the sheets' columns (names, which are required) and their dropdowns
(`SheetHandler.dropdowns`, the lists of the blank template). One submission is one group
(perkumpulan) with three repeat groups: its members (anggota), the PMKS cases it records (pmks)
and its working links (jaringan). docs/odk.md describes the form and its export.

A dropdown's choice is named after its label (`choice_name`): the import (odk.kobo) turns the
names an export holds back into the labels, from the same dropdowns."""

import re
import unicodedata

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import sheets
from registry.models import Tingkat, Wilayah
from registry.workbook import SHEETS

MAIN = "perkumpulan"
# The repeat groups, each a sheet of the workbook, and the columns a repeat takes from its
# submission (the group) instead of asking them.
REPEATS = ("anggota", "pmks", "jaringan")
FROM_GROUP = {
    "anggota": {"kode_perkumpulan"},
    "jaringan": {"kode_perkumpulan"},
    "pmks": {"kode_perkumpulan_pendamping"},
}
# The question of a PMKS case that says whether the group accompanies it (then the case's
# kode_perkumpulan_pendamping is the group's code).
ACCOMPANIED = "didampingi"
YES_NO = "ya_tidak"
# How a column is asked, beyond text and the dropdowns.
INTEGERS = {"rw", "rt", "tahun_berdiri", "jumlah_anggota", "masa_kepengurusan", "mulai_tahun"}
DATES = {"tanggal_lahir", "tanggal_identifikasi"}
SIXTEEN_DIGITS = {"nik", "no_kk"}
AREAS = {"kode_wilayah"}
AREA_LIST = "wilayah"
_RW_RT = (". >= 1 and . <= 999", gettext_lazy("A number from 1 to 999."))
_YEAR = (". >= 1900 and . <= 2100", gettext_lazy("A year between 1900 and 2100."))
_COUNT = (". >= 0", gettext_lazy("Not less than 0."))
CONSTRAINTS = {
    "rw": _RW_RT,
    "rt": _RW_RT,
    "tahun_berdiri": _YEAR,
    "mulai_tahun": _YEAR,
    "jumlah_anggota": _COUNT,
    "masa_kepengurusan": _COUNT,
    "kode_perkumpulan": (
        "regex(., '^[A-Za-z0-9./_-]{1,40}$')",
        gettext_lazy("1–40 letters, digits, “.”, “-”, “_” or “/”, with no spaces (for example "
                     "CBR-DW-001)."),
    ),
}
# Labels other than the column's name as words.
LABELS = {"rw": "RW", "rt": "RT", "nik": "NIK", "no_kk": "No KK"}
NIK_CONSTRAINT = "regex(., '^[0-9]{16}$')"
SURVEY_HEADER = ["type", "name", "label", "hint", "required", "constraint", "constraint_message",
                 "appearance"]


def choice_name(label: str) -> str:
    """A choice's name in the form: its label in lower-case ASCII letters, digits and '_' (a
    select_multiple's values are separated by spaces, so a name holds none)."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "pilihan"


def choice_names(labels: list[str]) -> dict[str, str]:
    """{name: label} of a dropdown, a name made unique by a suffix where two labels share it."""
    names: dict[str, str] = {}
    for label in labels:
        name, n = choice_name(label), 1
        while name in names:
            n += 1
            name = f"{choice_name(label)}_{n}"
        names[name] = label
    return names


def list_name(sheet: str, column: str) -> str:
    return f"{sheet}_{column}"


def dropdowns() -> dict[tuple[str, str], tuple[dict[str, str], bool]]:
    """Per (sheet, column): the choices {name: label} and whether one value only."""
    found = {}
    for sheet in (MAIN, *REPEATS):
        handler = SHEETS.get(sheet)
        if handler is None:
            continue
        for column, (labels, single) in handler.dropdowns().items():
            found[(sheet, column)] = (choice_names(labels), single)
    return found


def areas(kode: str) -> list:
    """The villages (desa/kelurahan) of an area, or the village itself."""
    area = Wilayah.objects.filter(kode=kode).first()
    if area is None:
        return []
    if area.tingkat == Tingkat.DESA:
        return [area]
    return list(Wilayah.objects.filter(tingkat=Tingkat.DESA, kode__startswith=f"{kode}.")
                .order_by("kode"))


def label(column: str) -> str:
    """A question's label: the workbook's column name as words (the workbook speaks Indonesian)."""
    if column == ACCOMPANIED:
        return _("Is the case accompanied by this group?")
    return LABELS.get(column) or column.replace("_", " ").capitalize()


def repeat_title(sheet: str) -> str:
    titles = {"anggota": _("Members"), "pmks": _("PMKS cases"), "jaringan": _("Working links")}
    return capfirst(titles[sheet])


def form_id(kode: str) -> str:
    return "wksbm_" + kode.replace(".", "")


def write_xlsform(stream, kode: str) -> dict:
    """Write the XLSForm of area `kode` to `stream`; returns its settings. Raises ValueError for
    an area without villages."""
    villages = areas(kode)
    if not villages:
        raise ValueError(_("Area %(kode)s is not known or holds no desa/kelurahan.")
                         % {"kode": kode})
    lists = dropdowns()
    book = sheets.Book()
    survey = book.sheet("survey")
    survey.append(SURVEY_HEADER)
    for row in _questions(MAIN, lists):
        survey.append(row)
    for sheet in REPEATS:
        if sheet not in SHEETS:
            continue
        survey.append(["begin_repeat", sheet, repeat_title(sheet)])
        if sheet == "pmks":
            survey.append([f"select_one {YES_NO}", ACCOMPANIED, label(ACCOMPANIED), "", "yes"])
        for row in _questions(sheet, lists):
            survey.append(row)
        survey.append(["end_repeat", sheet])
    choices = book.sheet("choices")
    choices.append(["list_name", "name", "label"])
    for area in villages:
        choices.append([AREA_LIST, area.kode, f"{area.nama} ({area.kode})"])
    choices.append([YES_NO, "ya", "Ya"])
    choices.append([YES_NO, "tidak", "Tidak"])
    for (sheet, column), (names, _single) in lists.items():
        for name, text in names.items():
            choices.append([list_name(sheet, column), name, text])
    area = Wilayah.objects.get(kode=kode)
    settings = {
        "form_title": f"Pendataan WKSBM {area.nama}",
        "form_id": form_id(kode),
        "version": timezone.localtime().strftime("%Y%m%d%H%M"),
        "instance_name": "concat('WKSBM ', ${kode_perkumpulan})",
    }
    info = book.sheet("settings")
    info.append(list(settings))
    info.append(list(settings.values()))
    book.save(stream)
    return {**settings, "villages": len(villages)}


def _questions(sheet: str, lists: dict) -> list[list]:
    rows = []
    skip = FROM_GROUP.get(sheet, set())
    for column in SHEETS[sheet].columns:
        if column.name in skip:
            continue
        constraint, message = CONSTRAINTS.get(column.name, ("", ""))
        kind, appearance = "text", ""
        if (sheet, column.name) in lists:
            _names, single = lists[(sheet, column.name)]
            select = "select_one" if single else "select_multiple"
            kind = f"{select} {list_name(sheet, column.name)}"
            appearance = "minimal" if single and len(_names) > 10 else ""
        elif column.name in AREAS:
            kind, appearance = f"select_one {AREA_LIST}", "minimal"
        elif column.name in INTEGERS:
            kind = "integer"
        elif column.name in DATES:
            kind = "date"
        elif column.name in SIXTEEN_DIGITS:
            constraint = NIK_CONSTRAINT
            message = (_("The NIK must be 16 digits.") if column.name == "nik"
                       else _("The family-card number (KK) must be 16 digits."))
            appearance = "numbers"
        hint = _("A registered group's code or an outside partner's name.") \
            if column.name == "mitra" else ""
        rows.append([kind, column.name, label(column.name), hint,
                     "yes" if column.required else "", constraint, str(message), appearance])
    return rows
