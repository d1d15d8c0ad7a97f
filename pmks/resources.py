"""Import and export of PMKS cases in the admin (see registry.resources). Observers have no
access to PMKS at all: the admin refuses them and the resource imports nothing for them."""

from django.utils.translation import gettext_lazy
from import_export.fields import Field

from members.resources import person_widget
from pmks import workbook as sheet
from pmks.models import KasusPMKS, KategoriPMKS
from registry import workbook
from registry.resources import ReferenceWidget, ScopedResource, area_widget, group_widget


class KasusPMKSResource(ScopedResource):
    """PMKS cases, keyed by id (empty for a new one): the village by area code, the category by
    code or name, the person (if registered) by NIK, the accompanying group by its code."""

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
