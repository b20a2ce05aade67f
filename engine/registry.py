"""Name registries: strings and {"class_name", "config"} dicts in configs become objects."""

from __future__ import annotations

import re


def snake_case(name: str) -> str:
    """Keras' own rule: MaxPooling2D → max_pooling2d, SimpleRNN → simple_rnn, GRU → gru."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()


class Registry:
    """A kind of object ("activation", "layer", ...) with its names and aliases.

    ``register`` is a decorator; lookups accept the registered name, any alias, and the snake_case and
    lower-case spellings of a class name, so "Adam", "adam" and "categorical_crossentropy" all work.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, object] = {}
        self._canonical: dict[str, str] = {}

    def register(self, obj=None, *, name: str | None = None, aliases: tuple[str, ...] = ()):
        def add(o):
            key = name or o.__name__
            self._items[key] = o
            for alias in (key, key.lower(), snake_case(key), *aliases):
                self._canonical.setdefault(alias, key)
            return o

        return add(obj) if obj is not None else add

    def names(self) -> list[str]:
        return list(self._items)

    def items(self):
        return self._items.items()

    def lookup(self, name: str):
        key = self._canonical.get(name) or self._canonical.get(name.lower()) or self._canonical.get(snake_case(name))
        if key is None:
            raise ValueError(f"Unknown {self.kind}: {name!r}. Expected one of: {', '.join(sorted(self._items))}.")
        return self._items[key]

    def canonical_name(self, obj) -> str | None:
        for key, value in self._items.items():
            if value is obj or value is type(obj):
                return key
        return None

    def get(self, identifier):
        """None → None; a name → the registered object; a config dict → ``cls.from_config``; callables pass."""
        if identifier is None:
            return None
        if isinstance(identifier, str):
            return self.lookup(identifier)
        if isinstance(identifier, dict):
            if "class_name" not in identifier:
                raise ValueError(f"Expected a {self.kind} config with 'class_name' and 'config'. "
                                 f"Received: {identifier!r}")
            cls = self.lookup(identifier["class_name"])
            config = identifier.get("config") or {}
            return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}")

    def instance(self, identifier, base: type, *, allow_callables: bool = True):
        """Like ``get``, for kinds whose configs name *instances* (initializers, constraints, ...):
        None and instances of ``base`` pass; a name or a subclass of ``base`` → a default instance; a config
        dict → ``cls.from_config``; other callables pass when ``allow_callables``."""
        if identifier is None or isinstance(identifier, base):
            return identifier
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if isinstance(identifier, dict) and "class_name" in identifier:
            return self.lookup(identifier["class_name"]).from_config(dict(identifier.get("config") or {}))
        if isinstance(identifier, type) and issubclass(identifier, base):
            return identifier()
        if allow_callables and callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}")

    def serialize(self, obj, module: str) -> dict:
        """Keras 3's nested-object form: {"module", "class_name", "config", "registered_name"}."""
        name = self.canonical_name(obj)
        if name is None:
            raise ValueError(f"Cannot serialize a custom {self.kind}: {obj!r}")
        return {"module": module, "class_name": name, "config": obj.get_config(), "registered_name": None}
