"""Import and export of partners, working links and WKSBM forums in the admin (see
registry.resources)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from network import workbook as sheet
from network.models import Forum, Hubungan, Mitra, TingkatForum
from registry import workbook
from registry.resources import (
    ConvertWidget,
    KeyWidget,
    ListWidget,
    ScopedResource,
    area_widget,
    group_widget,
)


class MitraResource(ScopedResource):
    """Outside partners, keyed by id (empty for a new one), placed in an area of any level."""

    wilayah = Field(attribute="wilayah", column_name="wilayah", widget=area_widget())

    # As the jaringan sheet reads a partner (network.sheet.JaringanSheet.parse).
    sheet_converters = {"nama": workbook.to_name, "jenis": sheet.PARTNER_TYPE}
    scope_area = "wilayah"
    export_select_related = ("wilayah",)

    class Meta:
        model = Mitra
        name = gettext_lazy("outside partners")
        import_id_fields = ["id"]
        fields = ["id", "nama", "jenis", "wilayah", "keterangan"]
        export_order = fields


class HubunganResource(ScopedResource):
    """Working links, keyed by id (empty for a new one): the group by its code, among the groups
    the user may change; the partner group by its code or the outside partner by its id, among
    those the user may see (the partner's name is exported alongside, and ignored on import)."""

    perkumpulan = Field(
        attribute="perkumpulan", column_name="perkumpulan", widget=group_widget("editable")
    )
    mitra_perkumpulan = Field(
        attribute="mitra_perkumpulan", column_name="mitra_perkumpulan", widget=group_widget()
    )
    mitra_luar = Field(
        attribute="mitra_luar",
        column_name="mitra_luar",
        widget=KeyWidget(Mitra, "pk", gettext_lazy("outside partner"), convert=workbook.to_int),
    )
    nama_mitra_luar = Field(
        attribute="mitra_luar__nama", column_name="nama_mitra_luar", readonly=True,
        widget=ConvertWidget(),
    )

    sheet_converters = {"bentuk": sheet.FORM}  # as the jaringan sheet reads the form of a link
    export_select_related = ("perkumpulan", "mitra_perkumpulan", "mitra_luar")

    class Meta:
        model = Hubungan
        name = gettext_lazy("working links")
        import_id_fields = ["id"]
        fields = [
            "id",
            "perkumpulan",
            "mitra_perkumpulan",
            "mitra_luar",
            "nama_mitra_luar",
            "bentuk",
            "keterangan",
        ]
        export_order = fields


class ForumResource(ScopedResource):
    """Village-level WKSBM forums, keyed by their village (one per village); member groups by
    code. The forums of an RW, RT or dukuh are kept on the forum page and the admin's form."""

    desa = Field(attribute="desa", column_name="desa",
                 widget=area_widget(gettext_lazy("village")))
    anggota = Field(attribute="anggota", column_name="anggota", widget=ListWidget(group_widget()))

    scope_area = "desa"
    key_lookup = "desa"
    key_filter = {"tingkat": TingkatForum.DESA}
    export_select_related = ("desa",)
    export_prefetch_related = ("anggota",)

    def check_scope(self, instance, row, errors) -> None:
        """Besides the area: the member groups are the village's active ones
        (Forum.member_choices), as on the forum page and in the admin's form."""
        super().check_scope(instance, row, errors)
        field = self.fields["anggota"]
        if "anggota" in errors or field.column_name not in row or not instance.desa_id:
            return
        groups = list(field.clean(row) or [])
        allowed = set(Forum.member_choices(instance.desa_id).filter(
            pk__in=[g.pk for g in groups]).values_list("pk", flat=True))
        wrong = [g.kode for g in groups if g.pk not in allowed]
        if wrong:
            errors["anggota"] = ValidationError(
                _("Not an active group of this village: %(codes)s.")
                % {"codes": ", ".join(wrong)}, code="not_member_choice")

    class Meta:
        model = Forum
        name = gettext_lazy("WKSBM forums")
        import_id_fields = ["desa"]
        fields = ["desa", "nama", "mekanisme", "tanggal_dibentuk", "anggota", "keterangan"]
        export_order = fields
