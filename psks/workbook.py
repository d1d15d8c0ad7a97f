"""The PSKS sheets of the survey workbook, all optional: `psks` (workers: a person, a role, the
area served, a period), `lks` (welfare institutions, keyed by name and area) and `pelatihan`
(trainings, keyed by topic, first day and area; one row per participant).

A worker or participant is a person by NIK: with a name, one the file's people stage registers
if new (as the pmks sheet does); without one, a person named on the same or an earlier sheet of
the file, or registered and seen by the importing user. A row sets every column of its record:
an empty cell empties it (or gives the model's default). The rules are the models' own (`clean`)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Warga
from members.workbook import People
from psks.models import LKS, Pelatihan, PeranPSKS, PesertaPelatihan, PetugasPSKS, StatusLKS
from psks.rekap import mark_trained_stale
from registry import access, audit, validators
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    name_of,
    text_of,
    to_bool,
    to_date,
    to_nik,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.writer import chunks, insert_rows, same

PERAN = matcher(
    choice_lookup(PeranPSKS, {
        "PSM": ["Pekerja Sosial Masyarakat"],
        "TKSK": ["Tenaga Kesejahteraan Sosial Kecamatan"],
        "PENDAMPING": ["Pendamping", "Fasilitator"],
        "PEKSOS": ["Pekerja Sosial", "Pekerja Sosial Profesional", "Peksos"],
        "TAGANA": ["Taruna Siaga Bencana", "Tagana"],
        "WPKS": ["Wanita Pemimpin Kesejahteraan Sosial"],
        "LAIN": ["Lainnya", "Lain-lain"],
    }),
    gettext_lazy("PSKS role"),
    ["PSM", "TKSK", "Pendamping", "Peksos", "Tagana", "WPKS", "Lainnya"],
)
STATUS_LKS = matcher(
    choice_lookup(StatusLKS, {
        "BADAN_HUKUM": ["Berbadan Hukum", "Badan Hukum"],
        "TERDAFTAR": ["Terdaftar"],
        "BELUM": ["Belum Terdaftar", "Belum"],
    }),
    gettext_lazy("legal status"),
    ["Berbadan Hukum", "Terdaftar", "Belum Terdaftar"],
)


def model_rules(imp: Import, row: Row, instance, columns: dict[str, str]) -> bool:
    """The model's own rules (`clean`) for a row's values, each error on the column of its field
    (`columns`: field -> column). Whether the row keeps to them."""
    try:
        instance.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for text in messages:
                imp.error(row, columns.get(name, next(iter(columns.values()))), text)
        return False
    return True


class _Nameless:
    """The NIKs given without a name (psks, pelatihan), looked up once per import among the
    people the importing user sees."""

    def __init__(self):
        self.seen: dict[str, bool] = {}

    def check(self, imp: Import, items: list[tuple[Row, str, str]]) -> None:
        """Each (row, column, NIK): a person of the file (named on this sheet or an earlier
        one) or a registered person the user sees, else an error on the NIK; the registered ones
        join the file's people, so that `People.ids` holds them."""
        people = imp.part(People)
        wanted = [nik for _r, _c, nik in items if nik not in people.named and nik not in self.seen]
        queryset = Warga.objects.all() if imp.user is None else Warga.objects.visible_to(imp.user)
        found = set()
        for part in chunks(list(set(wanted))):
            found.update(queryset.filter(nik__in=part).values_list("nik", flat=True))
        self.seen.update((nik, nik in found) for nik in wanted)
        for row, column, nik in items:
            if nik in people.named:
                continue
            if self.seen[nik]:
                people.merge(nik, {})
            else:
                imp.error(row, column, _(
                    "NIK %(nik)s is neither a person of this file nor registered in your area: "
                    "give the name too.") % {"nik": validators.mask_nik(nik)})


def note_people(imp: Import, items: list, nik_column: str, nama_column: str) -> None:
    """Note the named people of checked rows (one NIK one name over the file), then look up those
    given by NIK alone."""
    people = imp.part(People)
    nameless = []
    for item in items:
        if item["nik"] and item["nama"]:
            people.note(imp, item["row"], item["nik"], item["nama"], nama_column)
            people.merge(item["nik"], {"nama": item["nama"]})
        elif item["nik"]:
            nameless.append((item["row"], nik_column, item["nik"]))
    imp.part(_Nameless).check(imp, nameless)


class PsksSheet(SheetHandler):
    """Workers, one row per period of a person in a role serving an area. A person has one open
    period per role and area (the model's rule): a row without `selesai` updates it (its start and
    note) or starts it; a row with `selesai` updates the period of the same start — closing the
    open one when the start matches — else records a past period."""

    name = "psks"
    verbose_name = gettext_lazy("PSKS workers")
    after = ("keluarga", "anggota", "pmks")
    stages = (People,)
    columns = [
        Column("nik", required=True),
        Column("nama"),
        Column("peran", required=True, aliases=("jabatan",)),
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("mulai"),
        Column("selesai"),
        Column("keterangan"),
    ]
    text_columns = ("nik",)
    FIELDS = {"mulai": "mulai", "selesai": "selesai", "keterangan": "keterangan",
              "wilayah": "kode_wilayah", "peran": "peran"}

    def parse(self, row: Row, imp: Import):
        errors = imp.errors.total
        item = {
            "row": row,
            "nik": imp.cell(row, "nik", to_nik, required=True),
            "nama": imp.cell(row, "nama", name_of(Warga, "nama")),
            "peran": imp.cell(row, "peran", PERAN, required=True),
            "wilayah": imp.desa(row, "kode_wilayah", any_level=True),
            "mulai": imp.cell(row, "mulai", to_date),
            "selesai": imp.cell(row, "selesai", to_date),
            "keterangan": imp.cell(row, "keterangan", text_of(PetugasPSKS, "keterangan")) or "",
        }
        if imp.errors.total != errors:
            return None  # a row with a bad cell is told once, not checked further
        worker = PetugasPSKS(peran=item["peran"], wilayah=item["wilayah"], mulai=item["mulai"],
                             selesai=item["selesai"])
        return item if model_rules(imp, row, worker, self.FIELDS) else None

    @staticmethod
    def period(item) -> tuple:
        return (item["nik"], item["peran"], item["wilayah"].pk)

    def check(self, parsed: list, imp: Import) -> list:
        note_people(imp, parsed, "nik", "nama")
        keys = {}
        for item in parsed:
            key = (*self.period(item), "open") if item["selesai"] is None else (
                *self.period(item), item["mulai"], item["selesai"])
            earlier = keys.setdefault(key, item)
            if earlier is not item:
                imp.error(item["row"], "selesai" if item["selesai"] else "peran", _(
                    "This person's period in this role and area is on row %(row)d already: one "
                    "open period per person, role and area.") % {"row": earlier["row"].number})
        return parsed

    def plan(self, items: list, imp: Import):
        ids = imp.part(People).ids
        existing = {}  # (person id, role, area) -> its periods, oldest first
        for part in chunks(list({ids[i["nik"]] for i in items if i["nik"] in ids})):
            for worker in PetugasPSKS.objects.filter(warga_id__in=part).order_by("pk"):
                existing.setdefault((worker.warga_id, worker.peran, worker.wilayah_id),
                                    []).append(worker)
        claimed, found = set(), {}

        def key(item):
            return (ids.get(item["nik"]), item["peran"], item["wilayah"].pk)

        # A closed row updates the period of the same start (and end, when several have it).
        for item in (i for i in items if i["selesai"]):
            starts = [w for w in existing.get(key(item), [])
                      if w.mulai == item["mulai"] and w.pk not in claimed]
            exact = [w for w in starts if w.selesai == item["selesai"]]
            if exact or starts:
                found[id(item)] = (exact or starts)[0]
                claimed.add(found[id(item)].pk)
        # An open row updates the open period, unless a closed row of the file ends it.
        for item in (i for i in items if not i["selesai"]):
            current = [w for w in existing.get(key(item), []) if w.selesai is None
                       and w.pk not in claimed]
            if current:
                found[id(item)] = current[0]
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": []}
        for item in items:
            values = {"mulai": item["mulai"], "selesai": item["selesai"],
                      "keterangan": item["keterangan"]}
            worker = found.get(id(item))
            if worker is None:
                plan["create"].append(item)
                counts.created += 1
            elif same(worker, values):
                counts.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(worker, name, value)
                plan["update"].append(worker)
                counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        # Periods closed first: a new open period may take the place of the one the file ends.
        if plan["update"]:
            now = timezone.now()
            for worker in plan["update"]:
                worker.diubah = now
            PetugasPSKS.objects.bulk_update(
                plan["update"], ["mulai", "selesai", "keterangan", "diubah"], batch_size=1000)
            audit.record(PetugasPSKS, [w.pk for w in plan["update"]])
        ids = imp.part(People).ids
        insert_rows(PetugasPSKS, [
            (ids[i["nik"]], i["peran"], i["wilayah"].pk, i["mulai"], i["selesai"],
             i["keterangan"]) for i in plan["create"]])

    def export_rows(self, user, area):
        workers = (
            PetugasPSKS.objects.visible_to(user)
            .filter(access.within(area, "wilayah", any_level=True))
            .select_related("warga")
            .order_by("wilayah_id", "peran", "warga__nik", "mulai", "pk")
        )
        for w in workers.iterator(chunk_size=5000):
            yield [w.warga.nik, w.warga.nama, choice_label(PeranPSKS, w.peran), w.wilayah_id,
                   w.mulai, w.selesai, w.keterangan or None]

    def dropdowns(self):
        return {"peran": (choice_labels(PeranPSKS), True)}


class LksSheet(SheetHandler):
    """Welfare institutions, keyed by name (any case and spacing) and area."""

    name = "lks"
    verbose_name = gettext_lazy("social welfare institutions (LKS)")
    columns = [
        Column("nama", required=True),
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("status_hukum", aliases=("status",)),
        Column("nomor_registrasi"),
        Column("layanan"),
        Column("alamat"),
        Column("aktif"),
    ]
    FIELDS = ("nama", "status_hukum", "nomor_registrasi", "layanan", "alamat", "aktif")

    def parse(self, row: Row, imp: Import):
        errors = imp.errors.total
        nama = imp.cell(row, "nama", text_of(LKS, "nama"), required=True)
        area = imp.desa(row, "kode_wilayah", any_level=True)
        values = {
            "nama": nama,
            "status_hukum": imp.cell(row, "status_hukum", STATUS_LKS) or StatusLKS.BELUM,
            "nomor_registrasi": imp.cell(
                row, "nomor_registrasi", text_of(LKS, "nomor_registrasi")) or "",
            "layanan": imp.cell(row, "layanan", text_of(LKS, "layanan")) or "",
            "alamat": imp.cell(row, "alamat", text_of(LKS, "alamat")) or "",
            "aktif": imp.cell(row, "aktif", to_bool),
        }
        if imp.errors.total != errors:
            return None
        values["nama"] = " ".join(values["nama"].split())
        values["aktif"] = values["aktif"] is not False
        fields = {name: name for name in self.FIELDS} | {"wilayah": "kode_wilayah"}
        if not model_rules(imp, row, LKS(wilayah=area, **values), fields):
            return None
        return {"row": row, "wilayah": area, "values": values}

    @staticmethod
    def key(area_id: str, nama: str) -> tuple:
        return (area_id, validators.normalize_label(nama))

    def check(self, parsed: list, imp: Import) -> list:
        keys = {}
        for item in parsed:
            earlier = keys.setdefault(self.key(item["wilayah"].pk, item["values"]["nama"]), item)
            if earlier is not item:
                imp.error(item["row"], "nama", _("This LKS is on row %(row)d already.")
                          % {"row": earlier["row"].number})
        return parsed

    def plan(self, items: list, imp: Import):
        existing = {}
        for part in chunks(list({i["wilayah"].pk for i in items})):
            for lks in LKS.objects.filter(wilayah_id__in=part).order_by("pk"):
                existing.setdefault(self.key(lks.wilayah_id, lks.nama), []).append(lks)
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": []}
        for item in items:
            values = item["values"]
            named = existing.get(self.key(item["wilayah"].pk, values["nama"]), [])
            # The same spelling first (two registered names may differ in case only).
            lks = next((x for x in named if x.nama == values["nama"]), named[0] if named else None)
            if lks is None:
                plan["create"].append(item)
                counts.created += 1
            elif same(lks, values):
                counts.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(lks, name, value)
                plan["update"].append(lks)
                counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        if plan["update"]:
            now = timezone.now()
            for lks in plan["update"]:
                lks.diubah = now
            LKS.objects.bulk_update(plan["update"], [*self.FIELDS, "diubah"], batch_size=1000)
            audit.record(LKS, [lks.pk for lks in plan["update"]])
        # LKS.bulk_columns: the name, the area, then the other FIELDS.
        insert_rows(LKS, [
            (i["values"]["nama"], i["wilayah"].pk, *(i["values"][f] for f in self.FIELDS[1:]))
            for i in plan["create"]])

    def export_rows(self, user, area):
        rows = (LKS.objects.visible_to(user)
                .filter(access.within(area, "wilayah", any_level=True))
                .order_by("wilayah_id", "nama", "pk"))
        for lks in rows.iterator(chunk_size=5000):
            yield [lks.nama, lks.wilayah_id, choice_label(StatusLKS, lks.status_hukum),
                   lks.nomor_registrasi or None, lks.layanan or None, lks.alamat or None,
                   "Ya" if lks.aktif else "Tidak"]

    def dropdowns(self):
        return {"status_hukum": (choice_labels(StatusLKS), True), "aktif": (["Ya", "Tidak"], True)}


class PelatihanSheet(SheetHandler):
    """Trainings and who attended, one row per participant (a row without `nik_peserta` only
    defines its training). A training is keyed by (topic in any case and spacing, first day,
    area); its rows give its other columns, and where two of them give a value it is the same.
    A participant is keyed by (training, person); one the file leaves out stays."""

    name = "pelatihan"
    verbose_name = gettext_lazy("trainings")
    after = ("psks",)
    stages = (People,)
    columns = [
        Column("topik", required=True),
        Column("tanggal_mulai", required=True, aliases=("tanggal",)),
        Column("tanggal_selesai"),
        Column("penyelenggara"),
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("keterangan"),
        Column("nik_peserta", aliases=("nik",)),
        Column("nama_peserta"),
    ]
    text_columns = ("nik_peserta",)
    SHARED = ("tanggal_selesai", "penyelenggara", "keterangan")

    def parse(self, row: Row, imp: Import):
        errors = imp.errors.total
        item = {
            "row": row,
            "topik": imp.cell(row, "topik", text_of(Pelatihan, "topik"), required=True),
            "tanggal_mulai": imp.cell(row, "tanggal_mulai", to_date, required=True),
            "tanggal_selesai": imp.cell(row, "tanggal_selesai", to_date),
            "penyelenggara": imp.cell(
                row, "penyelenggara", text_of(Pelatihan, "penyelenggara")),
            "wilayah": imp.desa(row, "kode_wilayah", any_level=True),
            "keterangan": imp.cell(row, "keterangan", text_of(Pelatihan, "keterangan")),
            "nik": imp.cell(row, "nik_peserta", to_nik),
            "nama": imp.cell(row, "nama_peserta", name_of(Warga, "nama")),
        }
        if imp.errors.total != errors:
            return None
        item["topik"] = " ".join(item["topik"].split())
        return item

    @staticmethod
    def key(item) -> tuple:
        return (validators.normalize_label(item["topik"]), item["tanggal_mulai"],
                item["wilayah"].pk)

    def check(self, parsed: list, imp: Import) -> dict:
        trainings, participants = {}, {}
        for item in parsed:
            row = item["row"]
            training = trainings.setdefault(self.key(item), {"row": row, "item": item, **{
                name: None for name in self.SHARED}})
            for name in self.SHARED:
                if item[name] in (None, ""):
                    continue
                if training[name] not in (None, item[name]):
                    imp.error(row, name, _(
                        "The same training has another value on row %(row)d.")
                        % {"row": training[name + "_row"].number})
                elif training[name] is None:
                    training[name], training[name + "_row"] = item[name], row
            if item["nik"]:
                earlier = participants.setdefault((self.key(item), item["nik"]), item)
                if earlier is not item:
                    imp.error(row, "nik_peserta", _(
                        "This person is listed for this training on row %(row)d already.")
                        % {"row": earlier["row"].number})
        for training in trainings.values():
            first = training["item"]
            if training["penyelenggara"] is None:
                imp.error(training["row"], "penyelenggara", _(
                    "Give the training's organiser (on at least one of its rows)."), "")
                continue
            model_rules(imp, training["row"], Pelatihan(
                tanggal_mulai=first["tanggal_mulai"], tanggal_selesai=training["tanggal_selesai"]),
                {"tanggal_selesai": "tanggal_selesai"})
        note_people(imp, list(participants.values()), "nik_peserta", "nama_peserta")
        return {"trainings": trainings, "participants": participants}

    def values(self, training) -> dict:
        item = training["item"]
        return {"topik": item["topik"], "tanggal_mulai": item["tanggal_mulai"],
                "wilayah_id": item["wilayah"].pk,
                "tanggal_selesai": training["tanggal_selesai"],
                "penyelenggara": training["penyelenggara"],
                "keterangan": training["keterangan"] or ""}

    def plan(self, checked: dict, imp: Import):
        trainings = checked["trainings"]
        existing = {}
        for part in chunks(list({k[2] for k in trainings})):
            for training in Pelatihan.objects.filter(wilayah_id__in=part).order_by("pk"):
                existing.setdefault((validators.normalize_label(training.topik),
                                     training.tanggal_mulai, training.wilayah_id), training)
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": [], "ids": {}, "participants": []}
        for key, training in trainings.items():
            values = self.values(training)
            found = existing.get(key)
            if found is None:
                plan["create"].append((key, Pelatihan(**values)))
                counts.created += 1
                continue
            plan["ids"][key] = found.pk
            if same(found, values):
                counts.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(found, name, value)
                plan["update"].append(found)
                counts.updated += 1
        ids = imp.part(People).ids
        attended = set()
        for part in chunks(list(plan["ids"].values())):
            attended.update(PesertaPelatihan.objects.filter(pelatihan_id__in=part)
                            .values_list("pelatihan_id", "warga_id"))
        for key, nik in checked["participants"]:
            if (plan["ids"].get(key), ids.get(nik)) in attended:
                counts.unchanged += 1
            else:
                plan["participants"].append((key, nik))
                counts.created += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        if plan["update"]:
            now = timezone.now()
            for training in plan["update"]:
                training.diubah = now
            Pelatihan.objects.bulk_update(
                plan["update"], ["topik", *self.SHARED, "diubah"], batch_size=1000)
            audit.record(Pelatihan, [t.pk for t in plan["update"]])
        new = [training for _key, training in plan["create"]]
        Pelatihan.objects.bulk_create(new, batch_size=1000)
        audit.record(Pelatihan, [t.pk for t in new], "+")
        training_ids = plan["ids"] | {key: t.pk for key, t in plan["create"]}
        person_ids = imp.part(People).ids
        insert_rows(PesertaPelatihan, [(training_ids[key], person_ids[nik])
                                       for key, nik in plan["participants"]])
        # Table 13's stored counts: the new participants' (an update never moves a training's
        # start, the one field the table reads: it is part of the training's key).
        mark_trained_stale({person_ids[nik] for _key, nik in plan["participants"]})

    def export_rows(self, user, area):
        trainings = (Pelatihan.objects.visible_to(user)
                     .filter(access.within(area, "wilayah", any_level=True))
                     .order_by("wilayah_id", "tanggal_mulai", "topik", "pk"))
        attendees = {}
        participants = (PesertaPelatihan.objects.visible_to(user)
                        .filter(pelatihan__in=trainings.values("pk"))
                        .select_related("warga").order_by("warga__nik", "pk"))
        for p in participants.iterator(chunk_size=5000):
            attendees.setdefault(p.pelatihan_id, []).append(p.warga)
        for t in trainings.iterator(chunk_size=5000):
            training = [t.topik, t.tanggal_mulai, t.tanggal_selesai, t.penyelenggara,
                        t.wilayah_id, t.keterangan or None]
            for person in attendees.get(t.pk) or [None]:
                yield training + ([person.nik, person.nama] if person else [None, None])
