"""The form of a verification round. The rules are the model's (`Putaran.clean`: the period's
order, the deadlines' order, at least one kind of data; its check constraints): the form shows
its messages. Who may open a round, and for which district, is registry.access's
`may_run_rounds`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.forms import DateInput, OnceForm, VersionedModelForm
from registry.models import Tingkat, Wilayah
from verifikasi.models import Putaran


def may_open_rounds(user) -> bool:
    """Whether `user` may open a round at all: Dinas Sosial of a district or a province (an
    administrator of the country too) — `access.may_run_rounds` of the user's own area."""
    if access.sees_everything(user):
        return True
    return bool(getattr(user, "wilayah_id", None)) and access.may_run_rounds(user, user.wilayah)


def districts_for(user):
    """The kabupaten/kota whose rounds `user` may open: their own, or those of their province."""
    return Wilayah.objects.visible_to(user).filter(tingkat=Tingkat.KABUPATEN).order_by("kode")


def default_district(user) -> str | None:
    """The staff user's own kabupaten/kota (None for a province's staff: they pick one)."""
    kode = getattr(user, "wilayah_id", None)
    if not kode:
        return None
    parts = kode.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


class PutaranForm(OnceForm, VersionedModelForm):
    """A round: its name, district, period, what it covers, the three deadlines and notes. A
    new round is written once however often its form is sent; a change is checked against the
    version it was opened with. The district is set when the round is opened."""

    class Meta(VersionedModelForm.Meta):
        model = Putaran
        fields = ["nama", "wilayah", "mulai", "selesai", "cakup_perkumpulan", "cakup_pmks",
                  "cakup_penerima", "batas_usulan", "batas_verifikasi", "batas_persetujuan",
                  "catatan"]
        widgets = {name: DateInput for name in ("mulai", "selesai", "batas_usulan",
                                                "batas_verifikasi", "batas_persetujuan")}
        help_texts = {
            "batas_usulan": _("The villages submit their lists (after their village meeting) "
                              "by this date."),
            "batas_verifikasi": _("The kecamatan verify their villages' lists by this date."),
            "batas_persetujuan": _("Dinas Sosial approves the verified lists by this date."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["wilayah"]
        field.queryset = districts_for(user)
        field.label_from_instance = lambda w: f"{w.nama} ({w.kode})"
        field.empty_label = None if self.instance.pk else "---------"
        if self.instance.pk:
            # The villages' lists belong to the district: it is set once.
            field.disabled = True
        else:
            self.send_once(user, "verifikasi:putaran_new")
            field.initial = default_district(user)

    def clean_wilayah(self):
        district = self.cleaned_data.get("wilayah")
        if district is not None and not access.may_run_rounds(self.user, district):
            raise forms.ValidationError(
                _("You may open rounds only for a regency/city within your area."),
                code="wilayah")
        return district
