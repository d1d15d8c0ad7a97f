"""Pages of ketahanan: putaran (being written)."""

urlpatterns: list = []


def register() -> None:
    """Parts of other apps' pages this module adds (dashboard cards, panels), from ready()."""
