"""Writing survey workbooks: the registry of an area in the import format, and the blank form.
Every cell goes through registry.sheets: text is written as text, never as a formula."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import sheets
from registry.workbook.frame import handlers


def export_workbook(stream, *, user, area) -> dict[str, int]:
    """Write the registry within `area`, as `user` may see it, in the survey workbook's format.

    Written in openpyxl's write-only mode, so a province's registry streams to the file."""
    counts = {}
    with sheets.Book(streaming=True) as book:
        for handler in handlers():
            rows = handler.export_rows(user, area)
            if rows is None:
                continue
            sheet = book.sheet(handler.name)
            sheet.append([c.name for c in handler.columns])
            formats = ["@" if c.name in handler.text_columns else None for c in handler.columns]
            counts[handler.name] = 0
            for values in rows:
                sheet.append(values, number_formats=formats)
                counts[handler.name] += 1
        book.save(stream)
    return counts


def template_workbook(stream) -> None:
    """The blank survey workbook: instructions, the four sheets with their headers, dropdowns for
    every fixed list (read from a hidden sheet, as inline lists over 255 characters break in
    Excel) and NIK columns formatted as text."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = sheets.Book()
    guide = book.sheet("petunjuk")
    for line in TEMPLATE_GUIDE:
        guide.append([line])
    guide.worksheet.column_dimensions["A"].width = 110
    guide.worksheet["A1"].font = Font(bold=True, size=14)
    lists = book.sheet("daftar")
    list_column = 0
    for handler in handlers():
        sheet = book.sheet(handler.name)
        header = sheet.append([c.name for c in handler.columns])
        sheet.worksheet.freeze_panes = "A2"
        for index, (column, cell) in enumerate(zip(handler.columns, header, strict=True),
                                               start=1):
            cell.font = Font(bold=column.required)
            sheet.worksheet.column_dimensions[get_column_letter(index)].width = max(
                14, len(column.name) + 4)
            if column.name in handler.text_columns:
                sheet.number_format(index, range(2, TEMPLATE_ROWS + 2), "@")
        for column_name, (values, single) in handler.dropdowns().items():
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.write(1, list_column, f"{handler.name}.{column_name}")
            for row, value in enumerate(values, start=2):
                lists.write(row, list_column, value)
            index = [c.name for c in handler.columns].index(column_name) + 1
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1=f"daftar!${list_letter}$2:${list_letter}${len(values) + 1}",
                allow_blank=True,
                # Multi-valued and open lists accept more than one value or a new one.
                errorStyle="stop" if single else "information",
                showErrorMessage=True,
                error=str(_("Choose a value from the list.")),
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.worksheet.add_data_validation(validation)
    lists.worksheet.sheet_state = "hidden"
    book.save(stream)


TEMPLATE_ROWS = 2000
TEMPLATE_GUIDE = [
    gettext_lazy("WKSBM survey form (Formulir Pendataan WKSBM)"),
    "",
    gettext_lazy(
        "Fill one row per group on sheet perkumpulan, one row per membership on sheet "
        "anggota, one row per person with a social-welfare problem on sheet pmks and "
        "one row per working link on sheet jaringan. Any sheet may be left empty."
    ),
    gettext_lazy(
        "Sheet profil_desa (optional): one row per village and year with the village's own "
        "figures (RW, RT, households, residents by sex and by age band, main livelihoods)."
    ),
    gettext_lazy(
        "Sheet keluarga (optional): one row per household by its family-card number (no_kk). "
        "On sheet anggota, a row with no_kk and no NIK makes the household itself a member (a "
        "Dasa Wisma's KK; it counts as one member); a row with both records the person's "
        "household."
    ),
    gettext_lazy(
        "Sheets psks, lks and pelatihan (optional): the PSKS — one row per period of a worker "
        "(PSM, TKSK…), one row per welfare institution (LKS), one row per participant of a "
        "training."
    ),
    gettext_lazy("Row 1 holds the column names: do not change them. Bold columns are required."),
    gettext_lazy(
        "kode_perkumpulan is the group's own stable code (e.g. CBR-DW-001); the other "
        "sheets refer to groups by it."
    ),
    gettext_lazy("kode_wilayah is the desa/kelurahan code, e.g. 32.77.01.1002 or 3277011002."),
    gettext_lazy(
        "NIK is 16 digits typed as text (the NIK columns are already formatted as text: "
        "Excel drops the 16th digit of a number)."
    ),
    gettext_lazy(
        "Columns with a list: choose from the dropdown. Where several values are "
        "allowed (requirements, funds, values, activities), separate them with “;”."
    ),
    gettext_lazy("Dates as dd-mm-yyyy; years as four digits."),
    gettext_lazy(
        "Importing is all or nothing: if any row has an error, nothing is saved and "
        "every error is listed with its sheet, row and column. Importing the same file "
        "again changes nothing."
    ),
]
