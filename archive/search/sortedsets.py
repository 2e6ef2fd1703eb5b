"""Set operations on sorted arrays of distinct integers (document numbers, positions).

numpy's intersect1d, union1d and setdiff1d concatenate their inputs and sort the result
again, O((m + n) log(m + n)) whatever their order: on a phrase of two common character
pairs (a million positions each) that sort was the largest single cost of a cold query.
Every array that query evaluation combines is already sorted and distinct, so:

* intersection and difference look each element of one array up in the other with a
  binary search, O(m log n) with m the array looked up (the smaller, for intersection);
* union merges two sorted runs, which numpy's stable sort (timsort) does in linear time;
* counting equal neighbours of a sorted array needs no sort (np.unique sorts again).

The results equal numpy's (tests/search/test_sortedsets.py).
"""

from __future__ import annotations

import numpy as np


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of `values` are in `sorted_set` (a boolean mask over `values`)."""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0  # past the end: compare with any element, it differs
    return sorted_set[at] == values


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The elements in both (sorted, distinct)."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return small[_members(small, big)]


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The elements of `a` not in `b` (sorted, distinct)."""
    if not len(a) or not len(b):
        return a
    return a[~_members(a, b)]


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The elements in either (sorted, distinct)."""
    if not len(a):
        return b
    if not len(b):
        return a
    merged = np.concatenate((a, b))
    merged.sort(kind="stable")
    keep = np.empty(len(merged), dtype=bool)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each occurs (np.unique with
    return_counts, without its sort)."""
    if not len(values):
        return values, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[starts], np.diff(np.r_[starts, len(values)])
