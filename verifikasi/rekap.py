"""The recap "as approved in round R" (filled in by the approval of each village's list)."""


def simpan_persetujuan(usulan) -> None:
    """Keep the village's recap as approved (see the module's docstring)."""
