"""The sorted-set operations (archive/search/sortedsets.py) equal numpy's own, on arrays
of every shape query evaluation combines: empty, disjoint, nested, equal, lopsided."""

from __future__ import annotations

import numpy as np
import pytest

from archive.search import sortedsets


def _cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20261207)
    some = np.unique(rng.integers(0, 1 << 40, 5000))
    cases = [
        (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
        (some, np.zeros(0, dtype=np.int64)),
        (np.zeros(0, dtype=np.int64), some),
        (some, some),
        (some, some[::7]),  # nested
        (some[::2], some[1::2]),  # interleaved, disjoint
        (some[:10], some[-10:]),  # disjoint ranges
        (np.array([some[-1]]), some),  # the last element (binary search ends past the end)
        (np.array([some[-1] + 1]), some),  # beyond every element
    ]
    for small, big in [(10, 100_000), (3000, 3000), (50_000, 400)]:
        cases.append((np.unique(rng.integers(0, 200_000, small)),
                      np.unique(rng.integers(0, 200_000, big))))
    return cases


@pytest.mark.parametrize("a, b", _cases())
def test_set_operations_equal_numpys(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(sortedsets.intersect(a, b), np.intersect1d(a, b, assume_unique=True))
    assert np.array_equal(sortedsets.intersect(b, a), np.intersect1d(a, b, assume_unique=True))
    assert np.array_equal(sortedsets.difference(a, b), np.setdiff1d(a, b, assume_unique=True))
    assert np.array_equal(sortedsets.difference(b, a), np.setdiff1d(b, a, assume_unique=True))
    assert np.array_equal(sortedsets.union(a, b), np.union1d(a, b))


@pytest.mark.parametrize("values", [
    np.zeros(0, dtype=np.int64), np.array([5]), np.array([1, 1, 1]), np.array([1, 2, 2, 3, 3, 3]),
    np.sort(np.random.default_rng(7).integers(0, 300, 10_000)),
])
def test_runs_equal_numpys_unique_with_counts(values: np.ndarray) -> None:
    found, counts = sortedsets.runs(values)
    expected, expected_counts = np.unique(values, return_counts=True)
    assert np.array_equal(found, expected) and np.array_equal(counts, expected_counts)
