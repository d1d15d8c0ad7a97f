"""Aid and stimulus: programmes, who is on them (a person, a household or a group), what was
handed out, and what a group did with a stimulus (seed 004 H and IV.B, seed 002, seed 000).

The help a PMKS case records is a distribution too (of a programme, or of the village's ad-hoc
programme of that source and form: `Program.ad_hoc`), so that one query gives everything a person
has received. The double-aid rule — the same person, household or group on two programmes of the
same form over overlapping periods — lives here once (`Penerima.double_aid`, `find_double_aid`),
asked by `Penerima.clean` (so by the forms and the admin) and by the `bantuan` sheet in batches.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.models import AnggotaKeluarga, Keluarga, Warga
from pmks.models import KasusPMKS
from registry import access, audit, validators
from registry.access import ScopedQuerySet
from registry.fields import ServedFileField
from registry.models import JenisDana, Perkumpulan, Wilayah
from registry.workbook.writer import chunks

FAR_FUTURE = datetime.date(9999, 12, 31)


class BentukBantuan(models.TextChoices):
    """What a programme hands out (the PMKS help's forms, and a group's stimulus)."""

    UANG = "UANG", _("Cash")
    BARANG = "BARANG", _("Goods")
    JASA = "JASA", _("Service")
    PENDAMPINGAN = "PENDAMPINGAN", _("Accompaniment")
    STIMULAN = "STIMULAN", _("Stimulus for a group")


class Sasaran(models.TextChoices):
    """Whom a programme's recipients are."""

    WARGA = "WARGA", _("People")
    KELUARGA = "KELUARGA", _("Households")
    PERKUMPULAN = "PERKUMPULAN", _("Groups")


# A programme's fields the stored aid counts read (bantuan.rekap).
COUNTED_PROGRAM_FIELDS = ("mulai", "selesai", "bentuk", "batas_laporan_hari", "wilayah_id")


class Program(models.Model):
    """An aid or stimulus programme: a source of the one funds list, a form, a period, the area
    it covers, whom it helps, and an optional quota of recipients per village."""

    scope_path = "wilayah"
    scope_any_level = True

    kode = models.CharField(
        _("code"), max_length=validators.KODE_PERKUMPULAN_MAX, unique=True,
        validators=[validators.validate_kode_program],
        help_text=_("How the workbook's bantuan sheet names the programme (e.g. PKH-2026-3277)."))
    nama = models.CharField(_("name"), max_length=200)
    sumber = models.CharField(_("source"), max_length=16, choices=JenisDana.choices)
    bentuk = models.CharField(_("form"), max_length=16, choices=BentukBantuan.choices)
    sasaran = models.CharField(_("recipients are"), max_length=12, choices=Sasaran.choices,
                               default=Sasaran.WARGA)
    wilayah = models.ForeignKey(Wilayah, models.PROTECT, related_name="program_bantuan",
                                verbose_name=_("area covered"))
    mulai = models.DateField(_("starts"))
    selesai = models.DateField(_("ends"), null=True, blank=True,
                               help_text=_("Empty while the programme goes on."))
    syarat = models.TextField(_("eligibility"), blank=True)
    kuota_per_desa = models.PositiveIntegerField(
        _("quota per village"), null=True, blank=True,
        help_text=_("At most this many recipients in one village (stopped ones not counted)."))
    batas_laporan_hari = models.PositiveSmallIntegerField(
        _("report due after (days)"), default=90,
        help_text=_("A group receiving stimulus reports its use within this many days."))
    ad_hoc = models.BooleanField(
        _("ad hoc"), default=False,
        help_text=_("Help recorded in PMKS cases outside any programme: kept per village, "
                    "source and form, outside the double-aid rule."))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("wilayah")

    class Meta:
        verbose_name = _("aid programme")
        verbose_name_plural = _("aid programmes")
        ordering = ["-mulai", "nama"]
        constraints = [
            models.CheckConstraint(
                condition=Q(selesai__isnull=True) | Q(selesai__gte=models.F("mulai")),
                name="program_ends_after_start",
                violation_error_message=_("A programme cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.nama

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # A change of these makes the stored aid counts of its recipients' areas stale
        # (bantuan.rekap).
        instance.tersimpan = tuple(instance.__dict__.get(f) for f in COUNTED_PROGRAM_FIELDS)
        return instance

    @classmethod
    def scope_filter(cls, user) -> Q:
        """A programme is seen within its area and from every area within it: a village's
        operator sees the province's programmes that cover the village."""
        return access.within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        """Changed by whoever holds its area (an operator their village's own programmes)."""
        return access.area_filter(user, "wilayah", any_level=True)

    @property
    def aktif(self) -> bool:
        today = timezone.localdate()
        return self.mulai <= today and (self.selesai is None or self.selesai >= today)

    def covers(self, area: Wilayah | None) -> bool:
        return area is not None and self.wilayah.contains(area)

    def in_period(self, date: datetime.date) -> bool:
        return self.mulai <= date and (self.selesai is None or date <= self.selesai)

    @classmethod
    def ad_hoc_for(cls, desa: Wilayah, sumber: str, bentuk: str, tanggal) -> "Program":
        """The village's ad-hoc programme of a source and form (help given in a PMKS case),
        made when first needed; its start moves back to the earliest help."""
        program, _created = cls.objects.get_or_create(
            ad_hoc=True, wilayah=desa, sumber=sumber, bentuk=bentuk,
            defaults={"kode": cls.ad_hoc_code(desa.kode, sumber, bentuk),
                      "nama": f"Bantuan langsung PMKS: {JenisDana(sumber).label}",
                      "mulai": tanggal, "sasaran": Sasaran.WARGA},
        )
        if tanggal < program.mulai:
            program.mulai = tanggal
            program.save(update_fields=["mulai", "diubah"])
        return program

    @staticmethod
    def ad_hoc_code(desa: str, sumber: str, bentuk: str) -> str:
        return f"PMKS-{desa.replace('.', '')}-{sumber[:6]}-{bentuk[:4]}"

    def clean(self) -> None:
        if self.bentuk == BentukBantuan.STIMULAN and self.sasaran != Sasaran.PERKUMPULAN:
            raise ValidationError({"sasaran": ValidationError(
                _("A stimulus goes to groups."), code="stimulan_groups")})


def running(start: datetime.date, end: datetime.date, path: str = "") -> Q:
    """Programmes (at `path`, e.g. "program__") whose period meets the days from `start` to
    `end`: those running today, those of a year."""
    return (Q(**{f"{path}mulai__lte": end})
            & (Q(**{f"{path}selesai__isnull": True}) | Q(**{f"{path}selesai__gte": start})))


class StatusPenerima(models.TextChoices):
    USULAN = "USULAN", _("Proposed")
    DISETUJUI = "DISETUJUI", _("Approved")
    DITERIMA = "DITERIMA", _("Received")
    DIHENTIKAN = "DIHENTIKAN", _("Stopped")


# Who a recipient is: exactly one of these is set (`kasus`: a person known only by a PMKS case,
# without a NIK; a registered person is always `warga`).
TARGET_FIELDS = ("warga", "keluarga", "perkumpulan", "kasus")
FIELD_OF_SASARAN = {Sasaran.WARGA: "warga", Sasaran.KELUARGA: "keluarga",
                    Sasaran.PERKUMPULAN: "perkumpulan"}
# What places a recipient (`Penerima.clean`): who, where, on which programme, over which period
# and whether stopped. An edit that changes none of these (a decision, a reason) is not checked
# again for its area, the quota or double aid: those were checked when it was added.
PLACING_FIELDS = ("program_id", *(f"{name}_id" for name in TARGET_FIELDS), "desa_id", "mulai",
                  "selesai", "status")


def _exactly_one(fields) -> Q:
    either = Q(pk__in=[])
    for name in fields:
        either |= Q(**{f"{name}__isnull": False},
                    **{f"{other}__isnull": True for other in fields if other != name})
    return either


class Penerima(models.Model):
    """A person, a household or a group on a programme: their period, status and who decided.
    Names of the poor: seen like PMKS (never by observers)."""

    bulk_columns = ("program", "warga", "keluarga", "perkumpulan", "kasus", "desa", "mulai",
                    "selesai", "status", "alasan_berhenti", "diputuskan_oleh", "alasan_ganda")

    scope_path = "desa"
    scope_any_level = True  # a group above the village may receive a stimulus
    scope_sensitive = True

    program = models.ForeignKey(Program, models.CASCADE, related_name="penerima",
                                verbose_name=_("programme"))
    warga = models.ForeignKey(Warga, models.PROTECT, null=True, blank=True,
                              related_name="penerima_bantuan", verbose_name=_("person"))
    keluarga = models.ForeignKey(Keluarga, models.PROTECT, null=True, blank=True,
                                 related_name="penerima_bantuan", verbose_name=_("household"))
    perkumpulan = models.ForeignKey(Perkumpulan, models.PROTECT, null=True, blank=True,
                                    related_name="penerima_bantuan", verbose_name=_("group"))
    kasus = models.ForeignKey(
        KasusPMKS, models.CASCADE, null=True, blank=True, related_name="penerima_bantuan",
        verbose_name=_("PMKS case"),
        help_text=_("A person without a NIK, known by their PMKS case."))
    desa = models.ForeignKey(Wilayah, models.PROTECT, related_name="penerima_bantuan",
                             verbose_name=_("area"),
                             help_text=_("Where the recipient lives or the group sits."))
    mulai = models.DateField(_("from"))
    selesai = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=StatusPenerima.choices,
                              default=StatusPenerima.USULAN)
    alasan_berhenti = models.CharField(_("reason for stopping"), max_length=300, blank=True)
    diputuskan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"))
    alasan_ganda = models.CharField(
        _("reason for double aid"), max_length=300, blank=True,
        help_text=_("Filled when the recipient already receives a programme of the same form "
                    "in an overlapping period and is added all the same."))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("program", "warga", "keluarga", "perkumpulan", "kasus", "desa")

    class Meta:
        verbose_name = _("aid recipient")
        verbose_name_plural = _("aid recipients")
        ordering = ["program", "desa", "pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one(TARGET_FIELDS),
                                   name="penerima_one_target"),
            models.CheckConstraint(
                condition=Q(selesai__isnull=True) | Q(selesai__gte=models.F("mulai")),
                name="penerima_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="DIHENTIKAN") | ~Q(alasan_berhenti=""),
                name="penerima_stop_has_reason",
                violation_error_message=_("Say why the recipient is stopped.")),
            *(models.UniqueConstraint(
                fields=["program", name], condition=Q(**{f"{name}__isnull": False}),
                name=f"penerima_program_{name}_unique",
                violation_error_message=_("Already a recipient of this programme."))
              for name in TARGET_FIELDS),
        ]
        indexes = [models.Index(fields=["desa", "program"], name="penerima_desa_idx")]

    def __str__(self) -> str:
        return f"{self.nama} — {self.program}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        # The distributions carry the recipient's programme and area (Penyaluran.bulk_columns).
        fields = kwargs.get("update_fields")
        if not adding and (fields is None or {"program", "desa"} & set(fields)):
            self.penyaluran.exclude(program_id=self.program_id, desa_id=self.desa_id).update(
                program_id=self.program_id, desa_id=self.desa_id)
        self.penempatan_tersimpan = self._placing()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The stored aid counts of the area a recipient leaves are stale too (bantuan.rekap).
        instance.desa_tersimpan = instance.__dict__.get("desa_id")
        # What placed it when it was checked (`clean`).
        instance.penempatan_tersimpan = instance._placing()
        return instance

    def _placing(self) -> dict:
        return {name: self.__dict__.get(name) for name in PLACING_FIELDS}

    def _changed(self, *names: str) -> bool:
        """Whether the recipient is new, or any of `names` (of PLACING_FIELDS) differs from what
        was stored."""
        stored = getattr(self, "penempatan_tersimpan", None)
        if self._state.adding or stored is None:
            return True
        return any(stored.get(name) != self.__dict__.get(name) for name in names)

    def _restarted(self) -> bool:
        """A stopped recipient that goes on again: it takes a place (and may be double aid)
        anew."""
        stored = getattr(self, "penempatan_tersimpan", None) or {}
        return (stored.get("status") == StatusPenerima.DIHENTIKAN
                and self.status != StatusPenerima.DIHENTIKAN)

    @property
    def target(self):
        for name in TARGET_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def nama(self) -> str:
        target = self.target
        if target is None:
            return ""
        return getattr(target, "nama", None) or str(target)

    @staticmethod
    def target_of(kasus: KasusPMKS) -> dict:
        """Who the person of a case is as a recipient: the registered person, or the case itself
        for a person without a NIK."""
        return {"warga_id": kasus.warga_id} if kasus.warga_id else {"kasus_id": kasus.pk}

    def target_area(self) -> Wilayah | None:
        """Where the recipient is: a person's or household's village, a group's area, a case's
        village."""
        if self.warga_id:
            return self.warga.wilayah
        if self.keluarga_id:
            return self.keluarga.wilayah
        if self.perkumpulan_id:
            return self.perkumpulan.desa
        if self.kasus_id:
            return self.kasus.desa
        return None

    def complete(self) -> None:
        """Fill what follows from the target and the programme: the area (the target's), the
        period (the programme's, from today while it runs). A case of a registered person names
        the person: the double-aid rule and the one-per-programme rule follow the person."""
        if self.kasus_id and not self.warga_id and self.kasus.warga_id:
            self.warga_id, self.kasus = self.kasus.warga_id, None
        if not self.desa_id:
            area = self.target_area()
            if area is not None:
                self.desa = area
        program = self.program if self.program_id else None
        if program is None:
            return
        if self.mulai is None:
            self.mulai = max(program.mulai, timezone.localdate()) if program.aktif \
                else program.mulai
        if self.selesai is None and program.selesai is not None:
            self.selesai = program.selesai

    def clean_fields(self, exclude=None) -> None:
        self.complete()  # before the required area and start are checked
        super().clean_fields(exclude)

    def clean(self) -> None:
        errors = {}
        self.ganda = []  # the double aid found (a form shows it)
        self.complete()
        given = [name for name in TARGET_FIELDS if getattr(self, f"{name}_id")]
        if len(given) != 1:
            errors[NON_FIELD_ERRORS] = ValidationError(
                _("Choose one person, household or group."), code="one_target")
        program = self.program if self.program_id else None
        if program is not None:
            wanted = FIELD_OF_SASARAN[program.sasaran]
            if given and given[0] != wanted and not (wanted == "warga" and given[0] == "kasus"):
                errors[given[0]] = ValidationError(
                    _("This programme's recipients are %(target)s.") % {
                        "target": program.get_sasaran_display().lower()}, code="wrong_target")
            if not self.desa_id and given:
                errors.setdefault(given[0], ValidationError(
                    _("The recipient has no village recorded."), code="no_area"))
            if self.desa_id and not program.covers(self.desa):
                errors.setdefault("program", ValidationError(
                    _("%(area)s lies outside the programme's area (%(covered)s).") % {
                        "area": self.desa.nama, "covered": program.wilayah.nama},
                    code="outside_area"))
            if self.mulai and not program.in_period(self.mulai):
                errors["mulai"] = ValidationError(
                    _("The programme runs from %(start)s to %(end)s.") % program_period(program),
                    code="outside_period")
        if self.status == StatusPenerima.DIHENTIKAN and not self.alasan_berhenti.strip():
            errors["alasan_berhenti"] = ValidationError(_("Say why the recipient is stopped."),
                                                        code="stop_reason")
        if len(given) == 1 and self._changed("desa_id", *(f"{n}_id" for n in TARGET_FIELDS)):
            self._check_area(given[0], errors)
        if not errors and program is not None:
            self._check_quota_and_double_aid(errors)
        if errors:
            raise ValidationError(errors)

    def _check_area(self, given: str, errors: dict) -> None:
        """The recipient's area is the target's own (`target_area`): where the person or
        household lives, where the group or the case is."""
        area = self.target_area()
        if area is None:
            errors.setdefault(given, ValidationError(
                _("The recipient has no village recorded."), code="no_area"))
        elif self.desa_id and self.desa_id != area.pk:
            errors.setdefault("desa", ValidationError(
                _("The recipient is recorded in %(area)s: the area must be that one.")
                % {"area": area.nama},
                code="not_target_area"))

    def _check_quota_and_double_aid(self, errors: dict) -> None:
        """The programme's quota in the village, for a recipient taking a place (new, moved to
        another programme or village, or going on again after being stopped); then double aid,
        for a recipient new to its programme, target or period: refused without a reason in
        `alasan_ganda`. `self.ganda` keeps what was found."""
        restarted = self._restarted()
        if restarted or self._changed("program_id", "desa_id"):
            try:
                self.check_quota()
            except ValidationError as error:
                errors["desa"] = error
                return
        if self.status == StatusPenerima.DIHENTIKAN or self.program.ad_hoc:
            return
        targets = tuple(f"{n}_id" for n in TARGET_FIELDS)
        if not (restarted or self._changed("program_id", *targets, "mulai", "selesai")):
            return
        found = [p for p in self.double_aid() if p.program_id != self.program_id]
        if found and not self._changed("program_id", *targets) and not restarted:
            # Only the period changed: the double aid it had already is no new one.
            stored = self.penempatan_tersimpan
            before = Penerima(pk=self.pk, program=self.program, desa_id=self.desa_id,
                              mulai=stored["mulai"], selesai=stored["selesai"],
                              warga_id=self.warga_id,
                              keluarga_id=self.keluarga_id, perkumpulan_id=self.perkumpulan_id)
            known = {p.pk for p in before.double_aid()}
            found = [p for p in found if p.pk not in known]
        self.ganda = found
        self.alasan_ganda = (self.alasan_ganda or "").strip()
        if not found:
            if self._changed("program_id", *targets) or restarted:
                self.alasan_ganda = ""  # no double aid: no reason to keep
            return
        if not self.alasan_ganda:
            errors["alasan_ganda"] = ValidationError(
                _("Already receives %(programmes)s in an overlapping period. To add them all "
                  "the same, give the reason here.") % {"programmes": other_programmes(found)},
                code="double_aid")

    def check_quota(self) -> None:
        """The programme's quota per village, counting the village's recipients not stopped."""
        quota = self.program.kuota_per_desa
        if quota is None or self.status == StatusPenerima.DIHENTIKAN:
            return
        taken = (Penerima.objects.filter(program_id=self.program_id, desa_id=self.desa_id)
                 .exclude(status=StatusPenerima.DIHENTIKAN).exclude(pk=self.pk).count())
        if taken >= quota:
            raise ValidationError(
                _("The programme's quota for %(village)s is full (%(quota)d recipients).")
                % {"village": self.desa.nama, "quota": quota}, code="quota_full")

    def double_aid(self) -> list["Penerima"]:
        """The recipient's other programmes of the same form over an overlapping period."""
        if not self.program_id:
            return []
        self.complete()  # an unsaved recipient not yet cleaned: the programme's period
        if self.mulai is None:
            return []
        found = find_double_aid([Kandidat.of(self)])
        return found.get(0, [])

    def hentikan(self, alasan: str, oleh=None, tanggal=None) -> None:
        """Stop the recipient: a reason is required; the period ends (today by default)."""
        if not (alasan or "").strip():
            raise ValidationError({"alasan_berhenti": ValidationError(
                _("Say why the recipient is stopped."), code="stop_reason")})
        self.status = StatusPenerima.DIHENTIKAN
        self.alasan_berhenti = alasan.strip()
        self.diputuskan_oleh = oleh
        self.selesai = max(tanggal or timezone.localdate(), self.mulai)
        self.save(update_fields=["status", "alasan_berhenti", "diputuskan_oleh", "selesai",
                                 "diubah"])


def program_period(program: Program) -> dict:
    return {"start": formats.date_format(program.mulai, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(program.selesai, "SHORT_DATE_FORMAT")
            if program.selesai else "…"}


def other_programmes(found: list[Penerima]) -> str:
    """The other programmes of a double aid, by name, code and period."""
    shown = []
    for other in found:
        period = program_period(other.program)
        shown.append(f"{other.program.nama} ({other.program.kode}, "
                     f"{period['start']} – {period['end']})")
    return "; ".join(dict.fromkeys(shown))


@dataclass
class Kandidat:
    """A recipient to check for double aid, before or after it is written (`index` names it in
    the answer: a row of a file, or 0 for a form)."""

    index: int
    bentuk: str
    mulai: datetime.date
    selesai: datetime.date | None
    warga_id: int | None = None
    keluarga_id: int | None = None
    perkumpulan_id: int | None = None
    pk: int | None = None

    @classmethod
    def of(cls, penerima: Penerima, index: int = 0) -> "Kandidat":
        return cls(index, penerima.program.bentuk, penerima.mulai, penerima.selesai,
                   penerima.warga_id, penerima.keluarga_id, penerima.perkumpulan_id,
                   penerima.pk)

    def overlaps(self, mulai, selesai) -> bool:
        return periods_overlap(self.mulai, self.selesai, mulai, selesai)


def periods_overlap(start, end, other_start, other_end) -> bool:
    """Two periods (an empty end: open) share a day: the double-aid rule's "overlapping"."""
    return start <= (other_end or FAR_FUTURE) and other_start <= (end or FAR_FUTURE)


def find_double_aid(candidates: list[Kandidat]) -> dict[int, list[Penerima]]:
    """For each candidate, the recipients already registered on another programme of the same
    form whose period overlaps: the same person or group; for a household, the same household
    or one sharing a current member with it. Stopped recipients and ad-hoc help do not count.
    A fixed number of queries per 2,000 candidates, whatever the registry's size."""
    found: dict[int, list[Penerima]] = {}
    forms = {c.bentuk for c in candidates}
    base = (Penerima.objects.filter(program__bentuk__in=forms, program__ad_hoc=False)
            .exclude(status=StatusPenerima.DIHENTIKAN)
            .select_related("program").order_by())

    def match(candidate: Kandidat, existing: Penerima) -> None:
        if (existing.pk != candidate.pk and existing.program.bentuk == candidate.bentuk
                and candidate.overlaps(existing.mulai, existing.selesai)):
            found.setdefault(candidate.index, []).append(existing)

    for field in ("warga_id", "perkumpulan_id"):
        wanted: dict[int, list[Kandidat]] = {}
        for c in candidates:
            if getattr(c, field):
                wanted.setdefault(getattr(c, field), []).append(c)
        for chunk in chunks(list(wanted)):
            for existing in base.filter(**{f"{field}__in": chunk}):
                for c in wanted[getattr(existing, field)]:
                    match(c, existing)
    households: dict[int, list[Kandidat]] = {}
    for c in candidates:
        if c.keluarga_id:
            households.setdefault(c.keluarga_id, []).append(c)
    for chunk in chunks(list(households)):
        # The households sharing a member with these: a current member of the candidate
        # household who belongs, or belonged, to another card (a household split or moved).
        related: dict[int, set[int]] = {k: {k} for k in chunk}
        sharing = (AnggotaKeluarga.objects.filter(keluarga_id__in=chunk, selesai__isnull=True)
                   .values_list("keluarga_id", "warga_id"))
        person_home: dict[int, set[int]] = {}
        for keluarga_id, warga_id in sharing:
            person_home.setdefault(warga_id, set()).add(keluarga_id)
        for warga_id, keluarga_id in (AnggotaKeluarga.objects
                                      .filter(warga_id__in=list(person_home))
                                      .values_list("warga_id", "keluarga_id")):
            for own in person_home[warga_id]:
                related[own].add(keluarga_id)
        reverse: dict[int, set[int]] = {}
        for own, others in related.items():
            for other in others:
                reverse.setdefault(other, set()).add(own)
        for existing in base.filter(keluarga_id__in=list(reverse)):
            for own in reverse[existing.keluarga_id]:
                for c in households[own]:
                    match(c, existing)
    return found


class Penyaluran(models.Model):
    """What was handed to a recipient on a date: a value in rupiah or a quantity, by whom, with
    its proof (a reference number; a photo or scan). Help recorded in a PMKS case names the case."""

    # `program` and `desa` are the recipient's, copied so that the recap and the area's lists
    # read distributions alone (2,000,000 rows), never joined to their recipients.
    bulk_columns = ("penerima", "program", "desa", "tanggal", "nilai", "jumlah", "satuan",
                    "penyalur",
                    "nomor_bukti", "berkas_bukti", "perkumpulan", "kasus", "keterangan", "oleh")

    scope_path = "desa"
    scope_any_level = True
    scope_sensitive = True

    penerima = models.ForeignKey(Penerima, models.CASCADE, related_name="penyaluran",
                                 verbose_name=_("recipient"))
    program = models.ForeignKey(Program, models.CASCADE, related_name="penyaluran",
                                editable=False, db_index=False, verbose_name=_("programme"))
    desa = models.ForeignKey(Wilayah, models.PROTECT, related_name="+", editable=False,
                             db_index=False, verbose_name=_("area"))
    tanggal = models.DateField(_("date"), default=timezone.localdate,
                               validators=[validators.validate_not_future])
    nilai = models.PositiveBigIntegerField(_("value (Rp)"), null=True, blank=True,
                                           validators=[validators.validate_nilai_bantuan])
    jumlah = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, null=True,
                                 blank=True, validators=[validators.validate_jumlah_bantuan])
    satuan = models.CharField(_("unit"), max_length=30, blank=True,
                              help_text=_("kg, package, sack…"))
    penyalur = models.CharField(_("handed out by"), max_length=150, blank=True)
    nomor_bukti = models.CharField(_("proof number"), max_length=100, blank=True,
                                   help_text=_("The receipt's or the transfer's reference."))
    berkas_bukti = ServedFileField(
        _("proof (photo or scan)"), upload_to="bantuan/bukti/%Y/%m/", blank=True,
        validators=[validators.validate_bukti],
        help_text=_("JPG, PNG or PDF, at most 5 MB."))
    perkumpulan = models.ForeignKey(Perkumpulan, models.SET_NULL, null=True, blank=True,
                                    related_name="bantuan_diberikan",
                                    verbose_name=_("given by group"))
    kasus = models.ForeignKey(KasusPMKS, models.SET_NULL, null=True, blank=True,
                              related_name="bantuan", verbose_name=_("PMKS case"))
    keterangan = models.CharField(_("description"), max_length=300, blank=True)
    oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("recorded by"))
    dicatat = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("penerima", "perkumpulan", "kasus")

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["tanggal", "dicatat", "pk"]
        indexes = [
            models.Index(fields=["penerima", "tanggal"], name="penyaluran_penerima_idx"),
            models.Index(fields=["desa", "tanggal"], name="penyaluran_desa_idx"),
            models.Index(fields=["program", "tanggal"], name="penyaluran_program_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tanggal}: {self.penerima.program}"

    def save(self, *args, **kwargs):
        self.program_id, self.desa_id = self.penerima.program_id, self.penerima.desa_id
        super().save(*args, **kwargs)
        # Whoever receives has received: a proposed or approved recipient moves on.
        Penerima.objects.filter(pk=self.penerima_id).exclude(
            status__in=(StatusPenerima.DITERIMA, StatusPenerima.DIHENTIKAN)
        ).update(status=StatusPenerima.DITERIMA, diubah=timezone.now())

    def clean(self) -> None:
        errors = {}
        penerima = self.penerima if self.penerima_id else None
        if penerima is not None:
            if penerima.status == StatusPenerima.DIHENTIKAN:
                errors["penerima"] = ValidationError(
                    _("This recipient was stopped (%(reason)s): nothing more is handed out.")
                    % {"reason": penerima.alasan_berhenti}, code="stopped")
            program = penerima.program
            if self.tanggal and not program.in_period(self.tanggal):
                errors["tanggal"] = ValidationError(
                    _("The programme runs from %(start)s to %(end)s.") % program_period(program),
                    code="outside_period")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def bantu_kasus(cls, kasus: KasusPMKS, *, tanggal, program: Program | None = None,
                    sumber: str = "", bentuk: str = "", oleh=None, **fields) -> "Penyaluran":
        """Record help given to the person of a PMKS case: a distribution of `program` (one
        the person is on), or of the village's ad-hoc programme of `sumber` and `bentuk`, the
        person becoming its recipient when first helped. Call inside a transaction."""
        target = Penerima.target_of(kasus)
        if program is None:
            program = Program.ad_hoc_for(kasus.desa, sumber, bentuk, tanggal)
        penerima, created = Penerima.objects.get_or_create(
            program=program, **target,
            defaults={"desa_id": kasus.desa_id, "mulai": tanggal, "diputuskan_oleh": oleh,
                      "status": StatusPenerima.DITERIMA})
        if program.ad_hoc and tanggal < penerima.mulai:
            penerima.mulai = tanggal
            penerima.save(update_fields=["mulai", "diubah"])
        record = cls(penerima=penerima, tanggal=tanggal, kasus=kasus, oleh=oleh, **fields)
        record.save()
        return record

    def download_url(self, field: str) -> str:
        """The page that serves this record's stored file to whoever may see the record."""
        return reverse("bantuan:penyaluran_bukti", args=[self.pk])


class LaporanStimulan(models.Model):
    """What a group did with a stimulus: the activities planned, what was spent and what remains,
    the evidence, dated (seed 004 IV.B: Dinas Sosial monitors "penggunaan dana")."""

    bulk_columns = ("penerima", "tanggal", "kegiatan", "terpakai", "sisa", "bukti", "oleh",
                    "berkas_bukti")

    scope_path = "penerima__desa"
    scope_any_level = True

    penerima = models.ForeignKey(Penerima, models.CASCADE, related_name="laporan",
                                 verbose_name=_("recipient group"))
    tanggal = models.DateField(_("date"), default=timezone.localdate,
                               validators=[validators.validate_not_future])
    kegiatan = models.TextField(_("activities"))
    terpakai = models.PositiveBigIntegerField(_("spent (Rp)"), default=0,
                                              validators=[validators.validate_nilai_bantuan])
    sisa = models.PositiveBigIntegerField(_("remaining (Rp)"), default=0,
                                          validators=[validators.validate_nilai_bantuan])
    bukti = models.CharField(_("evidence"), max_length=300, blank=True,
                             help_text=_("Receipts, photos, minutes: where they are kept."))
    berkas_bukti = ServedFileField(_("evidence (photo or scan)"),
                                    upload_to="bantuan/laporan/%Y/%m/", blank=True,
                                    validators=[validators.validate_bukti])
    oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("recorded by"))
    dicatat = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("penerima")

    class Meta:
        verbose_name = _("stimulus report")
        verbose_name_plural = _("stimulus reports")
        ordering = ["-tanggal", "-pk"]

    def __str__(self) -> str:
        return f"{self.tanggal}: {self.penerima}"

    def clean(self) -> None:
        if self.penerima_id and self.penerima.program.bentuk != BentukBantuan.STIMULAN:
            raise ValidationError({"penerima": ValidationError(
                _("Reports are kept for stimulus programmes."), code="not_stimulus")})

    def download_url(self, field: str) -> str:
        """The page that serves this record's stored file to whoever may see the record."""
        return reverse("bantuan:laporan_bukti", args=[self.pk])


class RekapBantuan(models.Model):
    """One stored count of the recap's aid tables (Tables 14–17, see bantuan.rekap) for an area
    of any level, kept village by village and summed up to every ancestor (registry.rekap's
    stores), so that a province's tables read its rows, not its recipients and distributions.

    `ukuran` names what is counted, `kunci` the programme or PMKS category it is counted for,
    `dari`–`sampai` the years it counts in (a recipient's period, a programme's), and `hari`
    a day as YYYYMMDD where one matters (a case's latest aid, a stimulus report's deadline;
    else 0)."""

    wilayah = models.ForeignKey(Wilayah, models.CASCADE, related_name="+")
    ukuran = models.CharField(max_length=12)
    kunci = models.IntegerField()
    dari = models.IntegerField()
    sampai = models.IntegerField()
    hari = models.IntegerField(default=0)
    jumlah = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("stored aid count")
        verbose_name_plural = _("stored aid counts")
        constraints = [
            models.UniqueConstraint(
                fields=["wilayah", "ukuran", "kunci", "dari", "sampai", "hari"],
                name="rekap_bantuan_unik"),
        ]

    def __str__(self) -> str:
        return (f"{self.wilayah_id} {self.ukuran} {self.kunci} {self.dari}–{self.sampai} "
                f"{self.hari}: {self.jumlah}")
