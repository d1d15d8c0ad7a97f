"""Import and export of PMKS cases in the admin (see registry.resources). Observers have no
access to PMKS at all: the admin refuses them and the resource imports nothing for them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from members.resources import person_widget
from pmks import workbook as sheet
from pmks.models import KasusPMKS, KategoriPMKS
from registry import workbook
from registry.resources import ReferenceWidget, ScopedResource, area_widget, group_widget


class KasusPMKSResource(ScopedResource):
    """PMKS cases, keyed by id (empty for a new one): the village by area code, the category by
    code, name or alias (the older list's names too), the person (if registered) by NIK, the
    accompanying group by its code.

    As on the pmks sheet, a registered person has one open case per category: a row without an
    id naming the person and a category updates their open case of it; without one it is a new
    case, linked to their latest closed case of the category (a new episode)."""

    warga = Field(attribute="warga", column_name="warga", widget=person_widget())
    desa = Field(attribute="desa", column_name="desa",
                 widget=area_widget(gettext_lazy("village")))
    kategori = Field(
        attribute="kategori",
        column_name="kategori",
        widget=ReferenceWidget(KategoriPMKS, gettext_lazy("PMKS category")),
    )
    pendamping = Field(attribute="pendamping", column_name="pendamping", widget=group_widget())

    # As the pmks sheet reads a case (pmks.sheet.PmksSheet.parse).
    sheet_converters = {
        "nama": workbook.to_name,
        "rw": workbook.to_rw_rt,
        "rt": workbook.to_rw_rt,
        "tanggal_identifikasi": workbook.to_past_date,
        "status": sheet.STATUS,
    }

    scope_area = "desa"
    export_select_related = ("warga", "desa", "kategori", "pendamping")

    class Meta:
        model = KasusPMKS
        name = gettext_lazy("PMKS cases")
        import_id_fields = ["id"]
        fields = [
            "id",
            "warga",
            "nama",
            "desa",
            "rw",
            "rt",
            "alamat",
            "kategori",
            "tanggal_identifikasi",
            "status",
            "pendamping",
            "catatan",
        ]
        export_order = fields

    def get_instance(self, instance_loader, row):
        instance = super().get_instance(instance_loader, row)
        if instance is not None or self.key_of(row) is not None:
            return instance
        found = self.open_case_of(row)
        if found is not None:
            row[self.key_field().column_name] = found.pk  # the empty id cell would blank it
        return found

    def open_case_of(self, row) -> KasusPMKS | None:
        """The open case (one the user may change) of the person and category a row without an
        id names; None when there is none, or a cell cannot be read (told when imported)."""
        try:
            warga = self.fields["warga"].clean(row) if "warga" in row else None
            kategori = self.fields["kategori"].clean(row) if "kategori" in row else None
        except (ValidationError, ValueError):
            return None
        if warga is None or kategori is None:
            return None
        return (self.get_queryset().filter(KasusPMKS.open_filter(), warga=warga,
                                           kategori=kategori).order_by("pk").first())
