"""The service's own state: its name and stage, and whether its tables are ACTIVE."""

from dataclasses import dataclass

from chalicelib import wiring
from chalicelib.store.tables import TableStatus, table_statuses


@dataclass(frozen=True)
class About:
    service: str
    stage: str


def about() -> About:
    """From the settings only: no database call."""
    settings = wiring.settings()
    return About(settings.service_name, settings.stage)


@dataclass(frozen=True)
class Health:
    about: About
    tables: list[TableStatus]

    @property
    def healthy(self) -> bool:
        return all(t.status == "ACTIVE" for t in self.tables)


def health() -> Health:
    """One DescribeTable per table; an unreachable one reports UNREACHABLE."""
    return Health(about(), table_statuses())
