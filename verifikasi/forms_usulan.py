"""Forms of a village's list in a round: the village meeting's record that goes with a
submission, and the one note (or reason, or answer) every other step carries. The rules of the
steps are the models' own (verifikasi.models): a form only checks what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms import DateInput, OnceForm
from verifikasi.models import UsulanDesa

NOTE_MAX = 2000


class MusdesForm(OnceForm, forms.ModelForm):
    """The village meeting (musyawarah desa) that agreed the list, and the village's note:
    filled in by the operator on the submission page. The scanned minutes are required unless
    already uploaded; the file's checks are the model field's (validators.validate_bukti)."""

    catatan = forms.CharField(
        label=_("Village's notes"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = UsulanDesa
        fields = ["musdes_tanggal", "musdes_tempat", "musdes_hadir", "berita_acara"]
        widgets = {"musdes_tanggal": DateInput}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "musdes-%s")
        super().__init__(*args, **kwargs)
        for name in ("musdes_tanggal", "musdes_tempat", "musdes_hadir"):
            self.fields[name].required = True
        self.fields["musdes_hadir"].min_value = 1
        self.fields["musdes_hadir"].widget.attrs.update(min=1, inputmode="numeric")
        scan = self.fields["berita_acara"]
        scan.required = not self.instance.berita_acara
        scan.widget.attrs["accept"] = ".jpg,.jpeg,.png,.pdf"
        scan.help_text = _("A photo (JPG, PNG) or a PDF scan of the signed minutes, at most 5 MB.")
        self.send_once(user, f"verifikasi:ajukan:{self.instance.pk}")


class LangkahForm(forms.Form):
    """The note of a step: optional for accepting, verifying, approving, bringing up to date;
    the models require it where a step needs a reason (returning) or an answer (submitting a
    returned item again) and say so themselves."""

    catatan = forms.CharField(label=_("Notes"), required=False, max_length=NOTE_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def note(self) -> str:
        """The note sent (stripped), or "" for a form that is not valid."""
        return (self.cleaned_data.get("catatan") or "").strip() if self.is_valid() else ""
