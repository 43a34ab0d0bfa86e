"""Small random-draw helpers shared by the demo generators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def exact_counts(weights: Mapping[str, float] | Sequence[float], n: int) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``weights`` (largest remainder).

    Real counts scaled to the demo size keep their proportions exactly, instead of
    wobbling as independent draws would.
    """
    w = np.asarray(list(weights.values()) if isinstance(weights, Mapping) else weights, float)
    if n <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    raw = w / w.sum() * n
    counts = np.floor(raw).astype(np.int64)
    short = n - counts.sum()
    # Ties broken by position so the split is deterministic.
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def exact_labels(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    """``n`` labels with counts proportional to ``weights``, in random order."""
    counts = exact_counts(weights, n)
    labels = np.repeat(np.array(list(weights.keys()), dtype=object), counts)
    return rng.permutation(labels)


def exact_flags(
    rng: np.random.Generator, n: int, k: int, score: np.ndarray | None = None
) -> np.ndarray:
    """A boolean array with exactly ``k`` true values.

    Parameters
    ----------
    rng
        Random generator.
    n, k
        Length and number of true values (clipped to ``[0, n]``).
    score
        Optional preference: the ``k`` highest ``score + noise`` get the flag, so a flag
        can lean towards some customers (alarms towards flow-metered sets, say).
    """
    k = int(min(max(k, 0), n))
    key = rng.random(n) if score is None else score + rng.normal(0.0, 1.0, n)
    flags = np.zeros(n, dtype=bool)
    flags[np.argsort(-key, kind="stable")[:k]] = True
    return flags


def stratified_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uniforms, one in each of ``n`` equal strata, in random order.

    Quantiles drawn this way reproduce a target distribution's percentiles closely
    even for a few hundred customers.
    """
    return rng.permutation((np.arange(n) + rng.random(n)) / n)
