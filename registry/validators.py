"""The shared validation rules, called by model fields, forms, the survey importer and the admin.

Every function raises django's ValidationError with a code and an Indonesian-translatable message,
so that a form shows it beside the field and the importer can put it in its error list as it is.
"""

import datetime
import re
import time
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

NIK_LENGTH = 16
RW_RT_MAX = 999
YEAR_MIN = 1900
KODE_PERKUMPULAN_MAX = 40

# The control characters no text of the registry holds, nor can any xlsx (openpyxl's
# ILLEGAL_CHARACTERS_RE): all below a space but tab, line feed and carriage return.
# And the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, they
# turn the text after them around on every page and export ("U+202E" makes "Siti" read "itiS").
CONTROL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037\u202a-\u202e\u2066-\u2069]")
# Characters that take no room on a page and that Python's str.strip() keeps (no whitespace to
# it): zero-width space, non-joiner and joiner, word joiner, the byte-order mark. Inside a text
# they have their uses (the joiners in some scripts); at its ends, or alone, they only make a
# name that shows as nothing (`strip_text`).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DIGITS = re.compile(r"[0-9]+")
_KODE_WILAYAH_DOTTED = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")
# Parts joined by "/", each starting with a letter or digit: no empty part ("//", a "/" at the
# end) and no "." or ".." part, which a browser folds away in the group's address.
_KODE_PERKUMPULAN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
# The words a group's addresses add after its code (/perkumpulan/CODE/ubah/): a code's later
# part of one of them would make the group's own page another page's address.
KODE_RESERVED_PARTS = {"ubah", "cetak", "anggota", "hubungan", "dana"}
# Plain (undotted) lengths of each level, for codes typed without dots.
_PLAIN_SPLITS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}


_today = [-1.0, datetime.date.min]


def this_year() -> int:
    """The current year in the registry's time zone, looked up at most once a minute: the
    importer asks for it several times per row."""
    now = time.monotonic()
    if now - _today[0] > 60:
        _today[:] = [now, timezone.localdate()]
    return _today[1].year


def nik_prefix(kecamatan: str, born: datetime.date, sex: str) -> str:
    """The first 12 digits of a NIK (the inverse of nik_birth_date): the kecamatan's 6 digits
    (dotted or not), then the birth date DDMMYY with 40 added to the day for women (sex "P")."""
    day = born.day + (40 if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}"


# The NIK decoded last, the year it was decoded in and what it gave: the importer decodes each
# row's NIK twice in a row (validate_nik, then the date of birth typed beside it).
_last_decoded: tuple = (None, None, None)


def nik_birth_date(nik: str) -> tuple[datetime.date, str] | None:
    """Return (date of birth, sex L/P) encoded in digits 7-12 of a NIK, or None if invalid.

    Women have 40 added to the day. The year has two digits: the latest century that does not
    put the birth in the future is taken (so 29 February is judged in that century).
    """
    global _last_decoded
    current = this_year()
    last = _last_decoded  # one tuple, read once: another thread may replace it meanwhile
    if last[0] == nik and last[1] == current:
        return last[2]
    decoded = _decode_birth(nik, current)
    _last_decoded = (nik, current, decoded)
    return decoded


def _decode_birth(nik: str, current: int) -> tuple[datetime.date, str] | None:
    if len(nik) != NIK_LENGTH or not _DIGITS.fullmatch(nik):
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day, sex = day - 40, "P"
    century = current // 100 * 100
    full_year = century + year if century + year <= current else century - 100 + year
    try:
        return datetime.date(full_year, month, day), sex
    except ValueError:
        return None


def nik_kecamatan(nik: str) -> str:
    """The kecamatan code a NIK was issued in (its first six digits): "32.77.01"."""
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"


def nik_disagreements(nik: str, jenis_kelamin: str | None, tanggal_lahir,
                      desa_id: str | None) -> list[str]:
    """What typed values say against the NIK (never an error: a person is registered as typed):
    a sex or a date of birth other than those it encodes, and a village outside the kecamatan it
    was issued in (people move; shown so that a mistyped NIK is noticed)."""
    said = []
    decoded = nik_birth_date(nik or "")
    if decoded is not None:
        born, sex = decoded
        if tanggal_lahir and tanggal_lahir != born:
            said.append(_("The date of birth typed differs from the NIK's (%(born)s).")
                        % {"born": formats.date_format(born, "SHORT_DATE_FORMAT")})
        if jenis_kelamin and jenis_kelamin != sex:
            said.append(_("The sex typed differs from the NIK's (%(sex)s).")
                        % {"sex": _("female") if sex == "P" else _("male")})
    if nik and len(nik) == NIK_LENGTH and desa_id and desa_id.count(".") == 3 \
            and not desa_id.startswith(nik_kecamatan(nik) + "."):
        said.append(_("The NIK was issued in kecamatan %(kecamatan)s, outside this village's: "
                      "allowed (people move), but check the NIK.")
                    % {"kecamatan": nik_kecamatan(nik)})
    return said


def validate_no_control_characters(value, nul: bool = True) -> None:
    """Text holds no control character (a vertical tab or an escape pasted from another
    program, or held by an .xls or a CSV): refused where it is typed, rather than kept unseen on
    the page and written as "\ufffd" in every export. Every form's text field checks it
    (wksbm_site.apps.AdminConfig.ready) with `nul` off, a NUL being Django's own error there;
    the importers' cells with it on (workbook.to_text)."""
    if not isinstance(value, str):
        return
    for found in CONTROL_CHARACTERS.finditer(value):
        if nul or found.group() != "\x00":
            raise ValidationError(
                _("The text holds a control character (%(code)s), which no record may hold: "
                  "remove it."),
                code="control_character",
                params={"code": f"U+{ord(found.group()):04X}"},
            )


def strip_text(value: str) -> str:
    """`value` without the spaces and invisible characters (INVISIBLE) at its ends: a name of
    zero-width spaces is blank, as one of spaces is, in every form and importer."""
    value = value.strip()
    while value and (value[0] in INVISIBLE or value[-1] in INVISIBLE):
        value = value.strip(INVISIBLE).strip()
    return value


def validate_nik(value: str) -> None:
    """A NIK is 16 digits: kecamatan code, birth date DDMMYY (+40 for women), sequence from 0001."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value or ""):
        raise ValidationError(
            _("NIK must contain digits only (got “%(value)s”)."),
            code="nik_not_digits",
            params={"value": value},
        )
    if len(value) != NIK_LENGTH:
        raise ValidationError(
            _("NIK must be exactly 16 digits; “%(value)s” has %(length)d."),
            code="nik_length",
            params={"value": value, "length": len(value)},
        )
    if value[:2] < "11":
        raise ValidationError(
            _("NIK must start with a province code (11–99); “%(value)s” does not."),
            code="nik_region",
            params={"value": value},
        )
    if nik_birth_date(value) is None:
        raise ValidationError(
            _(
                "Digits 7–12 of NIK “%(value)s” are not a valid date of birth DDMMYY "
                "(for women the day is increased by 40)."
            ),
            code="nik_birth_date",
            params={"value": value},
        )
    if value[12:] == "0000":
        raise ValidationError(
            _("The last four digits of NIK “%(value)s” are a sequence number starting at 0001."),
            code="nik_sequence",
            params={"value": value},
        )


def kk_issue_date(no_kk: str) -> datetime.date | None:
    """The date of issue encoded in digits 7-12 of a family-card number (DDMMYY, no +40), or
    None if invalid; the century is taken as for a NIK (never in the future)."""
    if len(no_kk) != NIK_LENGTH or not _DIGITS.fullmatch(no_kk):
        return None
    day, month, year = int(no_kk[6:8]), int(no_kk[8:10]), int(no_kk[10:12])
    current = this_year()
    century = current // 100 * 100
    full_year = century + year if century + year <= current else century - 100 + year
    try:
        return datetime.date(full_year, month, day)
    except ValueError:
        return None


def validate_no_kk(value: str) -> None:
    """A family-card number (Nomor KK) is 16 digits: the area code, the date of issue DDMMYY,
    a sequence from 0001."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value or ""):
        raise ValidationError(
            _("KK number must contain digits only (got “%(value)s”)."),
            code="kk_not_digits",
            params={"value": value},
        )
    if len(value) != NIK_LENGTH:
        raise ValidationError(
            _("KK number must be exactly 16 digits; “%(value)s” has %(length)d."),
            code="kk_length",
            params={"value": value, "length": len(value)},
        )
    if value[:2] < "11":
        raise ValidationError(
            _("KK number must start with a province code (11–99); “%(value)s” does not."),
            code="kk_region",
            params={"value": value},
        )
    if kk_issue_date(value) is None:
        raise ValidationError(
            _("Digits 7–12 of KK number “%(value)s” are not a valid date of issue DDMMYY."),
            code="kk_date",
            params={"value": value},
        )
    if value[12:] == "0000":
        raise ValidationError(
            _("The last four digits of KK number “%(value)s” are a sequence number starting at "
              "0001."),
            code="kk_sequence",
            params={"value": value},
        )


def mask_nik(nik: str | None) -> str:
    """Show only the last four digits of a NIK (or of a KK number: the same length)."""
    if not nik:
        return ""
    return "•" * (len(nik) - 4) + nik[-4:]


def normalize_kode_wilayah(value: str) -> str:
    """Accept a dotted (32.77.01.1002) or plain (3277011002) area code; return the dotted one.

    Raise ValidationError when the value is neither.
    """
    value = str(value or "").strip()
    if _KODE_WILAYAH_DOTTED.fullmatch(value):
        return value
    if _DIGITS.fullmatch(value) and len(value) in _PLAIN_SPLITS:
        parts, start = [], 0
        for size in _PLAIN_SPLITS[len(value)]:
            parts.append(value[start : start + size])
            start += size
        return ".".join(parts)
    raise ValidationError(
        _(
            "“%(value)s” is not an area code: write it like 32.77.01.1002 (desa/kelurahan), "
            "32.77.01 (kecamatan), 32.77 (kabupaten/kota) or 32 (province)."
        ),
        code="kode_wilayah_format",
        params={"value": value},
    )


def validate_kode_wilayah(value: str) -> None:
    if not _KODE_WILAYAH_DOTTED.fullmatch(value or ""):
        normalize_kode_wilayah(value)  # raises with the message
        raise ValidationError(
            _("Write area code “%(value)s” with dots, like 32.77.01.1002."),
            code="kode_wilayah_dots",
            params={"value": value},
        )


def validate_kode_perkumpulan(value: str) -> None:
    """A group code: up to 40 letters, digits, '.', '-', '_' or '/', no spaces; its parts
    between '/' start with a letter or a digit and none after the first is a word of the
    group's addresses (`KODE_RESERVED_PARTS`)."""
    reserved = next((part for part in value.split("/")[1:]
                     if part.lower() in KODE_RESERVED_PARTS), None)
    if reserved is not None and len(value) <= KODE_PERKUMPULAN_MAX:
        raise ValidationError(
            _("Group code “%(value)s” may not have a part “%(part)s” after a “/”: the group's "
              "page would be the address of another page."),
            code="kode_perkumpulan_part", params={"value": value, "part": reserved})
    if len(value) > KODE_PERKUMPULAN_MAX or not _KODE_PERKUMPULAN.fullmatch(value):
        raise ValidationError(
            _(
                "Group code “%(value)s” must be 1–40 characters of letters, digits, "
                "“.”, “-”, “_” or “/”, with no spaces (for example CBR-DW-001)."
            ),
            code="kode_perkumpulan",
            params={"value": value},
        )


def validate_kode_program(value: str) -> None:
    """An aid programme's code: the shape of a group code (up to 40 letters, digits, '.', '-',
    '_' or '/')."""
    if len(value) > KODE_PERKUMPULAN_MAX or not _KODE_PERKUMPULAN.fullmatch(value):
        raise ValidationError(
            _("Programme code “%(value)s” must be 1–40 characters of letters, digits, “.”, "
              "“-”, “_” or “/”, with no spaces (for example PKH-2026-3277)."),
            code="kode_program", params={"value": value},
        )


def validate_tahun(value: int) -> None:
    """A year between 1900 and this year."""
    current = this_year()
    if not YEAR_MIN <= value <= current:
        raise ValidationError(
            _("Year %(value)s must be between %(min)d and %(max)d."),
            code="tahun_range",
            params={"value": value, "min": YEAR_MIN, "max": current},
        )


def validate_not_future(value: datetime.date) -> None:
    """A date something happened on: today at the latest, and not before 1900 (a year typed
    short, 0024 for 2024). A date and time counts by its date."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    if value.year < YEAR_MIN:
        raise ValidationError(_("The date cannot be before %(min)d."), code="too_old",
                              params={"min": YEAR_MIN})


# What any form takes: a date of the registry's era, and a whole number no larger than a
# village's fund could be (Rp 1,000,000,000,000), so that the sums of a province's entries stay
# within the database's integers — a fund's entries of Rp 999,999,999,999,999,999 overflowed
# SQLite's sum and broke the group's page. Fields hold tighter limits of their own.
YEAR_MAX = 2100
NUMBER_MAX = 1_000_000_000_000


def validate_date_range(value: datetime.date) -> None:
    """A date between 1900 and 2100: outside, a year typed short or long (0024, 20224)."""
    if value is None:
        return
    if value.year < YEAR_MIN:
        raise ValidationError(_("The date cannot be before %(min)d."), code="too_old",
                              params={"min": YEAR_MIN})
    if value.year > YEAR_MAX:
        raise ValidationError(_("The date cannot be after %(max)d."), code="too_late",
                              params={"max": YEAR_MAX})


def validate_number_range(value) -> None:
    """A whole number (or decimal) of at most NUMBER_MAX either way."""
    if value is not None and abs(value) > NUMBER_MAX:
        raise ValidationError(_("The number is too large: at most %(max)s."), code="too_large",
                              params={"max": f"{NUMBER_MAX:,}".replace(",", ".")})


def validate_rw_rt(value: int) -> None:
    """RW and RT numbers are whole numbers 1-999."""
    if not 1 <= value <= RW_RT_MAX:
        raise ValidationError(
            _("RW/RT number %(value)s must be between 1 and 999."),
            code="rw_rt_range",
            params={"value": value},
        )


def normalize_label(value: str) -> str:
    """The form in which fixed-list values are compared: case-folded, single-spaced."""
    return " ".join(str(value).split()).casefold()


def build_lookup(entries: Iterable[tuple[object, Iterable[str]]]) -> dict[str, object]:
    """Map every spelling (code, name, aliases) of each entry, normalised, to the entry."""
    lookup: dict[str, object] = {}
    for entry, spellings in entries:
        for spelling in spellings:
            if spelling:
                lookup.setdefault(normalize_label(spelling), entry)
    return lookup


def match_value(value: str, lookup: dict[str, object], list_name: str, examples: Iterable[str]):
    """Find a fixed-list value by code, name or alias in any case, or raise a ValidationError
    that lists the accepted values."""
    found = lookup.get(normalize_label(value))
    examples = list(examples)
    if found is None and not examples:  # never "use one of: ." — say what is missing
        raise ValidationError(
            _("The list of %(list)s is empty in this registry, so “%(value)s” cannot be "
              "checked: ask the administrator to load the reference lists."),
            code="empty_list", params={"value": value, "list": list_name})
    if found is None:
        raise ValidationError(
            _("“%(value)s” is not a valid %(list)s; use one of: %(choices)s."),
            code="not_in_list",
            params={"value": value, "list": list_name, "choices": "; ".join(examples)},
        )
    return found


def split_multi(value: str) -> list[str]:
    """Split a multi-valued cell on ';' (',' is accepted too), dropping empty parts."""
    return [part.strip() for part in re.split(r"[;,]", value or "") if part.strip()]


# A village's own figures (registry.models.ProfilDesa) ------------------------------------------
# The age bands of a village profile: BPS's standard bands (seed 004 gives none), as
# (field, label, lowest age, highest age or None). An adult is 15 or older: the bands break at 15,
# which is also BPS's working-age threshold.
AGE_BANDS = (
    ("usia_0_4", "0–4", 0, 4),
    ("usia_5_14", "5–14", 5, 14),
    ("usia_15_24", "15–24", 15, 24),
    ("usia_25_59", "25–59", 25, 59),
    ("usia_60_plus", "60+", 60, None),
)
ADULT_AGE = 15
ADULT_BANDS = tuple(name for name, _label, low, _high in AGE_BANDS if low >= ADULT_AGE)
LIVELIHOODS_MAX = 500


def profil_errors(values: dict) -> dict[str, str]:
    """What is wrong with a village profile's figures taken together (`values`: field name →
    number or None), by field; empty when they agree. The rules, each only when both sides are
    given:

    - the population (jumlah_penduduk) is men + women, and is the sum of the age bands when
      every band is given; bands given in part add up to no more than it (nor than men + women);
    - there are at least as many RT as RW (an RW holds one RT or more);
    - there are no more households (KK) than residents.
    """
    errors: dict[str, str] = {}
    total = values.get("jumlah_penduduk")
    men, women = values.get("penduduk_laki_laki"), values.get("penduduk_perempuan")
    by_sex = men + women if men is not None and women is not None else None
    bands = [values.get(name) for name, *_rest in AGE_BANDS]
    given = [b for b in bands if b is not None]
    if total is not None and by_sex is not None and by_sex != total:
        errors["penduduk_laki_laki"] = _(
            "Men and women (%(sex)d) must add up to the population (%(total)d)."
        ) % {"sex": by_sex, "total": total}
    whole = total if total is not None else by_sex
    if whole is not None and given:
        if len(given) == len(bands) and sum(given) != whole:
            errors["usia_0_4"] = _(
                "The age bands (%(bands)d) must add up to the population (%(total)d)."
            ) % {"bands": sum(given), "total": whole}
        elif sum(given) > whole:
            errors["usia_0_4"] = _(
                "The age bands given (%(bands)d) exceed the population (%(total)d)."
            ) % {"bands": sum(given), "total": whole}
    rw, rt = values.get("jumlah_rw"), values.get("jumlah_rt")
    if rw is not None and rt is not None and rt < rw:
        errors["jumlah_rt"] = _(
            "There are fewer RT (%(rt)d) than RW (%(rw)d): every RW has at least one RT."
        ) % {"rt": rt, "rw": rw}
    kk = values.get("jumlah_kk")
    if kk is not None and whole is not None and kk > whole:
        errors["jumlah_kk"] = _(
            "There are more households (%(kk)d) than residents (%(total)d)."
        ) % {"kk": kk, "total": whole}
    return errors


def population_of(values: dict) -> int | None:
    """The population a profile's figures give: the total typed, else men + women, else the
    sum of the age bands when every band is given."""
    if values.get("jumlah_penduduk") is not None:
        return values["jumlah_penduduk"]
    men, women = values.get("penduduk_laki_laki"), values.get("penduduk_perempuan")
    if men is not None and women is not None:
        return men + women
    bands = [values.get(name) for name, *_rest in AGE_BANDS]
    return sum(bands) if all(b is not None for b in bands) else None


def join_multi(value: str) -> str:
    """A short list typed in one field (livelihoods) as it is stored: the parts of
    `split_multi`, without repeats (in any case), joined by "; "."""
    seen, parts = set(), []
    for part in split_multi(value):
        part = " ".join(part.split())
        if normalize_label(part) not in seen:
            seen.add(normalize_label(part))
            parts.append(part)
    return "; ".join(parts)


# One distribution of aid to one recipient above this is a typing slip (an extra 000), not aid.
NILAI_BANTUAN_MAX = 1_000_000_000
JUMLAH_BANTUAN_MAX = 100_000


def validate_nilai_bantuan(value: int) -> None:
    """A value in rupiah of one aid distribution: 0 … Rp 1,000,000,000."""
    if value is not None and not 0 <= value <= NILAI_BANTUAN_MAX:
        raise ValidationError(
            _("Value %(value)s must be between 0 and %(max)s rupiah."),
            code="nilai_range", params={"value": value, "max": f"{NILAI_BANTUAN_MAX:,}"},
        )


def validate_jumlah_bantuan(value) -> None:
    """A quantity of goods of one aid distribution (kg, packages…): above 0, at most 100,000."""
    if value is not None and not 0 < value <= JUMLAH_BANTUAN_MAX:
        raise ValidationError(
            _("Quantity %(value)s must be above 0 and at most %(max)s."),
            code="jumlah_range", params={"value": value, "max": f"{JUMLAH_BANTUAN_MAX:,}"},
        )


# A proof of a distribution (a photo of the handover, a scan of the receipt): the kinds a phone
# or a scanner makes, told by their first bytes as well as their name, at most 5 MB.
BUKTI_MAX_BYTES = 5 * 1024 * 1024
BUKTI_KINDS = {".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
               ".png": (b"\x89PNG\r\n\x1a\n",), ".pdf": (b"%PDF-",)}


def validate_bukti(upload) -> None:
    """An uploaded proof: JPEG, PNG or PDF by name and by content, at most 5 MB."""
    name = (getattr(upload, "name", "") or "").lower()
    suffix = name[name.rfind("."):] if "." in name else ""
    if upload.size > BUKTI_MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."), code="bukti_size")
    heads = BUKTI_KINDS.get(suffix)
    if heads is None:
        raise ValidationError(_("Upload a photo (JPG, PNG) or a PDF scan."), code="bukti_type")
    upload.seek(0)
    start = upload.read(8)
    upload.seek(0)
    if not any(start.startswith(head) for head in heads):
        raise ValidationError(_("The file's content is not the %(kind)s its name says."),
                              code="bukti_content", params={"kind": suffix[1:].upper()})
