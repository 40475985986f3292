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

Cost: rows, not words (issue 15). A loop is held as blocks (`blocks`): a stretch of
iterations repeated, with the iterations in it that read and write (a map's row, a vector, the
rows from one pool window to the next), so it costs its rows. A stream's cycles are held as a
`Series`: explicit pieces, and periodic pieces (one period's cycles, repeated, each period
`shift` cycles later). `solve_blocks` solves a loop a batch of repeats at a time, t = pos +
max(start, cummax(e − pos)) with e the cycles its waits allow, and after each batch tries to
jump. Let a unit be the fewest repeats whose words make a whole number of periods of each
wait's periodic piece there, and s the cycles the batch's last unit took. The scan is
shift-invariant: if every wait's cycles rise by exactly s per unit over the units ahead, the
next unit is the last one s cycles later, and so on by induction. A wait rising by less than s
per unit keeps that too if the last unit's cycles are the same without it (then it only falls
further behind, and the next unit is squeezed between the same unit with that wait removed and
with it risen by s, both the last unit plus s); rising by more, it refuses. So the units ahead,
as far as the block and every wait's periodic piece reach, are one periodic piece, found
without solving them; anything else is solved batch by batch, word by word, exactly. Batches
start short and double, so a jump comes within a unit or two of where a periodic stretch
begins, and a `Series` joins explicit cycles that repeat a periodic piece into it, so that the
next loop finds the stretch where it starts. The latest schedule is the earliest schedule of
the loop run backwards with negated cycles, by the same solver; the bounded schedule's sweeps
compare `Series`; a stream's occupancy over a periodic piece of writes is counted over its first
periods only where the reads around rise by the same cycles per the same words (`_occupancy`),
else word by word. Where the sweeps do not settle within `SWEEPS`, the moves' solver takes over
(below). A 1x1 conv on a 3x2000x2000 map, 1.2 billion moves over three frames: 261 s and 3.3 GB
word by word (moves only), well under a second by blocks.

The moves' solver, the fallback and the reference's shape: an iteration that moves no word
runs one cycle after the iteration before it, so times are solved at the iterations that read
or write only (`Moves`), in numpy scans over every frame's moves (O(words moved): about 4
bytes per word moved for two schedules), int32 when every cycle fits (`_time_type`). When the
sweeps of its bounded schedule do not settle it solves event by event (`_event_by_event`).
Solving at every iteration (`pipeline(..., every_iteration=True)`) is the word-by-word
reference the tests compare both solvers with. The unbounded schedule's figures and depths
depend on the loops alone, so a design's are solved once for hwstream-size-fifos, the report
and `bnn-run --cycles`.

FIFO depths (`KernelTiming.depth_needed`): the latest schedule with the unbounded schedule's
output cycles (every iteration as late as the outputs allow, none after the unbounded
schedule's end) is feasible once every stream holds the most words waiting in it there. With
at least those depths the bounded schedule lies between the unbounded and that latest one, so
its output cycles, hence latency and cycles per frame, are the unbounded schedule's. The bounded
schedule with these depths then needs only the words waiting in it, usually far fewer (a fast
producer is held back rather than running a frame ahead); those are the depths reported.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from bnnir.analysis import cost_model as cm
from bnnir.dialects import hwstream as hw

DEFAULT_DEPTH = 2
"""The words a stream without a FIFO holds (as the HLS backend declares it)."""

FRAMES = 3
"""Frames simulated: the first gives the latency, the last two the steady state."""

_CHUNK = 1 << 20
"""Words counted at once when measuring a stream's occupancy."""

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
    spec = op.spec
    sf, nf, vectors = spec.columns // spec.simd, spec.rows // spec.pe, spec.vectors
    per_vector = nf * sf
    reads = (_steps(vectors)[:, None] * per_vector + _steps(sf)[None, :]).ravel()
    writes = (_steps(vectors)[:, None] * per_vector + _steps(nf)[None, :] * sf + sf - 1).ravel()
    return Program(vectors * per_vector, reads, writes)


def _window_program(op: hw.WindowOp) -> Program:
    """window.hpp, as finn-hlslib's ConvolutionInputGenerator: read the first KH rows, then per
    output row a block of max(write, read) iterations that writes the row's OW·KH·KW·F words
    and, alongside, reads the next SH input rows (the rest of the map in the last block).
    FINN's cycles: W·KH·F + OH·max(OW·KH·KW·F, SH·W·F)."""
    spec = op.spec
    (kh, kw), (sh, _) = spec.kernel, spec.strides
    oh, ow = spec.output_size()
    row = spec.width * spec.folds
    first = kh * row
    write_block = ow * kh * kw * spec.folds
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
    spec = op.spec
    top, left, bottom, right = spec.pads
    height, width = spec.height, spec.width
    y = _steps(height + top + bottom)[:, None, None]
    x = _steps(width + left + right)[None, :, None]
    inside = (y >= top) & (y < top + height) & (x >= left) & (x < left + width)
    inside = np.broadcast_to(inside, (*inside.shape[:2], spec.folds)).ravel()
    return Program(len(inside), np.flatnonzero(inside).astype(np.int64), _steps(len(inside)))


def _pool_program(op: hw.PoolOp) -> Program:
    """Our pool (pool.hpp): one iteration per position (y, x) of the cost model's rows × columns,
    reading input pixel (y, x) when it is one, and writing output pixel (oy, ox) at the position
    where its window's last tap arrives: row oy·SH − top + KH − 1 (the same for columns), or,
    for the windows ending at or past the last input row, one row each from the last on."""
    spec = op.spec
    (kh, kw), (sh, sw) = spec.kernel, spec.strides
    top, left, _, _ = spec.pads
    height, width = spec.height, spec.width
    oh, ow = spec.output_size()
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
# Kernel loops as repeated blocks
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Block:
    """`count` repeats of a stretch of `length` iterations that reads the next input word at the
    iterations `reads` of each repeat and writes the next output word at `writes` (offsets in
    the stretch, increasing). A loop is a list of blocks: the same loop as its `Program`, in
    space that grows with its map's rows, not its words."""

    count: int
    length: int
    reads: np.ndarray
    writes: np.ndarray

    def reversed(self) -> Block:
        """The block run backwards (the latest schedule is solved as an earliest one in reverse)."""
        return Block(self.count, self.length, (self.length - 1 - self.reads)[::-1],
                     (self.length - 1 - self.writes)[::-1])


_NONE = np.empty(0, np.int64)
_FIRST = np.zeros(1, np.int64)


def blocks(op: hw.KernelOp) -> list[Block]:
    """One frame of the kernel's loop (`program`) as blocks."""
    match op:
        case hw.MvtuOp():
            found = _mvtu_blocks(op)
        case hw.WindowOp():
            found = _window_blocks(op)
        case hw.PadOp():
            found = _pad_blocks(op)
        case hw.PoolOp():
            found = _pool_blocks(op)
        case hw.DwcOp():
            found = _dwc_blocks(op)
        case hw.ThresholdOp():
            found = [Block(op.words_in(), 1, _FIRST, _FIRST)]
        case hw.LabelSelectOp():
            found = [Block(op.words_in() - 1, 1, _FIRST, _NONE), Block(1, 1, _FIRST, _FIRST)]
        case _:
            raise TypeError(f"no loop model for {op.name}")
    return [b for b in found if b.count > 0 and b.length > 0]


def _mvtu_blocks(op: hw.MvtuOp) -> list[Block]:
    """A vector per repeat; a single vector (a dense layer) split into its reading iterations
    and its row folds, so that a long input is read in repeats of one iteration."""
    spec = op.spec
    sf, nf = spec.columns // spec.simd, spec.rows // spec.pe
    if spec.vectors > 1:
        return [Block(spec.vectors, nf * sf, _steps(sf), _steps(nf) * sf + sf - 1)]
    return [Block(sf - 1, 1, _FIRST, _NONE), Block(1, 1, _FIRST, _FIRST),
            Block(nf - 1, sf, _NONE, np.array([sf - 1], np.int64))]


def _window_blocks(op: hw.WindowOp) -> list[Block]:
    """The first KH rows a word per iteration, then a block per output row (`_window_program`)."""
    spec = op.spec
    (kh, kw), (sh, _) = spec.kernel, spec.strides
    oh, ow = spec.output_size()
    row = spec.width * spec.folds
    write_block = ow * kh * kw * spec.folds
    block = max(write_block, sh * row)
    rest = op.words_in() - kh * row - (oh - 1) * sh * row  # read in the last output row's block
    return [Block(kh * row, 1, _FIRST, _NONE),
            Block(oh - 1, block, _steps(sh * row), _steps(write_block)),
            Block(1, block, _steps(rest), _steps(write_block))]


def _pad_blocks(op: hw.PadOp) -> list[Block]:
    spec = op.spec
    top, left, bottom, right = spec.pads
    row = (spec.width + left + right) * spec.folds
    return [Block(top * row, 1, _NONE, _FIRST),
            Block(spec.height, row, left * spec.folds + _steps(spec.width * spec.folds),
                  _steps(row)),
            Block(bottom * row, 1, _NONE, _FIRST)]


def _pool_blocks(op: hw.PoolOp) -> list[Block]:
    """Position rows (`_pool_program`), repeating ones gathered."""
    spec = op.spec
    (kh, kw), (sh, sw) = spec.kernel, spec.strides
    top, left, _, _ = spec.pads
    oh, ow = spec.output_size()
    columns = cm.pool_extent(spec.width, kw, sw, left, ow)
    rows = cm.pool_extent(spec.height, kh, sh, top, oh)
    writing = set(_window_ends(spec.height, kh, sh, top, oh).tolist())
    out_columns = _window_ends(spec.width, kw, sw, left, ow)
    reads = _steps(spec.width)
    return _gathered([Block(1, columns, reads if y < spec.height else _NONE,
                            out_columns if y in writing else _NONE) for y in range(rows)])


def _gathered(rows: list[Block], longest: int = 8) -> list[Block]:
    """Single-repeat blocks with runs of a repeating pattern (up to `longest` blocks) gathered
    into one block repeated."""
    keys = [(b.length, b.reads.tobytes(), b.writes.tobytes()) for b in rows]
    found: list[Block] = []
    i = 0
    while i < len(rows):
        period, repeats = 1, 1
        for p in range(1, longest + 1):
            n = 1
            while keys[i + n * p : i + (n + 1) * p] == keys[i : i + p]:
                n += 1
            if n > 1 and n * p > period * repeats:
                period, repeats = p, n
        found.append(_joined(rows[i : i + period], repeats))
        i += period * repeats
    return found


def _joined(parts: list[Block], count: int) -> Block:
    starts = np.cumsum([0] + [b.length for b in parts])
    return Block(count, int(starts[-1]),
                 np.concatenate([b.reads + s for b, s in zip(parts, starts, strict=False)]),
                 np.concatenate([b.writes + s for b, s in zip(parts, starts, strict=False)]))


def _dwc_blocks(op: hw.DwcOp) -> list[Block]:
    """The gearbox's lane pattern repeats every lcm(lanes in, lanes out) lanes (`_dwc_program`)."""
    lanes_in, lanes_out = op.lanes_in, op.lanes_out
    words_in, words_out = op.words_in(), op.words_out()
    lanes = int(np.lcm(lanes_in, lanes_out))
    per_in, per_out = lanes // lanes_in, lanes // lanes_out
    whole = min(words_in // per_in, words_out // per_out)
    tail_in, tail_out = words_in - whole * per_in, words_out - whole * per_out
    if lanes_out >= lanes_in:
        def writes(first: int, n: int) -> np.ndarray:
            return ((_steps(n) + first + 1) * lanes_out - 1) // lanes_in
        return [Block(whole, per_in, _steps(per_in), writes(0, per_out)),
                Block(1, tail_in, _steps(tail_in),
                      writes(whole * per_out, tail_out) - whole * per_in)]

    def reads(first: int, n: int) -> np.ndarray:
        return (_steps(n) + first) * lanes_in // lanes_out
    return [Block(whole, per_out, reads(0, per_in), _steps(per_out)),
            Block(1, tail_out, reads(whole * per_in, tail_in) - whole * per_out,
                  _steps(tail_out))]


def expand(loop: list[Block]) -> Program:
    """The loop the blocks repeat, iteration by iteration (what the tests compare with
    `program`)."""
    reads, writes, start = [], [], 0
    for b in loop:
        starts = start + _steps(b.count)[:, None] * b.length
        reads.append((starts + b.reads).ravel())
        writes.append((starts + b.writes).ravel())
        start += b.count * b.length
    return Program(start, np.concatenate([_NONE, *reads]), np.concatenate([_NONE, *writes]))


# ===----------------------------------------------------------------------=== #
# Solving
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Moves:
    """A loop reduced to the iterations that move a word, the only ones that can stall: one
    that moves none runs one cycle after the iteration before it. `positions` are those
    iterations (increasing); `reads[r]` and `writes[w]` index into them. Times are solved at
    these positions only, so a schedule costs the words moved, not the loop's iterations (an
    MVTU computes nf·sf iterations per vector but moves sf + nf words).

    Only one frame's moves are stored (`frame_*`): the frames' are made when asked for, one loop
    at a time, so a schedule holds the times and one frame of indices rather than every frame's."""

    frame_length: int
    frame_positions: np.ndarray
    frame_reads: np.ndarray
    frame_writes: np.ndarray
    frames: int = 1

    @staticmethod
    def of(program: Program, every_iteration: bool = False,
           dtype: type[np.signedinteger] = np.int64) -> Moves:
        """The moves of `program`, indices and positions in `dtype`; with `every_iteration`,
        every iteration is a position (the word-by-word reference)."""
        if every_iteration:
            return Moves(program.length, _steps(program.length), program.reads, program.writes)
        moving = np.zeros(program.length, bool)  # one byte per iteration of one frame
        moving[program.reads] = True
        moving[program.writes] = True
        if moving.all():  # the positions are the iterations, no search needed
            return Moves(program.length, _steps(program.length).astype(dtype),
                         program.reads.astype(dtype), program.writes.astype(dtype))
        positions = np.flatnonzero(moving).astype(dtype)
        del moving
        return Moves(program.length, positions,
                     np.searchsorted(positions, program.reads).astype(dtype),
                     np.searchsorted(positions, program.writes).astype(dtype))

    def repeated(self, frames: int) -> Moves:
        """The loop run for `frames` frames back to back (of a one-frame loop)."""
        assert self.frames == 1
        return Moves(self.frame_length, self.frame_positions, self.frame_reads,
                     self.frame_writes, frames)

    @property
    def length(self) -> int:
        return self.frame_length * self.frames

    @property
    def count(self) -> int:
        """Positions over all frames."""
        return len(self.frame_positions) * self.frames

    @property
    def dtype(self) -> np.dtype:
        return self.frame_positions.dtype

    @property
    def positions(self) -> np.ndarray:
        return self._tiled(self.frame_positions, self.frame_length)

    @property
    def reads(self) -> np.ndarray:
        return self._tiled(self.frame_reads, len(self.frame_positions))

    @property
    def writes(self) -> np.ndarray:
        return self._tiled(self.frame_writes, len(self.frame_positions))

    def _tiled(self, part: np.ndarray, step: int) -> np.ndarray:
        if self.frames == 1:
            return part
        dtype = part.dtype
        starts = np.arange(self.frames, dtype=dtype)[:, None] * dtype.type(step)
        return (starts + part).ravel()

    def last_cycle(self, times: np.ndarray) -> int:
        """When the last iteration runs: after the last move, one cycle per iteration."""
        last = int(self.frame_positions[-1]) + (self.frames - 1) * self.frame_length
        return int(times[-1]) + self.length - 1 - last


def _word_at(count: int, moves: np.ndarray) -> list[int]:
    """Per position, the word it moves (its index in `moves`), or -1."""
    words = np.full(count, -1, np.int64)
    words[moves] = _steps(len(moves))
    return words.tolist()


def _as_early_as_possible(earliest: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """t[k] = max(earliest[k], t[k−1] + positions[k] − positions[k−1]), t[k] ≥ positions[k]:
    positions + max_{j≤k}(earliest[j] − positions[j]). Computed in `earliest`'s memory."""
    np.subtract(earliest, positions, out=earliest)
    np.maximum(earliest, 0, out=earliest)
    np.maximum.accumulate(earliest, out=earliest)
    earliest += positions
    return earliest


def _as_late_as_possible(latest: np.ndarray, positions: np.ndarray, slack: int) -> np.ndarray:
    """t[k] = min(latest[k], t[k+1] − (positions[k+1] − positions[k])), every t − position at
    most `slack` (the loop's last iteration ending in time): positions + min_{j≥k}(latest[j] −
    positions[j], slack). Computed in `latest`'s memory."""
    np.subtract(latest, positions, out=latest)  # in `latest`'s memory, as the early one
    backwards = latest[::-1]
    np.minimum.accumulate(backwards, out=backwards)
    np.minimum(latest, slack, out=latest)
    latest += positions
    return latest


_Times = TypeVar("_Times")


def _sweep(times: list[_Times], solve: Callable[[int, int | None], _Times], depths: list[int],
           same: Callable[[_Times, _Times], bool]) -> bool:
    """Re-solve loops in place (`solve(u, depth of its output stream or None)`) until none
    changes, alternating backward and forward passes; a loop is re-solved only after a
    neighbour changed. True when settled within `SWEEPS` sweeps."""
    last = len(times) - 1
    order = [*reversed(range(last)), *range(1, last + 1)]
    stale = [True] * (last + 1)
    for _ in range(SWEEPS):
        changed = False
        for u in order:
            if not stale[u]:
                continue
            stale[u] = False
            solved = solve(u, depths[u] if u < last else None)
            if not same(solved, times[u]):
                times[u], changed = solved, True
                for neighbour in (u - 1, u + 1):
                    if 0 <= neighbour <= last:
                        stale[neighbour] = True
        if not changed:
            return True
    return False

class Pipeline:
    """The host and the kernels as loops over the frames; stream s runs from unit s to s + 1.

    Times are solved at each loop's `moves`; `units` are the loops themselves when the moves are
    every iteration (`pipeline(..., every_iteration=True)`, the reference the tests compare
    with)."""

    def __init__(self, moves: list[Moves], units: list[Program] | None = None):
        self.moves = moves
        self.units = units or []

    def output_writes(self, times: list[np.ndarray]) -> np.ndarray:
        """When each word of the design's output stream is written."""
        return self._writes(times, len(self.moves) - 1)

    def _writes(self, times: list[np.ndarray], stream: int) -> np.ndarray:
        return times[stream][self.moves[stream].writes]

    def _reads(self, times: list[np.ndarray], stream: int) -> np.ndarray:
        return times[stream + 1][self.moves[stream + 1].reads]

    def _solve(self, times: list[np.ndarray], u: int, depth: int | None) -> np.ndarray:
        """Unit u as early as its input stream and, with a `depth`, its output stream allow."""
        unit = self.moves[u]
        earliest = np.zeros(unit.count, unit.dtype)
        if u > 0:
            earliest[unit.reads] = self._writes(times, u - 1) + 1
        if depth is not None and depth < len(unit.frame_writes) * unit.frames:
            blocked = unit.writes[depth:]
            room = self._reads(times, u)[:-depth] + 1
            earliest[blocked] = np.maximum(earliest[blocked], room)
        return _as_early_as_possible(earliest, unit.positions)

    def unbounded(self) -> list[np.ndarray]:
        times: list[np.ndarray] = []
        for u in range(len(self.moves)):
            times.append(self._solve(times, u, None))
        return times

    def bounded(self, unbounded: list[np.ndarray], depths: list[int]) -> list[np.ndarray]:
        """The least solution with stream s holding depths[s] words.

        Sweeps re-solve whole loops from the unbounded schedule and stop exactly at the least
        solution (module docstring). With streams deep enough that stalls do not chain they stop
        after a few sweeps; when kernels stall one another word by word each sweep settles one
        more link of such a chain, so after `SWEEPS` sweeps `_event_by_event` solves the rest
        instead: the same least solution, in one pass over the moves."""
        times = list(unbounded)
        if _sweep(times, lambda u, bound: self._solve(times, u, bound), depths,
                  lambda a, b: bool(np.array_equal(a, b))):
            return times
        return self._event_by_event(depths)

    def _event_by_event(self, depths: list[int]) -> list[np.ndarray]:
        """The rules applied move by move: a loop runs on while the word its next move reads
        has been written and the word it writes has room. A blocked loop waits until its
        neighbour moves a word: its producer writes, or its consumer reads (a chain of streams
        holding a word or more cannot deadlock)."""
        units = self.moves
        last = len(units) - 1
        read_word = [_word_at(u.count, u.reads) for u in units]
        write_word = [_word_at(u.count, u.writes) for u in units]
        positions = [u.positions.tolist() for u in units]
        written: list[list[int]] = [[] for _ in units]  # unit u writes stream u
        taken: list[list[int]] = [[] for _ in units]  # unit u reads stream u - 1
        times: list[list[int]] = [[] for _ in units]
        room = [*depths, None]
        ready = list(range(len(units)))
        waiting = [False] * len(units)
        while ready:
            u = ready.pop()
            waiting[u] = False
            cycles, reads, writes, at = times[u], read_word[u], write_word[u], positions[u]
            supply = written[u - 1] if u else []
            drain, depth = (taken[u + 1], room[u]) if u < last else ([], None)
            cycle = cycles[-1] if cycles else -1
            moved_in = moved_out = False
            for i in range(len(cycles), len(at)):
                cycle += at[i] - (at[i - 1] if i else -1)
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
        assert all(len(t) == unit.count for t, unit in zip(times, units, strict=True)), \
            "a chain of streams cannot deadlock"
        return [np.array(t, u.dtype) for t, u in zip(times, units, strict=True)]

    def latest(self, earliest: list[np.ndarray]) -> list[np.ndarray]:
        """The last unit at its `earliest` times, every iteration before as late as they allow
        and none after the end of `earliest`."""
        times = list(earliest)
        for u, solved in self._latest_units(earliest):
            times[u] = solved
        return times

    def latest_occupancy(self, earliest: list[np.ndarray]) -> list[int]:
        """`occupancy(latest(earliest))`, holding two loops' latest times at a time."""
        depths = [0] * (len(self.moves) - 1)
        after = earliest[-1]
        for u, solved in self._latest_units(earliest):
            depths[u] = self._occupancy(solved, after, u)
            after = solved
        return depths

    def _latest_units(self, earliest: list[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        """The latest times of each unit but the last, from the last but one upstream."""
        end = max(unit.last_cycle(t) for unit, t in zip(self.moves, earliest, strict=True))
        after = earliest[-1]
        for u in reversed(range(len(self.moves) - 1)):
            unit = self.moves[u]
            bound = np.full(unit.count, end, unit.dtype)
            bound[unit.writes] = after[self.moves[u + 1].reads] - 1
            after = _as_late_as_possible(bound, unit.positions, end - (unit.length - 1))
            yield u, after

    def occupancy(self, times: list[np.ndarray]) -> list[int]:
        """Per stream, the most words in it when one is written (a word read in the same cycle
        still counts): the depth each stream needs for `times`."""
        return [self._occupancy(times[s], times[s + 1], s) for s in range(len(self.moves) - 1)]

    def _occupancy(self, writer: np.ndarray, reader: np.ndarray, stream: int) -> int:
        """Words in the stream when word w is written: w + 1 minus those read before; counted
        a chunk of words at a time (the counts are 8 bytes a word)."""
        writes = writer[self.moves[stream].writes]
        reads = reader[self.moves[stream + 1].reads]
        most = 0
        for start in range(0, len(writes), _CHUNK):
            read_before = np.searchsorted(reads, writes[start : start + _CHUNK], side="left")
            read_before -= _steps(len(read_before)) + start + 1
            most = max(most, -int(np.min(read_before)))
        return most


# ===----------------------------------------------------------------------=== #
# Solving by blocks: times as periodic pieces
# ===----------------------------------------------------------------------=== #


NEVER = -(1 << 62)
"""No constraint: below every cycle."""

_BATCH = 1 << 16
"""Moves solved at once, at least (a repeat's moves when more), once batches have grown from
`_FIRST_BATCH`."""

_FIRST_BATCH = 1 << 8
"""Moves in a block's first batch, and in the first after a wait's piece ends."""

_ABSORBED = 64
"""Periods of explicit values compared with a periodic piece beside them."""

_LARGEST_UNIT = 1 << 22
"""The most moves in a repeating unit solved in one batch to try a jump (a longer unit is
solved batch by batch, exactly)."""


class Series:
    """An integer sequence over [0, size) in pieces: a piece holds `count` periods of its
    `body` (one period's values), each period `shift` above the one before; an explicit piece
    is one period. Times of a stream's words are held so: explicit where they were solved,
    periodic where a loop's schedule was proved to repeat."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self._bodies: list[np.ndarray] = []
        self._joining: list[np.ndarray] = []  # the last explicit piece's parts, joined when read
        self.counts: list[int] = []
        self.shifts: list[int] = []
        self.size = 0
        self._index: tuple[np.ndarray, ...] | None = None

    def append(self, body: np.ndarray, count: int = 1, shift: int = 0) -> None:
        """Add `count` periods of `body`. Pieces are kept as long as they go: explicit values
        join an explicit piece before them, and whole periods that repeat a periodic piece
        (before or after it) join it, so that a loop reading these times finds the periodic
        stretch where it starts."""
        body = np.asarray(body, np.int64)
        if count == 0 or len(body) == 0:
            return
        self.size += len(body) * count
        self._index = None
        if count > 1:
            body, count = self._absorb_before(body, count, shift)
        elif self.counts and self.counts[-1] > 1:
            body = self._absorb_after(body)
        if count == 0 or len(body) == 0:
            return
        if count == 1 and self.counts and self.counts[-1] == 1:
            self._joining.append(body)
            return
        self._join()
        self.starts.append(self.size - len(body) * count)
        self._bodies.append(body)
        self.counts.append(count)
        self.shifts.append(shift)
        self._joining = [body] if count == 1 else []

    def _absorb_before(self, body: np.ndarray, count: int, shift: int) -> tuple[np.ndarray, int]:
        """Move the explicit piece's last values into the periodic piece while they repeat it
        (looking back at most `_ABSORBED` periods)."""
        if not self.counts or self.counts[-1] != 1:
            return body, count
        explicit = self.bodies[-1]
        period = len(body)
        periods = min(len(explicit) // period, _ABSORBED)
        tail = explicit[len(explicit) - periods * period :].reshape(periods, period)
        expected = body - shift * _steps(periods)[::-1, None] - shift
        same = np.all(tail == expected, axis=1)[::-1]  # from the last period back
        taken = int(np.argmin(same)) if not same.all() else periods
        if taken == 0:
            return body, count
        if taken * period == len(explicit):
            for part in (self.starts, self._bodies, self.counts, self.shifts):
                part.pop()
            self._joining = []
        else:
            self._bodies[-1] = explicit[: len(explicit) - taken * period]
            self._joining = [self._bodies[-1]]
        return body - taken * shift, count + taken

    def _absorb_after(self, body: np.ndarray) -> np.ndarray:
        """Count the leading periods of explicit `body` that continue the periodic piece in it
        (at most `_ABSORBED`)."""
        last, shift, count = self._bodies[-1], self.shifts[-1], self.counts[-1]
        period = len(last)
        periods = min(len(body) // period, _ABSORBED)
        head = body[: periods * period].reshape(periods, period)
        same = np.all(head == last + shift * (_steps(periods)[:, None] + count), axis=1)
        taken = int(np.argmin(same)) if not same.all() else periods
        self.counts[-1] += taken
        return body[taken * period :]

    def _join(self) -> None:
        if len(self._joining) > 1:
            self._bodies[-1] = np.concatenate(self._joining)
            self._joining = [self._bodies[-1]]

    @property
    def bodies(self) -> list[np.ndarray]:
        self._join()
        return self._bodies

    def pieces(self) -> Iterator[tuple[int, np.ndarray, int, int]]:
        return zip(self.starts, self.bodies, self.counts, self.shifts, strict=True)

    def mapped(self, add: int = 0, negate: bool = False) -> Series:
        """add + (−)self."""
        out = Series()
        for _, body, count, shift in self.pieces():
            out.append(add - body if negate else add + body, count, -shift if negate else shift)
        return out

    def reflected(self) -> Series:
        """i -> −self[size − 1 − i] (a stream's times seen from its end)."""
        out = Series()
        for _, body, count, shift in reversed(list(self.pieces())):
            out.append(-body[::-1] - (count - 1) * shift, count, shift)
        return out

    def _arrays(self) -> tuple[np.ndarray, ...]:
        if self._index is None:
            periods = np.array([len(b) for b in self.bodies], np.int64)
            offsets = np.concatenate([[0], np.cumsum(periods)[:-1]]).astype(np.int64)
            self._index = (np.array(self.starts, np.int64), periods, offsets,
                           np.array(self.shifts, np.int64), np.concatenate([_NONE, *self.bodies]),
                           np.array([b[0] for b in self.bodies], np.int64))
        return self._index

    def at(self, index: np.ndarray) -> np.ndarray:
        starts, periods, offsets, shifts, flat, _ = self._arrays()
        piece = np.searchsorted(starts, index, side="right") - 1
        offset = index - starts[piece]
        period = periods[piece]
        repeat = offset // period
        return flat[offsets[piece] + offset - repeat * period] + repeat * shifts[piece]

    def piece_at(self, i: int) -> int:
        return bisect.bisect_right(self.starts, i) - 1

    def stop(self, piece: int) -> int:
        return self.starts[piece] + len(self.bodies[piece]) * self.counts[piece]

    def step_shift(self, lo: int, hi: int, step: int) -> int | None:
        """d with self[i + step] = self[i] + d for every i in [lo, hi − step), when one
        periodic piece holds [lo, hi) and `step` is a whole number of its periods; else None."""
        piece = self.piece_at(lo)
        period = len(self.bodies[piece])
        if self.counts[piece] == 1 or hi > self.stop(piece) or step % period:
            return None
        return self.shifts[piece] * (step // period)

    def count_below(self, times: np.ndarray) -> np.ndarray:
        """Per time (increasing), the values below it (of an increasing sequence)."""
        *_, firsts = self._arrays()
        piece = np.searchsorted(firsts, times, side="left") - 1
        found = np.zeros(len(times), np.int64)
        cuts = np.flatnonzero(np.diff(piece)) + 1
        for lo, hi in itertools.pairwise([0, *cuts.tolist(), len(times)]):
            p = int(piece[lo])
            if p < 0:
                continue
            t = times[lo:hi]
            body, count, shift = self.bodies[p], self.counts[p], self.shifts[p]
            repeat = np.zeros_like(t) if count == 1 else \
                np.minimum((t - body[0]) // shift, count - 1)
            found[lo:hi] = self.starts[p] + repeat * len(body) + \
                np.searchsorted(body, t - repeat * shift, side="left")
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Series) or other.size != self.size:
            return False
        cuts = sorted({*self.starts, *other.starts, self.size})
        for lo, hi in itertools.pairwise(cuts):
            step = np.lcm(*(len(s.bodies[s.piece_at(lo)]) for s in (self, other)))
            shifts = {s.step_shift(lo, hi, int(step)) for s in (self, other)}
            if None in shifts or len(shifts) > 1 or hi - lo <= 2 * step:
                for first in range(lo, hi, _CHUNK):  # compare every value
                    index = np.arange(first, min(hi, first + _CHUNK))
                    if not np.array_equal(self.at(index), other.at(index)):
                        return False
            elif not np.array_equal(*(s.at(np.arange(lo, lo + step)) for s in (self, other))):
                return False
        return True

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Solved:
    """A loop's schedule: the cycles of its reads (by input word) and writes (by output word),
    and of its last iteration."""

    reads: Series
    writes: Series
    last_cycle: int


@dataclass(frozen=True)
class Wait:
    """A rule of the loop: the move reading (`on_reads`) or writing word w runs after cycle
    `times`[w − offset] (no rule below `offset`)."""

    on_reads: bool
    times: Series
    offset: int = 0


class _Moves:
    """A block's moves in one repeat: iteration offsets and the read and write among them."""

    def __init__(self, block: Block):
        self.block = block
        self.offsets = np.union1d(block.reads, block.writes).astype(np.int64)
        self.reading = np.isin(self.offsets, block.reads)
        self.writing = np.isin(self.offsets, block.writes)
        self.words = (len(block.reads), len(block.writes))

    def count(self, on_reads: bool) -> int:
        return self.words[0 if on_reads else 1]

    def mask(self, on_reads: bool) -> np.ndarray:
        return self.reading if on_reads else self.writing


def solve_blocks(loop: list[Block], waits: list[Wait], start: int = 0) -> Solved:
    """Every move of the loop at the first cycle t ≥ pos + start after the move before (one
    cycle per iteration between) that its waits allow: t = pos + max(start,
    cummax(e − pos)), solved a batch of repeats at a time.

    Jumps: after a batch, let a unit be the fewest repeats whose words are a whole number of
    periods of every wait's piece there, and s the cycles its last unit took. If each wait's
    times rise by d = s per unit over the units ahead, the next unit is the last one s cycles
    later (the scan is shift-invariant), and so on; a wait rising by d < s per unit keeps that
    only if the last unit's cycles do not depend on it (then neither do the next ones': it only
    falls further behind). So the units ahead, as far as the block and every wait's periodic
    piece reach, are the last unit's cycles plus s, 2s, ...: a periodic piece. Anything else is
    solved batch by batch, exactly."""
    reads, writes = Series(), Series()
    relative = start  # max over the moves so far of t − pos, at least `start`
    last: tuple[int, int] | None = None  # (t, pos) of the last move
    iteration = read = written = 0
    for block in loop:
        moves = _Moves(block)
        done, batch = 0, _FIRST_BATCH
        while len(moves.offsets) and done < block.count:
            bases = (iteration, read, written)
            unit, reach = _unit(moves, waits, bases, done)
            size = max(1, batch // len(moves.offsets))
            if unit and unit * len(moves.offsets) <= _LARGEST_UNIT:
                size = max(size, unit)
            batch = min(2 * batch, _BATCH)  # short at first, so that a jump comes early
            if reach < size:  # up to where a wait's piece ends, short again after it
                size, batch = reach, _FIRST_BATCH
            size = min(size, block.count - done)
            pos, parts = _batch(moves, waits, bases, done, size)
            t = _scan(pos, parts, relative)
            reads.append(t[np.tile(moves.reading, size)])
            writes.append(t[np.tile(moves.writing, size)])
            previous = last
            done += size
            last = (int(t[-1]), int(pos[-1]))
            relative = last[0] - last[1]
            jump = _jump(moves, waits, bases, done, size, unit, pos, parts, t, previous)
            if jump is not None:
                units, s, first_reads, first_writes = jump
                reads.append(first_reads + s, units, s)
                writes.append(first_writes + s, units, s)
                done += units * unit
                last = (last[0] + units * s, last[1] + units * unit * block.length)
                relative = last[0] - last[1]
        iteration += block.count * block.length
        read += block.count * len(block.reads)
        written += block.count * len(block.writes)
    assert last is not None, "a loop moves words"
    return Solved(reads, writes, last[0] + iteration - 1 - last[1])


def _unit(moves: _Moves, waits: list[Wait], bases: tuple[int, int, int],
          done: int) -> tuple[int, int]:
    """(unit, reach): the repeats making a whole number of periods of every wait's periodic
    piece at the next word, or 0 where a wait is explicit; and the repeats before a wait's
    piece ends."""
    unit, reach = 1, 1 << 62
    for wait in waits:
        per = moves.count(wait.on_reads)
        if per == 0:
            continue
        word = (bases[1] if wait.on_reads else bases[2]) + done * per - wait.offset
        if word < 0:  # no wait before `offset`
            unit, reach = 0, min(reach, -(word // per))
            continue
        piece = wait.times.piece_at(word)
        reach = min(reach, -((word - wait.times.stop(piece)) // per))
        period = len(wait.times.bodies[piece])
        if wait.times.counts[piece] == 1:  # solved word by word there: no repeating unit
            unit = 0
        elif unit:
            unit = int(np.lcm(unit, period // np.gcd(period, per)))
    return unit, reach


def _batch(moves: _Moves, waits: list[Wait], bases: tuple[int, int, int], done: int,
           size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Positions of `size` repeats' moves from repeat `done`, and per wait its cycles there."""
    block = moves.block
    repeats = _steps(size)[:, None] + done
    pos = (bases[0] + repeats * block.length + moves.offsets).ravel()
    parts = []
    for wait in waits:
        per = moves.count(wait.on_reads)
        part = np.full(len(pos), NEVER, np.int64)
        if per:
            first = bases[1] if wait.on_reads else bases[2]
            words = (first + repeats * per + _steps(per) - wait.offset).ravel()
            waited = np.where(words >= 0, wait.times.at(np.maximum(words, 0)), NEVER)
            part[np.tile(moves.mask(wait.on_reads), size)] = waited
        parts.append(part)
    return pos, parts


def _scan(pos: np.ndarray, parts: list[np.ndarray], relative: int) -> np.ndarray:
    earliest = np.full(len(pos), NEVER, np.int64)
    for part in parts:
        np.maximum(earliest, part, out=earliest)
    earliest -= pos
    earliest[0] = max(earliest[0], relative)
    np.maximum.accumulate(earliest, out=earliest)
    return earliest + pos


def _jump(moves: _Moves, waits: list[Wait], bases: tuple[int, int, int], done: int, size: int,
          unit: int, pos: np.ndarray, parts: list[np.ndarray], t: np.ndarray,
          previous: tuple[int, int] | None) -> tuple[int, int, np.ndarray, np.ndarray] | None:
    """(units, s, the last unit's read and write cycles) when the units after the batch are
    the last unit's shifted by s each (`solve_blocks`), else None."""
    block = moves.block
    if not unit or size < unit or done >= block.count:
        return None
    n = len(moves.offsets)
    cut = (size - unit) * n  # the last unit's first move in the batch
    before = (int(t[cut - 1]), int(pos[cut - 1])) if cut else previous
    if before is None or int(pos[-1]) - before[1] != unit * block.length:
        return None  # the move before the last unit is not the last of a unit before it
    s = int(t[-1]) - before[0]
    units = (block.count - done) // unit
    behind: list[np.ndarray] = []
    for wait, part in zip(waits, parts, strict=True):
        per = moves.count(wait.on_reads)
        if per == 0:
            continue
        word = (bases[1] if wait.on_reads else bases[2]) + (done - unit) * per - wait.offset
        if word < 0:
            return None
        step = unit * per
        piece = wait.times.piece_at(word)
        units = min(units, (wait.times.stop(piece) - word) // step - 1)
        if units < 1:
            return None
        d = wait.times.step_shift(word, word + (units + 1) * step, step)
        if d is None or d > s:
            return None
        if d < s:
            behind.append(part)
    if units < 1:
        return None
    if behind:  # the last unit must not depend on the waits that fall behind
        others = [p[cut:] for p in parts if not any(p is b for b in behind)]
        if not np.array_equal(_scan(pos[cut:], others, before[0] - before[1]), t[cut:]):
            return None
    last = t[cut:]
    return (units, s, last[np.tile(moves.reading, unit)], last[np.tile(moves.writing, unit)])


class _NotSettled(Exception):
    """The sweeps did not settle: the moves' solver (event by event) takes over."""


class BlockPipeline:
    """`Pipeline`'s schedules solved by blocks (`solve_blocks`): the same cycles, held as
    periodic pieces, so that a map's repeating rows cost their repeating unit, not their words.
    Unit s runs from stream s − 1 to stream s, as in `Pipeline`."""

    def __init__(self, loops: list[list[Block]]):
        self.loops = loops

    def _solve(self, times: list[Solved], u: int, depth: int | None) -> Solved:
        waits = [Wait(True, times[u - 1].writes.mapped(1))] if u else []
        if depth is not None:
            waits.append(Wait(False, times[u + 1].reads.mapped(1), depth))
        return solve_blocks(self.loops[u], waits)

    def unbounded(self) -> list[Solved]:
        times: list[Solved] = []
        for u in range(len(self.loops)):
            times.append(self._solve(times, u, None))
        return times

    def bounded(self, unbounded: list[Solved], depths: list[int]) -> list[Solved]:
        """`Pipeline.bounded`'s sweeps; _NotSettled after `SWEEPS`."""
        times = list(unbounded)
        if _sweep(times, lambda u, bound: self._solve(times, u, bound), depths,
                  lambda a, b: a.reads == b.reads and a.writes == b.writes):
            return times
        raise _NotSettled

    def latest(self, earliest: list[Solved]) -> list[Solved]:
        """`Pipeline.latest`: the last unit at its `earliest` times, each unit before as late as
        its consumer allows and its last iteration by the end of `earliest`. Solved backwards as
        an earliest schedule of the reversed loop with negated cycles."""
        end = max(solved.last_cycle for solved in earliest)
        times = list(earliest)
        for u in reversed(range(len(self.loops) - 1)):
            waits = [Wait(False, times[u + 1].reads.mapped(-1).reflected())]
            backwards = solve_blocks([b.reversed() for b in reversed(self.loops[u])], waits, -end)
            times[u] = Solved(backwards.reads.reflected(), backwards.writes.reflected(), end)
        return times

    def occupancy(self, times: list[Solved]) -> list[int]:
        return [_occupancy(times[s].writes, times[s + 1].reads) for s in range(len(times) - 1)]

    def output_timing(self, times: list[Solved], frames: int) -> tuple[int, int]:
        writes = times[-1].writes
        per_frame = writes.size // frames
        ends = writes.at((_steps(frames) + 1) * per_frame - 1)
        period = int(ends[-1] - ends[-2]) if frames > 1 else int(ends[0]) + 1
        return period, int(ends[0]) + 1


def _occupancy(writes: Series, reads: Series) -> int:
    """`Pipeline._occupancy` over pieces: the most words in the stream when one is written.
    Over a periodic piece of the writes, whose cycles rise by d every `step` words, the count
    repeats where the reads around rise by d every `step` words too (c reads before cycle t
    means read c − 1 before t and read c at t or after; `step` words on, both rise by d): those
    words need not be counted. Every other word is."""
    most = 0
    for start, body, count, shift in writes.pieces():
        period = len(body)
        for first, last in _counted_periods(reads, body, count, shift):
            for repeat in range(first, last, max(1, _CHUNK // period)):
                repeats = _steps(min(last - repeat, max(1, _CHUNK // period)))[:, None] + repeat
                cycles = (body + repeats * shift).ravel()
                words = start + repeat * period + _steps(len(cycles))
                most = max(most, int(np.max(words + 1 - reads.count_below(cycles))))
    return most


def _counted_periods(reads: Series, body: np.ndarray, count: int,
                     shift: int) -> list[tuple[int, int]]:
    """Ranges of a periodic piece's periods whose occupancy covers all `count` (`_occupancy`):
    with the read piece P in the middle, period j counts what period j − k counts (k periods
    make a whole number of P's periods) if the reads c − 1 to c + k·period of its counts c lie
    in P, which holds for j − k in [lowest, highest]."""
    everything = [(0, count)]
    if count <= 2:
        return everything
    middle = int(reads.count_below(body[:1] + count // 2 * shift)[0])
    piece = reads.piece_at(min(middle, reads.size - 1))
    read_period = len(reads.bodies[piece])
    k = read_period // int(np.gcd(read_period, len(body)))
    step = k * len(body)
    low, end = reads.starts[piece], reads.stop(piece) - step - 1
    if reads.counts[piece] == 1 or end <= low or \
            reads.step_shift(low, reads.stop(piece), step) != shift * k:
        return everything
    bounds = reads.at(np.array([low, end]))
    lowest = max(0, (int(bounds[0]) - int(body[0])) // shift + 1)
    highest = min(count - 1 - k, (int(bounds[1]) - int(body[-1])) // shift)
    if highest < lowest:
        return everything
    return [(0, lowest + k), (highest + k + 1, count)]


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
    return [op.input.owner.spec.depth if isinstance(op.input.owner, hw.FifoOp)
            else DEFAULT_DEPTH for op in kernels]


def _loops(design: hw.DesignOp) -> list[Program]:
    """One frame of the host's loop and of each kernel's (FIFOs left out)."""
    return [_host_program(design.input_words()),
            *(program(op) for op in stream_kernels(design))]


def pipeline(design: hw.DesignOp, frames: int = FRAMES,
             every_iteration: bool = True) -> Pipeline:
    """The host and the design's kernels (FIFOs left out) as loops over `frames` frames, solved
    at every iteration (the reference) or, without `every_iteration`, at their moves only."""
    return _pipeline(_loops(design), frames, every_iteration)


def _pipeline(loops: list[Program], frames: int, every_iteration: bool) -> Pipeline:
    if every_iteration:
        units = [loop.repeated(frames) for loop in loops]
        return Pipeline([Moves.of(unit, every_iteration=True) for unit in units], units)
    dtype = _time_type(loops, frames)
    return Pipeline([Moves.of(loop, dtype=dtype).repeated(frames) for loop in loops])


def _time_type(loops: list[Program], frames: int) -> type[np.signedinteger]:
    """int32 when every cycle fits it, else int64 (half the memory and time of the scans). A
    cycle is the end of a chain of iterations each after the one before (the least solution),
    all distinct, so it is below the iterations of all loops over all frames."""
    iterations = frames * sum(loop.length for loop in loops)
    return np.int32 if iterations + 2 < np.iinfo(np.int32).max else np.int64


def _needed_depths(pipe: Pipeline, unbounded: list[np.ndarray]) -> list[int]:
    """Stream depths with which the bounded schedule has the unbounded one's outputs: those of
    the latest schedule (module docstring), shrunk to what the bounded schedule with them uses
    (it satisfies these smaller depths, so it is also theirs)."""
    return pipe.occupancy(pipe.bounded(unbounded, pipe.latest_occupancy(unbounded)))


def _output_timing(pipe: Pipeline, times: list[np.ndarray], frames: int) -> tuple[int, int]:
    """(cycles per frame in steady state, latency) from the last kernel's output words."""
    writes = pipe.output_writes(times)
    per_frame = len(writes) // frames
    ends = writes[per_frame - 1 :: per_frame]
    period = int(ends[-1] - ends[-2]) if frames > 1 else int(ends[0]) + 1
    return period, int(ends[0]) + 1


@dataclass(frozen=True)
class _Unbounded:
    """What the unbounded schedule of some loops gives: (cycles per frame, latency) and the
    depths each stream needs. A function of the loops alone, not of the FIFOs' depths."""

    period: int
    latency: int
    needed: tuple[int, ...]


_SOLVED: dict[bytes, _Unbounded] = {}
"""The last few designs' unbounded schedules, by their loops: hwstream-size-fifos, then the
report and `bnn-run --cycles` of the same design with its FIFOs, solve it once."""


def _block_loops(design: hw.DesignOp) -> list[list[Block]]:
    """One frame of the host's loop and of each kernel's (FIFOs left out), as blocks."""
    return [[Block(design.input_words(), 1, _NONE, _FIRST)],
            *(blocks(op) for op in stream_kernels(design))]


def _unbounded(design: hw.DesignOp, frames: int) -> _Unbounded:
    loops = _block_loops(design)
    digest = hashlib.blake2b(str(frames).encode(), digest_size=16)
    for loop in loops:
        for b in loop:
            for part in (np.array([b.count, b.length]), b.reads, b.writes):
                digest.update(np.ascontiguousarray(part, np.int64).tobytes())
                digest.update(b"|")
        digest.update(b"/")
    key = digest.digest()
    if key not in _SOLVED:
        _SOLVED[key] = _solve_unbounded(design, loops, frames)
        while len(_SOLVED) > 4:
            del _SOLVED[next(iter(_SOLVED))]
    return _SOLVED[key]


def _solve_unbounded(design: hw.DesignOp, loops: list[list[Block]], frames: int) -> _Unbounded:
    pipe = BlockPipeline([loop * frames for loop in loops])
    free = pipe.unbounded()
    try:
        needed = pipe.occupancy(pipe.bounded(free, pipe.occupancy(pipe.latest(free))))
    except _NotSettled:  # the moves' solver, event by event
        moves = _pipeline(_loops(design), frames, every_iteration=False)
        needed = _needed_depths(moves, moves.unbounded())
    return _Unbounded(*pipe.output_timing(free, frames), tuple(needed))


def fifo_depths(design: hw.DesignOp, frames: int = FRAMES) -> list[int]:
    """Per kernel (FIFOs left out), the words its input stream must hold for the design's
    outputs to come as early as with unbounded streams."""
    return list(_unbounded(design, frames).needed)


def simulate(design: hw.DesignOp, frames: int = FRAMES) -> Schedule:
    """The design's schedule over `frames` frames. The bounded one is solved only when a stream
    is shallower than it needs: otherwise its outputs are the unbounded ones (module docstring)."""
    kernels = stream_kernels(design)
    depths = stream_depths(kernels)
    free = _unbounded(design, frames)
    period, latency = free.period, free.latency
    bounded_period, bounded_latency = period, latency  # streams deep enough: the same outputs
    loops = _block_loops(design)
    if any(d < n for d, n in zip(depths, free.needed, strict=True)):
        pipe = BlockPipeline([loop * frames for loop in loops])
        try:
            bounded_period, bounded_latency = pipe.output_timing(
                pipe.bounded(pipe.unbounded(), depths), frames)
        except _NotSettled:  # the moves' solver, event by event
            moves = _pipeline(_loops(design), frames, every_iteration=False)
            bounded = moves.bounded(moves.unbounded(), depths)
            bounded_period, bounded_latency = _output_timing(moves, bounded, frames)
    timings = [KernelTiming(op, sum(b.count * b.length for b in loops[u + 1]), depths[u],
                            free.needed[u]) for u, op in enumerate(kernels)]
    return Schedule(timings, frames, period, latency, bounded_period, bounded_latency)
