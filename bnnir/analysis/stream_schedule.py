"""A word-level schedule of a hwstream design over a few frames: when each word leaves each
kernel, hence the steady-state cycles per frame, the first frame's latency and how many words
wait in each stream.

Each kernel writes its M output words per frame at its initiation interval II = cycles / M (the
cost model's cycles per frame), and word j no earlier than one cycle after the last input word it
depends on has arrived:  t[j] = max(t[j-1] + II, arrival[need[j]] + 1),  computed for all words
at once as  t[j] = j·II + max_{i<=j}(arrival[need[i]] + 1 − i·II).  The host supplies one input
word per cycle. FIFOs are unbounded here, so nothing stalls: that run gives the latency and the
steady-state cycles per frame. In steady state backpressure paces every kernel at the pipeline's
period P, so a second run with II = P / M per kernel gives the words that wait in each stream:
the depth its FIFO needs so that no kernel stalls. Sliding windows and pools keep their own line
buffers, so they take their input words as they arrive.
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


@dataclass(frozen=True)
class Schedule:
    kernels: list[StreamTiming]
    frames: int
    cycles_per_frame: float  # steady state, at the output
    latency: float  # from the first input word to the first frame's last output word

    @property
    def bottleneck(self) -> StreamTiming:
        return max(self.kernels, key=lambda k: k.cycles)


def _waiting(writes: np.ndarray, reads: np.ndarray) -> int:
    """The most words written and not yet read at any time (reads at a write's time count)."""
    times = np.concatenate([writes, reads])
    deltas = np.concatenate([np.ones(len(writes), np.int64), -np.ones(len(reads), np.int64)])
    order = np.lexsort((deltas, times))  # at equal times, reads (-1) first
    return int(np.max(np.cumsum(deltas[order]), initial=0))


def simulate(design: hw.DesignOp, frames: int = 3) -> Schedule:
    free = _run(design, frames, period=None)
    last = free[-1].times
    per_frame = len(last) // frames
    ends = last[per_frame - 1 :: per_frame]
    period = float(ends[-1] - ends[-2]) if frames > 1 else float(ends[0])
    paced = _run(design, frames, period=max(t.cycles for t in free))
    kernels = [StreamTiming(f.op, f.cycles, f.times, p.waiting)
               for f, p in zip(free, paced, strict=True)]
    return Schedule(kernels, frames, period, float(ends[0]) + 1)


def _run(design: hw.DesignOp, frames: int, period: int | None) -> list[StreamTiming]:
    """Each kernel at its own cycles per frame, or all paced at `period` cycles per frame."""
    first = design.kernels()[0]
    arrival = np.arange(first.words_in() * frames, dtype=np.float64)  # one word per cycle
    if period is not None:
        arrival = arrival * period / first.words_in()
    timings = []
    for op in design.kernels():
        cycles = kernel_cost(op).cycles
        pace = cycles if period is None else period
        need_frame = needed_input(op)
        out_words, in_words = len(need_frame), op.words_in()
        offsets = np.repeat(np.arange(frames) * in_words, out_words)
        need = np.tile(need_frame, frames) + offsets
        ready = np.where(need >= np.repeat(np.arange(frames) * in_words, out_words),
                         arrival[np.maximum(need, 0)] + 1, 0.0)
        ii = pace / out_words
        steps = np.arange(out_words * frames) * ii
        times = steps + np.maximum.accumulate(ready - steps)
        if isinstance(op, hw.WindowOp | hw.PoolOp):
            reads = arrival  # into the kernel's own line buffer
        else:
            first_user = np.searchsorted(need, np.arange(len(arrival)))
            reads = np.maximum(arrival, times[np.minimum(first_user, len(times) - 1)] - ii)
        timings.append(StreamTiming(op, cycles, times, _waiting(arrival, reads)))
        arrival = times
    return timings
