"""The cycle-level schedule of a hwstream design: the cycle at which every loop iteration of every
kernel runs over a few frames, with unbounded streams and with the design's FIFO depths.

The model, all in integer cycles:

* A kernel is the one loop, pipelined at II = 1, of its HLS kernel (bnnir/backends/hls/include/
  bnnir/*.hpp, which follow finn-hlslib's loops; `program` gives each): per frame a fixed
  sequence of iterations, each reading at most one word of the kernel's input stream and
  writing at most one word of its output stream, in the same iterations as the C++ does (the
  tests trace the C simulation's loops). Frames follow each other without a gap, so a kernel's
  iterations per frame are its cycles per frame.
* Iteration i runs at the first cycle t after iteration i − 1 (t ≥ t[i−1] + 1, t ≥ 0) at which
  the word it reads was written before t and, on a stream holding D words, the word w it writes
  has room: the consumer read word w − D before t. Nothing else stalls a kernel.
* The host writes one input word per cycle from cycle 0, held back only by a full input stream;
  the output stream is drained as it is written. A `hwstream.fifo` is the depth of the stream
  into its consumer; a stream without one holds `DEFAULT_DEPTH` words.

Every cycle is then the least solution of inequalities t ≥ t' + 1 between iterations (a chain
of streams holding at least one word cannot deadlock: every inequality relates a word or an
iteration to an earlier one, so the solution exists). Without depth limits they all point
downstream and one pass in stream order solves them, each loop at once: t[i] = i +
max_{j≤i}(e[j] − j), e[j] the cycle its read allows (the unbounded schedule). Depth limits add
inequalities pointing upstream. The bounded schedule starts from the unbounded one and re-solves
loops, sweeping up- and downstream, until a sweep changes nothing: each step is monotone and the
least solution satisfies every loop's inequalities, so the times rise and never past it, and a
sweep that changes nothing has reached it. Sweeps settle quickly when streams are deep; when
kernels stall one another word by word, each sweep settles one more stall, so after `SWEEPS`
sweeps the same least solution is computed event by event instead. Neither has an iteration
limit: the cycles do not depend on `SWEEPS`, only the time taken does.

FIFO depths (`KernelTiming.depth_needed`): the latest schedule with the unbounded schedule's
output cycles (every iteration as late as the outputs allow, none after the unbounded
schedule's end) is feasible once every stream holds the most words waiting in it there. With
at least those depths the bounded schedule lies between the unbounded and that latest one, so
its output cycles, hence latency and cycles per frame, are the unbounded schedule's. The bounded
schedule with these depths then needs only the words waiting in it, usually far fewer (a fast
producer is held back rather than running a frame ahead); those are the depths reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnnir.analysis import cost_model as cm
from bnnir.dialects import hwstream as hw

DEFAULT_DEPTH = 2
"""The words a stream without a FIFO holds (as the HLS backend declares it)."""

FRAMES = 3
"""Frames simulated: the first gives the latency, the last two the steady state."""

SWEEPS = 8
"""Sweeps of whole loops before the bounded schedule is solved event by event instead (the
result is the same; the sweeps are faster when they settle)."""


# ===----------------------------------------------------------------------=== #
# Kernel loops
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Program:
    """A kernel's pipelined loop over some frames: `length` iterations; `reads[r]` is the
    iteration reading input word r, `writes[w]` the one writing output word w (both increasing)."""

    length: int
    reads: np.ndarray
    writes: np.ndarray

    def repeated(self, frames: int) -> Program:
        """The loop run for `frames` frames back to back."""
        starts = np.arange(frames, dtype=np.int64)[:, None] * self.length
        return Program(self.length * frames, (starts + self.reads).ravel(),
                       (starts + self.writes).ravel())


def _steps(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def program(op: hw.KernelOp) -> Program:
    """One frame of the kernel's loop, each iteration reading and writing at most one word."""
    match op:
        case hw.MvtuOp():
            return _mvtu_program(op)
        case hw.WindowOp():
            return _window_program(op)
        case hw.PadOp():
            return _pad_program(op)
        case hw.PoolOp():
            return _pool_program(op)
        case hw.DwcOp():
            return _dwc_program(op)
        case hw.ThresholdOp():
            return Program(op.words_in(), _steps(op.words_in()), _steps(op.words_out()))
        case hw.LabelSelectOp():
            words = op.words_in()
            return Program(words, _steps(words), np.array([words - 1], np.int64))
    raise TypeError(f"no loop model for {op.name}")


def _mvtu_program(op: hw.MvtuOp) -> Program:
    """mvtu.hpp, as finn-hlslib's Matrix_Vector_Activate_Batch: iterations (vector, nf, sf); a
    vector's SF words are read in its first row fold (nf = 0), row fold nf is written at
    sf = SF − 1."""
    sf = op.prop_int("columns") // op.prop_int("simd")
    nf = op.prop_int("rows") // op.prop_int("pe")
    vectors = op.prop_int("vectors")
    per_vector = nf * sf
    reads = (_steps(vectors)[:, None] * per_vector + _steps(sf)[None, :]).ravel()
    writes = (_steps(vectors)[:, None] * per_vector + _steps(nf)[None, :] * sf + sf - 1).ravel()
    return Program(vectors * per_vector, reads, writes)


def _window_program(op: hw.WindowOp) -> Program:
    """window.hpp, as finn-hlslib's ConvolutionInputGenerator: read the first KH rows, then per
    output row a block of max(write, read) iterations that writes the row's OW·KH·KW·F words
    and, alongside, reads the next SH input rows (the rest of the map in the last block).
    FINN's cycles: W·KH·F + OH·max(OW·KH·KW·F, SH·W·F)."""
    (kh, kw), (sh, _) = op.prop_ints("kernel"), op.prop_ints("strides")
    oh, ow = op.output_size()
    row = op.prop_int("width") * op.folds
    first = kh * row
    write_block = ow * kh * kw * op.folds
    block = max(write_block, sh * row)
    writes = (first + _steps(oh)[:, None] * block + _steps(write_block)[None, :]).ravel()
    later = _steps(op.words_in() - first) + first  # words after the first KH rows
    out_row = (later // row - kh) // sh  # the output row whose block reads them
    reads = np.concatenate([_steps(first),
                            first + out_row * block + later - (kh + out_row * sh) * row])
    return Program(first + oh * block, reads, writes)


def _pad_program(op: hw.PadOp) -> Program:
    """pad.hpp, as finn-hlslib's FMPadding: one iteration per output word, reading inside the
    map."""
    top, left, bottom, right = op.prop_ints("pads")
    height, width = op.prop_int("height"), op.prop_int("width")
    y = _steps(height + top + bottom)[:, None, None]
    x = _steps(width + left + right)[None, :, None]
    inside = (y >= top) & (y < top + height) & (x >= left) & (x < left + width)
    inside = np.broadcast_to(inside, (*inside.shape[:2], op.folds)).ravel()
    return Program(len(inside), np.flatnonzero(inside).astype(np.int64), _steps(len(inside)))


def _pool_program(op: hw.PoolOp) -> Program:
    """Our pool (pool.hpp): one iteration per position (y, x) of the cost model's rows × columns,
    reading input pixel (y, x) when it is one, and writing output pixel (oy, ox) at the position
    where its window's last tap arrives: row oy·SH − top + KH − 1 (the same for columns), or,
    for the windows ending at or past the last input row, one row each from the last on."""
    (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
    top, left, _, _ = op.prop_ints("pads")
    height, width = op.prop_int("height"), op.prop_int("width")
    oh, ow = op.output_size()
    columns = cm.pool_extent(width, kw, sw, left, ow)
    rows = cm.pool_extent(height, kh, sh, top, oh)
    y = _steps(height)[:, None]
    x = _steps(width)[None, :]
    reads = (y * columns + x).ravel()
    out_row = _window_ends(height, kh, sh, top, oh)[:, None]
    out_column = _window_ends(width, kw, sw, left, ow)[None, :]
    return Program(rows * columns, reads, (out_row * columns + out_column).ravel())


def _window_ends(size: int, kernel: int, stride: int, pad_before: int, windows: int) -> np.ndarray:
    """Along one pool axis, the position at which each window is written: where its last tap
    is, or, from the first window ending at or past the last input on, one position each from
    the last input on."""
    ends = _steps(windows) * stride - pad_before + kernel - 1
    at_edge = ends >= size - 1
    first = int(np.argmax(at_edge)) if at_edge.any() else windows
    return np.where(at_edge, size - 1 + _steps(windows) - first, ends)


def _dwc_program(op: hw.DwcOp) -> Program:
    """dwc.hpp, a gearbox: one iteration per word on the side with more words. Widening, each
    iteration reads a word and writes an output word when its last lane arrives; narrowing,
    each writes a word and reads an input word when the lanes held run short of the next."""
    lanes_in, lanes_out = op.lanes_in, op.lanes_out
    words_in, words_out = op.words_in(), op.words_out()
    if lanes_out >= lanes_in:
        last_lane = (_steps(words_out) + 1) * lanes_out - 1
        return Program(words_in, _steps(words_in), last_lane // lanes_in)
    return Program(words_out, _steps(words_in) * lanes_in // lanes_out, _steps(words_out))


def _host_program(words: int) -> Program:
    return Program(words, np.empty(0, np.int64), _steps(words))


# ===----------------------------------------------------------------------=== #
# Solving
# ===----------------------------------------------------------------------=== #


def _word_at(length: int, iterations: np.ndarray) -> list[int]:
    """Per iteration, the word it moves (its index in `iterations`), or -1."""
    words = np.full(length, -1, np.int64)
    words[iterations] = _steps(len(iterations))
    return words.tolist()


def _as_early_as_possible(earliest: np.ndarray) -> np.ndarray:
    """t[i] = max(earliest[i], t[i−1] + 1): i + max_{j≤i}(earliest[j] − j)."""
    steps = _steps(len(earliest))
    return steps + np.maximum.accumulate(earliest - steps)


def _as_late_as_possible(latest: np.ndarray) -> np.ndarray:
    """t[i] = min(latest[i], t[i+1] − 1): i + min_{j≥i}(latest[j] − j)."""
    steps = _steps(len(latest))
    return steps + np.minimum.accumulate((latest - steps)[::-1])[::-1]


class Pipeline:
    """The host and the kernels as loops over the frames; stream s runs from unit s to s + 1."""

    def __init__(self, units: list[Program]):
        self.units = units

    def output_writes(self, times: list[np.ndarray]) -> np.ndarray:
        """When each word of the design's output stream is written."""
        return self._writes(times, len(self.units) - 1)

    def _writes(self, times: list[np.ndarray], stream: int) -> np.ndarray:
        return times[stream][self.units[stream].writes]

    def _reads(self, times: list[np.ndarray], stream: int) -> np.ndarray:
        return times[stream + 1][self.units[stream + 1].reads]

    def _solve(self, times: list[np.ndarray], u: int, depth: int | None) -> np.ndarray:
        """Unit u as early as its input stream and, with a `depth`, its output stream allow."""
        unit = self.units[u]
        earliest = np.zeros(unit.length, np.int64)
        if u > 0:
            earliest[unit.reads] = self._writes(times, u - 1) + 1
        if depth is not None and depth < len(unit.writes):
            blocked = unit.writes[depth:]
            room = self._reads(times, u)[:-depth] + 1
            earliest[blocked] = np.maximum(earliest[blocked], room)
        return _as_early_as_possible(earliest)

    def unbounded(self) -> list[np.ndarray]:
        times: list[np.ndarray] = []
        for u in range(len(self.units)):
            times.append(self._solve(times, u, None))
        return times

    def bounded(self, unbounded: list[np.ndarray], depths: list[int]) -> list[np.ndarray]:
        """The least solution with stream s holding depths[s] words.

        Sweeps re-solve whole loops from the unbounded schedule and stop exactly at the least
        solution (module docstring). With streams deep enough that stalls do not chain they stop
        after a few sweeps; when kernels stall one another word by word each sweep settles one
        more link of such a chain, so after `SWEEPS` sweeps `_event_by_event` solves the rest
        instead: the same least solution, in one pass over the iterations."""
        times = list(unbounded)
        last = len(self.units) - 1
        order = [*reversed(range(last)), *range(1, last + 1)]
        for _ in range(SWEEPS):
            changed = False
            for u in order:
                solved = self._solve(times, u, depths[u] if u < last else None)
                if not np.array_equal(solved, times[u]):
                    times[u], changed = solved, True
            if not changed:
                return times
        return self._event_by_event(depths)

    def _event_by_event(self, depths: list[int]) -> list[np.ndarray]:
        """The rules applied iteration by iteration: a loop runs on while the word its next
        iteration reads has been written and the word it writes has room. A blocked loop waits
        until its neighbour moves a word: its producer writes, or its consumer reads (a chain of
        streams holding a word or more cannot deadlock)."""
        units = self.units
        last = len(units) - 1
        read_word = [_word_at(u.length, u.reads) for u in units]
        write_word = [_word_at(u.length, u.writes) for u in units]
        written: list[list[int]] = [[] for _ in units]  # unit u writes stream u
        taken: list[list[int]] = [[] for _ in units]  # unit u reads stream u - 1
        times: list[list[int]] = [[] for _ in units]
        room = [*depths, None]
        ready = list(range(len(units)))
        waiting = [False] * len(units)
        while ready:
            u = ready.pop()
            waiting[u] = False
            unit, cycles, reads, writes = units[u], times[u], read_word[u], write_word[u]
            supply = written[u - 1] if u else []
            drain, depth = (taken[u + 1], room[u]) if u < last else ([], None)
            cycle = cycles[-1] if cycles else -1
            moved_in = moved_out = False
            for i in range(len(cycles), unit.length):
                cycle += 1
                word = reads[i]
                if word >= 0:
                    if word >= len(supply):
                        break
                    cycle = max(cycle, supply[word] + 1)
                out = writes[i]
                if out >= 0 and depth is not None and out >= depth:
                    if out - depth >= len(drain):
                        break
                    cycle = max(cycle, drain[out - depth] + 1)
                cycles.append(cycle)
                if word >= 0:
                    taken[u].append(cycle)
                    moved_in = True
                if out >= 0:
                    written[u].append(cycle)
                    moved_out = True
            for neighbour, moved in ((u - 1, moved_in), (u + 1, moved_out)):
                if moved and 0 <= neighbour <= last and not waiting[neighbour]:
                    waiting[neighbour] = True
                    ready.append(neighbour)
        assert all(len(t) == unit.length for t, unit in zip(times, units, strict=True)), \
            "a chain of streams cannot deadlock"
        return [np.array(t, np.int64) for t in times]

    def latest(self, earliest: list[np.ndarray]) -> list[np.ndarray]:
        """The last unit at its `earliest` times, every iteration before as late as they allow
        and none after the end of `earliest`."""
        end = max(int(t[-1]) for t in earliest)
        times = list(earliest)
        for u in reversed(range(len(self.units) - 1)):
            bound = np.full(self.units[u].length, end, np.int64)
            bound[self.units[u].writes] = self._reads(times, u) - 1
            times[u] = _as_late_as_possible(bound)
        return times

    def occupancy(self, times: list[np.ndarray]) -> list[int]:
        """Per stream, the most words in it when one is written (a word read in the same cycle
        still counts): the depth each stream needs for `times`."""
        depths = []
        for stream in range(len(self.units) - 1):
            writes = self._writes(times, stream)
            read_before = np.searchsorted(self._reads(times, stream), writes, side="left")
            depths.append(int(np.max(_steps(len(writes)) + 1 - read_before)))
        return depths


# ===----------------------------------------------------------------------=== #
# The schedule of a design
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class KernelTiming:
    op: hw.KernelOp
    cycles: int  # iterations of its loop per frame
    depth: int  # words its input stream holds in the design (its FIFO's depth or the default)
    depth_needed: int  # words its input stream must hold for every output to be on time


@dataclass(frozen=True)
class Schedule:
    """Cycles at the design's output; `latency` counts from the first input word to the first
    frame's last output word, cycles per frame are the steady state between the last frames."""

    kernels: list[KernelTiming]
    frames: int
    cycles_per_frame: int  # unbounded streams
    latency: int
    bounded_cycles_per_frame: int  # streams as deep as the design makes them
    bounded_latency: int

    @property
    def short_streams(self) -> list[KernelTiming]:
        """Kernels whose input stream holds fewer words than `depth_needed`."""
        return [k for k in self.kernels if k.depth < k.depth_needed]


def stream_kernels(design: hw.DesignOp) -> list[hw.KernelOp]:
    """The design's kernels in stream order, FIFOs left out (they are stream depths)."""
    return [op for op in design.kernels() if not isinstance(op, hw.FifoOp)]


def stream_depths(kernels: list[hw.KernelOp]) -> list[int]:
    """Words each kernel's input stream holds: its FIFO's depth, else the default."""
    return [op.input.owner.prop_int("depth") if isinstance(op.input.owner, hw.FifoOp)
            else DEFAULT_DEPTH for op in kernels]


def pipeline(design: hw.DesignOp, frames: int = FRAMES) -> Pipeline:
    """The host and the design's kernels (FIFOs left out) as loops over `frames` frames."""
    units = [_host_program(design.input_words()),
             *(program(op) for op in stream_kernels(design))]
    return Pipeline([unit.repeated(frames) for unit in units])


def _needed_depths(pipe: Pipeline, unbounded: list[np.ndarray]) -> list[int]:
    """Stream depths with which the bounded schedule has the unbounded one's outputs: those of
    the latest schedule (module docstring), shrunk to what the bounded schedule with them uses
    (it satisfies these smaller depths, so it is also theirs)."""
    return pipe.occupancy(pipe.bounded(unbounded, pipe.occupancy(pipe.latest(unbounded))))


def fifo_depths(design: hw.DesignOp, frames: int = FRAMES) -> list[int]:
    """Per kernel (FIFOs left out), the words its input stream must hold for the design's
    outputs to come as early as with unbounded streams."""
    pipe = pipeline(design, frames)
    return _needed_depths(pipe, pipe.unbounded())


def _output_timing(pipe: Pipeline, times: list[np.ndarray], frames: int) -> tuple[int, int]:
    """(cycles per frame in steady state, latency) from the last kernel's output words."""
    writes = pipe.output_writes(times)
    per_frame = len(writes) // frames
    ends = writes[per_frame - 1 :: per_frame]
    period = int(ends[-1] - ends[-2]) if frames > 1 else int(ends[0]) + 1
    return period, int(ends[0]) + 1


def simulate(design: hw.DesignOp, frames: int = FRAMES) -> Schedule:
    """The design's schedule over `frames` frames. The bounded one is solved only when a stream
    is shallower than it needs: otherwise its outputs are the unbounded ones (module docstring)."""
    kernels = stream_kernels(design)
    depths = stream_depths(kernels)
    pipe = pipeline(design, frames)
    free = pipe.unbounded()
    needed = _needed_depths(pipe, free)
    period, latency = _output_timing(pipe, free, frames)
    bounded_period, bounded_latency = period, latency  # streams deep enough: the same outputs
    if any(d < n for d, n in zip(depths, needed, strict=True)):
        bounded_period, bounded_latency = _output_timing(pipe, pipe.bounded(free, depths),
                                                         frames)
    timings = [KernelTiming(op, pipe.units[u + 1].length // frames, depths[u], needed[u])
               for u, op in enumerate(kernels)]
    return Schedule(timings, frames, period, latency, bounded_period, bounded_latency)
