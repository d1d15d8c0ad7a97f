from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registry import validators
from registry.access import Peran
from registry.models import Perkumpulan, Wilayah
from registry.workbook import MAX_FILE_BYTES


class UploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("Survey workbook (.xlsx)"),
        help_text=_("The survey form filled in: sheets perkumpulan, anggota, pmks, jaringan."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Choose the .xlsx file to import.")},
    )

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _("“%(name)s” is not an .xlsx file; save the workbook as Excel (.xlsx)."),
                code="extension", params={"name": upload.name},
            )
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d MB."),
                code="too_big", params={"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class PerkumpulanForm(forms.ModelForm):
    """A group's data. The village is the operator's own; staff type the village code."""

    desa_kode = forms.CharField(
        label=_("Village code"), max_length=13,
        help_text=_("The desa/kelurahan code, e.g. 32.77.01.1002."),
    )

    class Meta:
        model = Perkumpulan
        fields = [
            "kode", "nama", "jenis", "rw", "rt", "tahun_berdiri", "tujuan", "jumlah_anggota",
            "masa_kepengurusan", "jaringan_kerja", "prakarsa", "syarat_keanggotaan",
            "sumber_dana", "nilai_solidaritas", "kegiatan", "aktif",
        ]
        widgets = {
            name: forms.CheckboxSelectMultiple
            for name in ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan")
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # A group's code is its stable key in workbooks and links: set once.
            self.fields["kode"].disabled = True
            self.fields["desa_kode"].initial = self.instance.desa_id
        if user.peran == Peran.OPERATOR:
            del self.fields["desa_kode"]
        for name in ("tahun_berdiri", "rw", "rt", "jumlah_anggota", "masa_kepengurusan"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_desa_kode(self):
        try:
            kode = validators.normalize_kode_wilayah(self.cleaned_data["desa_kode"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="kode") from exc
        desa = Wilayah.objects.editable_by(self.user).desa().filter(pk=kode).first()
        if desa is None:
            raise ValidationError(
                _("%(kode)s is not a desa/kelurahan within your area.") % {"kode": kode},
                code="outside_area",
            )
        return desa

    def _post_clean(self):
        # The village must be on the instance before the model's own validation runs.
        if self.user.peran == Peran.OPERATOR:
            self.instance.desa = self.user.wilayah
        elif isinstance(self.cleaned_data.get("desa_kode"), Wilayah):
            self.instance.desa = self.cleaned_data["desa_kode"]
        super()._post_clean()
