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
    m = len(src)
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    lo, hi = np.minimum(src, dst).astype(np.int64), np.maximum(src, dst).astype(np.int64)
    pairs = np.unique(lo * n + hi)
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    # A shape node: two neighbours and traffic through it (in from one, out to the other,
    # one or both ways); anything else (a dead end, a junction, a U-turn-only node) stays.
    interior = (neighbours == 2) & (indeg == outdeg) & (indeg > 0)
    out_order = np.argsort(src, kind="stable")
    out_ptr = np.searchsorted(src[out_order], np.arange(n + 1))
    # Plain lists: the walk is a Python loop, and list indexing is much faster than numpy's.
    src_l, dst_l = src.tolist(), dst.tolist()
    out_l, ptr_l = out_order.tolist(), out_ptr.tolist()
    chain_of = [-1] * m
    step = [0] * m
    starts: list[int] = []
    ends: list[int] = []
    is_interior = interior.tolist()

    def walk(first: int) -> None:
        cid, start, k, arc = len(starts), src_l[first], 0, first
        while True:
            chain_of[arc], step[arc] = cid, k
            k += 1
            x = dst_l[arc]
            if not is_interior[x] or x == start:
                break
            came = src_l[arc]
            nxt = next((j for j in out_l[ptr_l[x] : ptr_l[x + 1]] if dst_l[j] != came), -1)
            if nxt < 0 or chain_of[nxt] >= 0:
                break
            arc = nxt
        starts.append(start)
        ends.append(dst_l[arc])

    for a in range(m):
        if not is_interior[src_l[a]]:
            walk(a)
    # Rings of shape nodes only (a loop road with no junction): one node becomes a junction.
    for a in range(m):
        if chain_of[a] < 0:
            is_interior[src_l[a]] = False
            walk(a)
    junctions = ~np.array(is_interior, dtype=bool)
    junction_index = np.full(n, -1, dtype=np.int64)
    junction_index[junctions] = np.arange(int(junctions.sum()))
    return Structure(
        chain_of=np.array(chain_of, dtype=np.int64),
        step=np.array(step, dtype=np.int64),
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        junction_index=junction_index,
        n_junctions=int(junctions.sum()),
    )


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
