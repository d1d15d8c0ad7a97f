"""Pages of ketahanan: rencana (being written)."""

urlpatterns: list = []


def register() -> None:
    """Parts of other apps' pages this module adds (dashboard cards, panels), from ready()."""
