"""Cell converters of the survey workbook: each turns one cell's value into a typed value or
raises ValidationError with a message that says what would be right (registry.validators holds
the rules). Shared by every sheet and by the admin's imports (registry.resources)."""

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from registry import validators

# A multi-valued cell holds at most this many values (the longest fixed list has 15).
MAX_MULTI_VALUES = 50
# An error row shows at most SHOWN_CHARS of a value.
SHOWN_CHARS = 200


class LongText(str):
    """The start of a cell's text that is longer than MAX_CELL_CHARS; `length` is its length."""

    length: int

    def __new__(cls, start: str, length: int):
        text = super().__new__(cls, start)
        text.length = length
        return text


class SpreadsheetError:
    """A cell that holds a spreadsheet's error (#N/A, #VALUE!, #DIV/0!…) instead of a value: an
    .xlsx stores it with its code (t="e"). It is no text: a name of "#N/A" is no name."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __str__(self) -> str:
        return self.code


_INT_TEXT = re.compile(r"^-?\d+(\.0+)?$")
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


# The largest whole number a cell may hold: what an integer column stores on every database.
INT_MAX = 2_147_483_647


def _too_large(text: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is too large a number.") % {"value": text}, code="too_large"
    )


def _short_int(number: int) -> str:
    """An integer too long for Python to write out (over 4,300 digits), as its magnitude."""
    digits = int(abs(number).bit_length() * math.log10(2)) + 1
    return f"{'-' if number < 0 else ''}10^{digits - 1}"


def to_text(value: Any) -> str:
    if value.__class__ is str:  # most cells: the rest as str(value).strip() below
        if validators.CONTROL_CHARACTERS.search(value) is not None:
            validators.validate_no_control_characters(value)
        return value.strip() if value.isascii() else validators.strip_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # Python will not write out more than 4,300 digits
            raise _too_large(_short_int(value)) from None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    text = str(value)
    validators.validate_no_control_characters(text)
    return validators.strip_text(text)


def text_of(model, field: str) -> Callable[[Any], str]:
    """A converter of free text no longer than the model's field holds."""
    return text_within(model._meta.get_field(field).max_length)


def text_within(most: int) -> Callable[[Any], str]:
    """A converter of free text of at most `most` characters."""

    def convert(value) -> str:
        text = to_text(value)
        if len(text) > most:
            raise ValidationError(
                _("At most %(max)d characters (this has %(n)d).") % {"max": most, "n": len(text)},
                code="too_long")
        return text
    return convert


def to_int(value: Any, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number (an int, a float like 12.0, or text like "12" or "12.0") between
    `minimum` and `maximum`, and never beyond INT_MAX either way."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        digits = value.strip().split(".")[0]
        if len(digits.lstrip("-")) > len(str(INT_MAX)):
            raise _too_large(shown(value))
        number = int(digits)
    else:
        number = None
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a whole number.") % {"value": shown(value)}, code="not_int"
        )
    if abs(number) > INT_MAX:
        raise _too_large(shown(value))
    if minimum is not None and number < minimum:
        raise ValidationError(
            _("%(value)s is below %(min)d.") % {"value": number, "min": minimum}, code="too_low"
        )
    if maximum is not None and number > maximum:
        raise ValidationError(
            _("%(value)s is above %(max)d.") % {"value": number, "max": maximum}, code="too_high"
        )
    return number


# A file repeats the values of some columns on row after row (a group's code on each member's
# row, a start year): those converters remember their last few thousand values (a value refused
# is not remembered, so its error is told in the reader's language on every row).
def _repeated(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    remembered = functools.lru_cache(maxsize=4096, typed=True)(convert)

    @functools.wraps(convert)
    def call(value: Any) -> Any:
        if value.__class__.__hash__ is None:  # not a cell's value: converted, not remembered
            return convert(value)
        return remembered(value)

    return call


@_repeated
def to_year(value: Any) -> int:
    year = to_int(value, minimum=None)
    validators.validate_tahun(year)
    return year


def to_rw_rt(value: Any) -> int:
    number = to_int(value, minimum=None)
    validators.validate_rw_rt(number)
    return number


def to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = to_text(value)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date; write dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd.")
        % {"value": shown(text)},
        code="not_date",
    )


def to_past_date(value: Any) -> datetime.date:
    """A date something happened on (today at the latest)."""
    day = to_date(value)
    validators.validate_not_future(day)
    return day


def to_nik(value: Any) -> str:
    """A NIK must arrive as text: Excel keeps only 15 significant digits of a number."""
    # Excel keeps 15 significant digits: a 16-digit NIK typed as a number ends in 0 whatever was
    # typed. A number with another last digit was written by a program, and is taken.
    if isinstance(value, float) or (isinstance(value, int) and value % 10 == 0):
        raise ValidationError(
            _(
                "NIK “%(value)s” was typed as a number and Excel may have changed its last digit: "
                "format the column as text and type it again."
            )
            % {"value": shown(value)},
            code="nik_number",
        )
    text = to_text(value)
    validators.validate_nik(text)
    return text


def to_bool(value: Any) -> bool:
    text = validators.normalize_label(to_text(value))
    if text in ("ya", "y", "yes", "true", "1", "aktif"):
        return True
    if text in ("tidak", "t", "no", "false", "0", "tidak aktif"):
        return False
    raise ValidationError(
        _("“%(value)s” must be Ya or Tidak.") % {"value": shown(value)}, code="bool"
    )


def choice_label(choices, value: str) -> str:
    """The Indonesian name of a TextChoices value, as the workbook writes it ('' for none)."""
    if not value:
        return ""
    with translation.override("id"):
        return str(choices(value).label)


def choice_labels(choices) -> list[str]:
    with translation.override("id"):
        return [str(label) for label in choices.labels]


class ChoiceLookup(dict):
    """Every spelling of a TextChoices (`choices`), as `choice_lookup` makes it."""

    choices: type | None = None


# The TextChoices of the workbook's fixed lists by their dotted name (`choice_lookup`): what a
# preview stored as a code is shown as by its label (registry.views.impor), no other class.
CHOICE_LISTS: dict[str, type] = {}


def choice_list_name(choices: type) -> str:
    return f"{choices.__module__}.{choices.__qualname__}"


def choice_lookup(choices, aliases: dict[str, Iterable[str]] | None = None) -> ChoiceLookup:
    """Every spelling of a TextChoices: its code, its Indonesian and English labels, aliases."""
    aliases = aliases or {}
    entries = []
    for value, label in choices.choices:
        with translation.override("id"):
            label_id = str(label)
        with translation.override("en"):
            label_en = str(label)
        entries.append((value, [value, label_id, label_en, *aliases.get(value, ())]))
    lookup = ChoiceLookup(validators.build_lookup(entries))
    if isinstance(choices, type):
        lookup.choices = CHOICE_LISTS.setdefault(choice_list_name(choices), choices)
    return lookup


class Chosen(str):
    """A cell of a preview row (frame.Import.cell) matched to a fixed list: the code written,
    and its list (`choices`, a TextChoices), so that the preview shows the code's label."""

    choices: type

    def __new__(cls, code: str, choices: type):
        chosen = super().__new__(cls, code)
        chosen.choices = choices
        return chosen


MATCHED_SPELLINGS = 1000


def matcher(lookup: dict[str, Any], list_name, names: Iterable[str]) -> Callable[[Any], Any]:
    """A converter matching a value of a fixed list (code, name, alias; any case)."""
    examples = list(dict.fromkeys(names))
    # The spellings matched so far (a few per list: a file repeats "L", "SMA", "Anggota"
    # 100,000 times), text only, and at most MATCHED_SPELLINGS of them.
    matched: dict[str, Any] = {}

    def convert(value):
        if value.__class__ is str:
            found = matched.get(value)
            if found is not None:
                return found
        text = to_text(value)
        found = lookup.get(validators.normalize_label(text))
        if found is not None:
            if value.__class__ is str and len(matched) < MATCHED_SPELLINGS:
                matched[value] = found
            return found
        return validators.match_value(text, lookup, str(list_name), examples)

    convert.choices = getattr(lookup, "choices", None)  # a TextChoices' list: Import.cell
    return convert


def multi(convert: Callable[[Any], Any]) -> Callable[[Any], list]:
    """A converter for a multi-valued cell (values separated by ';' or ',')."""

    def convert_all(value):
        found, errors = [], []
        parts = validators.split_multi(to_text(value))
        if len(parts) > MAX_MULTI_VALUES:
            raise ValidationError(
                _("The cell holds %(count)s values; at most %(limit)s are allowed.")
                % {"count": len(parts), "limit": MAX_MULTI_VALUES},
                code="too_many_values",
            )
        for part in parts:
            try:
                item = convert(part)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if item not in found:
                found.append(item)
        if errors:
            raise ValidationError(errors)
        return found

    return convert_all


def to_name(value: Any, most: int = 200) -> str:
    text = " ".join(to_text(value).split())
    if len(text) > most:
        raise ValidationError(_("The name is longer than %(max)d characters.") % {"max": most},
                              code="too_long")
    return text


def name_of(model, field: str) -> Callable[[Any], str]:
    """A converter of a name (its spaces folded) no longer than the model's field holds: a
    longer one is told at its cell, never cut, nor refused by the database at the write."""
    most = model._meta.get_field(field).max_length
    return functools.partial(to_name, most=most)


@_repeated
def to_kode_perkumpulan(value: Any) -> str:
    kode = to_text(value)
    validators.validate_kode_perkumpulan(kode)
    return kode


# Helpers -----------------------------------------------------------------------------------
def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not validators.strip_text(value))


def shown(value: Any) -> str:
    """A cell's value as an error row shows it: its first SHOWN_CHARS characters."""
    if value is None:
        return ""
    if isinstance(value, str):
        return shorten(value.strip(), SHOWN_CHARS, always=isinstance(value, LongText))
    try:
        return shorten(to_text(value), SHOWN_CHARS)
    except ValidationError:
        return _short_int(value)


def shorten(text: str, most: int, always: bool = False) -> str:
    """`text` in at most `most` characters: cut, and ending in "…", when longer (or when
    `always`: a text already cut)."""
    if len(text) > most or (always and not text.endswith("…")):
        return text[: most - 1] + "…"
    return text
