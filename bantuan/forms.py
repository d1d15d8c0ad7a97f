"""Forms of the aid app. The rules are the models' own (`Penerima.clean`, `check_quota`,
`double_aid`, `Penyaluran.clean`): a form builds the rows it would write and validates them
before writing, so the messages are the shared ones."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bantuan.models import BentukBantuan, Penerima, Penyaluran, Program, StatusPenerima
from pmks.models import KasusPMKS
from registry.forms import (
    DateInput,
    OnceForm,
    VersionedModelForm,
    village_groups,
    village_in_area,
)
from registry.models import JenisDana, Perkumpulan, Wilayah

BLANK = [("", "---------")]


class KasusBantuanForm(OnceForm, forms.Form):
    """Help given to the person of a PMKS case: a distribution of a programme the person is on,
    or of the village's ad-hoc programme of the source and form chosen (by default from the
    accompanying group)."""

    program = forms.ModelChoiceField(
        Program.objects.none(), required=False, label=_("programme"),
        help_text=_("Empty: help outside any programme, of the source and form below."))
    tanggal = Penyaluran._meta.get_field("tanggal").formfield(widget=DateInput)
    # Blank first: a form sent as shown records no choice nobody made.
    bentuk = forms.ChoiceField(label=_("form"), choices=BLANK + BentukBantuan.choices,
                               required=False)
    sumber = forms.ChoiceField(label=_("source"), choices=BLANK + JenisDana.choices,
                               required=False)
    nilai = Penyaluran._meta.get_field("nilai").formfield()
    perkumpulan = forms.ModelChoiceField(Perkumpulan.objects.none(), required=False,
                                         label=_("given by group"))
    keterangan = Penyaluran._meta.get_field("keterangan").formfield()

    def __init__(self, *args, kasus: KasusPMKS, user, **kwargs):
        kwargs.setdefault("auto_id", "bantuan-%s")
        kwargs.setdefault("initial", {"perkumpulan": kasus.pendamping_id})
        super().__init__(*args, **kwargs)
        self.kasus, self.user = kasus, user
        groups = village_groups(kasus.desa_id)
        if kasus.pendamping_id:
            groups = groups | Perkumpulan.objects.filter(pk=kasus.pendamping_id)
        field = self.fields["perkumpulan"]
        field.queryset = groups.order_by("nama")
        field.label_from_instance = lambda g: f"{g.nama} ({g.kode})"
        self.fields["program"].queryset = self.programmes()
        self.fields["nilai"].widget.attrs["inputmode"] = "numeric"
        self.send_once(user, f"pmks:bantuan:{kasus.pk}")

    def programmes(self):
        """The programmes the case's person is on and may still receive from."""
        target = ({"penerima__warga_id": self.kasus.warga_id} if self.kasus.warga_id
                  else {"penerima__kasus_id": self.kasus.pk})
        return (Program.objects.filter(ad_hoc=False, **target)
                .exclude(penerima__status=StatusPenerima.DIHENTIKAN).order_by("-mulai"))

    def clean(self):
        data = super().clean()
        if data.get("program") is None:  # help outside a programme: its source and form
            for name in ("bentuk", "sumber"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        if self.errors:
            return data
        record = Penyaluran(tanggal=data["tanggal"], nilai=data.get("nilai"), kasus=self.kasus,
                            keterangan=data.get("keterangan") or "")
        if data.get("program") is not None:
            target = ({"warga_id": self.kasus.warga_id} if self.kasus.warga_id
                      else {"kasus_id": self.kasus.pk})
            record.penerima = Penerima.objects.select_related("program").get(
                program=data["program"], **target)
        try:
            record.full_clean(exclude=None if record.penerima_id else ["penerima"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else "program", messages)
        return data

    def save(self) -> Penyaluran:
        data = self.cleaned_data
        with transaction.atomic():
            return Penyaluran.bantu_kasus(
                self.kasus, tanggal=data["tanggal"], program=data.get("program"),
                sumber=data["sumber"], bentuk=data["bentuk"], oleh=self.user,
                nilai=data.get("nilai"), perkumpulan=data.get("perkumpulan"),
                keterangan=data.get("keterangan") or "")


# Programmes
class ProgramForm(OnceForm, VersionedModelForm):
    """A programme: its code, name, source, form, recipients, the area it covers (a code of any
    level within the user's area), period and quota. The rules are the model's (`Program.clean`:
    a stimulus goes to groups; the period's constraint). A new programme is written once however
    often its form is sent; a change is checked against the version it was opened with."""

    wilayah = forms.CharField(
        label=_("Area code"), max_length=13,
        help_text=_("The area the programme covers: a village (32.77.01.1002) or a larger area "
                    "(32.77.01, a kecamatan; 32.77, a kota)."))

    class Meta(VersionedModelForm.Meta):
        model = Program
        fields = ["kode", "nama", "sumber", "bentuk", "sasaran", "mulai", "selesai", "syarat",
                  "kuota_per_desa", "batas_laporan_hari"]
        widgets = {"mulai": DateInput, "selesai": DateInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # The code names the programme in workbooks: set once.
            self.fields["kode"].disabled = True
            self.fields["wilayah"].initial = self.instance.wilayah_id
        else:
            self.send_once(user, "bantuan:program_new")
            if user.wilayah_id:
                self.fields["wilayah"].initial = user.wilayah_id
        self.order_fields(["kode", "nama", "sumber", "bentuk", "sasaran", "wilayah"])
        for name in ("kuota_per_desa", "batas_laporan_hari"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_wilayah(self) -> Wilayah:
        return village_in_area(self.user, self.cleaned_data["wilayah"], any_level=True)

    def _post_clean(self):
        # The area must be on the instance before the model's own validation runs.
        if isinstance(self.cleaned_data.get("wilayah"), Wilayah):
            self.instance.wilayah = self.cleaned_data["wilayah"]
        super()._post_clean()
