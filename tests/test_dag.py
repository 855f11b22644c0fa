"""Tests for imbgan._dag (LatentDAG and check_dag)."""

import copy
import pickle
import re

import numpy as np
import pytest

from imbgan._dag import LatentDAG, check_dag

STROKE = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}
STROKE_EDGES = [("thickness", "stroke"), ("width", "stroke")]
STROKE_MASK = np.array(
    [[False, False, True], [False, False, True], [False, False, False]]
)


def _esc(text):
    # Messages quote edges like ('a', 'b'); escape so parentheses match literally.
    return re.escape(text)


# --------------------------------------------------------------- construction


def test_mapping_form_attributes():
    dag = LatentDAG(STROKE)
    assert dag.names == ("thickness", "width", "stroke")
    assert dag.n_codes == 3
    assert dag.edges == (("thickness", "stroke"), ("width", "stroke"))
    assert dag.parents_of("stroke") == ("thickness", "width")
    assert dag.parents_of("width") == ()
    assert dag.index("stroke") == 2
    np.testing.assert_array_equal(dag.parent_mask, STROKE_MASK)
    assert dag.parent_mask.dtype == bool
    assert dag.parent_indices(2) == (0, 1)
    assert dag.parent_indices(0) == ()
    assert dag.nonparent_indices(0) == (1, 2)
    assert dag.nonparent_indices(2) == ()
    assert dag.to_dict() == STROKE


def test_properties_are_tuples_of_str():
    dag = LatentDAG({"a": (), "b": iter(["a"])})
    assert isinstance(dag.names, tuple)
    assert isinstance(dag.parents_of("b"), tuple)
    assert all(type(n) is str for n in dag.names)


def test_numpy_str_names_are_normalised():
    dag = LatentDAG({np.str_("a"): [], "b": [np.str_("a")]})
    assert all(type(n) is str for n in dag.names)
    assert dag == LatentDAG({"a": [], "b": ["a"]})
    assert repr(dag) == "LatentDAG({'a': [], 'b': ['a']})"


def test_from_edges_order_of_first_appearance():
    dag = LatentDAG.from_edges([("b", "c"), ("a", "c")])
    assert dag.names == ("b", "c", "a")
    assert dag.parents_of("c") == ("b", "a")
    assert dag.edges == (("b", "c"), ("a", "c"))


def test_from_edges_with_names_fixes_order_and_isolated_nodes():
    dag = LatentDAG.from_edges(STROKE_EDGES, names=["thickness", "width", "stroke"])
    assert dag == LatentDAG(STROKE)
    iso = LatentDAG.from_edges([], names=["x", "y"])
    assert iso.names == ("x", "y")
    assert iso.edges == ()


def test_from_edges_accepts_lists_and_numpy_rows():
    edges = np.array(STROKE_EDGES)
    dag = LatentDAG.from_edges(edges, names=["thickness", "width", "stroke"])
    assert dag == LatentDAG(STROKE)
    assert LatentDAG.from_edges([["a", "b"]]) == LatentDAG({"a": [], "b": ["a"]})


def test_edges_follow_child_node_order_then_given_parent_order():
    dag = LatentDAG({"z": ["y", "x"], "y": [], "x": ["y"]})
    assert dag.edges == (("y", "z"), ("x", "z"), ("y", "x"))


def test_parent_indices_sorted_by_node_order():
    # Given parent order is kept in parents_of, but indices are sorted so equal
    # DAGs index codes identically.
    dag = LatentDAG({"a": [], "b": [], "c": ["b", "a"]})
    assert dag.parents_of("c") == ("b", "a")
    assert dag.parent_indices(2) == (0, 1)
    assert dag.parent_indices(np.int64(2)) == (0, 1)


def test_nonparent_indices_partition():
    dag = LatentDAG({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]})
    for i in range(dag.n_codes):
        parents = set(dag.parent_indices(i))
        others = set(dag.nonparent_indices(i))
        assert i not in parents | others
        assert parents.isdisjoint(others)
        assert parents | others | {i} == set(range(dag.n_codes))
    assert dag.nonparent_indices(3) == (0,)


@pytest.mark.parametrize("bad", [-1, 3, 10])
def test_index_out_of_range(bad):
    dag = LatentDAG(STROKE)
    with pytest.raises(IndexError, match=f"code index {bad}"):
        dag.parent_indices(bad)
    with pytest.raises(IndexError, match=f"code index {bad}"):
        dag.nonparent_indices(bad)


@pytest.mark.parametrize("bad", [1.0, "1", True])
def test_index_wrong_type(bad):
    with pytest.raises(TypeError):
        LatentDAG(STROKE).parent_indices(bad)


@pytest.mark.parametrize("method", ["parents_of", "index"])
def test_unknown_name_lookup(method):
    dag = LatentDAG(STROKE)
    with pytest.raises(ValueError, match="unknown feature 'nope'"):
        getattr(dag, method)("nope")
    with pytest.raises(ValueError, match="unknown feature"):
        getattr(dag, method)(["unhashable"])


# -------------------------------------------------------------- immutability


def test_parent_mask_cannot_mutate_dag():
    dag = LatentDAG(STROKE)
    mask = dag.parent_mask
    try:
        mask[0, 1] = True
    except ValueError:
        pass  # a read-only view would also be acceptable
    mask2 = dag.parent_mask
    assert mask2 is not mask
    np.testing.assert_array_equal(mask2, STROKE_MASK)
    assert dag.parent_indices(1) == ()


def test_to_dict_and_input_cannot_mutate_dag():
    parents = {"a": [], "b": ["a"]}
    dag = LatentDAG(parents)
    parents["b"].clear()
    dag.to_dict()["b"].append("zzz")
    assert dag.parents_of("b") == ("a",)


def test_no_public_setters():
    dag = LatentDAG(STROKE)
    for attr in ("names", "n_codes", "edges", "parent_mask"):
        with pytest.raises(AttributeError):
            setattr(dag, attr, None)


# ----------------------------------------------------------- equality / hash


def test_parent_order_does_not_matter():
    a = LatentDAG({"a": [], "b": [], "c": ["a", "b"]})
    b = LatentDAG({"a": [], "b": [], "c": ["b", "a"]})
    assert a == b
    assert hash(a) == hash(b)


def test_names_order_matters():
    a = LatentDAG({"a": [], "b": [], "c": ["a", "b"]})
    b = LatentDAG({"b": [], "a": [], "c": ["a", "b"]})
    assert a != b


def test_different_edges_not_equal():
    assert LatentDAG({"a": [], "b": ["a"]}) != LatentDAG({"a": [], "b": []})
    assert LatentDAG({"a": [], "b": ["a"]}) != LatentDAG({"a": ["b"], "b": []})


def test_not_equal_to_other_types():
    dag = LatentDAG(STROKE)
    assert dag != STROKE
    assert dag != "disentangled"
    assert dag.__eq__(STROKE) is NotImplemented
    assert dag != None  # noqa: E711


def test_equal_across_forms():
    forms = [
        LatentDAG({"c1": [], "c2": [], "c3": ["c2", "c1"]}),
        LatentDAG.from_edges([("c1", "c3"), ("c2", "c3")], names=["c1", "c2", "c3"]),
        LatentDAG.preset("entangled"),
        check_dag("entangled"),
        check_dag({"c1": [], "c2": [], "c3": ["c1", "c2"]}),
        check_dag(LatentDAG.preset("entangled")),
    ]
    for dag in forms[1:]:
        assert dag == forms[0]
        assert hash(dag) == hash(forms[0])
    assert len(set(forms)) == 1


def test_equal_across_edge_list_forms():
    # Without names, node order is first appearance: c1, c3, c2.
    expected = LatentDAG({"c1": [], "c3": ["c1", "c2"], "c2": []})
    forms = [
        check_dag([("c1", "c3"), ("c2", "c3")]),
        check_dag((("c1", "c3"), ("c2", "c3"))),
        LatentDAG.from_edges(iter([("c1", "c3"), ("c2", "c3")])),
    ]
    for dag in forms:
        assert dag == expected
        assert hash(dag) == hash(expected)
    # Same edges, different code order: not the same DAG.
    assert expected != LatentDAG.preset("entangled")


def test_usable_as_dict_key():
    table = {LatentDAG.preset("disentangled"): "d"}
    assert table[LatentDAG({"c1": [], "c2": [], "c3": []})] == "d"


# -------------------------------------------------------- repr / serialisation


@pytest.mark.parametrize(
    "dag",
    [
        LatentDAG(STROKE),
        LatentDAG.preset("disentangled", 1),
        LatentDAG.preset("entangled", 5),
        LatentDAG({"it's": [], 'say "hi"': ["it's"]}),
    ],
)
def test_repr_round_trips(dag):
    again = eval(repr(dag), {"LatentDAG": LatentDAG})
    assert again == dag
    assert again.edges == dag.edges


def test_repr_exact():
    assert repr(LatentDAG(STROKE)) == (
        "LatentDAG({'thickness': [], 'width': [], 'stroke': ['thickness', 'width']})"
    )


def test_pickle_round_trip():
    dag = LatentDAG(STROKE)
    again = pickle.loads(pickle.dumps(dag))
    assert again == dag
    assert again.edges == dag.edges
    np.testing.assert_array_equal(again.parent_mask, dag.parent_mask)


def test_copy_and_deepcopy():
    dag = LatentDAG(STROKE)
    for again in (copy.copy(dag), copy.deepcopy(dag)):
        assert again == dag
        assert hash(again) == hash(dag)
        assert again.parent_indices(2) == (0, 1)


def test_sklearn_clone_keeps_equality():
    base = pytest.importorskip("sklearn.base")
    dag = LatentDAG(STROKE)
    assert base.clone(dag, safe=False) == dag


# ----------------------------------------------------------------- topology


def _assert_topological(dag, order):
    assert sorted(order) == sorted(dag.names)
    pos = {n: k for k, n in enumerate(order)}
    for parent, child in dag.edges:
        assert pos[parent] < pos[child]


def test_topological_order_respects_edges_and_is_stable():
    dag = LatentDAG({"d": ["b", "c"], "c": ["a"], "b": [], "a": ["b"]})
    order = dag.topological_order()
    _assert_topological(dag, order)
    # Ready nodes are taken in node order: b (the only root), then a, c, d.
    assert order == ("b", "a", "c", "d")
    assert LatentDAG.preset("disentangled", 4).topological_order() == (
        "c1",
        "c2",
        "c3",
        "c4",
    )


def test_topological_order_chain():
    dag = LatentDAG.from_edges(
        [("x1", "x2"), ("x2", "x3"), ("x3", "x4")], names=["x4", "x3", "x2", "x1"]
    )
    assert dag.topological_order() == ("x1", "x2", "x3", "x4")


def test_diamond_is_not_a_cycle():
    dag = LatentDAG.from_edges([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    _assert_topological(dag, dag.topological_order())


# ------------------------------------------------------------------ presets


def test_preset_disentangled():
    dag = LatentDAG.preset("disentangled", 4)
    assert dag.names == ("c1", "c2", "c3", "c4")
    assert dag.edges == ()
    assert not dag.parent_mask.any()
    assert dag.nonparent_indices(0) == (1, 2, 3)
    assert LatentDAG.preset("disentangled").n_codes == 3


def test_preset_entangled():
    dag = LatentDAG.preset("entangled", 4)
    assert dag.names == ("c1", "c2", "c3", "c4")
    assert dag.parents_of("c3") == ("c1", "c2")
    assert dag.edges == (("c1", "c3"), ("c2", "c3"))
    assert dag.nonparent_indices(2) == (3,)
    assert LatentDAG.preset("entangled") == LatentDAG(
        {"c1": [], "c2": [], "c3": ["c1", "c2"]}
    )


def test_presets_constant():
    assert LatentDAG.PRESETS == ("disentangled", "entangled")
    for name in LatentDAG.PRESETS:
        assert isinstance(LatentDAG.preset(name), LatentDAG)


@pytest.mark.parametrize("n", [1, 2])
def test_preset_entangled_needs_three_codes(n):
    with pytest.raises(ValueError, match=f"n_codes >= 3.*n_codes={n}"):
        LatentDAG.preset("entangled", n)


def test_preset_unknown_lists_valid():
    with pytest.raises(ValueError, match="unknown preset 'tangled'.*'disentangled'"):
        LatentDAG.preset("tangled")


@pytest.mark.parametrize(
    ("n", "exc"), [(0, ValueError), (-2, ValueError), (2.0, TypeError)]
)
def test_preset_bad_n_codes(n, exc):
    with pytest.raises(exc, match="n_codes must be an integer >= 1"):
        LatentDAG.preset("disentangled", n)


def test_preset_bool_n_codes_rejected():
    with pytest.raises(TypeError, match="n_codes"):
        LatentDAG.preset("disentangled", True)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("build", "exc", "match"),
    [
        # names that are not non-empty strings
        (
            lambda: LatentDAG.from_edges([(3, "a")]),
            TypeError,
            "feature names must be non-empty strings; got 3 in edge (3, 'a')",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "")]),
            TypeError,
            "got '' in edge ('a', '')",
        ),
        (
            lambda: LatentDAG({"a": [], "b": [None]}),
            TypeError,
            "got None in edge (None, 'b')",
        ),
        (
            lambda: LatentDAG({"a": [], 3: []}),
            TypeError,
            "feature names must be non-empty strings; got 3",
        ),
        (
            lambda: LatentDAG.from_edges([], names=["a", 1]),
            TypeError,
            "got 1 in names",
        ),
        # self-loops
        (
            lambda: LatentDAG({"a": ["a"]}),
            ValueError,
            "self-loop on 'a' (edge ('a', 'a'))",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b"), ("b", "b")]),
            ValueError,
            "self-loop on 'b' (edge ('b', 'b'))",
        ),
        # unknown names
        (
            lambda: LatentDAG({"thickness": [], "stroke": ["x"]}),
            ValueError,
            "unknown feature 'x' in edge ('x', 'stroke'): ",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b"), ("a", "z")], names=["a", "b"]),
            ValueError,
            "unknown feature 'z' in edge ('a', 'z'): ",
        ),
        # cycles
        (
            lambda: LatentDAG.from_edges([("a", "b"), ("b", "a")]),
            ValueError,
            "cycle a -> b -> a, closed by edge ('b', 'a')",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b"), ("b", "c"), ("c", "a")]),
            ValueError,
            "cycle a -> b -> c -> a, closed by edge ('c', 'a')",
        ),
        (
            lambda: LatentDAG({"a": ["b"], "b": ["a"]}),
            ValueError,
            "cycle b -> a -> b, closed by edge ('a', 'b')",
        ),
        # duplicates
        (
            lambda: LatentDAG({"a": [], "b": ["a", "a"]}),
            ValueError,
            "duplicate parent 'a' of 'b' (edge ('a', 'b')",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b"), ("c", "b"), ("a", "b")]),
            ValueError,
            "duplicate edge ('a', 'b')",
        ),
        (
            lambda: LatentDAG.from_edges([], names=["a", "b", "a"]),
            ValueError,
            "duplicate feature name 'a'",
        ),
        # malformed edges
        (
            lambda: LatentDAG.from_edges([("a",)]),
            ValueError,
            "pair; got ('a',)",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b", "c")]),
            ValueError,
            "pair; got ('a', 'b', 'c')",
        ),
        (
            lambda: LatentDAG.from_edges(["ab"]),
            TypeError,
            "pair such as ('a', 'b'); got 'ab'",
        ),
        (
            lambda: LatentDAG.from_edges([("a", "b"), 7]),
            TypeError,
            "got 7",
        ),
        (
            lambda: LatentDAG.from_edges([{"a", "b"}]),
            TypeError,
            "got {",
        ),
        (
            lambda: LatentDAG.from_edges("ab"),
            TypeError,
            "edges must be an iterable of (parent, child) pairs; got 'ab'",
        ),
        # no nodes
        (lambda: LatentDAG({}), ValueError, "at least one feature"),
        (lambda: LatentDAG.from_edges([]), ValueError, "at least one feature"),
        # parent lists that are not iterables of names
        (
            lambda: LatentDAG({"a": [], "b": "a"}),
            TypeError,
            "parents of 'b' must be an iterable of feature names",
        ),
        (
            lambda: LatentDAG({"a": None}),
            TypeError,
            "parents of 'a' must be an iterable",
        ),
        (
            lambda: LatentDAG([("a", "b")]),
            TypeError,
            "parents must be a mapping",
        ),
    ],
)
def test_validation_errors(build, exc, match):
    with pytest.raises(exc, match=_esc(match)):
        build()


def test_first_offending_edge_is_reported():
    # Both edges are bad; the first one in the given order is named.
    with pytest.raises(ValueError, match=_esc("('x', 'b')")):
        LatentDAG.from_edges([("x", "b"), ("y", "b")], names=["b"])


def test_bare_string_parent_list_not_iterated():
    # {"b": "ab"} must not be read as parents "a" and "b".
    with pytest.raises(TypeError, match="got 'ab'"):
        LatentDAG({"a": [], "b": "ab"})


# ---------------------------------------------------------------- check_dag


def test_check_dag_none_and_presets():
    assert check_dag(None) == LatentDAG.preset("disentangled", 3)
    assert check_dag(None, n_codes=5) == LatentDAG.preset("disentangled", 5)
    assert check_dag("entangled") == LatentDAG.preset("entangled", 3)
    assert check_dag("entangled", n_codes=4) == LatentDAG.preset("entangled", 4)
    assert check_dag("disentangled", 2).n_codes == 2


def test_check_dag_returns_latentdag_unchanged():
    dag = LatentDAG(STROKE)
    assert check_dag(dag) is dag
    assert check_dag(dag, n_codes=3) is dag


def test_check_dag_mapping_and_edges():
    assert check_dag(STROKE) == LatentDAG(STROKE)
    edge_dag = check_dag(STROKE_EDGES)
    assert edge_dag.names == ("thickness", "stroke", "width")
    assert set(edge_dag.parents_of("stroke")) == {"thickness", "width"}


@pytest.mark.parametrize("dag", [STROKE, STROKE_EDGES, LatentDAG(STROKE)])
def test_check_dag_n_codes_mismatch(dag):
    msg = "n_codes=2 does not match the 3 codes named by dag; leave n_codes=None"
    with pytest.raises(ValueError, match=_esc(msg)):
        check_dag(dag, n_codes=2)


@pytest.mark.parametrize("bad", [3, 2.5, b"entangled", {"a", "b"}, object()])
def test_check_dag_unsupported_type(bad):
    name = type(bad).__name__
    with pytest.raises(TypeError, match=f"dag of type {name} is not supported.*"):
        check_dag(bad)


def test_check_dag_unsupported_type_lists_forms():
    with pytest.raises(TypeError) as info:
        check_dag(3.0)
    msg = str(info.value)
    for form in ("None", "'entangled'", "LatentDAG", "mapping", "edges", "DiGraph"):
        assert form in msg


def test_check_dag_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        check_dag("nope")


@pytest.mark.parametrize(("n", "exc"), [(0, ValueError), (1.5, TypeError)])
def test_check_dag_bad_n_codes(n, exc):
    with pytest.raises(exc, match="n_codes must be an integer"):
        check_dag(None, n_codes=n)


def test_check_dag_propagates_validation_errors():
    with pytest.raises(ValueError, match=_esc("closed by edge ('b', 'a')")):
        check_dag([("a", "b"), ("b", "a")])


# ----------------------------------------------------------------- networkx


def test_networkx_round_trip():
    nx = pytest.importorskip("networkx")
    dag = LatentDAG(STROKE)
    graph = dag.to_networkx()
    assert isinstance(graph, nx.DiGraph)
    assert list(graph.nodes) == list(dag.names)
    assert set(graph.edges) == set(dag.edges)
    assert check_dag(graph) == dag


def test_networkx_node_order_and_isolated_nodes():
    nx = pytest.importorskip("networkx")
    graph = nx.DiGraph()
    graph.add_nodes_from(["c1", "c2", "c3", "c4"])
    graph.add_edges_from([("c2", "c3"), ("c1", "c3")])
    dag = check_dag(graph)
    assert dag.names == ("c1", "c2", "c3", "c4")
    assert dag == LatentDAG.preset("entangled", 4)
    assert check_dag(graph, n_codes=4) == dag
    with pytest.raises(ValueError, match="n_codes=3 does not match the 4 codes"):
        check_dag(graph, n_codes=3)


def test_networkx_subclass_detected():
    nx = pytest.importorskip("networkx")

    class MyGraph(nx.DiGraph):
        pass

    graph = MyGraph([("a", "b")])
    assert check_dag(graph) == LatentDAG({"a": [], "b": ["a"]})


@pytest.mark.parametrize("kind", ["Graph", "MultiGraph"])
def test_networkx_undirected_rejected(kind):
    nx = pytest.importorskip("networkx")
    graph = getattr(nx, kind)([("a", "b")])
    with pytest.raises(TypeError, match=f"undirected {kind}"):
        check_dag(graph)


def test_networkx_cycle_and_bad_nodes():
    nx = pytest.importorskip("networkx")
    with pytest.raises(ValueError, match="cycle"):
        check_dag(nx.DiGraph([("a", "b"), ("b", "a")]))
    with pytest.raises(ValueError, match=_esc("self-loop on 'a'")):
        check_dag(nx.DiGraph([("a", "a")]))
    with pytest.raises(TypeError, match="non-empty strings; got 1"):
        check_dag(nx.DiGraph([(1, 2)]))
    with pytest.raises(ValueError, match="at least one feature"):
        check_dag(nx.DiGraph())


def test_to_networkx_without_networkx(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "networkx" or name.startswith("networkx."):
            raise ImportError("No module named 'networkx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    dag = LatentDAG(STROKE)
    with pytest.raises(ImportError, match="requires networkx"):
        dag.to_networkx()
    # Everything else keeps working without networkx.
    assert check_dag(STROKE) == dag
    with pytest.raises(TypeError, match="not supported"):
        check_dag(3)
