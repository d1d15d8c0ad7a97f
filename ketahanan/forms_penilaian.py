"""Forms of an assessment round: the round, one respondent's scores, an xlsx of respondents."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ketahanan.models import AnggotaPokja, Dimensi, Penilaian, PokjaTansosmas
from registry.forms import DateInput, OnceForm

SKALA = [(str(n), str(n)) for n in range(1, 6)]


class PenilaianForm(OnceForm, forms.ModelForm):
    """A new round of the village (`instance`): its date, name, Pokja and the members who ran
    it (only the village's Pokja and their members are offered)."""

    class Meta:
        model = Penilaian
        fields = ["tanggal", "nama", "pokja", "pelaksana", "catatan"]
        widgets = {"tanggal": DateInput, "pelaksana": forms.CheckboxSelectMultiple,
                   "catatan": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        desa = self.instance.desa_id
        self.fields["pokja"].queryset = PokjaTansosmas.objects.filter(desa=desa)
        self.fields["pelaksana"].queryset = AnggotaPokja.objects.filter(
            pokja__desa=desa).select_related("warga", "pokja")
        self.fields["pelaksana"].label_from_instance = (
            lambda a: f"{a.warga.nama} ({a.get_jabatan_display()}, {a.pokja.nama})")
        self.send_once(user, f"ketahanan:penilaian_new:{desa}")

    def clean(self):
        data = super().clean()
        pokja, pelaksana = data.get("pokja"), data.get("pelaksana") or []
        if any(pokja is None or a.pokja_id != pokja.pk for a in pelaksana):
            self.add_error("pelaksana", _("Choose members of the round's Pokja."))
        return data


class SkorForm(OnceForm, forms.Form):
    """One respondent of a round and a 1–5 score of every statement in use (`pernyataan`, in
    their order), grouped by dimension (`groups`)."""

    nomor = forms.IntegerField(label=_("Number"), min_value=1)
    nama = forms.CharField(label=_("Name"), max_length=200, required=False)
    unsur = forms.CharField(label=_("Represents"), max_length=100, required=False)

    def __init__(self, *args, user, penilaian, pernyataan, **kwargs):
        super().__init__(*args, **kwargs)
        self.penilaian, self.pernyataan = penilaian, pernyataan
        for p in pernyataan:
            self.fields[f"skor_{p.pk}"] = forms.TypedChoiceField(
                label=f"{p.kode}. {p.teks}", choices=SKALA, coerce=int,
                widget=forms.RadioSelect)
        self.send_once(user, f"ketahanan:skor:{penilaian.pk}")

    def groups(self) -> list[dict]:
        labels = dict(Dimensi.choices)
        out: list[dict] = []
        for p in self.pernyataan:
            if not out or out[-1]["dimensi"] != p.dimensi:
                out.append({"dimensi": p.dimensi, "label": labels.get(p.dimensi, p.dimensi),
                            "fields": []})
            out[-1]["fields"].append(self[f"skor_{p.pk}"])
        return out

    def clean_nomor(self):
        nomor = self.cleaned_data["nomor"]
        if self.penilaian.responden.filter(nomor=nomor).exists():
            raise forms.ValidationError(
                _("This round already has a respondent of this number."), code="unique")
        return nomor

    def scores(self) -> dict[int, int]:
        return {p.pk: self.cleaned_data[f"skor_{p.pk}"] for p in self.pernyataan}


class ImporForm(OnceForm, forms.Form):
    berkas = forms.FileField(label=_("Workbook (.xlsx)"))

    def __init__(self, *args, user, penilaian, **kwargs):
        super().__init__(*args, **kwargs)
        self.send_once(user, f"ketahanan:penilaian_impor:{penilaian.pk}")
