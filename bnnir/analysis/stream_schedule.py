"""A word-level schedule of a hwstream design over a few frames: when each word leaves each
kernel, hence the steady-state cycles per frame, the first frame's latency and how many words
wait in each stream.

Each kernel writes its M output words per frame at its initiation interval II = cycles / M (the
cost model's cycles per frame), and word j no earlier than one cycle after the last input word it
depends on has arrived:  t[j] = max(t[j-1] + II, arrival[need[j]] + 1),  computed for all words
at once as  t[j] = j·II + max_{i<=j}(arrival[need[i]] + 1 − i·II).  A matrix-vector unit follows
finn-hlslib's loop exactly: one iteration per cycle, reading a vector's words in its first row
fold. The host supplies one input word per cycle.

Three runs: with unbounded FIFOs (the ideal latency and cycles per frame); paced, every kernel at
the pipeline's period P as backpressure makes it in steady state, which gives the words waiting
in each stream, hence FIFO depths with which no kernel stalls; and bounded, each stream holding
at most its FIFO's depth (2 without one) so that a producer writes word j only after its
consumer has read word j − depth, iterated until the times settle. Sliding windows and pools
keep their own line buffers, so they take their input words as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.dialects import hwstream as hw


def _map_word(op: hw.KernelOp, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Index of the last word of pixel (row, col) of the op's input map."""
    width, folds = op.prop_int("width"), op.prop_int("channels") // op.prop_int("simd")
    return (rows * width + cols + 1) * folds - 1


def needed_input(op: hw.KernelOp) -> np.ndarray:
    """For each output word of one frame, the last input word it depends on (non-decreasing)."""
    out_words = op.words_out()
    match op:
        case hw.MvtuOp():
            sf = op.prop_int("columns") // op.prop_int("simd")
            nf = op.prop_int("rows") // op.prop_int("pe")
            vector = np.arange(out_words) // nf
            need = (vector + 1) * sf - 1
        case hw.WindowOp():
            (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
            oh, ow = op.output_size()
            per_pixel = out_words // (oh * ow)
            pixel = np.arange(out_words) // per_pixel
            oy, ox = pixel // ow, pixel % ow
            need = _map_word(op, oy * sh + kh - 1, ox * sw + kw - 1)
        case hw.PoolOp():
            (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
            top, left, _, _ = op.prop_ints("pads")
            _, ow = op.output_size()
            pixel = np.arange(out_words)
            rows = np.clip(pixel // ow * sh + kh - 1 - top, 0, op.prop_int("height") - 1)
            cols = np.clip(pixel % ow * sw + kw - 1 - left, 0, op.prop_int("width") - 1)
            need = _map_word(op, rows, cols)
        case hw.PadOp():
            top, left, _, right = op.prop_ints("pads")
            height, width = op.prop_int("height"), op.prop_int("width")
            folds = op.prop_int("channels") // op.prop_int("simd")
            pixel = np.arange(out_words) // folds
            y, x = pixel // (width + left + right) - top, pixel % (width + left + right) - left
            inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
            need = np.where(inside, (y * width + x) * folds + np.arange(out_words) % folds, -1)
        case hw.DwcOp():
            need = -(-(np.arange(out_words) + 1) * op.lanes_out // op.lanes_in) - 1
        case hw.LabelSelectOp():
            need = np.full(out_words, op.words_in() - 1)
        case _:
            need = np.arange(out_words)
    return np.maximum.accumulate(np.maximum(need, -1))


@dataclass(frozen=True)
class StreamTiming:
    """One kernel's output words over the simulated frames."""

    op: hw.KernelOp
    cycles: int
    times: np.ndarray  # when each output word is written
    waiting: int  # the most words waiting in its input stream
    reads: np.ndarray  # when each input word is taken off its stream


@dataclass(frozen=True)
class Schedule:
    kernels: list[StreamTiming]
    frames: int
    cycles_per_frame: float  # steady state, at the output, with unbounded FIFOs
    latency: float  # from the first input word to the first frame's last output word
    bounded_cycles_per_frame: float  # steady state with the design's FIFO depths
    bounded_latency: float

    @property
    def bottleneck(self) -> StreamTiming:
        return max(self.kernels, key=lambda k: k.cycles)


def _waiting(writes: np.ndarray, reads: np.ndarray) -> int:
    """The most words written and not yet read at any time (reads at a write's time count)."""
    times = np.concatenate([writes, reads])
    deltas = np.concatenate([np.ones(len(writes), np.int64), -np.ones(len(reads), np.int64)])
    order = np.lexsort((deltas, times))  # at equal times, reads (-1) first
    return int(np.max(np.cumsum(deltas[order]), initial=0))


def _ends(times: np.ndarray, frames: int) -> tuple[float, float]:
    """(steady-state cycles per frame, first frame's end) from the last kernel's word times."""
    per_frame = len(times) // frames
    ends = times[per_frame - 1 :: per_frame]
    period = float(ends[-1] - ends[-2]) if frames > 1 else float(ends[0])
    return period, float(ends[0]) + 1


def simulate(design: hw.DesignOp, frames: int = 3) -> Schedule:
    kernels = [op for op in design.kernels() if not isinstance(op, hw.FifoOp)]
    free = _run(kernels, frames, period=None)
    period, latency = _ends(free[-1].times, frames)
    paced = _run(kernels, frames, period=max(t.cycles for t in free))
    bounded = _bounded_run(kernels, frames, _capacities(kernels))
    bounded_period, bounded_latency = _ends(bounded[-1].times, frames)
    timings = [StreamTiming(f.op, f.cycles, f.times, p.waiting, f.reads)
               for f, p in zip(free, paced, strict=True)]
    return Schedule(timings, frames, period, latency, bounded_period, bounded_latency)


DEFAULT_DEPTH = 2
"""The depth of a stream without a FIFO (as the HLS backend declares it)."""


def _capacities(kernels: list[hw.KernelOp]) -> list[int]:
    """Words each kernel's input stream holds: its FIFO's depth, else the default."""
    capacities = []
    for op in kernels:
        producer = op.input.owner
        capacities.append(producer.prop_int("depth") if isinstance(producer, hw.FifoOp)
                          else DEFAULT_DEPTH)
    return capacities


def _run(kernels: list[hw.KernelOp], frames: int, period: float | None,
         bounds: list[np.ndarray | None] | None = None) -> list[StreamTiming]:
    """Each kernel at its own cycles per frame (or all paced at `period`), writing no word
    before its lower bound in `bounds` (backpressure), with unbounded FIFOs otherwise."""
    first = kernels[0]
    arrival = np.arange(first.words_in() * frames, dtype=np.float64)  # one word per cycle
    if period is not None:
        arrival = arrival * period / first.words_in()
    timings = []
    for index, op in enumerate(kernels):
        cycles = kernel_cost(op).cycles
        pace = cycles if period is None else period
        need_frame = needed_input(op)
        out_words, in_words = len(need_frame), op.words_in()
        offsets = np.repeat(np.arange(frames) * in_words, out_words)
        need = np.tile(need_frame, frames) + offsets
        ready = np.where(need >= offsets, arrival[np.maximum(need, 0)] + 1, 0.0)
        bound = None if bounds is None else bounds[index]
        if isinstance(op, hw.MvtuOp) and period is None:
            times, reads = _mvtu_iterations(op, arrival, frames, bound)
        else:
            if bound is not None:
                ready = np.maximum(ready, bound)
            ii = pace / out_words
            steps = np.arange(out_words * frames) * ii
            times = steps + np.maximum.accumulate(ready - steps)
            reads = _reads(op, arrival, need, times, ii)
        timings.append(StreamTiming(op, cycles, times, _waiting(arrival, reads), reads))
        arrival = times
    return timings


def _mvtu_iterations(op: hw.MvtuOp, arrival: np.ndarray, frames: int,
                     bound: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """finn-hlslib's schedule: one iteration per cycle over vectors × NF × SF; the SF words of a
    vector are read in its first NF pass, a row fold is written after its last column fold."""
    sf = op.prop_int("columns") // op.prop_int("simd")
    nf = op.prop_int("rows") // op.prop_int("pe")
    vectors = op.prop_int("vectors") * frames
    iteration = np.arange(vectors * nf * sf)
    v, fold, column = iteration // (nf * sf), iteration // sf % nf, iteration % sf
    reading = fold == 0
    earliest = np.full(len(iteration), -np.inf)
    earliest[reading] = arrival[v[reading] * sf + column[reading]] + 1
    writing = column == sf - 1
    if bound is not None:
        earliest[writing] = np.maximum(earliest[writing], bound)
    times = iteration + np.maximum.accumulate(np.maximum(earliest - iteration, 0.0))
    return times[writing], times[reading]


def _reads(op: hw.KernelOp, arrival: np.ndarray, need: np.ndarray, times: np.ndarray,
           ii: float) -> np.ndarray:
    """When the kernel takes each input word off its stream."""
    if isinstance(op, hw.WindowOp | hw.PoolOp):
        return arrival  # into the kernel's own line buffer
    if isinstance(op, hw.MvtuOp):  # paced runs: a vector's words just before its first output
        sf = op.prop_int("columns") // op.prop_int("simd")
        nf = op.prop_int("rows") // op.prop_int("pe")
        word = np.arange(len(arrival))
        return np.maximum(arrival, times[(word // sf) * nf] - sf + word % sf)
    first_user = np.searchsorted(need, np.arange(len(arrival)))
    return np.maximum(arrival, times[np.minimum(first_user, len(times) - 1)] - ii)


def _bounded_run(kernels: list[hw.KernelOp], frames: int,
                 capacities: list[int]) -> list[StreamTiming]:
    """The schedule when a stream holds at most its capacity: a producer writes word j only
    after its consumer has read word j − capacity. Iterated until the times settle."""
    bounds: list[np.ndarray | None] = [None] * len(kernels)
    timings = _run(kernels, frames, None, bounds)
    for _ in range(4 * len(kernels) + 8):
        changed = False
        for index in range(len(kernels) - 1):
            reads = timings[index + 1].reads
            capacity = capacities[index + 1]
            bound = np.zeros(len(timings[index].times))
            bound[capacity:] = reads[: len(bound) - capacity]
            old = bounds[index]
            if old is None or np.any(bound > old):
                bounds[index] = bound if old is None else np.maximum(old, bound)
                changed = True
        if not changed:
            break
        timings = _run(kernels, frames, None, bounds)
    return timings
