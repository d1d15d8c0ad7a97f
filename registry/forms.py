from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
