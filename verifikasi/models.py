"""Verification rounds up the tiers (seed 002 §2: PMKS data by name by address, selected and
passed up): the village proposes its changes after its village meeting (musyawarah desa), the
kecamatan verifies them item by item, the district's Dinas Sosial approves, and only approved data
is final for the round.

- `Putaran`: a round of one district (kabupaten/kota): the period its data covers, what it covers
  (groups, PMKS cases, aid recipients), and a deadline per stage.
- `UsulanDesa`: one village's list in a round, its meeting's record, and each stage's date, by
  whom and notes. Its stage moves BELUM → DIAJUKAN → DIVERIFIKASI → DISETUJUI.
- `ItemUsulan`: one record on the list (new, changed, closed or deleted since the village's last
  approved round), with its values as first proposed and as last submitted. The kecamatan accepts
  it or returns it with a reason; a returned item goes back to the village, which fixes the record
  and submits it again (`UsulanDesa.perbarui`) or answers and resubmits it as it is.
- `Langkah`: every step, of the list or of one item: when, by whom, notes, and the values an item
  had at that step — nothing is lost.

The rules of who may take each step live in registry.access (may_propose, may_verify,
may_approve, may_run_rounds); the methods here check the order of the steps.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bantuan.models import Penerima, StatusPenerima
from pmks.models import KasusPMKS
from registry import access, validators
from registry.access import ScopedQuerySet
from registry.fields import ServedFileField
from registry.models import Perkumpulan, Tingkat, Wilayah


class Putaran(models.Model):
    """A verification round of one district."""

    scope_path = "wilayah"
    scope_any_level = True

    nama = models.CharField(_("name"), max_length=150)
    wilayah = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="putaran_verifikasi", verbose_name=_("district"),
        limit_choices_to={"tingkat": Tingkat.KABUPATEN})
    mulai = models.DateField(_("period starts"))
    selesai = models.DateField(_("period ends"))
    cakup_perkumpulan = models.BooleanField(_("covers group data"), default=True)
    cakup_pmks = models.BooleanField(_("covers PMKS cases"), default=True)
    cakup_penerima = models.BooleanField(_("covers aid recipients"), default=True)
    batas_usulan = models.DateField(_("villages submit by"))
    batas_verifikasi = models.DateField(_("kecamatan verify by"))
    batas_persetujuan = models.DateField(_("district approves by"))
    catatan = models.TextField(_("notes"), blank=True)
    dibuat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name=_("opened by"))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification round")
        verbose_name_plural = _("verification rounds")
        ordering = ["-mulai", "nama"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")),
                                   name="putaran_periode_urut"),
            models.CheckConstraint(
                condition=Q(batas_verifikasi__gte=models.F("batas_usulan"))
                & Q(batas_persetujuan__gte=models.F("batas_verifikasi")),
                name="putaran_batas_urut"),
        ]

    def __str__(self) -> str:
        return self.nama

    @classmethod
    def scope_filter(cls, user) -> Q:
        """A round is seen in its district, from every area within it (the villages, the
        kecamatan) and from the province that contains it."""
        return access.within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "wilayah", any_level=True)

    def clean(self) -> None:
        errors = {}
        if self.wilayah_id and self.wilayah.tingkat != Tingkat.KABUPATEN:
            errors["wilayah"] = _("A round belongs to a regency/city.")
        if self.mulai and self.selesai and self.selesai < self.mulai:
            errors["selesai"] = _("The period cannot end before it starts.")
        if self.batas_usulan and self.batas_verifikasi and \
                self.batas_verifikasi < self.batas_usulan:
            errors["batas_verifikasi"] = _("Verification cannot end before submission does.")
        if self.batas_verifikasi and self.batas_persetujuan and \
                self.batas_persetujuan < self.batas_verifikasi:
            errors["batas_persetujuan"] = _("Approval cannot end before verification does.")
        if not (self.cakup_perkumpulan or self.cakup_pmks or self.cakup_penerima):
            errors["cakup_perkumpulan"] = _("A round covers at least one kind of data.")
        if errors:
            raise ValidationError(errors)

    @property
    def jenis_data(self) -> list[str]:
        """The kinds of data the round covers (JenisData values)."""
        return [kind for kind, covered in ((JenisData.PERKUMPULAN, self.cakup_perkumpulan),
                                           (JenisData.PMKS, self.cakup_pmks),
                                           (JenisData.PENERIMA, self.cakup_penerima)) if covered]

    def desa(self):
        """The villages of the round's district, in code order."""
        return Wilayah.objects.filter(kabupaten=self.wilayah_id,
                                      tingkat=Tingkat.DESA).order_by("kode")

    def usulan_desa(self, desa: Wilayah) -> "UsulanDesa":
        """The village's list in this round (made, not yet submitted, on first use)."""
        usulan, _created = UsulanDesa.objects.get_or_create(putaran=self, desa=desa)
        return usulan


class Tahap(models.TextChoices):
    """Where a village's list stands."""

    BELUM = "BELUM", _("Not submitted")
    DIAJUKAN = "DIAJUKAN", _("Submitted")
    DIVERIFIKASI = "DIVERIFIKASI", _("Verified")
    DISETUJUI = "DISETUJUI", _("Approved")


class UsulanDesa(models.Model):
    """One village's list in a round."""

    scope_path = "desa"
    # The minutes of the village meeting name who attended (the berita_acara page's rule).
    personal_fields = ("berita_acara",)

    putaran = models.ForeignKey(Putaran, models.CASCADE, related_name="usulan",
                                verbose_name=_("round"))
    desa = models.ForeignKey(Wilayah, models.PROTECT, related_name="+",
                             verbose_name=_("village"))
    tahap = models.CharField(_("stage"), max_length=12, choices=Tahap.choices,
                             default=Tahap.BELUM)
    # The village meeting (musyawarah desa) that agreed the list.
    musdes_tanggal = models.DateField(_("village meeting date"), null=True, blank=True,
                                      validators=[validators.validate_not_future])
    musdes_tempat = models.CharField(_("village meeting place"), max_length=200, blank=True)
    musdes_hadir = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    berita_acara = ServedFileField(
        _("minutes (berita acara), scanned"), upload_to="verifikasi/berita_acara/%Y/",
        blank=True, validators=[validators.validate_bukti])
    diajukan = models.DateTimeField(_("submitted"), null=True, blank=True)
    diajukan_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                      blank=True, related_name="+", verbose_name=_("submitted by"))
    catatan_desa = models.TextField(_("village's notes"), blank=True)
    diverifikasi = models.DateTimeField(_("verified"), null=True, blank=True)
    diverifikasi_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                          blank=True, related_name="+",
                                          verbose_name=_("verified by"))
    catatan_verifikasi = models.TextField(_("kecamatan's notes"), blank=True)
    disetujui = models.DateTimeField(_("approved"), null=True, blank=True)
    disetujui_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                       blank=True, related_name="+", verbose_name=_("approved by"))
    catatan_persetujuan = models.TextField(_("district's notes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("village list")
        verbose_name_plural = _("village lists")
        ordering = ["putaran", "desa"]
        constraints = [
            models.UniqueConstraint(fields=["putaran", "desa"], name="usulan_desa_unik"),
        ]
        indexes = [models.Index(fields=["desa", "tahap", "disetujui"], name="usulan_desa_idx")]

    def __str__(self) -> str:
        return f"{self.putaran} — {self.desa}"

    def download_url(self, field: str) -> str:
        """The page that serves this record's stored file to whoever may see the record."""
        return reverse("verifikasi:berita_acara", args=[self.putaran_id, self.desa_id])

    # -- Deadlines -------------------------------------------------------------------------
    def terlambat(self, today: datetime.date | None = None) -> bool:
        """Late at its current stage: not submitted (or submitted) after the submission
        deadline, not verified after the verification deadline, not approved after the
        approval deadline."""
        today = today or timezone.localdate()
        p = self.putaran
        if self.tahap == Tahap.BELUM:
            return today > p.batas_usulan
        if self.tahap == Tahap.DIAJUKAN:
            return today > p.batas_verifikasi or self.diajukan_terlambat
        if self.tahap == Tahap.DIVERIFIKASI:
            return today > p.batas_persetujuan
        return False

    @property
    def diajukan_terlambat(self) -> bool:
        """Submitted after the submission deadline."""
        return bool(self.diajukan) and \
            timezone.localtime(self.diajukan).date() > self.putaran.batas_usulan

    # -- What the list holds ---------------------------------------------------------------
    def sejak(self) -> datetime.datetime | None:
        """When the village's data was last approved (in an earlier round), or None."""
        return (UsulanDesa.objects.filter(desa=self.desa_id, tahap=Tahap.DISETUJUI)
                .exclude(pk=self.pk).order_by("-disetujui")
                .values_list("disetujui", flat=True).first())

    def calon(self) -> list["Calon"]:
        """The changes the list would hold now: the village's records of the kinds the round
        covers that were created, changed, closed or deleted since its last approved round
        (every record in its first round)."""
        since = self.sejak()
        found = []
        for kind in self.putaran.jenis_data:
            found.extend(JENIS[kind].changes(self.desa_id, since))
        return found

    @transaction.atomic
    def ajukan(self, user, catatan: str = "") -> int:
        """Submit the list (its meeting record filled in by the form); returns its item count."""
        if self.tahap != Tahap.BELUM:
            raise ValidationError(_("This list was already submitted."), code="tahap")
        if not (self.musdes_tanggal and self.musdes_tempat and self.musdes_hadir):
            raise ValidationError(_("Record the village meeting first: its date, place and "
                                    "attendance."), code="musdes")
        now = timezone.now()
        items = [c.item(self) for c in self.calon()]
        ItemUsulan.objects.bulk_create(items, batch_size=500)
        self.tahap, self.diajukan, self.diajukan_oleh = Tahap.DIAJUKAN, now, user
        if catatan:
            self.catatan_desa = catatan
        self.save()
        Langkah.objects.create(usulan=self, aksi=Aksi.AJUKAN, oleh=user, catatan=catatan,
                               data={"jumlah_item": len(items)})
        return len(items)

    @transaction.atomic
    def perbarui(self, user, catatan: str = "") -> tuple[int, int]:
        """Submit the village's changes made after the list was submitted: records changed
        since their item was submitted are submitted again (their earlier values kept in the
        item's steps), new changes join the list. A verified list goes back to the kecamatan.
        Returns (items submitted again, items added)."""
        if self.tahap not in (Tahap.DIAJUKAN, Tahap.DIVERIFIKASI):
            raise ValidationError(_("Only a submitted list can be brought up to date."),
                                  code="tahap")
        existing = {i.kunci: i for i in self.items.all()}
        again = added = 0
        new_items = []
        for c in self.calon():
            item = existing.get(c.kunci)
            if item is None:
                new_items.append(c.item(self))
                added += 1
            elif item.data != c.data or item.perubahan != c.perubahan:
                item.ajukan_ulang(user, catatan, calon=c)
                again += 1
        ItemUsulan.objects.bulk_create(new_items, batch_size=500)
        if again or added:
            self.tahap = Tahap.DIAJUKAN
            self.diverifikasi = self.diverifikasi_oleh = None
            self.save()
        Langkah.objects.create(usulan=self, aksi=Aksi.PERBARUI, oleh=user, catatan=catatan,
                               data={"diajukan_ulang": again, "ditambah": added})
        return again, added

    def berubah(self) -> list["ItemUsulan"]:
        """The items whose record changed (or was deleted) after the item was submitted, each
        with `sekarang` (its values now, None when deleted) set: the page shows both."""
        items = list(self.items.all())
        current = {}
        for kind in {i.jenis for i in items}:
            # The ids as a subquery: one query per kind however long the list.
            ids = self.items.filter(jenis=kind, objek_id__isnull=False).values("objek_id")
            current.update(JENIS[kind].snapshots(ids))
        changed = []
        for item in items:
            item.sekarang = current.get(item.kunci)
            if item.sekarang != item.data and item.perubahan != Perubahan.HAPUS:
                changed.append(item)
        return changed

    def baru_sejak_diajukan(self) -> list["Calon"]:
        """Changes made since the list was submitted that are not on it yet."""
        keys = set(self.items.values_list("kunci", flat=True))
        return [c for c in self.calon() if c.kunci not in keys]

    @transaction.atomic
    def verifikasi(self, user, catatan: str = "") -> None:
        """The kecamatan has accepted every item: the list goes up to the district."""
        if self.tahap != Tahap.DIAJUKAN:
            raise ValidationError(_("Only a submitted list can be verified."), code="tahap")
        if self.items.exclude(status=StatusItem.DITERIMA).exists():
            raise ValidationError(_("Accept or return every item first; returned items must be "
                                    "submitted again and accepted."), code="belum_lengkap")
        self.tahap, self.diverifikasi, self.diverifikasi_oleh = Tahap.DIVERIFIKASI, \
            timezone.now(), user
        self.catatan_verifikasi = catatan
        self.save()
        Langkah.objects.create(usulan=self, aksi=Aksi.VERIFIKASI, oleh=user, catatan=catatan)

    @transaction.atomic
    def setujui(self, user, catatan: str = "") -> None:
        """The district approves the verified list: it becomes the village's final data for the
        round, and the recap "as approved" is kept. Refused while the village's records hold
        changes the list does not (changed after submission, or not on it): approved data is
        exactly what was verified."""
        if self.tahap != Tahap.DIVERIFIKASI:
            raise ValidationError(_("Only a verified list can be approved."), code="tahap")
        if self.berubah() or self.baru_sejak_diajukan():
            raise ValidationError(
                _("The village's data changed after the list was submitted. The village must "
                  "submit the changes (Perbarui) and the kecamatan verify them before approval."),
                code="berubah")
        self.tahap, self.disetujui, self.disetujui_oleh = Tahap.DISETUJUI, timezone.now(), user
        self.catatan_persetujuan = catatan
        self.save()
        Langkah.objects.create(usulan=self, aksi=Aksi.SETUJUI, oleh=user, catatan=catatan)
        from verifikasi import rekap

        rekap.simpan_persetujuan(self)

    @transaction.atomic
    def kembalikan_ke_kecamatan(self, user, catatan: str) -> None:
        """The district sends a verified list back to the kecamatan (with a reason)."""
        if self.tahap != Tahap.DIVERIFIKASI:
            raise ValidationError(_("Only a verified list can be sent back."), code="tahap")
        if not catatan.strip():
            raise ValidationError(_("Say why the list goes back."), code="alasan")
        self.tahap = Tahap.DIAJUKAN
        self.diverifikasi = self.diverifikasi_oleh = None
        self.save()
        Langkah.objects.create(usulan=self, aksi=Aksi.KEMBALIKAN_KE_KECAMATAN, oleh=user,
                               catatan=catatan)


class JenisData(models.TextChoices):
    PERKUMPULAN = "PERKUMPULAN", _("Group")
    PMKS = "PMKS", _("PMKS case")
    PENERIMA = "PENERIMA", _("Aid recipient")


class Perubahan(models.TextChoices):
    BARU = "BARU", _("New")
    UBAH = "UBAH", _("Changed")
    TUTUP = "TUTUP", _("Closed")
    HAPUS = "HAPUS", _("Deleted")


class StatusItem(models.TextChoices):
    DIAJUKAN = "DIAJUKAN", _("Awaiting verification")
    DITERIMA = "DITERIMA", _("Accepted")
    DIKEMBALIKAN = "DIKEMBALIKAN", _("Returned to the village")


class ItemUsulan(models.Model):
    """One record on a village's list (see the module's docstring)."""

    scope_path = "usulan__desa"
    # A list names PMKS cases and aid recipients: for the roles that see PMKS only.
    scope_sensitive = True

    usulan = models.ForeignKey(UsulanDesa, models.CASCADE, related_name="items",
                               verbose_name=_("village list"))
    jenis = models.CharField(_("kind"), max_length=12, choices=JenisData.choices)
    # "<kind>:<id>": the record, stable when the record is deleted afterwards.
    kunci = models.CharField(_("key"), max_length=40)
    objek_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    label = models.CharField(_("record"), max_length=300)
    perubahan = models.CharField(_("change"), max_length=6, choices=Perubahan.choices)
    # {field name: value as text}: as first proposed, and as last submitted.
    data_awal = models.JSONField(_("values as first proposed"), default=dict)
    data = models.JSONField(_("values as submitted"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=StatusItem.choices,
                              default=StatusItem.DIAJUKAN)
    alasan = models.TextField(_("reason returned"), blank=True)
    diperiksa = models.DateTimeField(_("checked"), null=True, blank=True)
    diperiksa_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                       blank=True, related_name="+", verbose_name=_("checked by"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["usulan", "jenis", "label"]
        constraints = [
            models.UniqueConstraint(fields=["usulan", "kunci"], name="item_usulan_unik"),
        ]
        indexes = [models.Index(fields=["usulan", "status"], name="item_usulan_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()}: {self.label}"

    def _check_open(self) -> None:
        if self.usulan.tahap != Tahap.DIAJUKAN:
            raise ValidationError(_("The list is not awaiting verification."), code="tahap")

    @transaction.atomic
    def terima(self, user, catatan: str = "") -> None:
        self._check_open()
        self.status, self.alasan = StatusItem.DITERIMA, ""
        self.diperiksa, self.diperiksa_oleh = timezone.now(), user
        self.save()
        Langkah.objects.create(usulan=self.usulan, item=self, aksi=Aksi.TERIMA, oleh=user,
                               catatan=catatan)

    @transaction.atomic
    def kembalikan(self, user, alasan: str) -> None:
        self._check_open()
        if not alasan.strip():
            raise ValidationError(_("Say why the item is returned."), code="alasan")
        self.status, self.alasan = StatusItem.DIKEMBALIKAN, alasan.strip()
        self.diperiksa, self.diperiksa_oleh = timezone.now(), user
        self.save()
        Langkah.objects.create(usulan=self.usulan, item=self, aksi=Aksi.KEMBALIKAN, oleh=user,
                               catatan=self.alasan)

    @transaction.atomic
    def ajukan_ulang(self, user, catatan: str = "", calon: "Calon | None" = None) -> None:
        """Submit the item again: with the record's values now (`calon`, from `perbarui`), or
        as it is, with the village's answer (`catatan`) to a returned item."""
        if self.usulan.tahap not in (Tahap.DIAJUKAN, Tahap.DIVERIFIKASI):
            raise ValidationError(_("The list is not open for changes."), code="tahap")
        if calon is None and self.status != StatusItem.DIKEMBALIKAN:
            raise ValidationError(_("Only a returned item is submitted again."), code="status")
        if calon is None and not catatan.strip():
            raise ValidationError(_("Answer the kecamatan's reason."), code="jawaban")
        before = {"data": self.data, "perubahan": self.perubahan, "status": self.status,
                  "alasan": self.alasan}
        if calon is not None:
            self.data, self.perubahan, self.label = calon.data, calon.perubahan, calon.label
        self.status = StatusItem.DIAJUKAN
        self.diperiksa = self.diperiksa_oleh = None
        self.save()
        Langkah.objects.create(usulan=self.usulan, item=self, aksi=Aksi.AJUKAN_ULANG, oleh=user,
                               catatan=catatan, data=before)

    def selisih(self, sekarang: dict | None) -> list[tuple[str, str, str]]:
        """(field, as submitted, now) for each value that differs."""
        now = sekarang or {}
        return [(name, self.data.get(name, ""), now.get(name, ""))
                for name in dict.fromkeys([*self.data, *now])
                if self.data.get(name, "") != now.get(name, "")]


class Aksi(models.TextChoices):
    AJUKAN = "AJUKAN", _("Submitted")
    PERBARUI = "PERBARUI", _("Brought up to date")
    AJUKAN_ULANG = "AJUKAN_ULANG", _("Submitted again")
    TERIMA = "TERIMA", _("Accepted")
    KEMBALIKAN = "KEMBALIKAN", _("Returned to the village")
    VERIFIKASI = "VERIFIKASI", _("Verified")
    KEMBALIKAN_KE_KECAMATAN = "KEMBALI_KEC", _("Sent back to the kecamatan")
    SETUJUI = "SETUJUI", _("Approved")


class Langkah(models.Model):
    """One step of a list or of one of its items: dated, by whom, with notes; `data` holds
    what the step replaced (an item's earlier values when it is submitted again)."""

    scope_path = "usulan__desa"

    usulan = models.ForeignKey(UsulanDesa, models.CASCADE, related_name="langkah")
    item = models.ForeignKey(ItemUsulan, models.CASCADE, null=True, blank=True,
                             related_name="langkah")
    aksi = models.CharField(_("step"), max_length=12, choices=Aksi.choices)
    oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("by"))
    waktu = models.DateTimeField(_("when"), auto_now_add=True)
    catatan = models.TextField(_("notes"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["waktu", "pk"]

    def __str__(self) -> str:
        return f"{self.get_aksi_display()} ({self.waktu:%Y-%m-%d %H:%M})"


# -- The kinds of data a round covers ---------------------------------------------------------
class Calon:
    """A change that belongs on a village's list."""

    def __init__(self, jenis: str, objek_id: int, label: str, perubahan: str, data: dict):
        self.jenis, self.objek_id, self.label = jenis, objek_id, label
        self.perubahan, self.data = perubahan, data
        self.kunci = f"{jenis}:{objek_id}"

    def item(self, usulan: UsulanDesa) -> ItemUsulan:
        return ItemUsulan(usulan=usulan, jenis=self.jenis, kunci=self.kunci,
                          objek_id=self.objek_id, label=self.label[:300],
                          perubahan=self.perubahan, data_awal=self.data, data=self.data)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Kind:
    """How one kind of record joins a list: which records are the village's, which fields a
    list keeps, when a record counts as closed."""

    jenis: str
    model: type[models.Model]
    fields: tuple[str, ...]
    related: tuple[str, ...] = ()

    def label(self, obj) -> str:
        return str(obj)

    def closed(self, obj) -> bool:
        raise NotImplementedError

    def of_village(self, desa_id: str):
        return self.model.objects.filter(desa=desa_id)

    def snapshot(self, obj) -> dict:
        data = {}
        for name in self.fields:
            field = obj._meta.get_field(name)
            if field.choices:
                value = getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""
            else:
                value = getattr(obj, name)
            data[name] = _text(value)
        return data

    def snapshots(self, ids) -> dict[str, dict]:
        """{key: values now} of these records (deleted ones missing). `ids`: a list, or a
        queryset of ids (read in one query however many)."""
        found = {}
        chunks = [ids] if isinstance(ids, models.QuerySet) else \
            [ids[start:start + 500] for start in range(0, len(ids), 500)]
        for chunk in chunks:
            for obj in self.model.objects.filter(pk__in=chunk).select_related(*self.related):
                found[f"{self.jenis}:{obj.pk}"] = self.snapshot(obj)
        return found

    def changes(self, desa_id: str, since) -> list[Calon]:
        rows = self.of_village(desa_id).select_related(*self.related).order_by("pk")
        if since is not None:
            rows = rows.filter(diubah__gt=since)
        found = []
        for obj in rows:
            if since is not None and obj.dibuat > since:
                change = Perubahan.BARU
            elif self.closed(obj):
                change = Perubahan.TUTUP
            else:
                change = Perubahan.BARU if since is None else Perubahan.UBAH
            found.append(Calon(self.jenis, obj.pk, self.label(obj), change, self.snapshot(obj)))
        if since is not None:
            # Deleted since: their last values from the audit history.
            history = self.model.history.filter(desa=desa_id, history_type="-",
                                                 history_date__gt=since)
            live = set(self.model.objects.filter(
                pk__in=[h.id for h in history]).values_list("pk", flat=True))
            for h in history:
                if h.id not in live:
                    obj = h.instance
                    found.append(Calon(self.jenis, h.id, self.label(obj), Perubahan.HAPUS,
                                       self.snapshot(obj)))
        return found


class GroupKind(Kind):
    jenis = JenisData.PERKUMPULAN
    model = Perkumpulan
    fields = ("kode", "nama", "jenis", "rw", "rt", "tahun_berdiri", "tujuan", "jumlah_anggota",
              "masa_kepengurusan", "jaringan_kerja", "prakarsa", "aktif", "sk_nomor",
              "sk_tanggal", "sk_berlaku_sampai")
    related = ("jenis", "tujuan")

    def closed(self, obj) -> bool:
        return not obj.aktif


class CaseKind(Kind):
    jenis = JenisData.PMKS
    model = KasusPMKS
    fields = ("nama", "rw", "rt", "alamat", "kategori", "tanggal_identifikasi", "status",
              "pendamping", "respon")
    related = ("kategori", "pendamping")

    def label(self, obj) -> str:
        return f"{obj.nama} — {obj.kategori.nama}"

    def closed(self, obj) -> bool:
        return obj.status in KasusPMKS.CLOSED


class RecipientKind(Kind):
    jenis = JenisData.PENERIMA
    model = Penerima
    fields = ("program", "status", "mulai", "selesai", "alasan_berhenti")
    related = ("program", "warga", "keluarga", "perkumpulan", "kasus")

    def closed(self, obj) -> bool:
        return obj.status == StatusPenerima.DIHENTIKAN


JENIS: dict[str, Kind] = {k.jenis: k for k in (GroupKind(), CaseKind(), RecipientKind())}


# The recap "as approved in round R": its stored counts (verifikasi.rekap).
from verifikasi.models_rekap import KasusDisetujui, SelDisetujui  # noqa: E402, F401
