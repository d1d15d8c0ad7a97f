"""Import and export of people, memberships and households in the admin (see
registry.resources)."""

from django.utils.translation import gettext_lazy
from import_export.fields import Field

from members import workbook as sheet
from members.models import Keanggotaan, Keluarga, Warga
from registry import access, validators, workbook
from registry.resources import ConvertWidget, KeyWidget, ScopedResource, area_widget, group_widget


def person_widget(scope="visible") -> KeyWidget:
    """A person by NIK (typed as text: a number cell loses the 16th digit), among the people the
    user may reach; masked on export for users who may not see personal data."""
    return KeyWidget(
        Warga, "nik", gettext_lazy("person with NIK"), scope=scope, convert=workbook.to_nik,
        mask=True,
    )


class WargaResource(ScopedResource):
    """People, keyed by NIK. Observers get the NIK masked and no personal columns."""

    nik = Field(attribute="nik", column_name="nik", widget=ConvertWidget(workbook.to_nik))
    wilayah = Field(
        attribute="wilayah",
        column_name="wilayah",
        widget=area_widget(gettext_lazy("village of residence")),
    )

    # As the anggota sheet reads a person (members.sheet.AnggotaSheet.parse).
    sheet_converters = {
        "nama": workbook.to_name,
        "jenis_kelamin": sheet.SEX,
        "tanggal_lahir": workbook.to_date,
        "pendidikan": sheet.EDUCATION,
        "rw": workbook.to_rw_rt,
        "rt": workbook.to_rw_rt,
    }
    scope_area = "wilayah"
    key_lookup = "nik"
    personal_fields = ("tanggal_lahir", "alamat", "rw", "rt")
    export_select_related = ("wilayah",)

    class Meta:
        model = Warga
        name = gettext_lazy("people")
        import_id_fields = ["nik"]
        fields = [
            "nik",
            "nama",
            "jenis_kelamin",
            "tanggal_lahir",
            "pendidikan",
            "wilayah",
            "rw",
            "rt",
            "alamat",
        ]
        export_order = fields

    def dehydrate_nik(self, warga: Warga) -> str:
        if access.can_see_personal_data(self.user):
            return warga.nik
        return validators.mask_nik(warga.nik)


class KeanggotaanResource(ScopedResource):
    """Memberships, keyed by id (empty for a new one): the group by its code, among the groups
    the user may change; the person by NIK, among the people the user may see."""

    perkumpulan = Field(
        attribute="perkumpulan", column_name="perkumpulan", widget=group_widget("editable")
    )
    warga = Field(attribute="warga", column_name="warga", widget=person_widget())
    nama_warga = Field(
        attribute="warga__nama", column_name="nama_warga", readonly=True,
        widget=ConvertWidget(),
    )

    sheet_converters = {"peran": sheet.ROLE}  # as the anggota sheet reads a role
    export_select_related = ("perkumpulan", "warga")

    class Meta:
        model = Keanggotaan
        name = gettext_lazy("memberships")
        import_id_fields = ["id"]
        fields = ["id", "perkumpulan", "warga", "nama_warga", "peran", "mulai", "selesai"]
        export_order = fields


class KeluargaResource(ScopedResource):
    """Households, keyed by KK number, read as the keluarga sheet reads them: the village among
    those the user may change, the head by NIK among the people the user may see (the head is
    the household's head here only: the keluarga sheet also makes them its member)."""

    no_kk = Field(attribute="no_kk", column_name="no_kk", widget=ConvertWidget(sheet.to_no_kk))
    wilayah = Field(attribute="wilayah", column_name="wilayah",
                    widget=area_widget(gettext_lazy("village")))
    kepala = Field(attribute="kepala", column_name="kepala", widget=person_widget())

    # As the keluarga sheet reads a household (members.workbook.KeluargaSheet.parse).
    sheet_converters = {
        "rw": workbook.to_rw_rt,
        "rt": workbook.to_rw_rt,
        "alamat": workbook.to_text,
    }
    scope_area = "wilayah"
    key_lookup = "no_kk"
    personal_fields = ("alamat", "rw", "rt")
    export_select_related = ("wilayah", "kepala")

    class Meta:
        model = Keluarga
        name = gettext_lazy("households")
        import_id_fields = ["no_kk"]
        fields = ["no_kk", "wilayah", "rw", "rt", "alamat", "kepala"]
        export_order = fields

    def dehydrate_no_kk(self, keluarga: Keluarga) -> str:
        if access.can_see_personal_data(self.user):
            return keluarga.no_kk
        return validators.mask_nik(keluarga.no_kk)
