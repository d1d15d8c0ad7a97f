"""What the API shows of each record: a page's rows read with their related rows joined (a fixed
number of queries per page), personal data hidden as registry.access says."""

from rest_framework import serializers

from members.models import Keanggotaan, Warga
from network.models import Hubungan
from pmks.models import KasusPMKS
from registry import access, validators
from registry.models import Perkumpulan


class PerkumpulanSerializer(serializers.ModelSerializer):
    jenis = serializers.CharField(source="jenis.kode")
    jenis_nama = serializers.CharField(source="jenis.nama")
    wilayah = serializers.CharField(source="desa_id")
    wilayah_nama = serializers.CharField(source="desa.nama")

    class Meta:
        model = Perkumpulan
        fields = ["kode", "nama", "jenis", "jenis_nama", "wilayah", "wilayah_nama", "rw", "rt",
                  "tahun_berdiri", "jumlah_anggota", "masa_kepengurusan", "jaringan_kerja",
                  "prakarsa", "aktif", "sk_nomor", "sk_tanggal", "sk_berlaku_sampai", "diubah"]


# The list's columns, in the order of PerkumpulanSerializer's fields (api.views.PerkumpulanList
# reads a page as tuples of them).
PERKUMPULAN_COLUMNS = tuple(
    {"jenis": "jenis__kode", "jenis_nama": "jenis__nama", "wilayah": "desa_id",
     "wilayah_nama": "desa__nama"}.get(name, name) for name in PerkumpulanSerializer.Meta.fields)


class WargaSerializer(serializers.ModelSerializer):
    """A person: the NIK masked, birth date and address left out (null) for a user who may not
    see personal data (access.hidden_fields)."""

    nik = serializers.SerializerMethodField()

    class Meta:
        model = Warga
        fields = ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "pendidikan", "wilayah",
                  "rw", "rt", "alamat"]

    def get_nik(self, warga) -> str:
        if "nik" in self._hidden():
            return validators.mask_nik(warga.nik)
        return warga.nik

    def _hidden(self) -> frozenset:
        if "hidden" not in self.context:
            self.context["hidden"] = access.hidden_fields(self.context["request"].user, Warga)
        return self.context["hidden"]

    def to_representation(self, warga):
        data = super().to_representation(warga)
        for name in self._hidden() - {"nik"}:
            data[name] = None
        return data


class KeanggotaanSerializer(serializers.ModelSerializer):
    perkumpulan = serializers.CharField(source="perkumpulan.kode")
    warga = WargaSerializer()
    aktif = serializers.BooleanField()

    class Meta:
        model = Keanggotaan
        fields = ["id", "perkumpulan", "warga", "peran", "mulai", "selesai", "aktif"]


class HubunganSerializer(serializers.ModelSerializer):
    perkumpulan = serializers.CharField(source="perkumpulan.kode")
    mitra_perkumpulan = serializers.CharField(source="mitra_perkumpulan.kode", allow_null=True,
                                              default=None)
    mitra_nama = serializers.SerializerMethodField()
    jenis_mitra = serializers.CharField()

    class Meta:
        model = Hubungan
        fields = ["id", "perkumpulan", "mitra_perkumpulan", "mitra_nama", "jenis_mitra",
                  "bentuk", "keterangan"]

    def get_mitra_nama(self, link) -> str:
        return link.mitra.nama


class KasusSerializer(serializers.ModelSerializer):
    nik = serializers.CharField(source="warga.nik", allow_null=True, default=None)
    kategori = serializers.CharField(source="kategori.kode")
    wilayah = serializers.CharField(source="desa_id")
    pendamping = serializers.CharField(source="pendamping.kode", allow_null=True, default=None)

    class Meta:
        model = KasusPMKS
        fields = ["id", "nik", "nama", "wilayah", "rw", "rt", "alamat", "kategori", "status",
                  "tanggal_identifikasi", "pendamping", "respon"]
