"""The cycle-level schedule is the least solution of its rules (checked against a cycle-by-cycle
simulation of them), its loops respect every data dependence and take the cost model's cycles,
sized FIFOs keep the unbounded schedule's outputs exactly, and the report has the fields scripts
read."""

from __future__ import annotations

import json
from unittest import mock

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.analysis import stream_schedule as ss
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.backends.hls import csim, emit
from bnnir.backends.report import build_report, kernel_names, render_json
from bnnir.dialects import hwstream as hw
from bnnir.examples.reference_networks import FINN_CNV, bnn_pynq_folding, build
from bnnir.interp import hwstream as stream_interp
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold, annotate
from bnnir.passes.size_fifos import SizeFifos
from test_hls_csim import POOLS, map_values, pool_module
from test_hwstream_exact import fold_with, lowered
from test_onnx_exact import PLAIN_ONNX, assert_bit_exact


def design_of(module: ModuleOp) -> hw.DesignOp:
    return next(op for op in module.ops if isinstance(op, hw.DesignOp))


def random_design(network: tuple[onnx.ModelProto, np.ndarray, str], seed: int) -> ModuleOp:
    model, _, input_kind = network
    module = lowered(model, input_kind)
    fold_with(module, "random", np.random.default_rng(seed))
    BnnToHwstream().apply(Context(), module)
    return module


SMALL_NETWORKS = models.random_networks(channels=st.sampled_from([1, 2, 4, 6]), max_size=7)


# ===----------------------------------------------------------------------=== #
# The schedule is the least solution of its rules
# ===----------------------------------------------------------------------=== #


def per_cycle(units: list[ss.Program], depths: list[int | None]) -> list[np.ndarray]:
    """The model's rules applied cycle by cycle: in each cycle every loop runs its next iteration
    if its previous one ran in an earlier cycle, the word it reads was written in an earlier
    cycle, and the word w it writes finds room (the consumer read word w − depth earlier)."""
    never = 1 << 62
    reads = [dict(zip(u.reads.tolist(), range(len(u.reads)), strict=True)) for u in units]
    writes = [dict(zip(u.writes.tolist(), range(len(u.writes)), strict=True)) for u in units]
    written = [[never] * len(u.writes) for u in units]  # stream s is written by unit s
    read = [[never] * len(u.reads) for u in units]  # and read by unit s + 1
    times: list[list[int]] = [[] for _ in units]
    cycle = 0
    while any(len(t) < u.length for t, u in zip(times, units, strict=True)):
        ready = []
        for k, unit in enumerate(units):
            i = len(times[k])
            if i == unit.length or (i and times[k][-1] >= cycle):
                continue
            word = reads[k].get(i)
            if word is not None and written[k - 1][word] >= cycle:
                continue
            word = writes[k].get(i)
            depth = depths[k] if k < len(depths) else None
            if word is not None and depth is not None and word >= depth \
                    and read[k + 1][word - depth] >= cycle:
                continue
            ready.append(k)
        for k in ready:
            i = len(times[k])
            times[k].append(cycle)
            if i in reads[k]:
                read[k][reads[k][i]] = cycle
            if i in writes[k]:
                written[k][writes[k][i]] = cycle
        cycle += 1
    return [np.array(t) for t in times]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1),
       depths=st.lists(st.integers(1, 4), min_size=40, max_size=40))
def test_schedule_is_the_cycle_by_cycle_simulation(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int, depths: list[int],
) -> None:
    pipe = ss.pipeline(design_of(random_design(network, seed)), frames=2)
    free = pipe.unbounded()
    streams = len(pipe.units) - 1
    for got, expected in zip(free, per_cycle(pipe.units, [None] * streams), strict=True):
        np.testing.assert_array_equal(got, expected)
    expected = per_cycle(pipe.units, depths[:streams])
    for sweeps in (0, ss.SWEEPS, 10**9):  # event by event, the default, sweeps alone
        with mock.patch.object(ss, "SWEEPS", sweeps):
            bounded = pipe.bounded(free, depths[:streams])
        for got, want in zip(bounded, expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_bounded_schedule_does_not_depend_on_the_sweep_budget() -> None:
    """2-word streams on cnv_small at 1000 fps chain stalls over many words: sweeps alone, event
    by event and the default mix of the two give the same cycles."""
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    pipe = ss.pipeline(design_of(module))
    free = pipe.unbounded()
    depths = [ss.DEFAULT_DEPTH] * (len(pipe.units) - 1)
    results = []
    for sweeps in (0, 1, ss.SWEEPS, 10**9):
        with mock.patch.object(ss, "SWEEPS", sweeps):
            results.append(pipe.bounded(free, depths))
    for other in results[1:]:
        for got, want in zip(other, results[0], strict=True):
            np.testing.assert_array_equal(got, want)


def test_first_frames_do_not_depend_on_how_many_follow() -> None:
    model, x = models.cnv_small(np.random.default_rng(0))
    module = random_design((model, x, "ui8"), 3)
    design = design_of(module)
    one, *more = (ss.simulate(design, frames) for frames in (1, 2, 3, 5))
    assert len({s.latency for s in (one, *more)}) == 1
    assert len({s.bounded_latency for s in (one, *more)}) == 1
    assert len({s.cycles_per_frame for s in more}) == 1
    assert len({s.bounded_cycles_per_frame for s in more}) == 1


def test_shallow_default_streams_can_cost_throughput() -> None:
    """A sliding window reads its next rows in the same loop iterations that write the current
    row, so with 2-word streams a slow producer before it starves the MVTU after it."""
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    plain = ss.simulate(design_of(module))
    assert plain.cycles_per_frame == max(k.cycles for k in plain.kernels)
    assert plain.bounded_cycles_per_frame > plain.cycles_per_frame
    assert plain.short_streams
    SizeFifos().apply(Context(), module)
    sized = ss.simulate(design_of(module))
    assert (sized.bounded_cycles_per_frame, sized.bounded_latency) == \
        (plain.cycles_per_frame, plain.latency)
    assert not sized.short_streams


# ===----------------------------------------------------------------------=== #
# The loops
# ===----------------------------------------------------------------------=== #


COPYING_KERNELS = (hw.PadOp, hw.WindowOp, hw.PoolOp, hw.DwcOp)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1))
def test_loops_write_no_word_before_reading_what_it_holds(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    """Kernels that move words (pad, window, pool, width converter) are run by the stream
    interpreter on input lanes numbered by their word: each output word's largest number is the
    last input word it holds, which its loop must have read by the iteration writing it."""
    for op in ss.stream_kernels(design_of(random_design(network, seed))):
        loop = ss.program(op)
        assert len(loop.reads) == op.words_in() and len(loop.writes) == op.words_out()
        assert np.all(np.diff(loop.reads) > 0) and np.all(np.diff(loop.writes) > 0)
        assert loop.length == max(loop.reads[-1], loop.writes[-1]) + 1
        if not isinstance(op, COPYING_KERNELS):
            continue
        first = 10  # above any pad value
        numbers = np.repeat(np.arange(op.words_in()) + first, op.lanes_in)
        run = stream_interp.run_dwc if isinstance(op, hw.DwcOp) else \
            {hw.PadOp: stream_interp.run_pad, hw.WindowOp: stream_interp.run_window,
             hw.PoolOp: stream_interp.run_pool}[type(op)]
        held = run(op, numbers.reshape(1, -1, op.lanes_in))[0].max(axis=1) - first
        copied = held >= 0  # not a pad word
        assert np.all(loop.reads[held[copied]] <= loop.writes[copied])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1))
def test_loops_take_the_cost_model_cycles(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    """Every loop is as long as the cost model's cycles."""
    for op in ss.stream_kernels(design_of(random_design(network, seed))):
        assert ss.program(op).length == kernel_cost(op).cycles, op.name


# ===----------------------------------------------------------------------=== #
# Sized FIFOs
# ===----------------------------------------------------------------------=== #


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1))
def test_sized_fifos_keep_the_unbounded_outputs(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    """With hwstream-size-fifos' depths the bounded schedule, solved in full, writes every output
    word in the same cycle as with unbounded streams, also in frames after the 3 it was sized
    over: the same latency and cycles per frame, and those are the slowest loop's cycles."""
    module = random_design(network, seed)
    SizeFifos().apply(Context(), module)
    module.verify()
    design = design_of(module)
    pipe = ss.pipeline(design, frames=6)  # sized over 3 frames; the steady state carries on
    free = pipe.unbounded()
    bounded = pipe.bounded(free, ss.stream_depths(ss.stream_kernels(design)))
    np.testing.assert_array_equal(pipe.output_writes(bounded), pipe.output_writes(free))
    schedule = ss.simulate(design)
    assert schedule.cycles_per_frame == max(kernel_cost(k.op).cycles for k in schedule.kernels)
    assert (schedule.bounded_cycles_per_frame, schedule.bounded_latency) == \
        (schedule.cycles_per_frame, schedule.latency)
    for timing in schedule.kernels:
        fifo = timing.op.input.owner
        if isinstance(fifo, hw.FifoOp):
            assert timing.depth_needed <= fifo.spec.depth
            assert fifo.spec.depth > ss.DEFAULT_DEPTH
        else:
            assert timing.depth_needed <= ss.DEFAULT_DEPTH


def test_finn_cnv_steady_state_matches_the_cost_model() -> None:
    model, _ = build(FINN_CNV)
    module = lowered(model, "ui8")
    folding = bnn_pynq_folding(module)
    picked = folding.choices
    mvtu_cycles = [k.cost.cycles for _, c in picked for k in c.kernels
                   if isinstance(k.spec, hw.MvtuSpec)]
    assert mvtu_cycles == [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 1024]
    annotate(module, folding, 200.0)
    BnnToHwstream().apply(Context(), module)
    SizeFifos().apply(Context(), module)
    schedule = ss.simulate(design_of(module))
    assert abs(schedule.cycles_per_frame - folding.max_cycles) <= 0.05 * folding.max_cycles
    assert schedule.cycles_per_frame == folding.max_cycles
    assert schedule.bounded_cycles_per_frame == folding.max_cycles
    assert schedule.latency > folding.max_cycles


def test_size_fifos_keeps_outputs() -> None:
    model, x = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    expected = run_module(module, x)
    SizeFifos().apply(Context(), module)
    module.verify()
    fifos = [op for op in design_of(module).kernels() if isinstance(op, hw.FifoOp)]
    assert fifos
    assert_bit_exact(run_module(module, x), expected)
    SizeFifos().apply(Context(), module)  # re-sizing replaces, never stacks, FIFOs
    again = [op for op in design_of(module).kernels() if isinstance(op, hw.FifoOp)]
    assert [f.spec.depth for f in again] == [f.spec.depth for f in fifos]
    SizeFifos(min_depth=4).apply(Context(), module)
    deep = [op for op in design_of(module).kernels() if isinstance(op, hw.FifoOp)]
    assert len(deep) == len(ss.stream_kernels(design_of(module)))
    assert all(f.spec.depth >= 4 for f in deep)


# ===----------------------------------------------------------------------=== #
# The report
# ===----------------------------------------------------------------------=== #


@pytest.mark.parametrize("convert", [False, True])
def test_report_fields(convert: bool) -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=5000, clock_mhz=100).apply(Context(), module)
    if convert:
        BnnToHwstream().apply(Context(), module)
        SizeFifos(min_depth=3).apply(Context(), module)
    report = json.loads(render_json(build_report(module)))
    assert list(report) == ["layers", "clock_mhz", "max_cycles", "fps", "latency_cycles",
                            "total_luts", "total_brams", "ideal_cycles", "latency_name",
                            "latency_definition", "latency_bound_cycles", "part", "part_given",
                            "estimates", "legend"]
    assert set(report["legend"]) == set(report["layers"][0])
    kinds = {row["kind"] for row in report["layers"]}
    assert {"pad", "window", "mvtu", "pool"} <= kinds
    for row in report["layers"]:
        assert list(row) == ["name", "kind", "pe", "simd", "cycles", "luts", "brams"]
    names = [row["name"] for row in report["layers"]]
    assert len(set(names)) == len(names)
    assert report["max_cycles"] <= 100e6 / 5000
    assert report["total_luts"] == sum(r["luts"] for r in report["layers"])
    # Two latencies with their own names: the bound (the sum of the kernels' cycles, the same
    # before and after conversion) and, after it, the cycle schedule's, which stays below it.
    kernels = [r for r in report["layers"] if r["kind"] != "fifo"]
    assert report["latency_bound_cycles"] == sum(r["cycles"] for r in kernels)
    assert (report["part"], report["part_given"]) == ("xczu7ev-ffvc1156-2-e", False)
    if convert:
        assert report["latency_name"] == "latency"
        assert isinstance(report["latency_cycles"], int)
        assert report["latency_cycles"] < report["latency_bound_cycles"]
        assert "input->conv2.pad" in names and "conv2.window->mvtu" in names
    else:
        assert report["latency_name"] == "latency bound"
        assert report["latency_cycles"] == report["latency_bound_cycles"]


def test_kernel_names_say_which_stream_a_fifo_is_on() -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=5000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    SizeFifos(min_depth=3).apply(Context(), module)
    names = kernel_names(design_of(module))
    for op, name in names.items():
        if isinstance(op, hw.FifoOp):
            consumer = next(iter(op.output.uses)).operation
            assert name.endswith(names[consumer].split(".")[-1])
    assert len(set(names.values())) == len(names)


def test_gearboxes_between_layers_keep_the_folded_rate() -> None:
    """The audit's case: 5-lane words into a 33-lane dense layer. One gearbox (363 words in, 55
    out) never paces the pipeline: the schedule runs at bnn-fold's bound, as its report says."""
    model, _ = models.random_bnn(np.random.default_rng(870261678), depth=2, channels=15, size=7,
                                 kernel=1, pad=1, pool=False, input_kind="ui8")
    module = lowered(model, "ui8")
    Fold(target_fps=165_400, clock_mhz=100).apply(Context(), module)
    cycles = module.attributes["bnn.fold"].max_cycles.data  # type: ignore[union-attr]
    BnnToHwstream().apply(Context(), module)
    SizeFifos().apply(Context(), module)
    converters = [op for op in design_of(module).kernels() if isinstance(op, hw.DwcOp)]
    assert (5, 33) in {(op.lanes_in, op.lanes_out) for op in converters}
    schedule = ss.simulate(design_of(module))
    assert build_report(module)["max_cycles"] == cycles <= 100e6 / 165_400
    assert schedule.bounded_cycles_per_frame == schedule.cycles_per_frame == cycles
    assert not isinstance(max(schedule.kernels, key=lambda k: k.cycles).op, hw.DwcOp)


# ===----------------------------------------------------------------------=== #
# The loops are the HLS kernels' loops, iteration by iteration
# ===----------------------------------------------------------------------=== #


LOOP_TRACE = r"""// Test hook: as each iteration of a kernel's pipelined loop starts, log the words
// waiting in its input stream (the design's input or the output stream of the loop that ran
// before it) and in its output stream. The C simulation runs the loops one after the other.
#include "bnnir/common.hpp"
#include <cstdio>
#undef BNNIR_TRIP
namespace bnnir_trace {
typedef unsigned long (*size_fn)(void *);
template <class S> unsigned long size_of(void *stream) { return static_cast<S *>(stream)->size(); }
struct Loop { void *out; size_fn size; };
inline Loop &current() { static Loop loop = {0, 0}; return loop; }
inline Loop &previous() { static Loop loop = {0, 0}; return loop; }
template <class S> void input(S &in) {
  current().out = &in;
  current().size = &size_of<S>;
}
template <class S> void iteration(S &out) {
  if (current().out != static_cast<void *>(&out)) {
    previous() = current();
    current().out = &out;
    current().size = &size_of<S>;
    std::fprintf(stderr, "bnnir-loop\n");
  }
  std::fprintf(stderr, "%lu %lu\n", previous().size(previous().out), out.size());
}
}  // namespace bnnir_trace
#define BNNIR_TRIP(out) bnnir_trace::iteration(out)
"""


def traced_project(module: ModuleOp, emit_project=emit.emit_project) -> dict[str, str]:
    files = emit_project(module)
    files["include/bnnir_trace.hpp"] = LOOP_TRACE
    top = files["top.cpp"]
    top = top.replace('#include "top.hpp"\n', '#include "top.hpp"\n#include "bnnir_trace.hpp"\n')
    files["top.cpp"] = top.replace("#pragma HLS DATAFLOW\n",
                                   "#pragma HLS DATAFLOW\n  bnnir_trace::input(in);\n")
    return files


def traced_loops(module: ModuleOp, x: np.ndarray) -> list[np.ndarray]:
    """Per loop of the C simulation (the adapters' included), per iteration: [words in its
    input stream, words in its output stream] as the iteration starts."""
    with mock.patch.object(emit, "emit_project", traced_project):
        _, log = csim.simulate(module, x)
    loops = log.split("bnnir-loop\n")[1:]
    return [np.array([line.split() for line in loop.splitlines()], np.int64) for loop in loops]


def moved(sizes: np.ndarray, after_last: int) -> np.ndarray:
    """The iterations that change a stream's size, from its size as each starts."""
    steps = np.abs(np.diff(np.append(sizes, after_last)))
    assert set(steps.tolist()) <= {0, 1}, "an iteration moves at most one word of a stream"
    return np.flatnonzero(steps)


def check_loops_are_the_kernels(module: ModuleOp, x: np.ndarray) -> None:
    design = design_of(module)
    io = emit.interface(design)
    kernels = ss.stream_kernels(design)
    loops = traced_loops(module, x)
    first = int(io.input.adapted)
    assert len(loops) == first + len(kernels) + int(io.output.adapted)
    for index, op in enumerate(kernels):
        trace = loops[first + index]
        loop = ss.program(op).repeated(len(x))
        assert len(trace) == loop.length, op.name
        after = loops[first + index + 1][0, 0] if first + index + 1 < len(loops) \
            else op.words_out() * len(x)
        np.testing.assert_array_equal(moved(trace[:, 1], after), loop.writes, op.name)
        np.testing.assert_array_equal(moved(trace[:, 0], 0), loop.reads, op.name)


@pytest.mark.parametrize("name", ["cnv_small", "conv_strided", "pool_order_cnv", "mlp_gemm",
                                  "raw_conv_output"])
def test_loops_are_the_hls_kernels_loops(name: str) -> None:
    """The schedule's loop of every kernel reads and writes in the same iterations as the
    kernel's C++ (emitted for a random folding, run by C simulation): the cycles the schedule
    gives are those of the HLS design's loops at II = 1."""
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(7))
    module = lowered(model, input_type)
    fold_with(module, "random", np.random.default_rng(8))
    BnnToHwstream().apply(Context(), module)
    check_loops_are_the_kernels(module, x[:2])


@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{c[0]}-{c[4]}-{c[5]}-{c[6]}")
def test_pool_loops_are_the_hls_pool_loop(case) -> None:
    """Padded pools, windows stacked on the bottom and right edges, strides past the kernel."""
    element, c, h, w = case[:4]
    check_loops_are_the_kernels(pool_module(case),
                                map_values(element, (2, c, h, w), np.random.default_rng(0)))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1))
def test_random_designs_loop_as_their_hls_kernels(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    check_loops_are_the_kernels(random_design(network, seed), network[1][:2])


# ===----------------------------------------------------------------------=== #
# Solving at the moves only is solving at every iteration
# ===----------------------------------------------------------------------=== #


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=SMALL_NETWORKS, seed=st.integers(0, 2**32 - 1),
       depths=st.lists(st.integers(1, 5), min_size=40, max_size=40),
       frames=st.integers(1, 3))
def test_moves_schedule_is_the_word_by_word_schedule(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int, depths: list[int], frames: int,
) -> None:
    """The schedule solved only at the iterations that move a word (what `simulate` and
    `fifo_depths` use) gives every word the cycle the word-by-word reference gives it: unbounded,
    latest, bounded (sweeps and event by event) and the depths needed."""
    design = design_of(random_design(network, seed))
    full = ss.pipeline(design, frames)
    moves = ss.pipeline(design, frames, every_iteration=False)
    streams = len(full.moves) - 1
    free_full, free_moves = full.unbounded(), moves.unbounded()

    def words(pipe: ss.Pipeline, times: list[np.ndarray]) -> list[np.ndarray]:
        return [t[m.reads] for t, m in zip(times, pipe.moves, strict=True)] + \
            [t[m.writes] for t, m in zip(times, pipe.moves, strict=True)]

    def same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
        for x, y in zip(words(full, a), words(moves, b), strict=True):
            np.testing.assert_array_equal(x, y)

    same(free_full, free_moves)
    same(full.latest(free_full), moves.latest(free_moves))
    for sweeps in (0, ss.SWEEPS):
        with mock.patch.object(ss, "SWEEPS", sweeps):
            same(full.bounded(free_full, depths[:streams]),
                 moves.bounded(free_moves, depths[:streams]))
    assert ss._needed_depths(full, free_full) == ss._needed_depths(moves, free_moves)
    schedule = ss.simulate(design, frames)
    assert list(ss.fifo_depths(design, frames)) == [k.depth_needed for k in schedule.kernels]
    assert (schedule.cycles_per_frame, schedule.latency) == \
        ss._output_timing(full, free_full, frames)
    bounded = full.bounded(free_full, ss.stream_depths(ss.stream_kernels(design)))
    assert (schedule.bounded_cycles_per_frame, schedule.bounded_latency) == \
        ss._output_timing(full, bounded, frames)


# ===----------------------------------------------------------------------=== #
# The fast path's figures are the reference's
# ===----------------------------------------------------------------------=== #


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 3, 5]), max_size=14),
       seed=st.integers(0, 2**32 - 1),
       depths=st.lists(st.integers(1, 6), min_size=40, max_size=40),
       frames=st.integers(1, 3), time_type=st.sampled_from([np.int32, np.int64]),
       chunk=st.sampled_from([1, 7, ss._CHUNK]))
def test_fast_figures_are_the_word_by_word_figures(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int, depths: list[int], frames: int,
    time_type: type[np.signedinteger], chunk: int,
) -> None:
    """On random designs (map sizes up to 14, random foldings, random stream depths), what
    `simulate` and `fifo_depths` report, with times in either integer type and occupancy
    counted in chunks of any size, is what the word-by-word reference gives: cycles per frame,
    latency, depths needed, the figures with the design's depths and the streams too
    shallow."""
    design = design_of(random_design(network, seed))
    kernels = ss.stream_kernels(design)
    depths = depths[:len(kernels)]
    ss._SOLVED.clear()
    with mock.patch.object(ss, "_time_type", lambda loops, frames: time_type), \
            mock.patch.object(ss, "stream_depths", lambda kernels: depths), \
            mock.patch.object(ss, "_CHUNK", chunk):
        schedule = ss.simulate(design, frames)
        needed = ss.fifo_depths(design, frames)
    ss._SOLVED.clear()
    full = ss.pipeline(design, frames)
    free = full.unbounded()
    assert (schedule.cycles_per_frame, schedule.latency) == ss._output_timing(full, free, frames)
    assert needed == ss._needed_depths(full, free) == [k.depth_needed for k in schedule.kernels]
    bounded = ss._output_timing(full, full.bounded(free, depths), frames)
    assert (schedule.bounded_cycles_per_frame, schedule.bounded_latency) == bounded
    assert [k.op for k in schedule.short_streams] == \
        [op for op, d, n in zip(kernels, depths, needed, strict=True) if d < n]


def test_times_are_int64_when_a_cycle_may_not_fit_int32() -> None:
    """The int32 times are chosen only when every cycle is below the loops' iterations over
    all frames, and that bound is below 2^31."""
    def loops(length: int) -> list[ss.Program]:
        return [ss.Program(length, np.empty(0, np.int64), np.empty(0, np.int64))] * 2

    assert ss._time_type(loops(1000), 3) is np.int32
    assert ss._time_type(loops(2**31 // 6 - 2), 3) is np.int32
    assert ss._time_type(loops(2**31 // 6 + 1), 3) is np.int64


# ===----------------------------------------------------------------------=== #
# Solving by blocks (periodic pieces) is solving word by word
# ===----------------------------------------------------------------------=== #


def every_word(series: ss.Series) -> np.ndarray:
    return series.at(np.arange(series.size, dtype=np.int64))


def reference_words(pipe: ss.Pipeline, times: list[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
    """Per unit, the cycles of its reads and of its writes (by word)."""
    return [(t[m.reads], t[m.writes]) for t, m in zip(times, pipe.moves, strict=True)]


def assert_same_words(solved: list[ss.Solved], expected: list[tuple[np.ndarray, ...]],
                      units: range | None = None) -> None:
    for u in units if units is not None else range(len(solved)):
        np.testing.assert_array_equal(every_word(solved[u].reads), expected[u][0], f"unit {u}")
        np.testing.assert_array_equal(every_word(solved[u].writes), expected[u][1], f"unit {u}")


def compare_block_solver(loops: list[list[ss.Block]], frames: int, depths: list[int]) -> None:
    """Every schedule the block solver makes (unbounded, latest, bounded with `depths` and with
    the latest schedule's depths, the depths needed, the output figures) is the word-by-word
    reference's, word for word."""
    reference = ss._pipeline([ss.expand(loop) for loop in loops], frames, every_iteration=True)
    pipe = ss.BlockPipeline([loop * frames for loop in loops])
    free, free_ref = pipe.unbounded(), reference.unbounded()
    assert_same_words(free, reference_words(reference, free_ref))
    assert pipe.output_timing(free, frames) == ss._output_timing(reference, free_ref, frames)
    assert [s.last_cycle for s in free] == [int(t[-1]) for t in free_ref]  # every iteration
    latest, latest_ref = pipe.latest(free), reference.latest(free_ref)
    assert_same_words(latest, reference_words(reference, latest_ref), range(len(loops) - 1))
    assert pipe.occupancy(latest) == reference.latest_occupancy(free_ref)
    for wanted in (depths, reference.latest_occupancy(free_ref)):
        try:
            bounded = pipe.bounded(free, wanted)
        except ss._NotSettled:  # simulate and fifo_depths fall back to the moves' solver
            continue
        bounded_ref = reference.bounded(free_ref, wanted)
        assert_same_words(bounded, reference_words(reference, bounded_ref))
        assert pipe.occupancy(bounded) == reference.occupancy(bounded_ref)


@st.composite
def block_loops(draw: st.DrawFn) -> list[list[ss.Block]]:
    """A host and 1 to 4 loops of random blocks: each a prologue, a repeated stretch and an
    epilogue with random reads and writes, the reads adding up to the words before it."""

    def offsets(length: int, n: int) -> np.ndarray:
        return np.sort(np.array(draw(st.permutations(range(length)))[:n], np.int64))

    def stretch(count: int, reads: int, writes: int) -> ss.Block:
        length = draw(st.integers(max(reads, writes, 1), max(reads, writes, 1) + 3))
        return ss.Block(count, length, offsets(length, reads), offsets(length, writes))

    words = draw(st.integers(1, 40))
    loops = [[ss.Block(words, 1, ss._NONE, ss._FIRST)]]
    for _ in range(draw(st.integers(1, 4))):
        per_read = draw(st.integers(0, 3))
        count = draw(st.integers(0, words // per_read if per_read else 12))
        first = draw(st.integers(0, words - count * per_read))
        writes = [draw(st.integers(0, 3)) for _ in range(3)]
        loop = [stretch(1, first, writes[0]), stretch(count, per_read, writes[1]),
                stretch(1, words - first - count * per_read, writes[2])]
        loop = [b for b in loop if b.count]
        words = sum(b.count * len(b.writes) for b in loop)
        if words == 0:
            break
        loops.append(loop)
    return loops


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loops=block_loops(), frames=st.integers(1, 3),
       depths=st.lists(st.integers(1, 5), min_size=5, max_size=5),
       batch=st.sampled_from([1, 2, 3, 8, 1 << 16]))
def test_block_solver_is_the_word_by_word_solver_on_random_loops(
    loops: list[list[ss.Block]], frames: int, depths: list[int], batch: int,
) -> None:
    """Random row patterns, periodic or not, and batches of any size (so that jumps are tried
    after a few moves, and refused where a pattern does not repeat)."""
    assume(len(loops) > 1)
    with mock.patch.object(ss, "_FIRST_BATCH", batch), mock.patch.object(ss, "_BATCH", batch):
        compare_block_solver(loops, frames, depths[: len(loops) - 1])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 3, 5]), max_size=14),
       seed=st.integers(0, 2**32 - 1),
       depths=st.lists(st.integers(1, 6), min_size=40, max_size=40),
       frames=st.integers(1, 3), batch=st.sampled_from([1, 4, 32, 1 << 16]))
def test_block_solver_is_the_word_by_word_solver_on_random_designs(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int, depths: list[int], frames: int,
    batch: int,
) -> None:
    """Random designs (random foldings, pads, pools, maps up to 14x14): the blocks are the
    kernels' loops, and their schedules are the reference's word for word."""
    design = design_of(random_design(network, seed))
    loops = ss._block_loops(design)
    for op, loop in zip(ss.stream_kernels(design), loops[1:], strict=True):
        expanded, expected = ss.expand(loop), ss.program(op)
        assert expanded.length == expected.length, op.name
        np.testing.assert_array_equal(expanded.reads, expected.reads, op.name)
        np.testing.assert_array_equal(expanded.writes, expected.writes, op.name)
    with mock.patch.object(ss, "_FIRST_BATCH", batch), mock.patch.object(ss, "_BATCH", batch):
        compare_block_solver(loops, frames, depths[: len(loops) - 1])


@pytest.mark.parametrize("name", ["conv_strided", "pool_order_cnv", "cnv_small"])
def test_blocks_are_the_loops_of_strided_and_pooled_designs(name: str) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, _ = build(np.random.default_rng(7))
    module = lowered(model, input_type)
    fold_with(module, "random", np.random.default_rng(8))
    BnnToHwstream().apply(Context(), module)
    for op in ss.stream_kernels(design_of(module)):
        expanded, expected = ss.expand(ss.blocks(op)), ss.program(op)
        assert expanded.length == expected.length, op.name
        np.testing.assert_array_equal(expanded.reads, expected.reads, op.name)
        np.testing.assert_array_equal(expanded.writes, expected.writes, op.name)


@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{c[0]}-{c[4]}-{c[5]}-{c[6]}")
def test_pool_blocks_are_the_pool_loop(case) -> None:
    design = design_of(pool_module(case))
    loops = ss._block_loops(design)
    for op, loop in zip(ss.stream_kernels(design), loops[1:], strict=True):
        expanded, expected = ss.expand(loop), ss.program(op)
        np.testing.assert_array_equal(expanded.reads, expected.reads, op.name)
        np.testing.assert_array_equal(expanded.writes, expected.writes, op.name)
    with mock.patch.object(ss, "_FIRST_BATCH", 2), mock.patch.object(ss, "_BATCH", 2):
        compare_block_solver(loops, 2, [1] * (len(loops) - 1))


def test_large_maps_cost_their_rows_not_their_words() -> None:
    """A 1x1 conv on a 3x2000x2000 map (12 million words a frame, 3 frames): the schedule holds
    a few explicit rows per loop and frame, the rest as periodic pieces."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "schedule_large_maps.py"
    spec = importlib.util.spec_from_file_location("schedule_large_maps", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    _, design = bench.streaming_design(bench.pointwise(2000), 2, 200)
    pipe = ss.BlockPipeline([loop * ss.FRAMES for loop in ss._block_loops(design)])
    free = pipe.unbounded()
    for solved in free:
        for series in (solved.reads, solved.writes):
            explicit = sum(len(b) for b, c in zip(series.bodies, series.counts, strict=True)
                           if c == 1)
            assert explicit <= 0.02 * series.size + 1


def test_unsettled_sweeps_fall_back_to_the_moves_solver() -> None:
    """With no sweeps allowed the block solver gives up on the bounded schedules, and the
    moves' solver (event by event) gives the same figures and depths as the reference."""
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    design = design_of(module)
    ss._SOLVED.clear()
    expected = ss.simulate(design)
    ss._SOLVED.clear()
    with mock.patch.object(ss, "SWEEPS", 0):
        fallen_back = ss.simulate(design)
    ss._SOLVED.clear()
    assert fallen_back == expected
    assert expected.bounded_cycles_per_frame > expected.cycles_per_frame  # a bounded schedule
    full = ss.pipeline(design)
    free = full.unbounded()
    assert [k.depth_needed for k in expected.kernels] == ss._needed_depths(full, free)
    bounded = full.bounded(free, ss.stream_depths(ss.stream_kernels(design)))
    assert (expected.bounded_cycles_per_frame, expected.bounded_latency) == \
        ss._output_timing(full, bounded, ss.FRAMES)
