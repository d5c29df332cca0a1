"""Per-request values shared by the middleware (which logs them) and the route wrapper (which learns them). The
correlation id is the invocation's, in chalicelib.logs (the queue and the outbox carry it on)."""

from contextvars import ContextVar

caller_roles: ContextVar[str] = ContextVar("caller_roles", default="anonymous")
