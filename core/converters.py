"""The path converter for database ids in every URLconf: ``<id:pk>``.

Django's ``<int:…>`` accepts any number of digits, so ``/vote/1/cases/99999999999999999999/``
reached the view and overflowed the database's 64-bit integer (a 500). ``<id:…>`` matches only
ids that can exist, 1 … 2⁶³−1 (``core.identifiers.MAX_ID``); anything else is no match: a 404.
Registered once, by ``CoreConfig.ready``, before any URLconf is imported.
"""

from django.urls import register_converter
from django.urls.converters import get_converters

from core.identifiers import parse_id

NAME = "id"


class IdConverter:
    regex = "[0-9]+"  # ASCII digits only; [0-9], not \d

    def to_python(self, value: str) -> int:
        # IdentifierError is a ValueError: Django treats it as "this pattern does not match".
        return parse_id(value)

    def to_url(self, value) -> str:
        return str(parse_id(value))


def register() -> None:
    if NAME not in get_converters():
        register_converter(IdConverter, NAME)
