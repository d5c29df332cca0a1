"""PynamoDB attribute types the library lacks."""

from datetime import date
from decimal import Decimal

from pynamodb.attributes import Attribute
from pynamodb.constants import NUMBER, STRING


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number kept exact: money never passes through float."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class DateAttribute(Attribute[date]):
    """A calendar date, as ISO 8601 text."""

    attr_type = STRING

    def serialize(self, value: date) -> str:
        return value.isoformat()

    def deserialize(self, value: str) -> date:
        return date.fromisoformat(value)
