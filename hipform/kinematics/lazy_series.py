"""Named per-frame series, each computed the first time it is read.

The analysis computes every per-frame measure for the report's series, but judges a clip on a few
of them: the others are computed only when a reader asks for them (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, NamedTuple

import numpy as np


class _Later(NamedTuple):
    """A series not computed yet: what computes it, and its number of dimensions."""

    compute: Callable[[], np.ndarray]
    ndim: int


class LazySeries(MutableMapping[str, np.ndarray]):
    """Name → per-frame series (a numpy array), in the order the names were added.

    A series set with :meth:`later` is computed the first time it is read and then kept; names,
    their order, ``name in series`` and :meth:`ndim` never compute anything. Equal in content to the dict of
    the same series (``dict(series)`` computes them all); pickled as that dict's contents.

    Parameters
    ----------
    items : series (or, from another :class:`LazySeries`, series still to compute) by name.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, np.ndarray] | None = None) -> None:
        self._items: dict[str, np.ndarray | _Later] = (
            dict(items._items) if isinstance(items, LazySeries) else dict(items or {})
        )

    def later(self, name: str, compute: Callable[[], np.ndarray], ndim: int) -> None:
        """Add (or replace, in its place) ``name``, whose series ``compute()`` returns when it is first
        read: an array of ``ndim`` dimensions ((T,) 1, (T, 2) [left, right] 2)."""
        self._items[name] = _Later(compute, ndim)

    def ndim(self, name: str) -> int:
        """The number of dimensions of the series ``name``, computed or not."""
        value = self._items[name]
        return value.ndim if isinstance(value, _Later) else np.ndim(value)

    def __getitem__(self, name: str) -> np.ndarray:
        value = self._items[name]
        if isinstance(value, _Later):
            computed = value.compute()
            if np.ndim(computed) != value.ndim:
                raise RuntimeError(f"{name}: {np.ndim(computed)} dimensions, {value.ndim} announced")
            value = self._items[name] = computed
        return value

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        self._items[name] = value

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazySeries, (dict(self.items()),))

    def __repr__(self) -> str:
        return f"LazySeries({list(self._items)})"
