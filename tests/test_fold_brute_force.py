"""bnn-fold is optimal under the cost model: on small networks, every folding is enumerated and
costed here, apart from bnnir.analysis.folding (its layers, choices and dynamic program are not
used; only the cost model's per-kernel formulas, which are the specification), and the pass's
choice is checked against the best of them: for a throughput target and for a LUT budget, with
and without a part's BRAM18 cap, with folding files fixing some parameters, and with the width
converters between layers counted. Under both cost models: FINN's formulas (the units' own
`cost`) and the measured model (measured_costs.cost of the same units)."""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness
from xdsl.ir import Operation

import models
from bnnir.analysis import cost_model as cm
from bnnir.analysis import measured_costs, targets
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.passes.fold import Fold
from test_hwstream_exact import lowered

CLOCK_MHZ = 100
MODELS = ("finn", "measured")


def price(model: str, unit: object, *args: int) -> cm.Cost:
    """A cost_model unit's cost under a cost model: FINN's is the unit's own formula."""
    if model == "finn":
        return unit.cost(*args)  # type: ignore[attr-defined]
    return measured_costs.cost(unit, *args)


@dataclass(frozen=True)
class Option:
    """One legal folding of one layer, costed kernel by kernel."""

    params: tuple[tuple[str, int], ...]
    lanes_in: int
    lanes_out: int
    cycles: int
    luts: int
    brams: int


def total(costs: list[cm.Cost]) -> tuple[int, int, int]:
    return (max(c.cycles for c in costs), sum(c.luts for c in costs),
            sum(c.brams for c in costs))


def lane_bits(element: object) -> int:
    if isinstance(element, IntegerType) and element.width.data == 1:
        return 1
    assert isinstance(element, IntegerType)
    return element.width.data


def output_bits(op: Operation) -> int:
    """The lane bits a layer writes: a matrix unit without thresholds its 32-bit dot product."""
    if isinstance(op, bnn.Conv2dOp | bnn.DenseOp) and op.thresholds is None:
        return 32
    if isinstance(op, bnn.ArgMaxOp):
        return max(1, (bnn.tensor_type(op.input).get_shape()[1] - 1).bit_length())
    return lane_bits(bnn.tensor_type(op.results[0]).element_type)


def matrix_unit(op: bnn.Conv2dOp | bnn.DenseOp, vectors: int, bits: int) -> cm.MatrixVectorUnit:
    """The layer's unit; its weights' bits are their element type's (the networks here have
    narrow-range integer weights, which a falling row negates within their width)."""
    rows, *fan_in = bnn.tensor_type(op.weights).get_shape()
    element = bnn.tensor_type(op.input).element_type
    signed = isinstance(element, IntegerType) and element.signedness.data == Signedness.SIGNED
    steps = 0 if op.thresholds is None else op.thresholds.get_shape()[1]
    correction = getattr(op, "correction", None)
    classes = 1 if correction is None else math.prod(correction.get_shape()[:4])
    weight_bits = lane_bits(bnn.tensor_type(op.weights).element_type)
    return cm.MatrixVectorUnit(rows, math.prod(fan_in), vectors, bits, signed, steps, classes,
                               weight_bits)


def options(op: Operation, bits: int, model: str) -> Iterator[Option]:
    """Every folding of a layer reading `bits`-bit lanes whose streams fit MAX_STREAM_BITS."""
    out_bits = output_bits(op)
    in_shape = bnn.tensor_type(op.operands[0]).get_shape()
    out_shape = bnn.tensor_type(op.results[0]).get_shape()
    match op:
        case bnn.Conv2dOp():
            (_, c, h, w), (oh, ow) = in_shape, out_shape[2:]
            top, left, bottom, right = op.pad_values
            padded = (h + top + bottom, w + left + right)
            unit = matrix_unit(op, oh * ow, bits)
            window = cm.SlidingWindow(c, padded, (oh, ow), op.kernel_size, op.stride_values[0],
                                      bits)
            for ws, pe, simd in itertools.product(cm.divisors(c), cm.divisors(unit.rows),
                                                  cm.divisors(unit.columns)):
                costs = [price(model, window, ws), price(model, unit, pe, simd)]
                if any(op.pad_values):
                    costs.append(price(model, cm.Padding(c, padded, bits), ws))
                if ws != simd:
                    costs.append(price(model, cm.WidthConverter(
                        ws * bits, simd * bits, oh * ow * unit.columns // ws)))
                if max(ws * bits, simd * bits, pe * out_bits,
                       simd * unit.weight_bits) <= cm.MAX_STREAM_BITS:
                    params = (("pe", pe), ("simd", simd), ("window_simd", ws))
                    yield Option(params, ws, pe, *total(costs))
        case bnn.DenseOp():
            unit = matrix_unit(op, 1, bits)
            for pe, simd in itertools.product(cm.divisors(unit.rows), cm.divisors(unit.columns)):
                if max(simd * bits, pe * out_bits, simd * unit.weight_bits) <= cm.MAX_STREAM_BITS:
                    yield Option((("pe", pe), ("simd", simd)), simd, pe,
                                 *total([price(model, unit, pe, simd)]))
        case bnn.MaxPoolOp():
            (_, c, h, w), (oh, ow) = in_shape, out_shape[2:]
            top, left, _, _ = op.pad_values
            pool = cm.MaxPool(c, (h, w), (oh, ow), op.kernel_values, op.stride_values,
                              (top, left), bits)
            yield Option((), c, c, *total([price(model, pool)]))
        case bnn.PadOp():
            _, c, h, w = out_shape
            for simd in cm.divisors(c):
                cost = price(model, cm.Padding(c, (h, w), bits), simd)
                yield Option((("simd", simd),), simd, simd, *total([cost]))
        case _:
            raise AssertionError(f"no brute force for {op.name}")


@dataclass(frozen=True)
class Layers:
    """A network's layers: their names, options, and the stream into each (lane bits, elements
    per frame), costed under a cost model."""

    names: list[str]
    options: list[list[Option]]
    inputs: list[tuple[int, int]]
    model: str = "finn"

    @property
    def foldings(self) -> int:
        return math.prod(len(o) for o in self.options)


@dataclass(frozen=True, repr=False)
class Table:
    """Every folding of a network (the product of its layers' options, the first layer's
    slowest-varying): per folding, each layer's option and the totals."""

    layers: Layers
    option: np.ndarray  # [foldings, layers]: the option of each layer
    cycles: np.ndarray
    luts: np.ndarray
    brams: np.ndarray

    def index(self, params: tuple[tuple[tuple[str, int], ...], ...]) -> int:
        """The folding whose layers have these parameters."""
        picks = [[o.params for o in options].index(p)
                 for options, p in zip(self.layers.options, params, strict=True)]
        return int(np.ravel_multi_index(picks, [len(o) for o in self.layers.options]))

    def fixing(self, layer: int, key: str, value: int) -> np.ndarray:
        """Which foldings give `layer` this parameter value."""
        has = np.array([(key, value) in o.params for o in self.layers.options[layer]])
        return has[self.option[:, layer]]

    def __repr__(self) -> str:
        return f"Table({len(self.cycles)} foldings of {', '.join(self.layers.names)})"


def layer_ops(module: ModuleOp) -> list[Operation]:
    main = next(op for op in module.ops if isinstance(op, func.FuncOp))
    kinds = (bnn.Conv2dOp, bnn.DenseOp, bnn.MaxPoolOp, bnn.PadOp)
    return [op for op in main.body.block.ops if isinstance(op, kinds)]


def network_layers(module: ModuleOp, model: str = "finn") -> Layers:
    ops = layer_ops(module)
    bits = lane_bits(bnn.tensor_type(ops[0].operands[0]).element_type)
    per_layer, inputs = [], []
    for op in ops:
        inputs.append((bits, math.prod(bnn.tensor_type(op.operands[0]).get_shape()[1:])))
        per_layer.append(list(options(op, bits, model)))
        bits = output_bits(op)
    names = [op.attributes["onnx_node"].data for op in ops]  # type: ignore[union-attr]
    return Layers(names, per_layer, inputs, model)


def every_folding(layers: Layers) -> Table:
    """Each combination of the layers' options, with the width converter streaming conversion
    puts between two layers whose lanes differ (its producer's out, its consumer's in)."""
    sizes = [len(options) for options in layers.options]
    option = np.indices(sizes).reshape(len(sizes), -1).T  # [foldings, layers]
    columns = [np.array([(o.cycles, o.luts, o.brams) for o in options], np.int64)[option[:, i]]
               for i, options in enumerate(layers.options)]
    for i, (lane, elements) in enumerate(layers.inputs[1:]):
        before, after = layers.options[i], layers.options[i + 1]
        converters = np.zeros((len(before), len(after), 3), np.int64)
        for (a, x), (b, y) in itertools.product(enumerate(before), enumerate(after)):
            if x.lanes_out != y.lanes_in:
                dwc = price(layers.model, cm.WidthConverter(x.lanes_out * lane,
                                                            y.lanes_in * lane,
                                                            elements // x.lanes_out))
                converters[a, b] = (dwc.cycles, dwc.luts, dwc.brams)
        columns.append(converters[option[:, i], option[:, i + 1]])
    stacked = np.stack(columns)  # [kernels, foldings, (cycles, LUTs, BRAM18s)]
    return Table(layers, option, stacked[:, :, 0].max(axis=0), stacked[:, :, 1].sum(axis=0),
                 stacked[:, :, 2].sum(axis=0))


def folded(module: ModuleOp) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The parameters bnn-fold annotated on each layer, in Option's order."""
    folds = [op.attributes["fold"] for op in layer_ops(module)]
    assert all(isinstance(fold, bnn.FoldAttr) for fold in folds)
    return tuple(tuple(fold.parameters.items()) for fold in folds)  # type: ignore[union-attr]


def summary(module: ModuleOp) -> tuple[int, int, int]:
    data = module.attributes["bnn.fold"]
    assert isinstance(data, bnn.FoldSummaryAttr)
    return data.max_cycles.data, data.luts.data, data.brams.data


def check_costed_alike(module: ModuleOp, table: Table) -> None:
    """The folding bnn-fold chose is one of the table's, with the totals bnn-fold gives."""
    index = table.index(folded(module))
    assert (table.cycles[index], table.luts[index], table.brams[index]) == summary(module)


def best(table: Table, allowed: np.ndarray) -> tuple[int, int]:
    """(LUTs, then BRAM18s) of the cheapest allowed folding."""
    luts = table.luts[allowed].min()
    return int(luts), int(table.brams[allowed & (table.luts == luts)].min())


# ===----------------------------------------------------------------------=== #
# The networks
# ===----------------------------------------------------------------------=== #


def with_integer_weights(module: ModuleOp, bits: list[int], seed: int) -> None:
    """Replace the weights of the module's matrix layers by random narrow-range integers of
    `bits[i]` bits (1: keep the bipolar ones), layer by layer: multi-bit layers to fold."""
    rng = np.random.default_rng(seed)
    layers = [op for op in layer_ops(module) if isinstance(op, bnn.Conv2dOp | bnn.DenseOp)]
    for op, n in zip(layers, itertools.cycle(bits)):
        if n == 1:
            continue
        top = (1 << (n - 1)) - 1
        shape = bnn.tensor_type(op.weights).get_shape()
        weights = bnn.ConstantOp.from_integers(rng.integers(-top, top + 1, size=shape), n)
        old = op.weights.owner
        assert isinstance(old, bnn.ConstantOp) and old.parent is not None
        old.parent.insert_op_before(weights, old)
        op.operands[1] = weights.result
        if not old.result.uses:
            old.detach()
            old.erase()
    module.verify()


@st.composite
def small_networks(draw: st.DrawFn, cost: str = "finn") -> tuple[ModuleOp, Table]:
    """A lowered random network (convs, pools and a dense layer; or a raw conv whose exact
    padding is an offset table) of at most 50 000 foldings, its matrix layers' weights bipolar
    or integers of 2 to 8 bits, and its table under the cost model `cost`."""
    model, _, input_kind = draw(st.one_of(
        models.random_networks(channels=st.sampled_from([1, 2, 3, 4]), max_size=6, max_pad=1),
        models.raw_conv_networks()))
    module = lowered(model, input_kind)
    weight_bits = draw(st.lists(st.sampled_from([1, 1, 2, 3, 4, 8]), min_size=1, max_size=3),
                       "weight bits")
    with_integer_weights(module, weight_bits, draw(st.integers(0, 99), "seed"))
    layers = network_layers(module, cost)
    assume(layers.foldings <= 50_000)
    return module, every_folding(layers)


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@contextlib.contextmanager
def a_part(brams: int | None) -> Iterator[str | None]:
    """The name of a part with this many BRAM18s (and LUTs without limit); None for None."""
    if brams is None:
        yield None
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(targets.PARTS, "test", targets.Part("test", "test", 10**12, 0, brams, 0))
        yield "test"


# ===----------------------------------------------------------------------=== #
# The tests
# ===----------------------------------------------------------------------=== #


@pytest.mark.parametrize("model", MODELS)
@SETTINGS
@given(data=st.data())
def test_target_mode_is_optimal(model: str, data: st.DataObject) -> None:
    """For a cycle bound (and a part's BRAM18s): no folding meeting it has fewer LUTs, nor as
    few with fewer BRAM18s; and when none meets it, bnn-fold says so."""
    module, table = data.draw(small_networks(model), "network")
    bound = data.draw(st.sampled_from(sorted(set(table.cycles.tolist()))), "bound")
    bound += data.draw(st.integers(0, 3), "slack")
    brams = data.draw(st.one_of(st.none(), st.integers(0, int(table.brams.max()))), "brams")
    allowed = (table.cycles <= bound) & (table.brams <= (brams if brams is not None else 10**9))
    with a_part(brams) as part:
        target = Fold(target_fps=CLOCK_MHZ * 1e6 / (bound + 0.5), clock_mhz=CLOCK_MHZ,
                      part=part, cost=model)
        if not allowed.any():
            with pytest.raises(BnnirError, match=r"^bnn-fold: "):
                target.apply(Context(), module)
            return
        target.apply(Context(), module)
    cycles, luts, used = summary(module)
    assert cycles <= bound and (brams is None or used <= brams)
    assert (luts, used) == best(table, allowed)
    check_costed_alike(module, table)


@pytest.mark.parametrize("model", MODELS)
@SETTINGS
@given(data=st.data())
def test_budget_mode_is_optimal(model: str, data: st.DataObject) -> None:
    """Within a LUT budget (and a part's BRAM18s): no folding is faster, and none as fast is
    cheaper."""
    module, table = data.draw(small_networks(model), "network")
    budget = data.draw(st.integers(int(table.luts.min()) - 50, int(table.luts.max())), "luts")
    brams = data.draw(st.one_of(st.none(), st.integers(0, int(table.brams.max()))), "brams")
    fits = (table.luts <= budget) & (table.brams <= (brams if brams is not None else 10**9))
    with a_part(brams) as part:
        search = Fold(max_luts=budget, clock_mhz=CLOCK_MHZ, part=part, cost=model)
        if not fits.any():
            with pytest.raises(BnnirError, match="no folding fits"):
                search.apply(Context(), module)
            return
        search.apply(Context(), module)
    cycles, luts, used = summary(module)
    fastest = table.cycles[fits].min()
    assert cycles == fastest
    assert (luts, used) == best(table, fits & (table.cycles <= fastest))
    check_costed_alike(module, table)


@pytest.mark.parametrize("model", MODELS)
@SETTINGS
@given(data=st.data())
def test_folding_files_fix_parameters_and_the_rest_is_optimal(
    model: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A folding file fixing one parameter of one layer: the fastest folding with it, and the
    cheapest at that speed."""
    module, table = data.draw(small_networks(model), "network")
    layer = data.draw(st.integers(0, len(table.layers.names) - 1), "layer")
    fixable = sorted({p for option in table.layers.options[layer] for p in option.params})
    assume(fixable)
    key, value = data.draw(st.sampled_from(fixable), "parameter")
    path = tmp_path_factory.mktemp("fold") / "folding.json"
    path.write_text(f'{{"{table.layers.names[layer]}": {{"{key}": {value}}}}}')
    Fold(folding_file=str(path), clock_mhz=CLOCK_MHZ, cost=model).apply(Context(), module)
    allowed = table.fixing(layer, key, value)
    fastest = table.cycles[allowed].min()
    cycles, luts, used = summary(module)
    assert cycles == fastest
    assert (luts, used) == best(table, allowed & (table.cycles <= fastest))
    check_costed_alike(module, table)


def test_converters_and_brams_decide_the_optimum() -> None:
    """The brute force is not vacuous: on this network, at some bound the cheapest choice of
    each layer alone needs converters that the optimum avoids, and some BRAM18 cap excludes the
    fewest-LUT folding but not every folding."""
    model, _ = models.random_bnn(np.random.default_rng(3), depth=2, channels=4, size=6,
                                 kernel=3, pad=1, pool=True, input_kind="ui8")
    layers = network_layers(lowered(model, "ui8"))
    table = every_folding(layers)
    alone_loses = False
    for bound in np.unique(table.cycles):
        alone = [min((o for o in options if o.cycles <= bound),
                     key=lambda o: (o.luts, o.brams), default=None)
                 for options in layers.options]
        if None in alone:
            continue
        index = table.index(tuple(o.params for o in alone))  # type: ignore[union-attr]
        alone_loses |= bool(table.luts[index] > table.luts[table.cycles <= bound].min())
    assert alone_loses
    cheapest = table.luts == table.luts.min()
    assert (table.brams < table.brams[cheapest].min()).any()
