"""The `<id:…>` of the site's addresses: a record's key, as a number a database key can hold.

Django's `<id:…>` takes any run of digits: a 20-digit number in an address reached a query that
SQLite refuses ("Python int too large to convert to SQLite INTEGER"), a 500 where the address
names nothing. `<id:…>` takes 1–19 digits up to 2**63 − 1 (the largest BigAutoField): any other
number is no address (404), before a view runs."""

from django.urls import register_converter

LARGEST_KEY = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > LARGEST_KEY:
            raise ValueError(value)  # Django: no match
        return number

    def to_url(self, value) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
