"""Points where one app lets others take part without knowing them: the workflow's guards and effects, the
schedule's apology and expiring drafts.

A ``Hook`` is an object that holds functions, each registered once and explicitly: an app registers its own in its
``AppConfig.ready()`` through the ``register()`` of its ``hooks`` module, never as a side effect of an import. A
second registration of the same function (by module and qualified name) is refused, so a ``ready()`` that runs
twice, or two modules that both register, fail at start-up instead of sending every message twice.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])


class AlreadyRegistered(Exception):
    """The function is registered on this hook already."""


def _name(function: Callable[..., Any]) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"


class Hook(Sequence[F], Generic[F]):
    """The functions registered at one point, in the order of registration."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: dict[str, F] = {}

    def register(self, function: F) -> F:
        """Add ``function``; raises ``AlreadyRegistered`` if a function of that name is registered already."""
        key = _name(function)
        if key in self._functions:
            raise AlreadyRegistered(f"{key} is registered on {self.name} already.")
        self._functions[key] = function
        return function

    @contextmanager
    def replaced(self, *functions: F) -> Iterator[None]:
        """For tests: only ``functions`` are registered inside the block; what was there comes back after it."""
        saved = self._functions
        self._functions = {}
        try:
            for function in functions:
                self.register(function)
            yield
        finally:
            self._functions = saved

    @overload
    def __getitem__(self, index: int) -> F: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[F]: ...

    def __getitem__(self, index: int | slice) -> F | Sequence[F]:
        return list(self._functions.values())[index]

    def __iter__(self) -> Iterator[F]:
        return iter(list(self._functions.values()))

    def __len__(self) -> int:
        return len(self._functions)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {', '.join(self._functions) or 'nothing'}>"
