"""The village whose indicators are worked out by hand (tests/ketahanan/test_indikator.py)."""

from tests.ketahanan.test_indikator import village  # noqa: F401 (the shared fixture)
