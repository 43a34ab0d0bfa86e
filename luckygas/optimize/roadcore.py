"""A road graph's *core*: its junctions contracted level by level, for many-to-many searches.

A day's matrix runs one shortest-path search per location over the whole county, and on
a county graph most of each search's work is spent in towns and villages that no route
between the day's locations passes. Contraction hierarchies (Geisberger et al., 2008)
remove that work ahead of time; this module builds a shallow one with the exact
shortest-path searches of ``scipy.sparse.csgraph`` as its only engine:

* **Levels.** Each level picks an independent set of nodes (no two adjacent) with few
  arcs in and out, and contracts them all at once: node ``v`` goes, and for each pair of
  its arcs ``u → v → w`` a shortcut ``u → w`` of the summed weight is added *unless* the
  graph has a strictly lighter path from ``u`` to ``w`` (a bounded *witness* search from
  ``u``). Shortest paths between the remaining nodes keep their weights exactly: a
  shortest path through ``v`` cannot have a strictly lighter alternative, so its shortcut
  is kept. The nodes left after the last level are the core.
* **Queries.** The locations of a day join the graph at the junctions at both ends of
  their road. Searches then run on the core plus the contracted nodes those junctions
  need to reach it (each with the arcs it had when contracted; the *closure*: a few
  thousand nodes on a county graph instead of tens of thousands), which keeps every
  distance between the locations exact. One arc of the closure graph is one arc of the
  graph it was contracted from or a shortcut, so weights still add exactly.

Weights are the road matrix's encoded floats (seconds and metres in one number), so ties
break as on the full graph.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

_WITNESS_CHUNK = 64  # sources per bounded search call (rows of the dense result)


@dataclass(frozen=True)
class CoreParams:
    """How far to contract.

    Parameters
    ----------
    max_levels
        Levels of contraction at most (each shrinks the graph less than the one before).
    max_pairs
        A node with more than this many ``in × out`` arc pairs is never contracted (the
        shortcuts would outnumber the arcs it removes).
    min_share
        Stop when a level would contract less than this share of the remaining nodes.
    """

    max_levels: int = 6
    max_pairs: int = 100
    min_share: float = 0.02

    def __post_init__(self) -> None:
        if self.max_levels < 0 or self.max_pairs < 1 or not 0 <= self.min_share < 1:
            raise ValueError(f"CoreParams out of range: {self}")


@dataclass(frozen=True)
class Core:
    """A contracted graph on nodes ``0 .. n - 1`` (see the module docstring).

    Attributes
    ----------
    n
        Nodes of the graph it was built from.
    level
        Per node, the level it was contracted at; ``-1`` for a core node.
    src, dst, w
        The core's arcs (original arcs between core nodes and kept shortcuts).
    own_ptr, arc_src, arc_dst, arc_w
        The arcs each contracted node had when it was contracted, grouped by node:
        node ``v``'s are ``arc_*[own_ptr[v] : own_ptr[v + 1]]`` (none for core nodes).
    """

    n: int
    level: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray
    own_ptr: np.ndarray
    arc_src: np.ndarray
    arc_dst: np.ndarray
    arc_w: np.ndarray

    @property
    def n_core(self) -> int:
        """Nodes left in the core."""
        return int((self.level < 0).sum())

    def closure(self, roots: np.ndarray) -> np.ndarray:
        """The contracted nodes ``roots`` need to reach the core (roots included).

        Parameters
        ----------
        roots
            Node indices (core nodes among them are ignored).

        Returns
        -------
        numpy.ndarray
            Sorted contracted node indices: each root that is contracted, and every
            contracted neighbour (at its contraction) of a node in the set, which was
            contracted later.
        """
        seen = np.zeros(self.n, dtype=bool)
        frontier = np.unique(roots[self.level[roots] >= 0])
        seen[frontier] = True
        while len(frontier):
            arcs = _ranges(self.own_ptr[frontier], self.own_ptr[frontier + 1])
            nb = np.concatenate([self.arc_src[arcs], self.arc_dst[arcs]])
            nb = np.unique(nb[(self.level[nb] >= 0) & ~seen[nb]])
            seen[nb] = True
            frontier = nb
        return np.flatnonzero(seen)

    def query_arcs(self, roots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arcs of the graph searched for locations joining at ``roots``.

        The core's arcs and the contraction-time arcs of :meth:`closure` ``(roots)``;
        between any two nodes of ``roots`` and the core, path weights are those of the
        graph the core was built from.

        Parameters
        ----------
        roots
            The nodes where the locations join the graph (both ends of their roads).

        Returns
        -------
        tuple of numpy.ndarray
            ``src, dst, w`` on the original node numbering.
        """
        need = self.closure(roots)
        arcs = _ranges(self.own_ptr[need], self.own_ptr[need + 1])
        return (
            np.concatenate([self.src, self.arc_src[arcs]]),
            np.concatenate([self.dst, self.arc_dst[arcs]]),
            np.concatenate([self.w, self.arc_w[arcs]]),
        )


def build_core(
    n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, params: CoreParams | None = None
) -> Core:
    """Contract the graph ``(src, dst, w)`` on ``n`` nodes (see the module docstring).

    Parameters
    ----------
    n
        Number of nodes.
    src, dst, w
        Arcs with positive weights, at most one per ``(src, dst)``.
    params
        How far to contract (default :class:`CoreParams`).

    Returns
    -------
    Core
    """
    params = params or CoreParams()
    level = np.full(n, -1, dtype=np.int16)
    src, dst, w = lightest_arcs(
        np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), np.asarray(w), n
    )
    owned: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    alive = np.ones(n, dtype=bool)
    for lvl in range(params.max_levels):
        pick = _independent_set(n, src, dst, alive, params.max_pairs)
        if pick.sum() < params.min_share * alive.sum() or not pick.any():
            break
        gone = pick[src] | pick[dst]
        # The picked nodes' arcs, remembered as they are now (a query may need them back).
        owner = np.where(pick[src[gone]], src[gone], dst[gone])
        owned.append((owner, src[gone], dst[gone], w[gone]))
        s_src, s_dst, s_w = _shortcuts(n, src, dst, w, pick, alive)
        keep = ~gone
        src, dst, w = lightest_arcs(
            np.concatenate([src[keep], s_src]),
            np.concatenate([dst[keep], s_dst]),
            np.concatenate([w[keep], s_w]),
            n,
        )
        level[pick] = lvl
        alive &= ~pick
    if owned:
        owner, a_src, a_dst, a_w = (np.concatenate(x) for x in zip(*owned, strict=True))
    else:
        owner = a_src = a_dst = np.empty(0, dtype=np.int64)
        a_w = np.empty(0)
    order = np.argsort(owner, kind="stable")
    own_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=own_ptr[1:])
    return Core(n, level, src, dst, w, own_ptr, a_src[order], a_dst[order], a_w[order])


def _independent_set(
    n: int, src: np.ndarray, dst: np.ndarray, alive: np.ndarray, max_pairs: int
) -> np.ndarray:
    """Alive nodes, none adjacent to another, cheapest (fewest arc pairs) first."""
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    pairs = indeg * outdeg
    blocked = ~alive | (pairs > max_pairs) | (indeg + outdeg == 0)
    adj = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    adj = (adj + adj.T).tocsr()
    ptr, nbr = adj.indptr, adj.indices
    pick = np.zeros(n, dtype=bool)
    # A greedy pass in cost order (node id breaks ties: the same graph, the same core).
    for v in np.lexsort((np.arange(n), pairs)).tolist():
        if blocked[v]:
            continue
        pick[v] = True
        blocked[nbr[ptr[v] : ptr[v + 1]]] = True
    return pick


def _shortcuts(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    pick: np.ndarray,
    alive: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortcuts ``u → w`` over the picked nodes that no strictly lighter path makes moot."""
    into = np.flatnonzero(pick[dst])  # u -> v
    out = np.flatnonzero(pick[src])  # v -> w
    # Every (u -> v, v -> w) pair through the same v, u != w.
    o_order = out[np.argsort(src[out], kind="stable")]
    o_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src[out], minlength=n), out=o_ptr[1:])
    v = dst[into]
    reps = o_ptr[v + 1] - o_ptr[v]
    first = np.repeat(into, reps)
    second = o_order[_ranges(o_ptr[v], o_ptr[v + 1])]
    a, b = src[first], dst[second]
    c = w[first] + w[second]
    mask = a != b
    a, b, c = a[mask], b[mask], c[mask]
    if not len(a):
        return a, b, c
    needed = ~_witnessed(n, src, dst, w, alive, a, b, c)
    return a[needed], b[needed], c[needed]


def _witnessed(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    alive: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
) -> np.ndarray:
    """Per candidate ``a → b`` of weight ``c``: is there a strictly lighter path now?

    One bounded search per distinct ``a`` on the alive nodes only (renumbered, so each
    search's dense row is as short as the graph now is), sources grouped by bound.
    """
    index = np.full(n, -1, dtype=np.int64)
    nodes = np.flatnonzero(alive)
    index[nodes] = np.arange(len(nodes))
    graph = csr_matrix((w, (index[src], index[dst])), shape=(len(nodes), len(nodes)))
    order = np.lexsort((b, a))
    a, b, c = a[order], b[order], c[order]
    sources, start = np.unique(a, return_index=True)
    bound = np.maximum.reduceat(c, start)
    end = np.r_[start[1:], len(a)]
    found = np.zeros(len(a), dtype=bool)
    by_bound = np.argsort(bound, kind="stable")
    for i in range(0, len(sources), _WITNESS_CHUNK):
        group = by_bound[i : i + _WITNESS_CHUNK]
        dist = dijkstra(
            graph, directed=True, indices=index[sources[group]], limit=float(bound[group].max())
        )
        rows = np.repeat(np.arange(len(group)), end[group] - start[group])
        cand = _ranges(start[group], end[group])
        found[cand] = dist[rows, index[b[cand]]] < c[cand]
    out = np.empty_like(found)
    out[order] = found
    return out


def lightest_arcs(
    src: np.ndarray, dst: np.ndarray, w: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One arc per ``(src, dst)``: the lightest.

    Parameters
    ----------
    src, dst, w
        Arcs on nodes ``0 .. n - 1``.
    n
        Number of nodes.

    Returns
    -------
    tuple of numpy.ndarray
        ``src, dst, w`` without duplicates, sorted by ``(src, dst)``.
    """
    key = src * n + dst
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    keep = order[starts]
    lightest = np.minimum.reduceat(w[order], starts) if len(key) else w[:0]
    return src[keep], dst[keep], lightest


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, e)`` for each pair, without a Python loop."""
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return np.arange(total, dtype=np.int64) + offsets


#: Bump when the contraction or the chains it starts from change: stored cores of another
#: format are ignored (and computed again in memory).
CORE_FORMAT = 1
_FIELDS = ("level", "src", "dst", "w", "own_ptr", "arc_src", "arc_dst", "arc_w")


def cores_to_bytes(cores: Mapping[str, Core]) -> bytes:
    """Several named cores (one per vehicle type) as one compressed ``.npz`` blob.

    Parameters
    ----------
    cores
        Name (a vehicle type's value) -> core.

    Returns
    -------
    bytes
        Read back with :func:`cores_from_bytes`.
    """
    arrays: dict[str, Any] = {"format": np.array([CORE_FORMAT])}
    for name, core in cores.items():
        arrays[f"{name}.n"] = np.array([core.n])
        for f in _FIELDS:
            a = getattr(core, f)
            # Node and arc indices fit 32 bits on any county: half the blob.
            arrays[f"{name}.{f}"] = a.astype(np.int32) if a.dtype == np.int64 else a
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _widen(a: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) if a.dtype == np.int32 else a


def cores_from_bytes(data: bytes) -> dict[str, Core]:
    """The cores of :func:`cores_to_bytes`; empty when stored in another format.

    Parameters
    ----------
    data
        The blob.

    Returns
    -------
    dict of str to Core
        Empty if the blob is of another :data:`CORE_FORMAT` or unreadable (the caller
        then computes the cores it needs).
    """
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if int(z["format"][0]) != CORE_FORMAT:
                return {}
            names = sorted({k.split(".", 1)[0] for k in z.files if "." in k})
            return {
                name: Core(int(z[f"{name}.n"][0]), *(_widen(z[f"{name}.{f}"]) for f in _FIELDS))
                for name in names
            }
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return {}
