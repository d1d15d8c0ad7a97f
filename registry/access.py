"""Who may see and change what: the one place that answers it.

A user has one role and one area (registry.User.peran / .wilayah):

- operator  — one desa/kelurahan: sees and edits its groups, members, PMKS cases and links,
              and proposes them in a verification round.
- kecamatan — the camat's office or the kecamatan's TKSK: sees all the villages of one kecamatan,
              PMKS and personal data included, changes none of their records, and verifies what
              they propose in a round (accept or return each item).
- staf      — Dinas Sosial of a kabupaten/kota or a province: sees and edits everything within it,
              runs verification rounds and approves what the kecamatan verified.
- pengamat  — any area, read-only, no personal data: NIK masked, no PMKS at all.
- admin     — everything, plus user management (no area = the whole country).

Each scoped model declares where its area is (`scope_path`, a path to a Wilayah foreign key) and
uses `ScopedQuerySet`, so that `Model.objects.visible_to(user)` and `.editable_by(user)` are the
starting point of every view, admin page, filter, import and export. A model whose scope is more
than one path defines a classmethod `scope_filter(user) -> Q` instead.

**Visible** may follow more than the record's own area (a person is seen where one of their groups
is); **editable** follows the record's own area only (`scope_path`, or `edit_filter(user) -> Q`):
seeing a person because they belong to your group is not owning them.

Groups may sit above the village (a kecamatan's BKB, a province's Peta Keluarga: seed 004), so
`Perkumpulan` and the records that follow a group's area (its memberships, its links) set
`scope_any_level`: such a group is seen and changed by whoever holds its area or an area containing
it — staff of its kabupaten/kota or province, an observer of its kecamatan (read-only),
administrators — and by no village operator, whose area lies below it (a link from the operator's
group to it shows its name and code only, as any group outside the area). The any-level branch is
added only for a user whose area is above the village: a village's filter stays one equality.

What a model holds decides who may open it at all (`may_view`): `scope_sensitive` (PMKS cases)
for roles that see PMKS, `scope_personal` (people: every page of them is personal data) for roles
that see personal data. A model lists the fields that are personal data in `personal_fields`;
`hidden_fields` tells which of them a user may not read, wherever a record is shown generically
(history pages, exports).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Peran(models.TextChoices):
    OPERATOR = "operator", _("Village operator")
    KECAMATAN = "kecamatan", _("Kecamatan worker (camat's office, TKSK)")
    STAF = "staf", _("Dinas Sosial staff")
    PENGAMAT = "pengamat", _("Observer")
    ADMIN = "admin", _("Administrator")


NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def scope_key(user) -> tuple:
    """Everything the rules of this module read of a user (their area's level and place follow
    from its code): two users with the same key see and may do the same. What is kept for a
    scope (registry.pages.CompiledQueries) is kept under it. A rule that reads another attribute
    of the user adds it here (tests/registry/test_access_key.py checks)."""
    return (_active(user), getattr(user, "peran", None), getattr(user, "wilayah_id", None))


def sees_everything(user) -> bool:
    """An administrator without an area reaches the whole country."""
    return _active(user) and user.peran == Peran.ADMIN and user.wilayah_id is None


# The roles that write records, survey imports included.
EDITORS = frozenset({Peran.OPERATOR, Peran.STAF, Peran.ADMIN})


def can_edit(user) -> bool:
    return _active(user) and user.peran in EDITORS


def can_see_personal_data(user) -> bool:
    """Full NIK, birth dates and addresses; observers get them masked."""
    return _active(user) and user.peran != Peran.PENGAMAT


def can_see_pmks(user) -> bool:
    """PMKS cases are sensitive (health, disability, crime): never for observers."""
    return _active(user) and user.peran != Peran.PENGAMAT


def can_extend_lists(user) -> bool:
    """Reference lists (group types, activities, PMKS categories) are extended by Dinas Sosial."""
    return _active(user) and user.peran in (Peran.STAF, Peran.ADMIN)


def can_read_access_logs(user) -> bool:
    """Who saw PMKS data is read by Dinas Sosial staff and administrators."""
    return _active(user) and user.peran in (Peran.STAF, Peran.ADMIN)


def can_manage_users(user) -> bool:
    return _active(user) and user.peran == Peran.ADMIN


def can_unlock_accounts(user) -> bool:
    """Accounts locked after too many wrong passwords (django-axes) are unlocked by Dinas Sosial
    staff (those of their area's accounts) and administrators."""
    return _active(user) and user.peran in (Peran.STAF, Peran.ADMIN)


def reaches(user, area) -> bool:
    """Whether `area` (a Wilayah) is the user's area or lies within it (an administrator without
    an area reaches everywhere)."""
    if not _active(user) or area is None:
        return False
    if sees_everything(user):
        return True
    return user.wilayah_id is not None and user.wilayah.contains(area)


# Verification rounds (seed 002 §2): the village proposes, the kecamatan verifies, the district
# approves. Administrators may take any step within their area.
def may_propose(user, desa) -> bool:
    """The village's operator submits its list (after its village meeting)."""
    return user_is(user, Peran.OPERATOR, Peran.ADMIN) and reaches(user, desa)


def may_verify(user, desa) -> bool:
    """The kecamatan's worker accepts or returns each item of its villages' lists."""
    return user_is(user, Peran.KECAMATAN, Peran.ADMIN) and reaches(user, desa)


def may_approve(user, desa) -> bool:
    """Dinas Sosial of the district (or its province) approves a verified list."""
    return user_is(user, Peran.STAF, Peran.ADMIN) and reaches(user, desa)


def may_run_rounds(user, area) -> bool:
    """Dinas Sosial opens and changes the rounds of its district."""
    return user_is(user, Peran.STAF, Peran.ADMIN) and reaches(user, area)


def user_is(user, *roles: str) -> bool:
    return _active(user) and user.peran in roles


def may_view(user, model) -> bool:
    """Whether `user` may open `model`'s records at all, in any page, list, export or lookup."""
    if not _active(user):
        return False
    if getattr(model, "scope_sensitive", False) and not can_see_pmks(user):
        return False
    if getattr(model, "scope_personal", False) and not can_see_personal_data(user):
        return False
    return True


def hidden_fields(user, model) -> frozenset[str]:
    """The fields of `model` that `user` may not read (its `personal_fields`, for observers)."""
    if can_see_personal_data(user):
        return frozenset()
    return frozenset(getattr(model, "personal_fields", ()))


def may_write_area(user, area) -> bool:
    """Whether `user` may write records of `area` (a Wilayah, or None for "no area"): the one
    rule every importer, form, admin and page asks. An editing role writes within its own area;
    an administrator without an area writes everywhere (records without an area too)."""
    if not can_edit(user):
        return False
    if sees_everything(user):
        return True
    own = user.wilayah if user.wilayah_id else None
    return area is not None and own is not None and own.contains(area)


def may_edit_letterhead(user, area) -> bool:
    """Whether `user` may keep the letterhead (KopSurat) of `area`: whoever may write the area's
    records, and a kecamatan worker for their own kecamatan (whose office signs its papers)."""
    if may_write_area(user, area):
        return True
    return (user_is(user, Peran.KECAMATAN) and area is not None
            and user.wilayah_id is not None and user.wilayah_id == area.pk)


def within(area, path: str, any_level: bool = False) -> Q:
    """A Q that keeps the rows whose area (the Wilayah at `path`) is `area` or lies within it.

    `path` is a lookup path to a Wilayah foreign key, or "self" for Wilayah rows themselves.
    Rows point at a desa/kelurahan unless `any_level` says the area may be of any level.
    """
    prefix = "" if path == "self" else f"{path}__"
    own = Q(**{"pk" if path == "self" else path: area.pk})
    if area.tingkat == "desa":
        return own
    below = Q(**{f"{prefix}{area.tingkat}": area.pk})
    if path == "self":
        return own | below
    if not any_level:
        return below
    # The area or an area within it, as a list of codes read from the areas' own indexes: an OR
    # across the join (`desa = X OR desa.kabupaten = X`) would keep SQLite from using either.
    from registry.models import Wilayah

    return Q(**{f"{path}__in": Wilayah.objects.filter(within(area, "self")).values("pk")})


def area_filter(user, path: str, any_level: bool = False) -> Q:
    """A Q that keeps the rows whose area lies within the user's area (see `within`)."""
    if not _active(user):
        return NOTHING
    if sees_everything(user):
        return Q()
    if user.wilayah_id is None:
        return NOTHING
    return within(user.wilayah, path, any_level)


def within_or_above(user, path: str) -> Q:
    """Rows whose area (at `path`, of any level) lies within the user's area or contains it: a
    district's aid programme, verification round or monitoring round, seen from its villages."""
    below = area_filter(user, path, any_level=True)
    if not (_active(user) and getattr(user, "wilayah_id", None)):
        return below  # everything (an administrator without an area) or nothing
    from registry.models import Wilayah

    above = Wilayah.ancestor_codes(user.wilayah_id)
    codes = [c for c in (above["provinsi_id"], above["kabupaten_id"], above["kecamatan_id"]) if c]
    return below | Q(**{f"{path}__in": codes})


class ScopedQuerySet(models.QuerySet):
    """The querysets of every model that belongs to an area."""

    def visible_to(self, user) -> "ScopedQuerySet":
        if not may_view(user, self.model):
            return self.none()
        if sees_everything(user):
            return self.all()
        custom = getattr(self.model, "scope_filter", None)
        if custom is not None:
            return self.filter(custom(user))
        any_level = getattr(self.model, "scope_any_level", False)
        return self.filter(area_filter(user, self.model.scope_path, any_level))

    def editable_by(self, user) -> "ScopedQuerySet":
        """The rows `user` may change: visible, and within the user's area by their own area."""
        if not can_edit(user):
            return self.none()
        own = getattr(self.model, "edit_filter", None)
        if own is None or sees_everything(user):
            return self.visible_to(user)
        return self.visible_to(user).filter(own(user))
