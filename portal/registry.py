"""One shape for plug-ins: a base class, a registry object, one module per implementation.

Payment providers, signers of results and message back ends are each a ``Plugin`` subclass registered by name
in a ``Registry`` (``register = Registry[Provider]("payment provider")``, then ``@register("sandbox")`` on the
class). The registry makes instances, refuses a name registered twice, and answers what is missing for the names
the settings pick (each plug-in's ``check_config()``), so start-up checks and pages ask it the same way.
"""

from collections.abc import Callable, Iterable
from typing import ClassVar, Generic, TypeVar


class Plugin:
    """What every plug-in has: the name it is registered under and a check of its configuration."""

    name: ClassVar[str] = ""

    def check_config(self) -> list[str]:
        """What is missing before this plug-in can work, one line each naming the setting; empty when ready."""
        return []


P = TypeVar("P", bound=Plugin)


class Registry(Generic[P]):
    """The plug-ins of one kind, by name; ``get`` makes a fresh instance (settings are read when it is made)."""

    def __init__(
        self, kind: str, *, error: Callable[[str], Exception] = LookupError, list_known: bool = True
    ) -> None:
        self.kind = kind
        self._error = error
        self._list_known = list_known  # off where the caller is anonymous (a 404 names nothing else)
        self._classes: dict[str, type[P]] = {}

    def __call__(self, name: str) -> Callable[[type[P]], type[P]]:
        def register(cls: type[P]) -> type[P]:
            key = self.key(cls, name)
            if key in self._classes:
                raise ValueError(f"The {self.kind} {key!r} is registered twice.")
            cls.name = name
            self._classes[key] = cls
            return cls

        return register

    def key(self, cls: type[P], name: str) -> str:
        """What ``cls`` registered as ``name`` is found under (a registry of several channels prefixes it)."""
        return name

    def names(self) -> list[str]:
        return sorted(self._classes)

    def __contains__(self, key: object) -> bool:
        return key in self._classes

    def get(self, key: str) -> P:
        cls = self._classes.get(key)
        if cls is None:
            raise self._error(self.unknown_message(key))
        return cls()

    def unknown_message(self, key: str) -> str:
        known = f"; known: {', '.join(self.names()) or 'none'}" if self._list_known else ""
        return f"Unknown {self.kind} {key!r}{known}."

    def unknown(self, keys: Iterable[str]) -> list[str]:
        """Those of ``keys`` that no plug-in is registered under."""
        return [key for key in keys if key not in self._classes]

    def problems(self, keys: Iterable[str]) -> list[str]:
        """What is missing for each of ``keys``: a line for an unknown one, else its ``check_config()`` lines, each
        after the key."""
        lines = []
        for key in keys:
            if key not in self._classes:
                lines.append(self.unknown_message(key))
                continue
            lines += [f"{key}: {missing}" for missing in self.get(key).check_config()]
        return lines
