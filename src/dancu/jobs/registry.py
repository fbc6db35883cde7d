"""Which function runs each kind of job.

A context declares its handlers in its own ``jobs.py`` module::

    from dancu.jobs import job

    @job("gateway.deliver_event")
    def deliver_event(session: Session, payload: dict[str, Any]) -> None: ...

Delivery is at least once, so a handler must be idempotent: running it twice with the same
payload has the effect of running it once (check what is already done, or send an idempotency
key such as the event id). A handler works in the session it is given and never commits: its
writes, and the job being marked done, commit together or not at all. It raises to fail the
attempt, with identifiers only in the message (the message is kept in ``jobs.last_error``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]
H = TypeVar("H", bound=Handler)

# "context.verb_noun", as the house style names jobs.
KIND_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def check_kind(kind: str) -> str:
    if len(kind) > 64 or not KIND_PATTERN.fullmatch(kind):
        raise ValueError(f"job kind {kind!r} is not of the form 'context.verb_noun'")
    return kind


class Registry:
    """A mapping of job kind to handler. Workers claim only the kinds their registry knows, so
    a worker of an older release leaves newer kinds to the workers that can run them."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: H) -> H:
        """Run ``handler`` for jobs of ``kind``. Registering the same function again is a no-op;
        a second, different handler for one kind is a programming error."""
        known = self._handlers.get(check_kind(kind))
        if known is not None and known is not handler:
            raise ValueError(f"job kind {kind!r} already has a handler: {known.__qualname__}")
        self._handlers[kind] = handler
        return handler

    def job(self, kind: str) -> Callable[[H], H]:
        """Decorator form of ``register``."""

        def decorate(handler: H) -> H:
            return self.register(kind, handler)

        return decorate

    def handler(self, kind: str) -> Handler:
        return self._handlers[kind]

    def kinds(self) -> list[str]:
        return sorted(self._handlers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers


default_registry: Final = Registry()
"""The process-wide registry that ``@job`` fills and workers use unless given another."""


def job(kind: str) -> Callable[[H], H]:
    """Register the decorated function as the handler of ``kind`` (in ``default_registry``)."""
    return default_registry.job(kind)


def register(kind: str, handler: H) -> H:
    """Register ``handler`` for ``kind`` (in ``default_registry``)."""
    return default_registry.register(kind, handler)


def load_handlers(package: str = "dancu") -> list[str]:
    """Import every ``<context>/jobs.py`` module under ``package`` so that its handlers register
    themselves; returns the modules imported. The worker calls this before it starts, so a
    context adds a kind of job without the jobs package knowing about it."""
    root = importlib.import_module(package)
    loaded = []
    for location in root.__path__:
        base = Path(location)
        for path in sorted(base.rglob("jobs.py")):
            parts = path.relative_to(base).with_suffix("").parts
            name = ".".join((package, *parts))
            importlib.import_module(name)
            loaded.append(name)
    return loaded
