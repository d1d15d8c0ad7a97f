"""Forms of a village's Pokja Tansosmas: the body itself and a member found by NIK."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketahanan.models import AnggotaPokja, JabatanPokja, PokjaTansosmas
from members.forms import PersonPicker, visible_person
from registry.forms import DateInput, OnceForm, VersionedModelForm


class PokjaForm(OnceForm, VersionedModelForm):
    """A Pokja's own data (`instance`: a new one of the village, or the one edited)."""

    class Meta(VersionedModelForm.Meta):
        model = PokjaTansosmas
        fields = ["nama", "sk_nomor", "mulai", "selesai", "keterangan"]
        widgets = {"mulai": DateInput, "selesai": DateInput,
                   "keterangan": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.send_once(user, f"ketahanan:pokja_new:{self.instance.desa_id}")


class AnggotaPokjaForm(OnceForm, forms.Form):
    """A member of a Pokja: a registered person found by NIK (only among the people the user
    sees), a position, what the member represents, the start of the term."""

    nik = forms.CharField(label=_("NIK or name"), max_length=150, widget=PersonPicker,
                          help_text=_("A person already registered (a member of some group): "
                                      "their NIK, or their name chosen from the list."))
    jabatan = forms.ChoiceField(label=_("Position"), choices=JabatanPokja.choices,
                                initial=JabatanPokja.ANGGOTA)
    unsur = forms.CharField(label=_("Represents"), max_length=100, required=False,
                            help_text=AnggotaPokja._meta.get_field("unsur").help_text)
    mulai = forms.DateField(label=_("From"), required=False, widget=DateInput)

    def __init__(self, *args, user, pokja, **kwargs):
        kwargs.setdefault("auto_id", "anggota-%s")
        super().__init__(*args, **kwargs)
        self.user, self.pokja = user, pokja
        self.send_once(user, f"ketahanan:pokja_anggota:{pokja.pk}")

    def clean_nik(self):
        return visible_person(self.user, self.cleaned_data["nik"])

    def clean(self):
        data = super().clean()
        person = data.get("nik")
        if person is not None and AnggotaPokja.objects.filter(
                pokja=self.pokja, warga=person, selesai__isnull=True).exists():
            self.add_error("nik", ValidationError(
                _("This person is already a current member."), code="current"))
        return data
