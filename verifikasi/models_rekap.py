"""The stored counts of the recap "as approved in round R" (verifikasi.rekap fills and reads
them): at the approval of a village's list, the village's recap counts of that instant (its data
is then exactly what was verified), kept per round and village."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmks.models import HitunganKasus


class SelDisetujui(models.Model):
    """One of a village's stored recap counts (registry.models.RekapSel) as approved in a
    round: the active groups of one type with one value of one dimension."""

    putaran = models.ForeignKey("verifikasi.Putaran", models.CASCADE, related_name="+",
                                verbose_name=_("round"))
    desa = models.ForeignKey("registry.Wilayah", models.CASCADE, related_name="+",
                             verbose_name=_("village"))
    jenis = models.ForeignKey("registry.JenisPerkumpulan", models.CASCADE, related_name="+")
    dimensi = models.CharField(max_length=20)
    nilai = models.CharField(max_length=20, blank=True)
    jumlah = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("approved recap count")
        verbose_name_plural = _("approved recap counts")
        constraints = [
            models.UniqueConstraint(fields=["putaran", "desa", "dimensi", "jenis", "nilai"],
                                    name="sel_disetujui_unik"),
        ]
        indexes = [models.Index(fields=["putaran", "dimensi", "desa"],
                                name="sel_disetujui_idx")]

    def __str__(self) -> str:
        return f"{self.putaran_id} {self.desa_id} {self.jenis_id} {self.dimensi}={self.nilai}"


class KasusDisetujui(HitunganKasus):
    """A village's PMKS cases of one category and status, with or without an accompanying
    group, as approved in a round (Tables 10 and 11)."""

    putaran = models.ForeignKey("verifikasi.Putaran", models.CASCADE, related_name="+",
                                verbose_name=_("round"))
    desa = models.ForeignKey("registry.Wilayah", models.CASCADE, related_name="+",
                             verbose_name=_("village"))

    class Meta:
        verbose_name = _("approved PMKS count")
        verbose_name_plural = _("approved PMKS counts")
        constraints = [
            models.UniqueConstraint(fields=["putaran", "desa", "kategori", "status",
                                            "didampingi"], name="kasus_disetujui_unik"),
        ]
        indexes = [models.Index(fields=["putaran", "desa"], name="kasus_disetujui_idx")]

    def __str__(self) -> str:
        return f"{self.putaran_id} {self.desa_id} {self.kategori_id} {self.status}"
