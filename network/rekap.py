"""The network's stored count: the active groups with no working link either way (isolated)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from network.models import Hubungan
from registry.rekap import counted, mark_groups_stale


def count_isolated(groups: QuerySet):
    """Active groups that neither declared a link nor were named in one, by village and type."""
    linked = Hubungan.objects.filter(
        Q(perkumpulan=OuterRef("pk")) | Q(mitra_perkumpulan=OuterRef("pk"))
    )
    return ((desa, jenis, "", n) for desa, jenis, n in counted(groups.filter(~Exists(linked))))


def link_changed(sender, instance, **kwargs) -> None:
    """A link makes both its groups (perhaps of two villages) linked, its removal maybe not."""
    mark_groups_stale(pk for pk in (instance.perkumpulan_id, instance.mitra_perkumpulan_id) if pk)


def connect_signals() -> None:
    from django.db.models import signals

    for signal in (signals.post_save, signals.post_delete):
        signal.connect(link_changed, sender=Hubungan,
                       dispatch_uid=f"rekap_link_{signal is signals.post_save}")
