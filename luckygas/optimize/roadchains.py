"""Chain contraction: the road graph's junctions only, for faster shortest paths.

Most OpenStreetMap nodes only shape a road (a node with two neighbours, traffic flowing
through). Shortest paths only need the junctions: every maximal run of arcs through such
shape nodes (a *chain*) becomes one arc from its first junction to its last, weighing the
sum of its arcs. Dijkstra then runs on a graph several times smaller (≈ 4× on OSM data).

A located point on arc ``a`` of chain ``c`` joins the contracted graph with two arcs,
``start(c) → point`` and ``point → end(c)``, at its position along the chain; two points on
one chain are also joined directly, in chain order. Weights are the encoded weights of
:mod:`luckygas.optimize.roadmatrix` (tenths of seconds × 10**7 + decimetres), which add
exactly, so a chain's weight is the exact sum of its arcs' weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Chains:
    """The contracted graph of one vehicle type.

    ``chain_of[a]`` and ``before[a]`` give, for base arc ``a``, its chain and the weight
    of the chain up to the arc's start; ``start/end/total`` describe each chain (node ids
    of the full graph); ``junction_index`` maps a full-graph node to its index in the
    contracted graph (``-1`` for a shape node); ``src/dst/w`` are the contracted arcs.
    """

    chain_of: np.ndarray
    before: np.ndarray
    start: np.ndarray
    end: np.ndarray
    total: np.ndarray
    junction_index: np.ndarray
    n_junctions: int
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray


@dataclass(frozen=True)
class Structure:
    """Which arcs form which chain, independent of weights (shared by vehicle types whose
    allowed arcs are the same: cars and trucks, almost everywhere)."""

    chain_of: np.ndarray
    step: np.ndarray  # the arc's place in its chain (0 = first)
    start: np.ndarray
    end: np.ndarray
    junction_index: np.ndarray
    n_junctions: int


def structure(n: int, src: np.ndarray, dst: np.ndarray) -> Structure:
    """Find the chains of a deduplicated arc list (no two arcs share ``(src, dst)``).

    Chains are numbered by their first arc (arcs leaving a junction, in arc order), then
    rings of shape nodes only (a loop road with no junction), whose first node becomes a
    junction. Junctions are numbered in node order.

    Parameters
    ----------
    n
        Number of nodes.
    src, dst
        The arcs.

    Returns
    -------
    Structure
    """
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    m = len(src)
    interior = _shape_nodes(n, src, dst)
    after = _next_arc(n, src, dst, interior)
    # Each arc has at most one arc before it on its chain: the arc after is unique per
    # (node, arc in) and two arcs in never continue into the same arc out.
    before = np.full(m, -1, dtype=np.int64)
    has = after >= 0
    before[after[has]] = np.flatnonzero(has)
    # List ranking by pointer doubling: each arc's first arc and its place behind it.
    first = np.where(before < 0, np.arange(m), before)
    step = (before >= 0).astype(np.int64)
    pending = int((before[first] >= 0).sum())
    while pending:
        step = step + step[first]
        first = first[first]
        left = int((before[first] >= 0).sum())
        if left == pending:  # only rings are left: their pointers go round for ever
            break
        pending = left
    on_ring = before[first] >= 0
    heads = np.flatnonzero(before < 0)  # the arcs leaving a junction, in arc order
    chain_of = np.full(m, -1, dtype=np.int64)
    chain_of[heads] = np.arange(len(heads))
    chain_of[~on_ring] = chain_of[first[~on_ring]]
    # A chain's last arc is the one with no arc after it.
    last = ~on_ring & (after < 0)
    tail = np.empty(len(heads), dtype=np.int64)
    tail[chain_of[last]] = np.flatnonzero(last)
    starts, ends = src[heads].tolist(), dst[tail].tolist()
    step = np.where(on_ring, 0, step)
    is_interior = interior.copy()
    if on_ring.any():
        _walk_rings(src, dst, after, on_ring, is_interior, chain_of, step, starts, ends)
    junctions = ~is_interior
    junction_index = np.full(n, -1, dtype=np.int64)
    junction_index[junctions] = np.arange(int(junctions.sum()))
    return Structure(
        chain_of=chain_of,
        step=step,
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        junction_index=junction_index,
        n_junctions=int(junctions.sum()),
    )


def _shape_nodes(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Nodes with two neighbours and traffic through them (in from one, out to the other,
    one or both ways); anything else (a dead end, a junction, a U-turn-only node) stays."""
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    pairs = np.unique(lo * n + hi)
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    return (neighbours == 2) & (indeg == outdeg) & (indeg > 0)


def _next_arc(n: int, src: np.ndarray, dst: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """Per arc, the arc that goes on through its head when that is a shape node (the one
    not turning back), else ``-1``."""
    m = len(src)
    out_order = np.argsort(src, kind="stable")
    out_ptr = np.searchsorted(src[out_order], np.arange(n + 1))
    after = np.full(m, -1, dtype=np.int64)
    x = dst
    through = interior[x]
    # A shape node has one or two arcs out; take the first that does not go back.
    for k in (0, 1):
        has = through & (after < 0) & (out_ptr[x] + k < out_ptr[x + 1])
        cand = np.where(has, out_order[np.minimum(out_ptr[x] + k, m - 1)], -1)
        good = has & (dst[np.maximum(cand, 0)] != src)
        after[good] = cand[good]
    return after


def _walk_rings(
    src: np.ndarray,
    dst: np.ndarray,
    after: np.ndarray,
    on_ring: np.ndarray,
    is_interior: np.ndarray,
    chain_of: np.ndarray,
    step: np.ndarray,
    starts: list[int],
    ends: list[int],
) -> None:
    """Rings of shape nodes only: in arc order, the first unchained arc's tail becomes a
    junction and the ring is one chain from it round to it (a few per county: a loop)."""
    for a in np.flatnonzero(on_ring).tolist():
        if chain_of[a] >= 0:
            continue
        start = int(src[a])
        is_interior[start] = False
        cid, k, arc = len(starts), 0, a
        while True:
            chain_of[arc], step[arc] = cid, k
            k += 1
            x = int(dst[arc])
            # A ring walked before made its first node a junction: both ways round a
            # two-way ring, the second way stops at every node made a junction.
            if not is_interior[x] or x == start or after[arc] < 0 or chain_of[after[arc]] >= 0:
                break
            arc = int(after[arc])
        starts.append(start)
        ends.append(int(dst[arc]))


def contract(
    n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, shape: Structure | None = None
) -> Chains:
    """Contract the chains of a deduplicated arc list, weighted by ``w``.

    Parameters
    ----------
    n
        Number of nodes.
    src, dst, w
        Arcs and their encoded weights.
    shape
        Their :func:`structure`, if already known (it depends on the arcs only).

    Returns
    -------
    Chains
    """
    st = shape if shape is not None else structure(n, src, dst)
    n_chains = len(st.start)
    # Weight of each chain before each arc: a running sum in chain order (exact: the
    # encoded weights are integers far below 2**53).
    order = np.lexsort((st.step, st.chain_of))
    running = np.cumsum(w[order]) - w[order]
    chain_sorted = st.chain_of[order]
    first = np.r_[True, chain_sorted[1:] != chain_sorted[:-1]] if len(order) else order.astype(bool)
    offset = running[first][np.cumsum(first) - 1]
    before = np.empty(len(w))
    before[order] = running - offset
    total = np.bincount(st.chain_of, weights=w, minlength=n_chains)
    c_src, c_dst = st.junction_index[st.start], st.junction_index[st.end]
    # Two chains between the same junctions: the faster one (a sparse matrix would sum them).
    key = c_src * max(st.n_junctions, 1) + c_dst
    by_key = np.lexsort((total, key))
    keep = by_key[np.r_[True, key[by_key][1:] != key[by_key][:-1]]] if len(by_key) else by_key
    return Chains(
        chain_of=st.chain_of,
        before=before,
        start=st.start,
        end=st.end,
        total=total,
        junction_index=st.junction_index,
        n_junctions=st.n_junctions,
        src=c_src[keep],
        dst=c_dst[keep],
        w=total[keep],
    )
