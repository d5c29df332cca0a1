"""The DynamoDB tables this service owns, bound to the physical names and endpoint in Settings."""

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from chalicelib.settings import Settings
from chalicelib.store import transactions
# The member partition's device, preference and delivery item kinds, known before any Query of a partition.
from chalicelib.store import devices  # noqa: F401
from chalicelib.store.idempotency import IdempotencyRecord
from chalicelib.store.members import MemberItem
from chalicelib.store.outbox import OutboxItem
from chalicelib.store.payments import PaymentItem
from chalicelib.store.records import RecordItem
from chalicelib.store.stats import CounterShard
from chalicelib.store.teleconsult import TeleconsultItem

# Logical name (as in Settings.tables) → the model that reads and writes it (subclasses share its table).
TABLE_MODELS: dict[str, type[Model]] = {"members": MemberItem, "idempotency": IdempotencyRecord,
                                        "payments": PaymentItem, "stats": CounterShard, "outbox": OutboxItem,
                                        "teleconsult": TeleconsultItem, "records": RecordItem}


def _with_subclasses(model: type[Model]) -> list[type[Model]]:
    return [model] + [sub for child in model.__subclasses__() for sub in _with_subclasses(child)]


def bind(settings: Settings) -> None:
    """Point every model at its table; PynamoDB caches a connection per model class, so drop any old one."""
    host = str(settings.dynamodb_endpoint).rstrip("/") if settings.dynamodb_endpoint else None
    for logical, model in TABLE_MODELS.items():
        model.Meta.table_name = settings.tables[logical]
        model.Meta.region = settings.region
        model.Meta.host = host
        for cls in _with_subclasses(model):
            cls._connection = None
    transactions.use_connection(Connection(region=settings.region, host=host))


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
