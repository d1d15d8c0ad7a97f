"""Assessment rounds (look): the means of a round, the summary of an area, the blank workbook
of a round and the import of its respondents from one.

`ringkasan(area, acuan)` is the `penilaian` block of the ketahanan summary: per dimension, the
mean score (2 decimals) and the number of respondents of each village's latest round dated on
or before `acuan`, all those rounds' respondents pooled for an area above a village.
"""

import datetime
import io
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.utils.translation import gettext as _

from ketahanan.models import Dimensi, Penilaian, Pernyataan, Responden, Skor
from registry import sheets
from registry.workbook import WorkbookError, open_workbook

MAX_ROWS = 2000  # respondents of one round's workbook
FIXED = ["nomor", "nama", "unsur"]


def statements() -> list[Pernyataan]:
    """The statements in use, in the form's order: the dimensions as the decree lists them, then
    each statement's order (one query)."""
    order = {key: i for i, key in enumerate(Dimensi.values)}
    return sorted(Pernyataan.objects.filter(aktif=True),
                  key=lambda p: (order.get(p.dimensi, len(order)), p.urutan, p.kode))


def _means(scores) -> dict[str, dict]:
    """{dimensi: {"rata_rata", "responden"}} of a queryset of scores, every dimension given
    (rounded as the indicators are: ketahanan.indikator.rounded)."""
    from ketahanan.indikator import rounded

    out = {key: {"rata_rata": None, "responden": 0} for key in Dimensi.values}
    rows = (scores.values("pernyataan__dimensi")
            .annotate(total=Sum("nilai"), skor=Count("pk"), n=Count("responden", distinct=True)))
    for row in rows:
        key = row["pernyataan__dimensi"]
        if key in out:
            out[key] = {"rata_rata": rounded(row["total"], row["skor"], 1),
                        "responden": row["n"]}
    return out


def ringkasan(area, acuan: datetime.date) -> dict:
    """Per dimension of `area` as of `acuan`: {"rata_rata": float|None, "responden": int} (the
    `penilaian` block of the indicators: ketahanan.indikator.penilaian)."""
    from ketahanan.indikator import penilaian

    return penilaian(area, acuan)[0]


def round_summary(penilaian: Penilaian) -> dict:
    """A round's page: its respondents count, the means per dimension and per statement
    (three queries, whatever the number of respondents)."""
    scores = Skor.objects.filter(responden__penilaian=penilaian)
    per_dimension = _means(scores)
    per_statement = {row["pernyataan"]: row for row in scores.values("pernyataan").annotate(
        rata=Avg("nilai"), n=Count("pk"))}
    labels = dict(Dimensi.choices)
    dimensions = []
    for p in statements():
        if not dimensions or dimensions[-1]["key"] != p.dimensi:
            dimensions.append({"key": p.dimensi, "label": labels.get(p.dimensi, p.dimensi),
                               **per_dimension.get(p.dimensi, {}), "statements": []})
        row = per_statement.get(p.pk)
        dimensions[-1]["statements"].append({
            "pernyataan": p, "rata_rata": round(float(row["rata"]), 2) if row else None,
            "n": row["n"] if row else 0})
    return {"dimensions": dimensions,
            "responden": Responden.objects.filter(penilaian=penilaian).count()}


# The workbook of a round ------------------------------------------------------------------------
def template_xlsx(stream, penilaian: Penilaian) -> None:
    """The blank sheet of a round: nomor, nama, unsur and one column per statement in use."""
    header = [*FIXED, *(p.kode for p in statements())]
    sheets.table(stream, str(_("Respondents"))[:31], header, [], bold_header=True,
                 freeze_header=True)


class ImportError_(Exception):
    """The workbook was refused: `errors`, each naming its row and column."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _score(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload) -> Iterable:
    try:
        book = open_workbook(upload)
    except WorkbookError as exc:
        raise ImportError_([str(exc)]) from exc
    try:
        sheet = book.active
        scan = sheet.scan()
        if scan.oversized or scan.value_rows > MAX_ROWS + 1:
            raise ImportError_([_("The sheet is too large: at most %(n)d respondents.")
                                % {"n": MAX_ROWS}])
        return list(sheet.cell_rows())
    except WorkbookError as exc:
        raise ImportError_([str(exc)]) from exc
    finally:
        book.close()


def import_xlsx(penilaian: Penilaian, upload) -> int:
    """Read the round's respondents and scores from `upload`; all or nothing. Returns the
    number of respondents added; raises ImportError_ with every error found."""
    from openpyxl.utils import get_column_letter

    rows = read_rows(upload)
    if not rows or rows[0][0] != 1:
        raise ImportError_([_("Row 1 must hold the column names: nomor, nama, unsur and the "
                              "statements' codes.")])
    header = {col: _text(value).lower() for col, value in rows[0][1]}
    by_code = {p.kode.lower(): p for p in statements()}
    errors: list[str] = []
    columns = {name: col for col, name in header.items() if name}
    if "nomor" not in columns:
        errors.append(_("Row 1: the column \"nomor\" is missing."))
    missing = [p.kode for code, p in by_code.items() if code not in columns]
    if missing:
        errors.append(_("Row 1: the columns of statements %(codes)s are missing.")
                      % {"codes": ", ".join(missing)})
    for col, name in header.items():
        if name and name not in FIXED and name not in by_code:
            errors.append(_("Row 1, column %(col)s: \"%(name)s\" is not a statement in use.")
                          % {"col": get_column_letter(col), "name": name})
    if errors:
        raise ImportError_(errors)
    taken = set(penilaian.responden.values_list("nomor", flat=True))
    found = []
    for number, cells in rows[1:]:
        values = dict(cells)
        if all(_text(v) == "" for v in values.values()):
            continue
        nomor = _score_nomor(values.get(columns["nomor"]))
        if nomor is None:
            errors.append(_("Row %(row)d, column %(col)s: the number must be a whole number "
                            "from 1.") % {"row": number,
                                          "col": get_column_letter(columns["nomor"])})
        elif nomor in taken:
            errors.append(_("Row %(row)d, column %(col)s: respondent number %(n)d is already "
                            "in this round.") % {"row": number, "n": nomor,
                                                 "col": get_column_letter(columns["nomor"])})
        else:
            taken.add(nomor)
        nama = _text(values.get(columns.get("nama")))[:200]
        unsur = _text(values.get(columns.get("unsur")))[:100]
        scores = {}
        for code, p in by_code.items():
            col = columns[code]
            score = _score(values.get(col))
            if score is None:
                errors.append(_("Row %(row)d, column %(col)s (%(code)s): the score must be 1 to "
                                "5, not \"%(value)s\".") % {
                    "row": number, "col": get_column_letter(col), "code": p.kode,
                    "value": _text(values.get(col))})
            scores[p] = score
        found.append((nomor, nama, unsur, scores))
    if errors:
        raise ImportError_(errors)
    if not found:
        raise ImportError_([_("The sheet has no respondents below row 1.")])
    with transaction.atomic():
        save_respondents(penilaian, found)
    return len(found)


def _score_nomor(value) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 \
        else None


def save_respondents(penilaian: Penilaian, found) -> None:
    """Write respondents and their scores: (nomor, nama, unsur, {Pernyataan: score})."""
    made = Responden.objects.bulk_create([
        Responden(penilaian=penilaian, nomor=nomor, nama=nama, unsur=unsur)
        for nomor, nama, unsur, _scores in found])
    Skor.objects.bulk_create([
        Skor(responden=r, pernyataan=p, nilai=v)
        for r, (_n, _na, _u, scores) in zip(made, found, strict=True)
        for p, v in scores.items()])


def template_bytes(penilaian: Penilaian) -> io.BytesIO:
    buffer = io.BytesIO()
    template_xlsx(buffer, penilaian)
    buffer.seek(0)
    return buffer
