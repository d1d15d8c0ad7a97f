"""The `bantuan` sheet of the survey workbook: one row per recipient of a programme, with at most
one distribution. A recipient is keyed by (programme, person/household/group); the same recipient
may stand on several rows, one per distribution, keyed by (recipient, tanggal_salur, nomor_bukti)
— or (recipient, tanggal_salur, nilai) without a proof number.

The sheet names registered programmes (it creates none), registered people by NIK and
households by KK number, and groups registered or defined on the file's `perkumpulan` sheet.
The rules are the models' (bantuan.models): the programme's target, area, period and quota,
the stop reason, a stopped recipient receiving nothing more, and double aid — inside the file
and against the registry (`find_double_aid`, a fixed number of queries per 2,000 recipients) —
refused unless the row gives `alasan_ganda`.

`CHECK_DOUBLE_AID` exists for the benchmark alone (bench/ sets it False to time an import
without the check); no page, command or setting reaches it.
"""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bantuan import rekap as rekap_bantuan
from bantuan.models import (
    Kandidat,
    Penerima,
    Penyaluran,
    Program,
    Sasaran,
    StatusPenerima,
    find_double_aid,
    periods_overlap,
    program_period,
)
from members.models import Keluarga, Warga
from members.workbook import Households, People
from pmks.models import LogAkses, Tindakan
from registry import access, audit, rekap, validators
from registry.models import Perkumpulan, Wilayah
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    shown,
    text_of,
    to_date,
    to_kode_perkumpulan,
    to_nik,
    to_past_date,
    to_text,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.perkumpulan import known_groups
from registry.workbook.writer import chunks, insert_rows

# For the benchmark only (bench/): False imports without the double-aid check.
CHECK_DOUBLE_AID = True

STATUS = matcher(
    choice_lookup(StatusPenerima, {
        "USULAN": ["Diusulkan"], "DISETUJUI": ["Setuju"], "DITERIMA": ["Menerima", "Sudah Terima"],
        "DIHENTIKAN": ["Berhenti", "Dihentikan"]}),
    gettext_lazy("status"),
    ["Usulan", "Disetujui", "Diterima", "Dihentikan"],
)
# The target column of each kind of programme.
TARGET_COLUMN = {Sasaran.WARGA: "nik", Sasaran.KELUARGA: "no_kk",
                 Sasaran.PERKUMPULAN: "kode_perkumpulan"}
TARGET_FIELD = {"nik": "warga_id", "no_kk": "keluarga_id", "kode_perkumpulan": "perkumpulan_id"}
RECIPIENT_FIELDS = ("mulai", "selesai", "status", "alasan_berhenti", "alasan_ganda")


def to_nilai(value) -> int:
    """A value in rupiah: a whole number within validators.validate_nilai_bantuan."""
    text = to_text(value).replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": shown(value)},
                              code="not_int")
    if abs(number) > 10 ** 15:
        raise ValidationError(_("“%(value)s” is too large a number.") % {"value": shown(value)},
                              code="too_large")
    number = int(number)
    validators.validate_nilai_bantuan(number)
    return number


def to_jumlah(value) -> Decimal:
    """A quantity (kg, packages…): validators.validate_jumlah_bantuan, two decimals at most."""
    try:
        number = Decimal(to_text(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": shown(value)},
                              code="not_number")
    validators.validate_jumlah_bantuan(number)
    return number.quantize(Decimal("0.01"))


def to_kode_program(value) -> str:
    kode = to_text(value)
    validators.validate_kode_program(kode)
    return kode


def to_no_kk(value) -> str:
    text = to_text(value)
    if not (len(text) == 16 and text.isdigit()):
        raise ValidationError(_("A KK number is 16 digits (“%(value)s”).")
                              % {"value": shown(value)}, code="no_kk")
    return text


class BantuanSheet(SheetHandler):
    name = "bantuan"
    verbose_name = gettext_lazy("Aid recipients")
    after = ("perkumpulan", "keluarga", "anggota", "pmks")
    # A person of the file's anggota or pmks sheet is a recipient before they are registered.
    stages = (People,)
    columns = [
        Column("kode_program", required=True, aliases=("program",)),
        Column("nik"),
        Column("no_kk", aliases=("kk", "nomor_kk")),
        Column("kode_perkumpulan", aliases=("perkumpulan",)),
        Column("kode_wilayah", aliases=("wilayah",)),
        Column("mulai"),
        Column("selesai"),
        Column("status"),
        Column("alasan_berhenti"),
        Column("alasan_ganda"),
        Column("tanggal_salur", aliases=("tanggal_penyaluran",)),
        Column("nilai", aliases=("nilai_rp",)),
        Column("jumlah"),
        Column("satuan"),
        Column("penyalur"),
        Column("nomor_bukti", aliases=("bukti",)),
        Column("keterangan"),
    ]
    text_columns = ("nik", "no_kk")

    # Parse ---------------------------------------------------------------------------------
    def parse(self, row: Row, imp: Import):
        if imp.user is not None and not access.can_see_pmks(imp.user):
            imp.error(row, "kode_program",
                      _("Your role may not see or import aid recipients."), "")
            return None
        errors = imp.errors.total
        item = {
            "row": row,
            "program": imp.cell(row, "kode_program", to_kode_program, required=True),
            "nik": imp.cell(row, "nik", to_nik),
            "no_kk": imp.cell(row, "no_kk", to_no_kk),
            "kode_perkumpulan": imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan),
            # The recipient's area when given (a person registered with no village); else where
            # the person or household lives, or the group sits.
            "desa": imp.desa(row, "kode_wilayah", required=False, any_level=True),
            "mulai": imp.cell(row, "mulai", to_date),
            "selesai": imp.cell(row, "selesai", to_date),
            "status": imp.cell(row, "status", STATUS),
            "alasan_berhenti": imp.cell(row, "alasan_berhenti",
                                        text_of(Penerima, "alasan_berhenti")) or "",
            "alasan_ganda": imp.cell(row, "alasan_ganda", text_of(Penerima, "alasan_ganda")) or "",
            "tanggal": imp.cell(row, "tanggal_salur", to_past_date),
            "nilai": imp.cell(row, "nilai", to_nilai),
            "jumlah": imp.cell(row, "jumlah", to_jumlah),
            "satuan": imp.cell(row, "satuan", text_of(Penyaluran, "satuan")) or "",
            "penyalur": imp.cell(row, "penyalur", text_of(Penyaluran, "penyalur")) or "",
            "nomor_bukti": imp.cell(row, "nomor_bukti", text_of(Penyaluran, "nomor_bukti")) or "",
            "keterangan": imp.cell(row, "keterangan", text_of(Penyaluran, "keterangan")) or "",
        }
        if imp.errors.total != errors:
            return None  # a row with a bad cell is told once, not checked further
        given = [c for c in TARGET_FIELD if item[c]]
        if len(given) != 1:
            imp.error(row, given[1] if given else "nik", _(
                "Give exactly one of nik, no_kk and kode_perkumpulan: the one the programme's "
                "recipients are."), "")
            return None
        item["column"] = given[0]
        item["target"] = item[given[0]]
        if item["status"] == StatusPenerima.DIHENTIKAN and not item["alasan_berhenti"]:
            imp.error(row, "alasan_berhenti", _("Say why the recipient is stopped."), "")
            return None
        if item["mulai"] and item["selesai"] and item["selesai"] < item["mulai"]:
            imp.error(row, "selesai", _("The recipient's period cannot end before it starts."))
            return None
        if item["tanggal"] is None and any(
                item[c] not in (None, "") for c in ("nilai", "jumlah", "nomor_bukti")):
            imp.error(row, "tanggal_salur", _("A distribution needs its date."), "")
            return None
        return item

    # Check ---------------------------------------------------------------------------------
    def check(self, parsed: list, imp: Import) -> dict:
        programs = self._programs(imp, {i["program"] for i in parsed})
        targets = self._targets(imp, parsed)
        areas = self._areas({a for a, _pk in targets.values() if a})
        recipients: dict[tuple, dict] = {}  # (programme id, column, target) -> the recipient
        for item in parsed:
            row = item["row"]
            program = programs.get(item["program"])
            if program is None:
                imp.error(row, "kode_program", _(
                    "Programme %(kode)s is not registered, or not visible to you.")
                    % {"kode": item["program"]})
                continue
            wanted = TARGET_COLUMN[program.sasaran]
            if item["column"] != wanted:
                imp.error(row, item["column"], _(
                    "This programme's recipients are %(target)s: fill in %(column)s.") % {
                    "target": program.get_sasaran_display().lower(), "column": wanted})
                continue
            found = targets.get((item["column"], item["target"]))
            if found is None:
                imp.error(row, item["column"], {
                    "nik": _("No person with this NIK is registered in your area."),
                    "no_kk": _("No household with this KK number is registered in your area."),
                    "kode_perkumpulan": _("Group %(kode)s is neither on the perkumpulan sheet "
                                          "nor registered in your area.")
                    % {"kode": item["target"]},
                }[item["column"]])
                continue
            area = item["desa"] or areas.get(found[0])
            if area is None:
                imp.error(row, item["column"], _("The recipient has no village recorded."))
                continue
            if not program.covers(area):
                imp.error(row, item["column"], _(
                    "%(area)s lies outside the programme's area (%(covered)s).") % {
                    "area": area.nama, "covered": program.wilayah.nama})
                continue
            if imp.user is not None and not imp.may_write_area(area):
                imp.error(row, item["column"], _("You may not import data of %(area)s.")
                          % {"area": area.nama})
                continue
            key = (program.pk, item["column"], item["target"])
            recipient = recipients.get(key)
            if recipient is None:
                recipient = recipients[key] = {
                    "key": key, "program": program, "row": row, "column": item["column"],
                    "target": item["target"], "id": found[1], "desa": area,
                    **{name: item[name] for name in RECIPIENT_FIELDS}, "salur": []}
            else:
                self._merge(imp, recipient, item)
            if item["tanggal"] is not None:
                recipient["salur"].append(item)
        for recipient in recipients.values():
            self._period(imp, recipient)
        return {"recipients": recipients}

    def _programs(self, imp: Import, kodes: set) -> dict[str, Program]:
        queryset = Program.objects.all() if imp.user is None else Program.objects.visible_to(
            imp.user)
        found = {}
        for part in chunks(list(kodes)):
            found.update((p.kode, p) for p in queryset.filter(kode__in=part)
                         .select_related("wilayah"))
        return found

    def _targets(self, imp: Import, parsed: list) -> dict[tuple, tuple]:
        """(column, value) -> (area code, registered id or None for a group of the file)."""
        wanted = defaultdict(set)
        for item in parsed:
            wanted[item["column"]].add(item["target"])
        found = {}

        def visible(model):
            return model.objects.all() if imp.user is None else model.objects.visible_to(
                imp.user)

        for part in chunks(list(wanted["nik"])):
            found.update((("nik", nik), (area, pk)) for pk, nik, area in visible(Warga)
                         .filter(nik__in=part).values_list("pk", "nik", "wilayah_id"))
        for part in chunks(list(wanted["no_kk"])):
            found.update((("no_kk", kk), (area, pk)) for pk, kk, area in visible(Keluarga)
                         .filter(no_kk__in=part).values_list("pk", "no_kk", "wilayah_id"))
        for part in chunks(list(wanted["kode_perkumpulan"])):
            found.update((("kode_perkumpulan", kode), (area, pk)) for pk, kode, area in
                         visible(Perkumpulan).filter(kode__in=part)
                         .values_list("pk", "kode", "desa_id"))
        # A person of the file's own anggota or pmks sheet, a household of its keluarga sheet:
        # registered when the file is written (their ids looked up then).
        people = imp.part(People).values
        for nik in wanted["nik"]:
            if ("nik", nik) not in found and nik in people:
                found[("nik", nik)] = (None, None)
        households = imp.part(Households).defined
        for kk in wanted["no_kk"]:
            if ("no_kk", kk) not in found and kk in households:
                found[("no_kk", kk)] = (households[kk]["desa"].pk, None)
        # A group of the file's perkumpulan sheet sits where the sheet says; a new one has no id
        # until that sheet is written.
        defined = imp.groups.defined
        for kode in wanted["kode_perkumpulan"]:
            if kode in defined:
                registered = found.get(("kode_perkumpulan", kode), (None, None))[1]
                found[("kode_perkumpulan", kode)] = (defined[kode]["values"]["desa"].pk,
                                                     registered)
        return found

    @staticmethod
    def _areas(codes: set) -> dict[str, Wilayah]:
        found = {}
        for part in chunks(list(codes)):
            found.update((w.kode, w) for w in Wilayah.objects.filter(kode__in=part))
        return found

    @staticmethod
    def _merge(imp: Import, recipient: dict, item: dict) -> None:
        """A recipient's columns may be repeated on its rows, never contradicted."""
        for name in RECIPIENT_FIELDS:
            value = item[name]
            if value in (None, ""):
                continue
            if recipient[name] in (None, ""):
                recipient[name] = value
            elif recipient[name] != value:
                column = name
                imp.error(item["row"], column, _(
                    "This recipient is on row %(row)d already with another %(column)s.")
                    % {"row": recipient["row"].number, "column": column})

    @staticmethod
    def _period(imp: Import, recipient: dict) -> None:
        """The recipient's dates and its distributions' dates lie within the programme's
        period."""
        program = recipient["program"]
        for name in ("mulai", "selesai"):
            day = recipient[name]
            if day is not None and not program.in_period(day):
                imp.error(recipient["row"], name, _(
                    "The programme runs from %(start)s to %(end)s.") % program_period(program))
        for item in recipient["salur"]:
            if not program.in_period(item["tanggal"]):
                imp.error(item["row"], "tanggal_salur", _(
                    "The programme runs from %(start)s to %(end)s.") % program_period(program))

    # Plan ----------------------------------------------------------------------------------
    def plan(self, checked: dict, imp: Import):
        recipients = checked["recipients"]
        existing = self._existing(recipients)
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": [], "salur": []}
        for recipient in recipients.values():
            stored = existing["penerima"].get(recipient["key"])
            values = self._values(recipient, stored)
            recipient["values"] = values
            recipient["stored"] = stored
            recipient["was"] = stored.status if stored is not None else None
            new_salur = []
            known = existing["salur"].get(stored.pk, set()) if stored else set()
            seen = set()
            for item in recipient["salur"]:
                key = self.salur_key(item)
                if key in seen:
                    imp.error(item["row"], "tanggal_salur", _(
                        "The same distribution (date and proof number, or date and value) is on "
                        "another row of this recipient."))
                    continue
                seen.add(key)
                if key in known:
                    counts.unchanged += 1
                    continue
                if values["status"] == StatusPenerima.DIHENTIKAN and (
                        values["selesai"] is None or item["tanggal"] > values["selesai"]):
                    imp.error(item["row"], "tanggal_salur", _(
                        "This recipient was stopped (%(reason)s): nothing more is handed out.")
                        % {"reason": values["alasan_berhenti"]})
                    continue
                new_salur.append(item)
            if recipient["salur"] and values["status"] in (StatusPenerima.USULAN,
                                                  StatusPenerima.DISETUJUI):
                values["status"] = StatusPenerima.DITERIMA  # whoever receives has received
            if values["status"] == StatusPenerima.DIHENTIKAN and not values["alasan_berhenti"]:
                imp.error(recipient["row"], "alasan_berhenti",
                          _("Say why the recipient is stopped."), "")
            if values["selesai"] is not None and values["selesai"] < values["mulai"]:
                imp.error(recipient["row"], "selesai", _(
                    "The recipient's period cannot end before it starts."))
            if stored is None:
                plan["create"].append(recipient)
                counts.created += 1
            elif any(getattr(stored, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(stored, name, value)
                plan["update"].append(stored)
                counts.updated += 1
            else:
                counts.unchanged += 1
            plan["salur"].extend((recipient, item) for item in new_salur)
            counts.created += len(new_salur)
        self._quota(imp, recipients, existing["taken"])
        if CHECK_DOUBLE_AID:
            self._double_in_file(imp, recipients)
            self._double_in_registry(imp, recipients)
        return plan

    @staticmethod
    def salur_key(item) -> tuple:
        return (item["tanggal"], item["nomor_bukti"] or None,
                None if item["nomor_bukti"] else item["nilai"])

    @staticmethod
    def _values(recipient: dict, stored) -> dict:
        """What the recipient holds once the file is in: a blank cell keeps the stored value,
        or for a new recipient gives the programme's period and Usulan."""
        program = recipient["program"]
        if stored is None:
            base = {"mulai": program.mulai, "selesai": program.selesai,
                    "status": StatusPenerima.USULAN, "alasan_berhenti": "", "alasan_ganda": ""}
        else:
            base = {name: getattr(stored, name) for name in RECIPIENT_FIELDS}
        return {name: base[name] if recipient[name] in (None, "") else recipient[name]
                for name in RECIPIENT_FIELDS}

    def _existing(self, recipients: dict) -> dict:
        """The registered recipients of the file's programmes and targets, their distributions'
        keys, and the quota programmes' recipients per village: a fixed number of queries per
        2,000 recipients."""
        by_field = defaultdict(set)
        program_ids = set()
        for r in recipients.values():
            if r["id"] is not None:
                by_field[TARGET_FIELD[r["column"]]].add(r["id"])
                program_ids.add(r["program"].pk)
        column_of = {v: k for k, v in TARGET_FIELD.items()}
        lookup = {(r["program"].pk, r["column"], r["id"]): r["key"]
                  for r in recipients.values() if r["id"] is not None}
        penerima = {}
        for field, ids in by_field.items():
            for part in chunks(list(ids)):
                for stored in Penerima.objects.filter(program_id__in=program_ids,
                                                      **{f"{field}__in": part}):
                    key = lookup.get((stored.program_id, column_of[field], getattr(stored, field)))
                    if key is not None:
                        penerima[key] = stored
        salur = defaultdict(set)
        for part in chunks([p.pk for p in penerima.values()]):
            for pid, tanggal, bukti, nilai in Penyaluran.objects.filter(
                    penerima_id__in=part).values_list("penerima_id", "tanggal", "nomor_bukti",
                                                      "nilai"):
                salur[pid].add((tanggal, bukti or None, None if bukti else nilai))
        quota_programs = {r["program"].pk for r in recipients.values()
                          if r["program"].kuota_per_desa is not None}
        taken = {}
        if quota_programs:
            taken = {(row["program_id"], row["desa_id"]): row["n"] for row in
                     Penerima.objects.filter(program_id__in=quota_programs)
                     .exclude(status=StatusPenerima.DIHENTIKAN)
                     .values("program_id", "desa_id").annotate(n=Count("pk")).order_by()}
        return {"penerima": penerima, "salur": salur, "taken": taken}

    @staticmethod
    def _quota(imp: Import, recipients: dict, taken: dict) -> None:
        """The programme's quota per village, counting its registered recipients not stopped
        and the file's (a recipient the file stops frees its place)."""
        count = dict(taken)
        for r in recipients.values():
            if r["was"] not in (None, StatusPenerima.DIHENTIKAN) and (
                    r["values"]["status"] == StatusPenerima.DIHENTIKAN):
                key = (r["program"].pk, r["stored"].desa_id)
                count[key] = count.get(key, 0) - 1
        for r in recipients.values():
            quota = r["program"].kuota_per_desa
            if quota is None or r["values"]["status"] == StatusPenerima.DIHENTIKAN:
                continue
            if r["was"] not in (None, StatusPenerima.DIHENTIKAN):
                continue  # already counted
            key = (r["program"].pk, r["desa"].pk)
            count[key] = count.get(key, 0) + 1
            if count[key] > quota:
                imp.error(r["row"], r["column"], _(
                    "The programme's quota for %(village)s is full (%(quota)d recipients).")
                    % {"village": r["desa"].nama, "quota": quota})

    def _double_in_file(self, imp: Import, recipients: dict) -> None:
        """Two rows putting one target on two programmes of the same form over overlapping
        periods: both are told, unless one of them gives alasan_ganda (the reason of the pair,
        as a form asks it of the second) or both are registered already (accepted then)."""
        by_target = defaultdict(list)
        for r in recipients.values():
            if r["values"]["status"] != StatusPenerima.DIHENTIKAN and not r["program"].ad_hoc:
                by_target[(r["column"], r["target"], r["program"].bentuk)].append(r)
        for group in by_target.values():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if not periods_overlap(a["values"]["mulai"], a["values"]["selesai"],
                                           b["values"]["mulai"], b["values"]["selesai"]):
                        continue
                    if a["values"]["alasan_ganda"] or b["values"]["alasan_ganda"]:
                        continue
                    if a["stored"] is not None and b["stored"] is not None:
                        continue
                    for one, other in ((a, b), (b, a)):
                        if not one["values"]["alasan_ganda"]:
                            imp.error(one["row"], "alasan_ganda", _(
                                "Double aid: this recipient is also on programme %(program)s "
                                "(row %(row)d) of the same form over an overlapping period. "
                                "Give the reason in alasan_ganda to add them all the same.")
                                % {"program": other["program"].kode,
                                   "row": other["row"].number}, "")

    @staticmethod
    def _double_in_registry(imp: Import, recipients: dict) -> None:
        """The registry's recipients of another programme of the same form over an overlapping
        period (find_double_aid: one batched check per 2,000 rows), for the file's new
        recipients (one registered already was checked when it was added)."""
        rows = [r for r in recipients.values()
                if r["id"] is not None and r["stored"] is None
                and not r["values"]["alasan_ganda"]
                and r["values"]["status"] != StatusPenerima.DIHENTIKAN
                and not r["program"].ad_hoc]
        candidates = []
        for index, r in enumerate(rows):
            values = r["values"]
            candidates.append(Kandidat(
                index, r["program"].bentuk, values["mulai"], values["selesai"],
                pk=r["stored"].pk if r["stored"] is not None else None,
                **{TARGET_FIELD[r["column"]]: r["id"]}))
        if not candidates:
            return
        for index, found in find_double_aid(candidates).items():
            r = rows[index]
            imp.error(r["row"], "alasan_ganda", _(
                "Double aid: this recipient already receives %(programs)s, of the same form over "
                "an overlapping period. Give the reason in alasan_ganda to add them all the "
                "same.") % {"programs": ", ".join(sorted({p.program.kode for p in found}))}, "")

    # Write ---------------------------------------------------------------------------------
    def write(self, plan, imp: Import) -> None:
        user_id = imp.user.pk if imp.user is not None else None
        if plan["update"]:
            Penerima.objects.bulk_update(plan["update"], list(RECIPIENT_FIELDS), batch_size=1000)
            audit.record(Penerima, [p.pk for p in plan["update"]])
        groups = known_groups(imp, {r["target"] for r in plan["create"]
                                    if r["column"] == "kode_perkumpulan" and r["id"] is None})
        rows = []
        for r in plan["create"]:
            if r["id"] is None:
                r["id"] = {"nik": imp.part(People).ids,
                           "no_kk": imp.part(Households).ids}.get(r["column"], groups)[
                    r["target"]]
            target = {"warga": None, "keluarga": None, "perkumpulan": None}
            target[TARGET_FIELD[r["column"]][:-3]] = r["id"]
            v = r["values"]
            rows.append((r["program"].pk, target["warga"], target["keluarga"],
                         target["perkumpulan"], None, r["desa"].pk, v["mulai"], v["selesai"],
                         v["status"], v["alasan_berhenti"], user_id, v["alasan_ganda"]))
        insert_rows(Penerima, rows)
        ids = self._new_ids(plan["create"])
        salur = []
        for r, item in plan["salur"]:
            pk = r["stored"].pk if r["stored"] is not None else ids[(r["program"].pk,
                                                                       r["column"], r["id"])]
            desa = r["stored"].desa_id if r["stored"] is not None else r["desa"].pk
            salur.append((pk, r["program"].pk, desa, item["tanggal"], item["nilai"],
                          item["jumlah"], item["satuan"], item["penyalur"], item["nomor_bukti"],
                          "", None, None, item["keterangan"], user_id))
        insert_rows(Penyaluran, salur)
        # The recap's aid counts of the areas written, and of the villages of the cases of the
        # people who were given something (Tables 15 and 16).
        people = [r["stored"].warga_id if r["stored"] is not None else
                  (r["id"] if r["column"] == "nik" else None) for r, _item in plan["salur"]]
        rekap.mark_stale({row[5] for row in rows} | {row[2] for row in salur}
                         | {d for p in plan["update"] for d in (p.desa_id, p.desa_tersimpan)}
                         | rekap_bantuan.people_cases_places(set(people)))

    @staticmethod
    def _new_ids(created: list) -> dict:
        by_field = defaultdict(set)
        programs = set()
        for r in created:
            by_field[TARGET_FIELD[r["column"]]].add(r["id"])
            programs.add(r["program"].pk)
        column_of = {v: k for k, v in TARGET_FIELD.items()}
        ids = {}
        for field, values in by_field.items():
            for part in chunks(list(values)):
                for pk, program_id, target in Penerima.objects.filter(
                        program_id__in=programs, **{f"{field}__in": part}).values_list(
                        "pk", "program_id", field):
                    ids[(program_id, column_of[field], target)] = pk
        return ids

    # Export and template -------------------------------------------------------------------
    def export_rows(self, user, area):
        """Recipients by name: never for observers (the names of the poor)."""
        if not access.can_see_pmks(user):
            return None
        recipients = (Penerima.objects.visible_to(user)
                      .filter(access.within(area, "desa", any_level=True), kasus__isnull=True)
                      .select_related("program", "warga", "keluarga", "perkumpulan")
                      .prefetch_related("penyaluran")
                      .order_by("program__kode", "desa_id", "pk"))

        def rows():
            for n, p in enumerate(recipients.iterator(chunk_size=2000)):
                if n == 0:  # who receives aid reveals who is poor: logged as PMKS exports are
                    LogAkses.catat(user, Tindakan.EKSPOR, area,
                                   keterangan="formulir pendataan: bantuan")
                head = [p.program.kode,
                        p.warga.nik if p.warga_id else None,
                        p.keluarga.no_kk if p.keluarga_id else None,
                        p.perkumpulan.kode if p.perkumpulan_id else None, p.desa_id,
                        p.mulai, p.selesai, choice_label(StatusPenerima, p.status),
                        p.alasan_berhenti or None, p.alasan_ganda or None]
                given = list(p.penyaluran.all())
                if not given:
                    yield head + [None] * 7
                for s in given:
                    yield head + [s.tanggal, s.nilai, s.jumlah, s.satuan or None,
                                  s.penyalur or None, s.nomor_bukti or None,
                                  s.keterangan or None]
        return rows()

    def dropdowns(self):
        return {"status": (choice_labels(StatusPenerima), True)}
