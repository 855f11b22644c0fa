"""Directed acyclic graph over the named latent codes of the generator.

IMSIC (IJCAI-21) feeds the generator one observed code ``c_i`` per named
feature and has the discriminator read back an extracted code ``c'_i``. The
edge ``c_i -> c'_i`` always holds and is left implicit; listing ``j`` as a
parent of ``i`` adds the edge ``c_j -> c'_i``. The DAG regularizer
then needs, for every code ``i``, the codes that explain it (its
parents, never ``i`` itself) and the codes that must not (its non-parents).

:class:`LatentDAG` is the validated, immutable representation; :func:`check_dag`
turns whatever the user passed as ``dag`` into one.
"""

from __future__ import annotations

import heapq
import operator
from collections import deque
from collections.abc import Iterable, Mapping, Set
from typing import Any, ClassVar

import numpy as np

__all__ = ["LatentDAG", "check_dag"]


def _as_name(name: Any, where: str) -> str:
    """Return ``name`` as a plain ``str`` or raise naming where it came from."""
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"feature names must be non-empty strings; got {name!r} {where}"
        )
    # str subclasses such as numpy.str_ would make the repr non-eval-able
    # (``np.str_('a')``), so normalise to the builtin type.
    return str(name)


def _fmt_edge(parent: str, child: str) -> str:
    return repr((parent, child))


def _as_pair(edge: Any) -> tuple[Any, Any]:
    """Unpack one ``(parent, child)`` edge, rejecting anything that is not a pair."""
    # A string of length 2 ("ab") or a set would unpack without complaint
    # but almost certainly is not what the user meant.
    if isinstance(edge, (str, bytes, Set, Mapping)) or not isinstance(edge, Iterable):
        raise TypeError(
            f"each edge must be a (parent, child) pair such as ('a', 'b'); got {edge!r}"
        )
    pair = tuple(edge)
    if len(pair) != 2:
        raise ValueError(
            f"each edge must be a (parent, child) pair; got {edge!r} "
            f"with {len(pair)} element(s)"
        )
    return pair[0], pair[1]


def _find_path(children: Mapping[str, list[str]], start: str, goal: str) -> list[str]:
    """Shortest path ``start -> ... -> goal`` in ``children``, or ``[]``."""
    pred: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (prev := pred[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        for nxt in children[node]:
            if nxt not in pred:
                pred[nxt] = node
                queue.append(nxt)
    return []


def _validate(
    names: list[str],
    raw_edges: list[tuple[Any, Any]],
    *,
    unknown_hint: str,
    mapping_form: bool,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Check ``raw_edges`` against ``names`` and return ``(names, parents)``.

    Edges are checked in the order given so the first offending one is the one
    reported; the cycle check runs only once every edge is individually valid.
    """
    if not names:
        raise ValueError("a LatentDAG needs at least one feature; got none")
    known = set(names)
    parents: dict[str, list[str]] = {n: [] for n in names}
    edges: list[tuple[str, str]] = []
    for raw in raw_edges:
        parent = _as_name(raw[0], f"in edge {raw!r}")
        child = _as_name(raw[1], f"in edge {raw!r}")
        edge = _fmt_edge(parent, child)
        if parent == child:
            raise ValueError(
                f"self-loop on {parent!r} (edge {edge}): the edge c_i -> c'_i is "
                "implicit, so a feature must not be listed as its own parent"
            )
        for end in (parent, child):
            if end not in known:
                raise ValueError(
                    f"unknown feature {end!r} in edge {edge}: {unknown_hint}; "
                    f"known features are {list(names)}"
                )
        if parent in parents[child]:
            if mapping_form:
                raise ValueError(
                    f"duplicate parent {parent!r} of {child!r} (edge {edge} "
                    "listed twice)"
                )
            raise ValueError(f"duplicate edge {edge}")
        parents[child].append(parent)
        edges.append((parent, child))

    # Add edges one at a time: the first edge whose child already reaches its
    # parent is the one that closes a cycle, which makes the report concrete.
    children: dict[str, list[str]] = {n: [] for n in names}
    for parent, child in edges:
        path = _find_path(children, child, parent)
        if path:
            cycle = " -> ".join([*path, child])
            raise ValueError(
                f"cycle {cycle}, closed by edge {_fmt_edge(parent, child)}; "
                "the latent graph must be acyclic"
            )
        children[parent].append(child)
    return tuple(names), tuple(tuple(parents[n]) for n in names)


class LatentDAG:
    """Immutable DAG over named latent codes.

    Parameters
    ----------
    parents : Mapping of str to iterable of str
        ``{child: [parent, ...]}``. Every feature must appear as a key (with
        an empty list if it has no parents); the key order fixes the code
        index of each feature. Listing ``j`` as a parent of ``i`` adds the
        edge ``c_j -> c'_i``; the edge ``c_i -> c'_i`` is implicit and must
        not be listed.

    Raises
    ------
    TypeError
        If a feature name is not a non-empty string, or a parent list is not
        an iterable of names (a bare string is rejected, not split into
        characters).
    ValueError
        If there are no features, a parent is not a key, a parent is listed
        twice, a feature is its own parent, or the edges form a cycle. The
        message names the offending edge.

    See Also
    --------
    check_dag : Build a LatentDAG from any accepted ``dag`` form.

    Notes
    -----
    Two DAGs are equal when they name the same features in the same order
    (the order fixes code indices) and each feature has the same *set* of
    parents; the order in which parents are listed does not matter.

    Examples
    --------
    >>> dag = LatentDAG(
    ...     {"thickness": [], "width": [], "stroke": ["thickness", "width"]}
    ... )
    >>> dag.parents_of("stroke")
    ('thickness', 'width')
    >>> dag.nonparent_indices(0)
    (1, 2)
    """

    PRESETS: ClassVar[tuple[str, ...]] = ("disentangled", "entangled")

    def __init__(self, parents: Mapping[str, Iterable[str]]) -> None:
        if not isinstance(parents, Mapping):
            raise TypeError(
                "parents must be a mapping {child: [parents]}; got "
                f"{type(parents).__name__}. Use LatentDAG.from_edges for a list "
                "of (parent, child) edges"
            )
        names = [_as_name(key, "as a key of parents") for key in parents]
        raw_edges: list[tuple[Any, Any]] = []
        for key, child in zip(parents, names, strict=True):
            plist = parents[key]
            if isinstance(plist, (str, bytes)) or not isinstance(plist, Iterable):
                raise TypeError(
                    f"the parents of {child!r} must be an iterable of feature "
                    f"names such as ['a', 'b']; got {plist!r}"
                )
            raw_edges.extend((p, child) for p in plist)
        self._init_validated(
            *_validate(
                names,
                raw_edges,
                unknown_hint="every parent must itself be a key of the mapping",
                mapping_form=True,
            )
        )

    def _init_validated(
        self, names: tuple[str, ...], parents: tuple[tuple[str, ...], ...]
    ) -> None:
        self._names = names
        self._parents = parents
        self._index = {name: i for i, name in enumerate(names)}
        n = len(names)
        mask = np.zeros((n, n), dtype=bool)
        for i, plist in enumerate(parents):
            for p in plist:
                mask[self._index[p], i] = True
        mask.flags.writeable = False
        # Not named ``_mask``: numpy.ma reads that attribute off any object
        # stored in a masked array (as GridSearchCV's cv_results_ does).
        self._parent_matrix = mask
        # Index tuples are sorted by node order so that equal DAGs (whose
        # parent lists may differ only in order) index codes identically.
        self._parent_idx = tuple(
            tuple(int(j) for j in np.flatnonzero(mask[:, i])) for i in range(n)
        )
        self._nonparent_idx = tuple(
            tuple(j for j in range(n) if j != i and not mask[j, i]) for i in range(n)
        )

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_edges(
        cls,
        edges: Iterable[tuple[str, str]],
        names: Iterable[str] | None = None,
    ) -> LatentDAG:
        """Build a DAG from ``(parent, child)`` edges.

        Parameters
        ----------
        edges : iterable of (str, str)
            Edges ``(parent, child)``; each adds ``c_parent -> c'_child``.
        names : iterable of str, optional
            All feature names in code order. Needed for features without any
            edge. If omitted, features are ordered by first appearance in
            ``edges``.

        Returns
        -------
        LatentDAG

        Raises
        ------
        TypeError
            If an edge is not a pair or a name is not a non-empty string.
        ValueError
            If an edge names a feature missing from ``names``, is a
            self-loop, is repeated or closes a cycle, or there are no
            features.
        """
        if isinstance(edges, (str, bytes)) or not isinstance(edges, Iterable):
            raise TypeError(
                f"edges must be an iterable of (parent, child) pairs; got {edges!r}"
            )
        raw_edges = [_as_pair(e) for e in edges]
        if names is None:
            order: dict[str, None] = {}
            for raw in raw_edges:
                for end in raw:
                    order.setdefault(_as_name(end, f"in edge {raw!r}"), None)
            name_list = list(order)
        else:
            if isinstance(names, (str, bytes)) or not isinstance(names, Iterable):
                raise TypeError(
                    f"names must be an iterable of feature names; got {names!r}"
                )
            name_list = [_as_name(n, "in names") for n in names]
            seen: set[str] = set()
            for n in name_list:
                if n in seen:
                    raise ValueError(f"duplicate feature name {n!r} in names")
                seen.add(n)
        obj = cls.__new__(cls)
        obj._init_validated(
            *_validate(
                name_list,
                raw_edges,
                # Only reachable when ``names`` was given explicitly.
                unknown_hint="every feature must be listed in names",
                mapping_form=False,
            )
        )
        return obj

    @classmethod
    def preset(cls, name: str, n_codes: int = 3) -> LatentDAG:
        """Build one of the named example DAGs.

        Parameters
        ----------
        name : {"disentangled", "entangled"}
            ``"disentangled"``: codes ``"c1"``, ..., ``"cn"`` with no edges.
            ``"entangled"``: the paper's Fig. 4c, where ``"c3"`` has parents
            ``("c1", "c2")`` and every other code is independent.
        n_codes : int, default=3
            Number of codes; ``"entangled"`` needs at least 3.

        Returns
        -------
        LatentDAG

        Raises
        ------
        ValueError
            For an unknown preset or an invalid ``n_codes``.
        """
        n_codes = _check_n_codes(n_codes)
        if name not in cls.PRESETS:
            valid = ", ".join(repr(p) for p in cls.PRESETS)
            raise ValueError(f"unknown preset {name!r}; valid presets are {valid}")
        parents: dict[str, list[str]] = {f"c{k}": [] for k in range(1, n_codes + 1)}
        if name == "entangled":
            if n_codes < 3:
                raise ValueError(
                    f"the 'entangled' preset needs n_codes >= 3 (c3 has parents "
                    f"c1 and c2); got n_codes={n_codes}"
                )
            parents["c3"] = ["c1", "c2"]
        return cls(parents)

    # ---------------------------------------------------------------- accessors
    @property
    def names(self) -> tuple[str, ...]:
        """Feature names in code order."""
        return self._names

    @property
    def n_codes(self) -> int:
        """Number of latent codes (features)."""
        return len(self._names)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """``(parent, child)`` edges, by child in node order, then parent order."""
        return tuple(
            (p, child)
            for child, plist in zip(self._names, self._parents, strict=True)
            for p in plist
        )

    @property
    def parent_mask(self) -> np.ndarray:
        """Boolean ``(n_codes, n_codes)`` parent matrix.

        ``mask[j, i]`` is True iff code ``j`` is a listed parent of code ``i``.
        The diagonal (the implicit ``c_i -> c'_i`` edge) is False. A fresh,
        writable copy is returned on every access, so modifying it does not
        change the DAG.
        """
        return self._parent_matrix.copy()

    def index(self, name: str) -> int:
        """Code index of feature ``name``.

        Raises
        ------
        ValueError
            If ``name`` is not a feature of this DAG.
        """
        try:
            return self._index[name]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown feature {name!r}; known features are {list(self._names)}"
            ) from None

    def parents_of(self, name: str) -> tuple[str, ...]:
        """Parents of feature ``name``, in the order they were listed.

        Raises
        ------
        ValueError
            If ``name`` is not a feature of this DAG.
        """
        return self._parents[self.index(name)]

    def _check_i(self, i: int) -> int:
        if isinstance(i, (bool, np.bool_)):
            raise TypeError(f"code index must be an integer; got {i!r}")
        i = operator.index(i)
        if not 0 <= i < len(self._names):
            raise IndexError(
                f"code index {i} out of range for {len(self._names)} codes"
            )
        return i

    def parent_indices(self, i: int) -> tuple[int, ...]:
        """Indices of the parents of code ``i``, in ascending (node) order."""
        return self._parent_idx[self._check_i(i)]

    def nonparent_indices(self, i: int) -> tuple[int, ...]:
        """Indices of all codes ``j != i`` that are not parents of ``i``, ascending."""
        return self._nonparent_idx[self._check_i(i)]

    def topological_order(self) -> tuple[str, ...]:
        """Feature names with every parent before its children.

        Among features whose parents are all placed, the one earliest in node
        order comes first, so the result is deterministic.
        """
        n = len(self._names)
        indegree = [len(p) for p in self._parent_idx]
        children: list[list[int]] = [[] for _ in range(n)]
        for i, plist in enumerate(self._parent_idx):
            for j in plist:
                children[j].append(i)
        ready = [i for i in range(n) if indegree[i] == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for k in children[i]:
                indegree[k] -= 1
                if indegree[k] == 0:
                    heapq.heappush(ready, k)
        return tuple(self._names[i] for i in order)

    # -------------------------------------------------------------- conversion
    def to_dict(self) -> dict[str, list[str]]:
        """Return ``{child: [parents]}`` in node order (a new, mutable dict)."""
        return {n: list(p) for n, p in zip(self._names, self._parents, strict=True)}

    def to_networkx(self) -> Any:
        """Return the DAG as a ``networkx.DiGraph``.

        Nodes are added in code order and edges in :attr:`edges` order, so
        ``check_dag(dag.to_networkx()) == dag``.

        Raises
        ------
        ImportError
            If networkx is not installed.
        """
        try:
            import networkx as nx
        except ImportError as exc:
            raise ImportError(
                "LatentDAG.to_networkx requires networkx, which is not "
                "installed; install it with `pip install networkx`"
            ) from exc
        graph = nx.DiGraph()
        graph.add_nodes_from(self._names)
        graph.add_edges_from(self.edges)
        return graph

    # ------------------------------------------------------------------ dunder
    def _key(self) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
        return self._names, tuple(frozenset(p) for p in self._parents)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LatentDAG):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"LatentDAG({self.to_dict()!r})"

    def __reduce__(self) -> tuple[Any, tuple[dict[str, list[str]]]]:
        # Rebuild through the validating constructor rather than restoring
        # private attributes, so pickles and deep copies stay consistent.
        return (type(self), (self.to_dict(),))


def _check_n_codes(n_codes: Any) -> int:
    if isinstance(n_codes, (bool, np.bool_)) or not isinstance(
        n_codes, (int, np.integer)
    ):
        raise TypeError(f"n_codes must be an integer >= 1; got {n_codes!r}")
    if n_codes < 1:
        raise ValueError(f"n_codes must be an integer >= 1; got {n_codes!r}")
    return int(n_codes)


def _is_networkx_graph(obj: Any) -> bool:
    # Inspect the class hierarchy instead of importing networkx, so this costs
    # nothing when networkx is absent and also catches user subclasses.
    return any(
        getattr(klass, "__module__", "").split(".")[0] == "networkx"
        for klass in type(obj).__mro__
    )


def check_dag(dag: Any, n_codes: int | None = None) -> LatentDAG:
    """Turn a user-supplied ``dag`` parameter into a :class:`LatentDAG`.

    Parameters
    ----------
    dag : None, str, LatentDAG, Mapping, sequence of pairs or networkx.DiGraph
        - ``None``: ``LatentDAG.preset("disentangled", n_codes or 3)``.
        - ``str``: ``LatentDAG.preset(dag, n_codes or 3)``.
        - :class:`LatentDAG`: returned unchanged.
        - Mapping ``{child: [parents]}``: ``LatentDAG(dag)``.
        - list or tuple of ``(parent, child)`` pairs: ``LatentDAG.from_edges``.
        - ``networkx.DiGraph``: nodes in graph order, edges from ``dag.edges``.
    n_codes : int, optional
        Expected number of codes. Sets the size of a preset; for any other
        form it must equal the number of features the DAG names.

    Returns
    -------
    LatentDAG

    Raises
    ------
    TypeError
        If ``dag`` is of an unsupported type or is an undirected networkx
        graph.
    ValueError
        If ``dag`` is invalid or ``n_codes`` does not match it.
    """
    if n_codes is not None:
        n_codes = _check_n_codes(n_codes)
    if dag is None:
        return LatentDAG.preset("disentangled", 3 if n_codes is None else n_codes)
    if isinstance(dag, str):
        return LatentDAG.preset(dag, 3 if n_codes is None else n_codes)

    if isinstance(dag, LatentDAG):
        result = dag
    elif _is_networkx_graph(dag):
        if not dag.is_directed():
            raise TypeError(
                f"dag must be a directed networkx graph; got undirected "
                f"{type(dag).__name__}. Use networkx.DiGraph with edges "
                "(parent, child)"
            )
        result = LatentDAG.from_edges(list(dag.edges()), names=list(dag.nodes))
    elif isinstance(dag, Mapping):
        result = LatentDAG(dag)
    elif isinstance(dag, (list, tuple)):
        result = LatentDAG.from_edges(dag)
    else:
        presets = ", ".join(repr(p) for p in LatentDAG.PRESETS)
        raise TypeError(
            f"dag of type {type(dag).__name__} is not supported; pass None "
            f"(independent codes), a preset name ({presets}), a LatentDAG, a "
            "mapping {child: [parents]}, a list of (parent, child) edges, or a "
            "networkx.DiGraph"
        )

    if n_codes is not None and n_codes != result.n_codes:
        raise ValueError(
            f"n_codes={n_codes} does not match the {result.n_codes} codes named by "
            "dag; leave n_codes=None to take the number of codes from dag"
        )
    return result
