"""The recap "as approved in round R" (filled in by the approval of each village's list).

At the approval of a village's list (`UsulanDesa.setujui`, inside its transaction) the village's
recap counts are copied into the round's store: its stored counts (registry.models.RekapSel,
refreshed first) into `SelDisetujui` when the round covers group data, and its PMKS cases per
category, status and accompaniment into `KasusDisetujui` when it covers PMKS cases. Approval is
refused while the village's data differs from what was verified, so the counts of that instant
are the approved data.

The recap of an area "as approved in round R" (`SumberPutaran`, a `registry.rekap.SumberRekap`)
sums the stored rows of the round's approved villages within the area: Tables 1–9 read them
through `Rekap.sel`, Tables 10–11 through `Rekap.stored("kasus")`. Villages not yet approved in
the round count as nothing; groups organised above the village belong to no village's list and
are not counted. The other tables (funds, trained leaders, aid) and the area profile are not
kept at approval: they are left out, with a note. `PutaranSource`, registered from
`VerifikasiConfig.ready()`, opens one for the recap page's `?putaran=ID` and the command's
`--putaran ID`.
"""

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from pmks.rekap import count_cases
from registry import access
from registry import rekap as registry_rekap
from registry.models import RekapSel, Tingkat, Wilayah
from registry.pages import CompiledQueries
from verifikasi.models import Putaran, Tahap, UsulanDesa
from verifikasi.models_rekap import KasusDisetujui, SelDisetujui

COMPILED = CompiledQueries()
GROUP_TABLES = set(range(1, 10))  # read through Rekap.sel
PMKS_TABLES = {10, 11}  # read through Rekap.stored("kasus")


def simpan_persetujuan(usulan) -> None:
    """Keep the village's recap as approved (see the module's docstring)."""
    putaran, desa = usulan.putaran, usulan.desa_id
    SelDisetujui.objects.filter(putaran=putaran, desa=desa).delete()
    KasusDisetujui.objects.filter(putaran=putaran, desa=desa).delete()
    if putaran.cakup_perkumpulan:
        registry_rekap.refresh([desa])
        SelDisetujui.objects.bulk_create(
            [SelDisetujui(putaran=putaran, desa_id=desa, jenis_id=jenis, dimensi=dimensi,
                          nilai=nilai, jumlah=jumlah)
             for jenis, dimensi, nilai, jumlah in RekapSel.objects.filter(wilayah=desa)
             .values_list("jenis", "dimensi", "nilai", "jumlah") if jumlah],
            batch_size=1000)
    if putaran.cakup_pmks:
        KasusDisetujui.objects.bulk_create(
            [KasusDisetujui(putaran=putaran, desa_id=desa, kategori_id=kategori, status=status,
                            didampingi=accompanied, jumlah=n)
             for _desa, kategori, status, accompanied, n in count_cases([desa]) if n],
            batch_size=1000)


def covers(putaran: Putaran, area: Wilayah) -> bool:
    """Whether the round's district meets the area: the area lies within the district, or the
    district within the area (a province)."""
    if area.tingkat == Tingkat.PROVINSI:
        return putaran.wilayah.provinsi_id == area.pk
    return putaran.wilayah_id in (area.pk, area.kabupaten_id)


# The sub-areas' field on a village, by the level of the area.
SUB_AREA = {Tingkat.KECAMATAN: "desa", Tingkat.KABUPATEN: "desa__kecamatan",
            Tingkat.PROVINSI: "desa__kabupaten"}


class SumberPutaran(registry_rekap.SumberRekap):
    """An area's recap as approved in one round."""

    kunci = "putaran"

    def __init__(self, putaran: Putaran, area: Wilayah):
        self.putaran, self.area, self.pk = putaran, area, putaran.pk
        self.tabel = (GROUP_TABLES if putaran.cakup_perkumpulan else set()) | (
            PMKS_TABLES if putaran.cakup_pmks else set())
        self._counts = None

    def _within(self, model) -> QuerySet:
        return model.objects.filter(access.within(self.area, "desa"), putaran=self.putaran)

    def sel(self, dimensi: str) -> QuerySet:
        return self._within(SelDisetujui).filter(dimensi=dimensi)

    def rows(self, kind: str) -> QuerySet | None:
        return self._within(KasusDisetujui) if kind == "kasus" else None

    def sub_area_counts(self) -> dict[tuple[str, int], int]:
        field = SUB_AREA.get(self.area.tingkat)
        if field is None:
            return {}
        rows = (self.sel("jumlah").order_by().values(field, "jenis").annotate(n=Sum("jumlah"))
                .values_list(field, "jenis", "n"))
        return {(sub, jenis): n for sub, jenis, n in rows}

    def counts(self) -> tuple[int, int]:
        """(villages of the area approved in the round, villages of the area in the round)."""
        if self._counts is None:
            approved = UsulanDesa.objects.filter(
                access.within(self.area, "desa"), putaran=self.putaran,
                tahap=Tahap.DISETUJUI).count()
            every = Wilayah.objects.filter(access.within(self.area, "self"),
                                           tingkat=Tingkat.DESA,
                                           kabupaten=self.putaran.wilayah_id).count()
            self._counts = approved, every
        return self._counts

    def info(self) -> dict:
        approved, every = self.counts()
        return {"id": self.putaran.pk, "nama": self.putaran.nama,
                "desa_disetujui": approved, "desa_semua": every}

    def banner(self) -> str:
        approved, every = self.counts()
        return _("As approved in round %(nama)s: %(n)d of %(m)d villages approved") % {
            "nama": self.putaran.nama, "n": approved, "m": every}

    def catatan(self, left_out: list[int]) -> str:
        return _("Not kept at approval, so left out of this recap (see the live recap): "
                 "Tables %(tabel)s and the area profile. Groups organised above the village "
                 "are on no village's list and are not counted.") % {
            "tabel": ", ".join(map(str, left_out))}


class PutaranSource(registry_rekap.RekapSourceKind):
    param = "putaran"

    def open(self, pk, area: Wilayah, user=None) -> SumberPutaran:
        rounds = Putaran.objects.all() if user is None else Putaran.objects.visible_to(user)
        try:
            putaran = rounds.select_related("wilayah").get(pk=int(str(pk).strip()))
        except (ValueError, Putaran.DoesNotExist) as exc:
            raise LookupError(_("No such verification round.")) from exc
        if not covers(putaran, area):
            raise ValueError(_("Round %(nama)s does not cover %(area)s.") % {
                "nama": putaran.nama, "area": area.nama})
        return SumberPutaran(putaran, area)

    def choices(self, area: Wilayah, user) -> list[tuple[int, str]]:
        """The rounds the user sees that meet the area and have an approved village in it,
        latest first: one query."""
        def build() -> QuerySet:
            meets = (Q(wilayah__provinsi=area.pk) if area.tingkat == Tingkat.PROVINSI
                     else Q(wilayah=area.kabupaten_id or area.pk))
            approved = UsulanDesa.objects.filter(access.within(area, "desa"),
                                                 tahap=Tahap.DISETUJUI).values("putaran")
            return (Putaran.objects.visible_to(user).filter(meets, pk__in=approved)
                    .order_by("-mulai", "nama").values_list("pk", "nama"))

        # (asked by every recap page: its SQL compiled once per area and scope)
        return COMPILED.rows(Putaran, ("choices", area.pk, access.scope_key(user)), build)
