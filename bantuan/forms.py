"""Forms of the aid app. The rules are the models' own (`Penerima.clean`: area, quota, double
aid; `Penyaluran.clean`): a form builds the rows it would write and validates them
before writing, so the messages are the shared ones."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bantuan.models import (
    FIELD_OF_SASARAN,
    BentukBantuan,
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    Sasaran,
    StatusPenerima,
)
from members.models import Keluarga, Warga
from pmks.models import KasusPMKS
from registry import access
from registry.forms import (
    DateInput,
    GroupPickField,
    ModelRulesForm,
    OnceForm,
    VersionedModelForm,
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
    perkumpulan = GroupPickField(
        required=False, label=_("given by group"),
        help_text=_("Its name or code; by default the accompanying group."))
    keterangan = Penyaluran._meta.get_field("keterangan").formfield()

    def __init__(self, *args, kasus: KasusPMKS, user, **kwargs):
        kwargs.setdefault("auto_id", "bantuan-%s")
        kwargs.setdefault("initial", {
            "perkumpulan": kasus.pendamping.kode if kasus.pendamping_id else ""})
        super().__init__(*args, **kwargs)
        self.kasus, self.user = kasus, user
        field = self.fields["perkumpulan"]
        field.queryset = Perkumpulan.objects.visible_to(user)
        field.widget.attrs["data-desa"] = kasus.desa_id
        self.fields["program"].queryset = self.programmes()
        self.fields["nilai"].widget.attrs["inputmode"] = "numeric"
        self.send_once(user, f"pmks:bantuan:{kasus.pk}")

    def programmes(self):
        """The programmes the case's person is on and may still receive from."""
        on = (Penerima.objects.filter(**Penerima.target_of(self.kasus))
              .exclude(status=StatusPenerima.DIHENTIKAN).values("program"))
        return Program.objects.filter(ad_hoc=False, pk__in=on).order_by("-mulai")

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
            record.penerima = Penerima.objects.select_related("program").get(
                program=data["program"], **Penerima.target_of(self.kasus))
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


# Recipients, distributions, reports ------------------------------------------------------

class PenerimaForm(OnceForm, ModelRulesForm):
    """A person (by NIK), a household (by KK number) or a group (by code) on a programme: the
    programme's target decides which. Only what the user may see is found, so a number alone
    reveals no one outside the user's area. The rules are the recipient's own (`full_clean`:
    its area, the quota, double aid — added only with a reason, recorded), told at the form's
    fields (`field_map`); `ganda` keeps the double aid found, for the page."""

    target = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    mulai = Penerima._meta.get_field("mulai").formfield(
        widget=DateInput, required=False, help_text=_("Empty: the programme's start."))
    selesai = Penerima._meta.get_field("selesai").formfield(
        widget=DateInput, help_text=_("Empty: the programme's end."))
    status = forms.ChoiceField(label=_("status"), choices=[
        (StatusPenerima.USULAN, StatusPenerima.USULAN.label),
        (StatusPenerima.DISETUJUI, StatusPenerima.DISETUJUI.label)])
    alasan_ganda = Penerima._meta.get_field("alasan_ganda").formfield(
        help_text=_("Needed only when the recipient already receives a programme of the same "
                    "form in an overlapping period: why they are added all the same."))

    field_map = {"warga": "target", "keluarga": "target", "perkumpulan": "target",
                 "kasus": "target", "desa": "target", "program": "target"}

    def __init__(self, *args, program: Program, user, **kwargs):
        kwargs.setdefault("initial", {"mulai": program.mulai, "selesai": program.selesai,
                                      "status": StatusPenerima.USULAN})
        super().__init__(*args, **kwargs)
        self.program, self.user = program, user
        self.penerima: Penerima | None = None
        self.ganda: list[Penerima] = []
        field = self.fields["target"]
        if program.sasaran == Sasaran.WARGA:
            field.label, field.help_text = _("NIK"), _("16 digits: a person registered in your "
                                                       "area.")
            field.widget.attrs["inputmode"] = "numeric"
        elif program.sasaran == Sasaran.KELUARGA:
            field.label, field.help_text = _("KK number"), _("The 16-digit number of the family "
                                                             "card (Kartu Keluarga).")
            field.widget.attrs["inputmode"] = "numeric"
        else:
            field.label, field.help_text = _("Group code"), _("The group's code, e.g. "
                                                              "CBR-DW-001.")
        self.send_once(user, f"bantuan:penerima:{program.pk}")

    def clean_target(self):
        value = "".join(self.cleaned_data["target"].split())
        sasaran = self.program.sasaran
        if sasaran == Sasaran.WARGA:
            found = Warga.objects.visible_to(self.user).filter(nik=value).first()
            if found is None:
                raise ValidationError(
                    _("No person with this NIK is registered within your area."),
                    code="not_found")
        elif sasaran == Sasaran.KELUARGA:
            found = Keluarga.objects.visible_to(self.user).filter(no_kk=value).first()
            if found is None:
                raise ValidationError(
                    _("No household with this KK number is registered within your area."),
                    code="not_found")
        else:
            found = (Perkumpulan.objects.visible_to(self.user).select_related("desa")
                     .filter(kode__iexact=value).first())
            if found is None:
                raise ValidationError(
                    _("No group with this code is registered within your area."),
                    code="not_found")
        return found

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target is None or self.errors:
            return data
        penerima = Penerima(program=self.program, mulai=data.get("mulai"),
                            selesai=data.get("selesai"), status=data["status"],
                            diputuskan_oleh=self.user,
                            alasan_ganda=data.get("alasan_ganda") or "",
                            **{FIELD_OF_SASARAN[self.program.sasaran]: target})
        area = penerima.target_area()
        if area is not None:
            penerima.desa = area
            if not access.may_write_area(self.user, area):
                self.add_error("target", ValidationError(
                    _("%(area)s lies outside your area: you may not add its recipients.")
                    % {"area": area.nama}, code="outside_user_area"))
                return data
        exclude = [name for name, value in (("desa", penerima.desa_id),
                                            ("mulai", penerima.mulai)) if value is None]
        self.check_rules(penerima, exclude=exclude)
        self.ganda = getattr(penerima, "ganda", [])
        if not self.errors:
            self.penerima = penerima
        return data

    def save(self) -> Penerima | None:
        try:
            with transaction.atomic():
                self.penerima.save()
        except IntegrityError:
            self.conflict()
            return None
        return self.penerima


class PenerimaStopForm(forms.Form):
    """Stop a recipient: the reason is required (`Penerima.hentikan`)."""

    alasan_berhenti = Penerima._meta.get_field("alasan_berhenti").formfield(required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "henti-%s")
        super().__init__(*args, **kwargs)


class PenyaluranForm(OnceForm, ModelRulesForm):
    """What was handed to a recipient: the distribution's own rules (`Penyaluran.full_clean`:
    a stopped recipient, a date outside the programme's period, a value out of range, a proof
    of the wrong kind or size)."""

    tanggal = Penyaluran._meta.get_field("tanggal").formfield(widget=DateInput)
    nilai = Penyaluran._meta.get_field("nilai").formfield()
    jumlah = Penyaluran._meta.get_field("jumlah").formfield()
    satuan = Penyaluran._meta.get_field("satuan").formfield()
    penyalur = Penyaluran._meta.get_field("penyalur").formfield()
    nomor_bukti = Penyaluran._meta.get_field("nomor_bukti").formfield()
    berkas_bukti = Penyaluran._meta.get_field("berkas_bukti").formfield()
    keterangan = Penyaluran._meta.get_field("keterangan").formfield()

    def __init__(self, *args, penerima: Penerima, user, **kwargs):
        kwargs.setdefault("auto_id", "salur-%s")
        super().__init__(*args, **kwargs)
        self.penerima, self.user = penerima, user
        self.record: Penyaluran | None = None
        self.fields["nilai"].widget.attrs["inputmode"] = "numeric"
        self.fields["berkas_bukti"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.pdf"
        self.send_once(user, f"bantuan:penyaluran:{penerima.pk}")

    def clean(self):
        data = super().clean()
        record = Penyaluran(penerima=self.penerima, oleh=self.user, **{
            name: data.get(name) for name in ("tanggal", "nilai", "jumlah")})
        for name in ("satuan", "penyalur", "nomor_bukti", "keterangan"):
            setattr(record, name, data.get(name) or "")
        if data.get("berkas_bukti"):
            record.berkas_bukti = data["berkas_bukti"]
        self.check_rules(record, exclude=[n for n in self.fields if n in self._errors])
        self.record = record
        return data

    def save(self) -> Penyaluran:
        self.record.save()
        return self.record


class LaporanForm(OnceForm, ModelRulesForm):
    """What a group did with a stimulus (`LaporanStimulan`'s own rules)."""

    tanggal = LaporanStimulan._meta.get_field("tanggal").formfield(widget=DateInput)
    kegiatan = LaporanStimulan._meta.get_field("kegiatan").formfield(
        widget=forms.Textarea(attrs={"rows": 3}))
    terpakai = LaporanStimulan._meta.get_field("terpakai").formfield()
    sisa = LaporanStimulan._meta.get_field("sisa").formfield()
    bukti = LaporanStimulan._meta.get_field("bukti").formfield()
    berkas_bukti = LaporanStimulan._meta.get_field("berkas_bukti").formfield()

    def __init__(self, *args, penerima: Penerima, user, **kwargs):
        kwargs.setdefault("auto_id", "lapor-%s")
        super().__init__(*args, **kwargs)
        self.penerima, self.user = penerima, user
        self.record: LaporanStimulan | None = None
        self.fields["berkas_bukti"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.pdf"
        self.send_once(user, f"bantuan:laporan:{penerima.pk}")

    def clean(self):
        data = super().clean()
        record = LaporanStimulan(penerima=self.penerima, oleh=self.user, **{
            name: data.get(name) for name in ("tanggal", "kegiatan", "terpakai", "sisa")})
        record.bukti = data.get("bukti") or ""
        if data.get("berkas_bukti"):
            record.berkas_bukti = data["berkas_bukti"]
        self.check_rules(record, exclude=[n for n in self.fields if n in self._errors])
        self.record = record
        return data

    def save(self) -> LaporanStimulan:
        self.record.save()
        return self.record
