"""The forms of a village's action plans (think) and their activities (act)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bantuan.models import Program
from ketahanan.models import KegiatanAksi, PokjaTansosmas, RencanaAksi, StatusKegiatan
from registry.forms import (
    DateInput,
    GroupPickField,
    GroupsPickField,
    OnceForm,
    VersionedModelForm,
)
from registry.models import Perkumpulan, Wilayah

# The steps an activity may take: planned → under way → done, or cancelled before it is done.
NEXT_STATUS: dict[str, tuple[str, ...]] = {
    StatusKegiatan.DIRENCANAKAN: (StatusKegiatan.BERJALAN, StatusKegiatan.BATAL),
    StatusKegiatan.BERJALAN: (StatusKegiatan.SELESAI, StatusKegiatan.BATAL),
    StatusKegiatan.SELESAI: (),
    StatusKegiatan.BATAL: (),
}


def programmes_covering(user, desa: Wilayah):
    """The aid programmes the user sees that cover the village (its own, its kecamatan's,
    district's or province's)."""
    codes = [c for c in Wilayah.ancestor_codes(desa.kode).values() if c] + [desa.kode]
    return Program.objects.visible_to(user).filter(wilayah_id__in=codes).order_by("-mulai", "nama")


class RencanaForm(OnceForm, VersionedModelForm):
    """A plan's own data (`instance`: a new plan of the village, or the plan changed)."""

    class Meta(VersionedModelForm.Meta):
        model = RencanaAksi
        fields = ["nama", "pokja", "mulai", "selesai", "catatan"]
        widgets = {"mulai": DateInput, "selesai": DateInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pokja"].queryset = PokjaTansosmas.objects.filter(
            desa_id=self.instance.desa_id).order_by("-mulai")
        if self.instance.pk is None:
            self.send_once(user, f"ketahanan:rencana:{self.instance.desa_id}")


class KegiatanForm(OnceForm, VersionedModelForm):
    """An activity's plan: what, the dimension and indicator it means to move, the groups
    responsible, its budget and who pays (an aid programme or a group's fund), its schedule.
    Its status is moved with `StatusForm`."""

    penanggung_jawab = GroupsPickField(
        label=KegiatanAksi._meta.get_field("penanggung_jawab").verbose_name,
        help_text=_("Untick a group to leave it out; add one by a part of its name or its code."),
    )
    dana_perkumpulan = GroupPickField(
        required=False, label=KegiatanAksi._meta.get_field("dana_perkumpulan").verbose_name,
        help_text=KegiatanAksi._meta.get_field("dana_perkumpulan").help_text,
    )

    class Meta(VersionedModelForm.Meta):
        model = KegiatanAksi
        fields = ["nama", "dimensi", "indikator", "penanggung_jawab", "anggaran", "program",
                  "dana_perkumpulan", "jenis_dana", "mulai", "selesai"]
        widgets = {"mulai": DateInput, "selesai": DateInput}

    def __init__(self, *args, user, desa: Wilayah, **kwargs):
        super().__init__(*args, **kwargs)
        # The village's groups, by name or code.
        for name in ("penanggung_jawab", "dana_perkumpulan"):
            self.fields[name].queryset = Perkumpulan.objects.filter(desa=desa)
            self.fields[name].widget.attrs["data-desa"] = desa.pk
        if self.instance.dana_perkumpulan_id and not self.is_bound:
            self.initial["dana_perkumpulan"] = self.instance.dana_perkumpulan
        self.fields["program"].queryset = programmes_covering(user, desa)
        self.fields["anggaran"].widget.attrs["inputmode"] = "numeric"
        if self.instance.pk is None:
            self.send_once(user, f"ketahanan:kegiatan:{self.instance.rencana_id}")

    def clean(self):
        data = super().clean()
        if data.get("jenis_dana") and not data.get("dana_perkumpulan"):
            self.add_error("dana_perkumpulan", _("Name the group whose fund pays."))
        return data


class StatusForm(forms.Form):
    """An activity's next step: under way, done (the date it was done and what was done) or
    cancelled."""

    status = forms.ChoiceField(label=_("status"), choices=StatusKegiatan.choices)
    tanggal_selesai = forms.DateField(label=_("done on"), required=False, widget=DateInput)
    hasil = forms.CharField(label=_("what was done"), required=False, widget=forms.Textarea)

    def __init__(self, *args, kegiatan: KegiatanAksi, **kwargs):
        super().__init__(*args, **kwargs)
        self.kegiatan = kegiatan
        allowed = NEXT_STATUS.get(kegiatan.status, ())
        self.fields["status"].choices = [(v, label) for v, label in StatusKegiatan.choices
                                         if v in allowed]

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == StatusKegiatan.SELESAI:
            done = data.get("tanggal_selesai")
            if not done:
                self.add_error("tanggal_selesai",
                               _("A finished activity needs the date it was done."))
            elif done > timezone.localdate():
                self.add_error("tanggal_selesai", _("The date it was done cannot be in the "
                                                    "future."))
            elif done < self.kegiatan.mulai:
                self.add_error("tanggal_selesai", _("The activity cannot be done before it "
                                                    "starts."))
            if not (data.get("hasil") or "").strip():
                self.add_error("hasil", _("Say what was done."))
        return data

    def save(self) -> KegiatanAksi:
        kegiatan, data = self.kegiatan, self.cleaned_data
        kegiatan.status = data["status"]
        if kegiatan.status == StatusKegiatan.SELESAI:
            kegiatan.tanggal_selesai, kegiatan.hasil = data["tanggal_selesai"], data["hasil"]
        elif data.get("hasil"):
            kegiatan.hasil = data["hasil"]
        kegiatan.full_clean()
        kegiatan.save()
        return kegiatan
