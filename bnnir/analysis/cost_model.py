"""The cost model: cycles per frame, LUTs, BRAM18s and stream widths of each streaming kernel.

This is the single source of these numbers: folding, the report and (later) the hwstream
interpreter's cycle count and the backends read them from here. The formulas reproduce FINN's, so
that our foldings compare with FINN's on FINN's own terms (Xilinx/finn, src/finn/custom_op/
fpgadataflow/; FINN-R, Blott et al. 2018, for the LUT estimate of the matrix-vector unit):

* MVTU (FINN's MVAU): cycles = OFM_H·OFM_W·(MH/PE)·(MW/SIMD)   [matrixvectoractivation.py]
* sliding window: IFM_W·K_H·(C/SIMD) + OFM_H·max(OFM_W·K_W·K_H·(C/SIMD), stride_h·IFM_W·(C/SIMD))
                                                        [hls/convolutioninputgenerator_hls.py]
* padding: OH·OW·(C/SIMD)                                          [fmpadding.py]
* max-pool: IFM_H·IFM_W, reading and writing in one loop (FINN: IFM_DIM²·(1 + 1/K²))
                                                                    [streamingmaxpool.py]
* thresholding: H·W·(C/PE)                                          [thresholding.py]
* width converter: max(words in, words out)                         [streamingdatawidthconverter]

Where FINN gives no estimate (the LUTs of padding, pooling, width converters, FIFOs and label
select) the figure is ours and says so. Legality is here too: no stream word may be wider than
MAX_STREAM_BITS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Cost:
    """One kernel's cycles per frame and resources."""

    cycles: int
    luts: int
    brams: int


MAX_STREAM_BITS = 4096
"""The widest stream word a design may have. Vitis HLS builds ap_uint<W> up to 1024 bits by
default and up to 4096 with AP_INT_MAX_W defined as 4096 before ap_int.h is included (UG1399,
"C++ Arbitrary Precision Integer Types"); every stream, port and kernel register is such a
word."""

ACCUMULATOR_BITS = 32
"""The bits of an output lane of a matrix-vector unit without thresholds (its dot product)."""


def frames_per_second(clock_mhz: float, cycles: int, decimals: int = 1) -> float:
    """The throughput of `cycles` per frame at `clock_mhz`, rounded down to `decimals`: asked
    for as a target, the figure a report prints is met."""
    scale = 10**decimals
    return math.floor(clock_mhz * 1e6 / cycles * scale) / scale


def divisors(n: int) -> list[int]:
    """All positive divisors of n, ascending (FINN's set of legal PE / SIMD values)."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


# ===----------------------------------------------------------------------=== #
# Memories (FINN's BRAM18 mapping)
# ===----------------------------------------------------------------------=== #


def bram18_for(depth: int, width: int) -> int:
    """BRAM18s for a depth × width memory, with FINN's aspect-ratio table
    (matrixvectoractivation.py: bram_estimation)."""
    if depth == 0 or width == 0:
        return 0
    if width == 1:
        return math.ceil(depth / 16384)
    if width == 2:
        return math.ceil(depth / 8192)
    if width <= 4:
        return math.ceil(depth / 4096) * math.ceil(width / 4)
    if width <= 9:
        return math.ceil(depth / 2048) * math.ceil(width / 9)
    if width <= 18 or depth > 512:
        return math.ceil(depth / 1024) * math.ceil(width / 18)
    return math.ceil(depth / 512) * math.ceil(width / 36)


LUTRAM_DEPTH = 128
"""Weight memories this shallow go into LUTs (FINN's internal_embedded rule)."""


# ===----------------------------------------------------------------------=== #
# Kernels
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class MatrixVectorUnit:
    """An MH × MW matrix-vector(-threshold) unit applied to `vectors` input vectors per frame."""

    rows: int  # MH: output channels
    columns: int  # MW: C·K·K
    vectors: int  # OFM_H·OFM_W (1 for a dense layer)
    input_bits: int  # 1 for bipolar inputs
    signed_input: bool = False
    threshold_steps: int = 0  # 2^B − 1 comparators per PE; 0 without thresholds
    border_classes: int = 1  # threshold (or, without thresholds, offset) copies for exact padding
    weight_bits: int = 1  # W: 1 for bipolar weights, N for signed N-bit integers

    @property
    def macs(self) -> int:
        return self.rows * self.columns * self.vectors

    def legal(self, pe: int, simd: int) -> bool:
        return self.rows % pe == 0 and self.columns % simd == 0

    def cycles(self, pe: int, simd: int) -> int:
        return self.vectors * (self.rows // pe) * (self.columns // simd)

    def accumulator_bits(self) -> int:
        """FINN-R's accumulator width: alpha = log2(MW) + W + A − 1 − signed."""
        alpha = (math.log2(self.columns) + self.weight_bits + self.input_bits - 1
                 - int(self.signed_input))
        return math.ceil(alpha + math.log2(1 + 2**-alpha) + 1)

    def cost(self, pe: int, simd: int) -> Cost:
        """FINN-R's LUT estimate for W-bit weights and A-bit inputs with LUT multipliers
        (Blott et al. 2018, as Xilinx/finn's hls/matrixvectoractivation_hls.py: lut_estimation
        computes it): per PE, SIMD multipliers of (2·ceil((W + A)/6) − 1)·(W + A) LUTs, an
        adder tree of (W + A)·(2·SIMD − 1), the accumulator and the thresholds; and FINN's
        BRAM18 estimate of a weight memory of PE·SIMD·W-bit words, WMEM deep
        (matrixvectoractivation.py: bram_estimation), in LUTs when at most LUTRAM_DEPTH deep.
        The width of one PE's weight word, SIMD·W, is limited like a stream word
        (MAX_STREAM_BITS, hwstream.MvtuSpec.widest): an ap_uint. FINN's SetFolding instead stops
        raising SIMD once SIMD·W exceeds mvau_wwidth_max (36 by default,
        transformation/fpgadataflow/set_folding.py), a heuristic of its greedy search, not a
        limit of the hardware; here the cost of a wide memory is in its BRAM18s."""
        weight_bits, act_bits = self.weight_bits, self.input_bits
        width = weight_bits + act_bits
        mult = simd * (2 * math.ceil(width / 6) - 1) * width
        adder_tree = width * (2 * simd - 1)
        acc = self.accumulator_bits()
        tmem = (self.rows // pe) * self.border_classes
        # Without thresholds, exact padding adds one offset per border class and row (ours: a
        # table like one threshold step, and an adder in place of the comparators).
        offsets = not self.threshold_steps and self.border_classes > 1
        table_entries = self.threshold_steps or int(offsets)
        thresholds = table_entries * acc * math.ceil(tmem / 64)
        comparators = table_entries * acc
        wmem = self.rows * self.columns // (pe * simd)
        in_luts = wmem <= LUTRAM_DEPTH
        weight_luts = pe * simd * weight_bits * math.ceil(wmem / 64) if in_luts else 0
        luts = int(300 + 1.1 * pe * (mult + adder_tree + acc + thresholds + comparators)
                   + weight_luts)
        brams = 0 if in_luts else bram18_for(wmem, simd * weight_bits * pe)
        return Cost(self.cycles(pe, simd), luts, brams)


@dataclass(frozen=True)
class SlidingWindow:
    """FINN's ConvolutionInputGenerator: K×K windows over a (padded) IFM_DIM² × C map."""

    channels: int
    ifm_dim: tuple[int, int]  # (H, W) of its input, padding included
    ofm_dim: tuple[int, int]
    kernel: tuple[int, int]
    stride: int  # vertical: the input rows read per output row. FINN's formula writes stride_w,
    # equal for the square strides it supports; rows advance by stride_h.
    bits: int

    def legal(self, simd: int) -> bool:
        return self.channels % simd == 0

    def cycles(self, simd: int) -> int:
        folds = self.channels // simd
        iw, (oh, ow), (kh, kw) = self.ifm_dim[1], self.ofm_dim, self.kernel
        write_block = ow * kw * kh * folds
        read_block = self.stride * iw * folds
        return iw * kh * folds + oh * max(write_block, read_block)

    def cost(self, simd: int) -> Cost:
        """Line buffer of K + stride rows (hls/convolutioninputgenerator_hls.py)."""
        depth = self.ifm_dim[1] * self.channels // simd
        for limit, width in ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2)):
            if depth <= limit:
                bram_width, bram_depth = width, limit
                break
        else:
            bram_width, bram_depth = 1, 16384
        rows = self.kernel[0] + self.stride
        brams = rows * math.ceil(simd * self.bits / bram_width) * math.ceil(depth / bram_depth)
        return Cost(self.cycles(simd), 300, brams)


@dataclass(frozen=True)
class Padding:
    """FINN's FMPadding: writes OH·OW·C/SIMD words, pad words included."""

    channels: int
    out_dim: tuple[int, int]
    bits: int

    def legal(self, simd: int) -> bool:
        return self.channels % simd == 0

    def cost(self, simd: int) -> Cost:
        cycles = self.out_dim[0] * self.out_dim[1] * (self.channels // simd)
        return Cost(cycles, 50 + simd * self.bits, 0)  # LUTs: ours (a word mux + counters)


def pool_extent(size: int, kernel: int, stride: int, pad_before: int, windows: int) -> int:
    """The positions our pool iterates over along one axis of `size` inputs: one per input, and
    one more per window after the first that ends at or past the last input (windows hanging
    over the far edge all end there, and are written one per position)."""
    first_at_edge = max(0, -(-(size - kernel + pad_before) // stride))
    return size + max(0, windows - first_at_edge - 1)


@dataclass(frozen=True)
class MaxPool:
    """Max-pool of an IFM_H × IFM_W map with all C channels in one word, as our kernel computes
    it (bnnir/backends/hls/include/bnnir/pool.hpp): one II = 1 loop over the input pixels that
    writes each pooled row while it reads the input row completing it, so a frame takes
    IFM_H·IFM_W cycles, plus a row (column) per extra window overhanging the bottom (right)
    edge (`pool_extent`).

    FINN's StreamingMaxPool reads a row block and then writes the pooled row in a second loop:
    its estimate is IFM_DIM²·(1 + 1/K²) = IFM_H·IFM_W + OFM_H·OFM_W for a square map pooled
    with stride = kernel (streamingmaxpool.py: get_exp_cycles). Our loop saves the OFM_H·OFM_W
    write cycles; the pool is rarely a bottleneck either way."""

    channels: int
    ifm_dim: tuple[int, int]  # (H, W)
    ofm_dim: tuple[int, int]
    kernel: tuple[int, int]
    strides: tuple[int, int]
    pads_before: tuple[int, int]  # (top, left)
    bits: int

    def extent(self) -> tuple[int, int]:
        """(rows, columns) of the loop's iteration space."""
        (h, w), (oh, ow), (kh, kw) = self.ifm_dim, self.ofm_dim, self.kernel
        (sh, sw), (top, left) = self.strides, self.pads_before
        return pool_extent(h, kh, sh, top, oh), pool_extent(w, kw, sw, left, ow)

    def cost(self) -> Cost:
        rows, columns = self.extent()
        word = self.channels * self.bits
        # LUTs (ours): the comparators (an OR on bits) and multiplexers of a word, and KH row
        # buffers of OFM_W window maxima in LUTRAM, as pool.hpp keeps them.
        row_buffers = self.kernel[0] * self.ofm_dim[1] * word
        return Cost(rows * columns, 50 + 2 * word + math.ceil(row_buffers / 64), 0)


@dataclass(frozen=True)
class Thresholding:
    """A standalone multi-threshold unit (FINN's Thresholding).

    FINN's Thresholding_hls estimate is A·P comparator LUTs plus A·P·ceil(TMEM/64) of LUTRAM
    (thresholding_hls.py: lut_estimation), i.e. one threshold per channel. finn-hlslib compares
    with all `steps` thresholds of a channel at once and stores them all, so we count both terms
    per step, as FINN's own MVAU estimate counts its (2^B − 1) comparators and threshold words
    (matrixvectoractivation_hls.py: comp_luts, thr_luts); with one step it is FINN's figure."""

    channels: int
    pixels: int
    input_bits: int
    steps: int

    def legal(self, pe: int) -> bool:
        return self.channels % pe == 0

    def cost(self, pe: int) -> Cost:
        tmem = self.channels // pe
        per_step = self.input_bits * pe
        storage = per_step * math.ceil(tmem / 64) if tmem > 1 else 0
        return Cost(self.pixels * tmem, max(1, self.steps) * (per_step + storage), 0)


@dataclass(frozen=True)
class WidthConverter:
    """A gearbox from `in_width`-bit to `out_width`-bit words, lane order kept. Neither width
    need divide the other (FINN's StreamingDataWidthConverter needs one to, its NoMultiple
    variant does not). One word per cycle on the side that moves more words, so it is never
    slower than the slower of the kernels it joins: its producer writes, and its consumer reads,
    at most one word per cycle.

    LUTs (ours): a register as wide as the wider side with a 2:1 multiplexer per bit (shift or
    load), and, when neither width divides the other, a barrel shifter aligning the words:
    ceil(log2(phases)) levels of 2:1 multiplexers over the wider word, two per LUT6, where
    phases = wider / gcd(in, out) is the number of distinct lane offsets."""

    in_width: int
    out_width: int
    in_words: int

    @property
    def out_words(self) -> int:
        assert self.in_words * self.in_width % self.out_width == 0, "a frame fills whole words"
        return self.in_words * self.in_width // self.out_width

    def cost(self) -> Cost:
        wide, narrow = max(self.in_width, self.out_width), min(self.in_width, self.out_width)
        luts = 20 + wide
        if wide % narrow:
            phases = wide // math.gcd(wide, narrow)
            luts += math.ceil(wide * math.ceil(math.log2(phases)) / 2)
        return Cost(max(self.in_words, self.out_words), luts, 0)


@dataclass(frozen=True)
class Fifo:
    """A FIFO of `depth` words of `width` bits passing `words` words per frame. Ours: up to 64
    deep it is shift registers / LUTRAM (one LUT per bit per 64 words), deeper it is BRAM."""

    depth: int
    width: int
    words: int

    SRL_DEPTH = 64

    def cost(self) -> Cost:
        if self.depth <= self.SRL_DEPTH:
            return Cost(self.words, 20 + self.width * math.ceil(self.depth / 64), 0)
        return Cost(self.words, 20, bram18_for(self.depth, self.width))


@dataclass(frozen=True)
class LabelSelect:
    """Arg-max over `labels` values arriving PE per cycle."""

    labels: int
    bits: int

    def cost(self, pe: int = 1) -> Cost:
        return Cost(self.labels // pe, 50 + pe * self.bits * 2, 0)  # ours
