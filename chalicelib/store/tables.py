"""The DynamoDB tables this service owns, bound to the physical names and endpoint in Settings."""

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from chalicelib.settings import Settings
from chalicelib.store.members import MemberItem

# Logical name (as in Settings.tables) → the model that reads and writes it.
TABLE_MODELS: dict[str, type[Model]] = {"members": MemberItem}


def bind(settings: Settings) -> None:
    """Point every model at its table; PynamoDB caches a connection per model, so drop any old one."""
    for logical, model in TABLE_MODELS.items():
        model.Meta.table_name = settings.tables[logical]
        model.Meta.region = settings.region
        model.Meta.host = str(settings.dynamodb_endpoint).rstrip("/") if settings.dynamodb_endpoint else None
        model._connection = None


@dataclass(frozen=True)
class TableStatus:
    name: str
    status: str


def table_statuses() -> list[TableStatus]:
    """One DescribeTable per table; an unreachable table reports UNREACHABLE instead of raising."""
    statuses = []
    for logical, model in TABLE_MODELS.items():
        try:
            status = model.describe_table()["TableStatus"]
        except (PynamoDBException, BotoCoreError):
            status = "UNREACHABLE"
        statuses.append(TableStatus(logical, status))
    return statuses
