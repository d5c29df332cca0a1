"""Global secondary indexes on string keys: each one a class built by `index`, as PynamoDB expects."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex


def index(name: str, hash_attr: str, range_attr: str | None = None) -> type[GlobalSecondaryIndex]:
    """The index `name` keyed on the model's string attributes `hash_attr` (and `range_attr`), projecting all
    attributes; no provisioned capacity (the tables are on demand)."""
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    attributes = {hash_attr: UnicodeAttribute(hash_key=True)}
    if range_attr:
        attributes[range_attr] = UnicodeAttribute(range_key=True)
    # GlobalSecondaryIndex.__init_subclass__ collects the key attributes into Meta.attributes.
    class_name = "".join(part.title() for part in name.split("_"))
    return type(class_name, (GlobalSecondaryIndex,), {"Meta": meta, **attributes})
