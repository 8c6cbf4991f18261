"""Tests of bplib.autograd: every operation's gradient against central differences,
accumulation of gradients, the topological order, an optional PyTorch cross-check and the drawing."""

from __future__ import annotations

import math
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bplib.autograd import Value, topological_order, zero_grad
from bplib.course.plots import draw_graph  # noqa: E402

H = 1e-5  # finite-difference step: the truncation (h**2) and round-off (eps/h) errors balance near here
TOL = 1e-7
FAST = settings(max_examples=40, deadline=None)


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi]; no tiny magnitudes, whose products would underflow to 0."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).filter(lambda v: v == 0 or abs(v) > 1e-100)


def relative_error(a: float, b: float) -> float:
    """|a - b| / (|a| + |b|), and 0 when both are exactly 0."""
    denom = abs(a) + abs(b)
    return 0.0 if denom == 0 else abs(a - b) / denom


def central_difference(f: Callable[..., Value], xs: list[float], i: int, h: float = H) -> float:
    """(f(x + h e_i) - f(x - h e_i)) / 2h, evaluating f on fresh Values."""
    up = [x + h if j == i else x for j, x in enumerate(xs)]
    down = [x - h if j == i else x for j, x in enumerate(xs)]
    return (f(*map(Value, up)).data - f(*map(Value, down)).data) / (up[i] - down[i])


def assert_gradients_match(f: Callable[..., Value], *xs: float, min_grad: float = 0.0) -> None:
    """Backward through f(*Values) gives the central-difference gradient for every input.

    ``min_grad`` skips examples where some gradient is smaller than that (in absolute value)
    without being 0: a gradient that is a near-cancellation of larger terms cannot be matched
    to a *relative* 1e-7 by finite differences (their absolute error is about 1e-11).
    """
    inputs = [Value(x) for x in xs]
    f(*inputs).backward()
    assume(all(v.grad == 0 or abs(v.grad) >= min_grad for v in inputs))
    for i, v in enumerate(inputs):
        numeric = central_difference(f, list(xs), i)
        err = relative_error(v.grad, numeric)
        assert err < TOL, f"input {i}: backward {v.grad!r} vs numeric {numeric!r} (relative error {err:.2e})"


# ---- each operation against central differences -----------------------------------------------
@FAST
@given(floats(-10, 10), floats(-10, 10))
def test_add_sub_mul(a: float, b: float) -> None:
    assert_gradients_match(lambda x, y: x + y, a, b)
    assert_gradients_match(lambda x, y: x - y, a, b)
    assert_gradients_match(lambda x, y: x * y, a, b)


@FAST
@given(floats(-10, 10), floats(0.5, 10), st.booleans())
def test_div(a: float, b: float, negative: bool) -> None:
    assert_gradients_match(lambda x, y: x / y, a, -b if negative else b)


@FAST
@given(floats(0.5, 3), st.sampled_from([-2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3]))
def test_pow(a: float, k: float) -> None:
    assert_gradients_match(lambda x: x**k, a)


@FAST
@given(floats(-3, -0.5), st.sampled_from([-1, 2, 3]))
def test_pow_negative_base_integer_exponent(a: float, k: int) -> None:
    assert_gradients_match(lambda x: x**k, a)


@FAST
@given(floats(-10, 10), floats(-10, 10))
def test_reflected_ops_and_neg(a: float, c: float) -> None:
    assert_gradients_match(lambda x: c + x, a)
    assert_gradients_match(lambda x: c - x, a)
    assert_gradients_match(lambda x: c * x, a)
    assert_gradients_match(lambda x: -x, a)
    if abs(a) >= 0.5:
        assert_gradients_match(lambda x: c / x, a)


@FAST
@given(floats(-5, 5))
def test_exp(a: float) -> None:
    assert_gradients_match(lambda x: x.exp(), a)


@FAST
@given(floats(0.05, 20))
def test_log(a: float) -> None:
    assert_gradients_match(lambda x: x.log(), a)


@FAST
@given(floats(-3, 3))
def test_tanh(a: float) -> None:
    assert_gradients_match(lambda x: x.tanh(), a)


@FAST
@given(floats(-4, 4))
def test_sigmoid(a: float) -> None:
    assert_gradients_match(lambda x: x.sigmoid(), a)


@FAST
@given(floats(-10, 10).filter(lambda x: abs(x) > 1e-3))
def test_relu(a: float) -> None:
    assert_gradients_match(lambda x: x.relu(), a)


@FAST
@given(floats(-2, 2), floats(-2, 2), floats(0.5, 2))
def test_composite_expression(a: float, b: float, c: float) -> None:
    def f(x: Value, y: Value, z: Value) -> Value:
        return ((x * y + z).tanh() + (x - y / z).sigmoid() * z.log() + (0.5 * x).exp()) ** 2 / z

    assert_gradients_match(f, a, b, c, min_grad=1e-3)


# ---- values and edge cases ------------------------------------------------------------------
def test_forward_values_and_repr() -> None:
    a = Value(2.0, label="a")
    assert (a + 3).data == 5.0 and (3 - a).data == 1.0 and (a / 4).data == 0.5 and (1 / a).data == 0.5
    assert (a**3).data == 8.0 and (-a).data == -2.0 and Value(-1.0).relu().data == 0.0
    assert Value(0.0).sigmoid().data == 0.5 and Value(0.0).tanh().data == 0.0
    assert math.isclose(Value(1.0).exp().log().data, 1.0)
    assert repr(a) == "Value(data=2.0000, grad=0.0000, label='a')"


def test_sigmoid_is_stable_for_extreme_inputs() -> None:
    for x in (-1e4, -800.0, 800.0, 1e4):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert 0.0 <= s.data <= 1.0 and math.isfinite(v.grad)
    assert Value(-1e4).sigmoid().data == 0.0 and Value(1e4).sigmoid().data == 1.0


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_raises(x: float) -> None:
    with pytest.raises(ValueError, match="non-positive"):
        Value(x).log()


def test_pow_needs_a_number_and_a_real_result() -> None:
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError):
        Value(-2.0) ** 0.5
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0


# ---- accumulation, order, zero_grad -------------------------------------------------------------
def test_gradients_accumulate_when_a_value_is_used_twice() -> None:
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0  # d(a^2)/da = 2a: one contribution a per use
    b = Value(3.0)
    (b + b).backward()
    assert b.grad == 2.0
    c = Value(-2.0)
    d = c * 3.0
    (d + c).backward()  # c reaches the output along two paths: 3 + 1
    assert c.grad == 4.0


def test_backward_twice_accumulates_and_zero_grad_resets() -> None:
    x = Value(1.5)
    y = x * x + x
    y.backward()
    y.backward()
    assert x.grad == 2 * (2 * 1.5 + 1)
    zero_grad(y)
    assert x.grad == 0.0 and y.grad == 0.0
    y.backward()
    assert x.grad == 2 * 1.5 + 1


def test_topological_order_puts_children_before_parents() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d.tanh() * c + b.exp()
    order = topological_order(e)
    assert order[-1] is e
    assert len(order) == len(set(order))  # each node once, even a and c used twice
    position = {node: i for i, node in enumerate(order)}
    assert set(position) >= {a, b, c, d, e}
    for node in order:
        for child in node._prev:
            assert position[child] < position[node]


def test_long_chain_needs_no_recursion() -> None:
    xs = [Value(0.001 * i) for i in range(5000)]
    total = sum(xs)  # 0 + x0 + x1 + ...: a chain 5000 deep
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_torch_cross_check() -> None:
    torch = pytest.importorskip("torch")

    def expression(a, b, c, ops):
        d = a * b + b**3
        d = d + d * 2 + ops["relu"](b + a)
        e = (c / a - d) * ops["sigmoid"](a) + ops["tanh"](b * c)
        f = ops["log"](c * c + 1.0) - 2.0 / ops["exp"](b) + (-a)
        return f**2 / 10.0

    va, vb, vc = Value(-1.3), Value(0.7), Value(2.1)
    out = expression(va, vb, vc, {k: getattr(Value, k) for k in ("relu", "sigmoid", "tanh", "log", "exp")})
    out.backward()

    ta, tb, tc = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (-1.3, 0.7, 2.1))
    tout = expression(ta, tb, tc, {k: getattr(torch, k) for k in ("relu", "sigmoid", "tanh", "log", "exp")})
    tout.backward()

    assert math.isclose(out.data, tout.item(), rel_tol=1e-12)
    for v, t in ((va, ta), (vb, tb), (vc, tc)):
        assert math.isclose(v.grad, t.grad.item(), rel_tol=1e-10)


# ---- drawing ---------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def test_draw_graph_has_one_text_box_per_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("draw_graph must not call plt.show()"))
    o = _neuron()
    nodes = topological_order(o)
    fig, ax = draw_graph(o)
    assert isinstance(fig, matplotlib.figure.Figure)
    value_texts = [t for t in ax.texts if t.get_gid() == "value"]
    op_texts = [t for t in ax.texts if t.get_gid() == "op"]
    assert len(value_texts) == len(nodes) == 10
    assert len(op_texts) == sum(1 for n in nodes if n._prev) == 5
    assert len(ax.texts) == len(value_texts) + len(op_texts)
    assert any("grad 1.0000" in t.get_text() and "0.7071" in t.get_text() for t in value_texts)
    assert {t.get_text() for t in op_texts} == {"×", "+", "tanh"}
    fig.canvas.draw()  # renders without error


def test_draw_graph_into_axes_with_highlight_and_shared_values() -> None:
    a = Value(-4.0, label="a")
    c = a * a + a  # `a` used three times
    loss = (c / 2).relu() - 1
    loss.backward()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    out_fig, out_ax = draw_graph(loss, ax=axes[1], highlight=c)
    assert out_fig is fig and out_ax is axes[1]
    assert sum(t.get_gid() == "value" for t in out_ax.texts) == len(topological_order(loss))
    _, ax2 = draw_graph(loss, figsize=(5, 2), highlight={a, c})
    assert ax2.figure.get_size_inches().tolist() == [5, 2]
    fig.canvas.draw()


def test_draw_graph_single_value() -> None:
    fig, ax = draw_graph(Value(3.0, label="x"))
    assert [t.get_text() for t in ax.texts] == ["x\ndata 3.0000\ngrad 0.0000"]


def test_two_outputs_sharing_a_subgraph_add_their_gradients() -> None:
    x = Value(0.5)
    shared = x.tanh()
    first, second = shared * 2.0, shared * 3.0
    first.backward()
    second.backward()  # the shared node is not re-sent first's gradient
    assert math.isclose(x.grad, 5.0 * (1 - math.tanh(0.5) ** 2), rel_tol=1e-14)


def test_draw_graph_title_is_not_a_node_text() -> None:
    fig, ax = draw_graph(_neuron(), title="one neuron")
    assert ax.get_title() == "one neuron"
    assert len(ax.texts) == 15  # 10 Values + 5 operations; the title is not in ax.texts
