"""A small thread-safe LRU cache of sized values (byte strings, rendered pages), bounded by their total size."""
import threading
from collections import OrderedDict
from typing import Callable, Hashable, Sized, TypeVar

Value = TypeVar("Value", bound=Sized)


class SizedLRU:
    """Keeps the most recently used values while their sizes (`len`, in bytes) add up to at most `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, Sized] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Sized | None:
        """Return the value for `key` (marking it recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Sized) -> None:
        """Store a value, dropping the least recently used ones to stay within the size bound."""
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size += len(value) - (len(old) if old is not None else 0)
            self._items[key] = value
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """Return the cached value for `key`, making and storing it first if needed."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._items)
