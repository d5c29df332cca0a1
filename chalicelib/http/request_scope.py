"""Per-request values shared by the middleware (which logs them) and the route wrapper (which learns them)."""

from contextvars import ContextVar

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")
caller_roles: ContextVar[str] = ContextVar("caller_roles", default="anonymous")
