"""The measured cost model: LUTs and BRAM18s of our own RTL, fitted to synthesis.

FINN's formulas (cost_model.py, the `finn` model) were fitted to Vivado on 2017-era HLS
kernels. This model keeps their structure, a constant plus resources per PE, per SIMD lane, per
accumulator and comparator bit, per bit of memory, but reads its terms off the CIRCT backend's
RTL (bnnir/backends/circt/: mvtu.py, maps.py, streams.py) and fits their coefficients by least
squares to yosys' `synth_xilinx` LUT counts of single kernels: benchmarks/calibrate_costs.py
sweeps the kernels, stores the measurements in benchmarks/calibration_measurements.json and
writes the coefficients to measured_costs.json beside this file, which is all this module
reads (no synthesizer is needed to use it).

Calibrated: the MVTU, the sliding window, padding, max-pool of bipolar maps (a BNN's, an OR of
bits) and width converters. The other kernels (standalone thresholds, label select, FIFOs),
max-pools of multi-bit lanes (whose synthesized size varies with how far yosys simplifies the
comparators, beyond what a linear formula follows) and MVTUs with multi-bit weights keep the
cost model's figures. Cycles are the cost model's in both models (they are exact, not estimates).

BRAM18s: the RTL keeps every table in LUTs or registers except an MVTU's weights beyond
ROM_BITS, one read-only memory of WMEM words of SIMD bits per PE (seq.firmem). Yosys maps such a
memory to block RAM with FINN's aspect ratios (cost_model.bram18_for) when it holds more than
LOGIC_MEMORY_BITS, else to logic, where it costs LUTs as a constant ROM does; the calibration
checks this rule against every measured point.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from bnnir.analysis import cost_model as cm
from bnnir.dialects import hwstream as hw

MODEL_FILE = Path(__file__).with_name("measured_costs.json")
"""The fitted coefficients (written by benchmarks/calibrate_costs.py)."""

ROM_BITS = 1 << 14
"""Weight tables of more bits than this are memories, smaller ones constant ROMs in LUTs (the
CIRCT backend's threshold, bnnir/backends/circt/mvtu.py: ROM_BITS)."""

LOGIC_MEMORY_BITS = 8192
"""A read-only memory of at most this many bits is logic, not block RAM: yosys' memory_libmap
prices ROM bits in logic at 1/16 against a block RAM's 129 or 257 (techlibs/xilinx
brams_xc4v.txt); the threshold is the measured one (benchmarks/calibrate_costs.py checks it)."""

KINDS = ("mvtu", "window", "pad", "pool", "dwc")
"""The kernel kinds with fitted formulas."""

Terms = dict[str, float]


def _bits_for(count: int) -> int:
    """Bits of a counter over 0 .. count − 1 (the RTL's builder.bits_for)."""
    return max(1, (count - 1).bit_length())


def _signed_bits(low: int, high: int) -> int:
    """Bits of a two's complement value in low .. high."""
    return max(1, (max(-low - 1, high)).bit_length() + 1)


# ===----------------------------------------------------------------------=== #
# Terms: what each kernel's RTL instantiates, in units a LUT count is linear in
# ===----------------------------------------------------------------------=== #


def mvtu_terms(rows: int, columns: int, pe: int, simd: int, input_bits: int, signed: bool,
               steps: int, classes: int) -> Terms:
    """mvtu.py: per PE, SIMD products (an XNOR bit, or ±lane), an adder tree of SIMD terms of
    the partial sum's width, an accumulator, and `steps` comparators against a threshold ROM of
    NF·classes rows (without thresholds: the dot product's adder, 2P − MW); a weight ROM of WMEM
    words of SIMD bits per PE in logic (the XNOR folds into it), or a block RAM whose words meet
    the input in LUTs of their own; the input vector's SF-word buffer when NF > 1; the loop's
    counters."""
    xnor = input_bits == 1 and not signed
    if xnor:
        low, high = 0, columns
    else:
        top = 1 << (input_bits - 1) if signed else (1 << input_bits) - 1
        low, high = -columns * top, columns * top
    acc_bits = _signed_bits(low, high)
    partial_bits = _signed_bits(low * simd // columns - 1, high * simd // columns + 1)
    nf, wmem = rows // pe, rows * columns // (pe * simd)
    table_rows = nf * classes
    return {
        "const": 1.0,
        "xnor_lanes": float(pe * simd) if xnor else 0.0,
        "product_bits": 0.0 if xnor else float(pe * simd * (input_bits + 2)),
        "tree_bits": float(pe * (simd - 1) * partial_bits),
        "accumulator_bits": float(pe * acc_bits),
        "dot_product_bits": 0.0 if steps else float(pe * (acc_bits + 2)),
        "comparator_bits": float(pe * steps * (acc_bits + 1)),
        "threshold_rom_bits": float(pe * steps * (acc_bits + 1) * math.ceil(table_rows / 64))
        if table_rows > 1 else 0.0,
        "weight_rom_bits": float(pe * simd * math.ceil(wmem / 64))
        if wmem > 1 and not _in_block_ram(rows, columns, pe, simd) else 0.0,
        "control_bits": float(_bits_for(nf) + _bits_for(columns // simd) + _bits_for(wmem)),
        "input_buffer_bits": float(columns * input_bits) if nf > 1 else 0.0,
        "input_buffer_words": float(columns // simd) if nf > 1 else 0.0,
    }


def window_terms(channels: int, width: int, simd: int, bits: int, kernel_h: int,
                 stride_h: int) -> Terms:
    """maps.py window_module: a ring of KH + SH line buffers of W·C/SIMD words in registers
    (a write enable per word, a read multiplexer over all), the word written registered."""
    words = (kernel_h + stride_h) * width * (channels // simd)
    return {"const": 1.0, "line_words": float(words), "line_bits": float(words * simd * bits),
            "word_bits": float(simd * bits)}


def pad_terms(channels: int, out_h: int, out_w: int, simd: int, bits: int) -> Terms:
    """maps.py pad_module: three counters and a word multiplexer (input or the pad value)."""
    counters = _bits_for(out_h) + _bits_for(out_w) + _bits_for(channels // simd)
    return {"const": 1.0, "counter_bits": float(counters), "word_bits": float(simd * bits)}


def pool_terms(pool: cm.MaxPool) -> Terms:
    """maps.py pool_module on bipolar lanes: KH·OFM_W row buffers of a word (registers with a
    write enable each), KH + KW lane maxima per lane (ORs), and, where windows overlap, are
    padded or overhang the map, the per-position tap and row masks selecting among KH·KW taps
    per lane (with stride = kernel and no border they are constants)."""
    (kh, kw), lanes = pool.kernel, pool.channels
    aligned = (pool.kernel == pool.strides and pool.pads_before == (0, 0)
               and pool.extent() == pool.ifm_dim)
    return {"const": 1.0, "row_buffer_words": float(kh * pool.ofm_dim[1]),
            "or_lanes": float((kh + kw) * lanes),
            "overlap_lanes": 0.0 if aligned else float(kh * kw * lanes)}


def dwc_terms(in_width: int, out_width: int) -> Terms:
    """streams.py dwc_module: a register of the wider word with a multiplexer per bit, and,
    where a lane offset varies (widening, or narrowing by a width that does not divide), a
    select among the offsets (phases = wider / gcd)."""
    wide, narrow = max(in_width, out_width), min(in_width, out_width)
    phases = wide // math.gcd(wide, narrow)
    shifting = in_width < out_width or wide % narrow != 0
    return {"const": 1.0, "wide_bits": float(wide) if in_width != out_width else 0.0,
            "shift_bits": float(wide * phases) if shifting else 0.0}


# ===----------------------------------------------------------------------=== #
# The model
# ===----------------------------------------------------------------------=== #


@cache
def coefficients() -> dict[str, dict[str, float]]:
    """Per kernel kind, each term's LUTs (measured_costs.json's `luts`)."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return {kind: dict(terms) for kind, terms in data["luts"].items()}


def luts(kind: str, terms: Terms) -> int:
    """The fitted LUTs of a kernel of `kind` with these terms (at least one)."""
    fitted = coefficients()[kind]
    return max(1, round(sum(fitted.get(name, 0.0) * value for name, value in terms.items())))


def _in_block_ram(rows: int, columns: int, pe: int, simd: int) -> bool:
    """Whether an MVTU's weights are block RAMs: memories (beyond ROM_BITS) of more than
    LOGIC_MEMORY_BITS per PE."""
    wmem = rows * columns // (pe * simd)
    return wmem >= 2 and rows * columns > ROM_BITS and wmem * simd > LOGIC_MEMORY_BITS


def mvtu_brams(rows: int, columns: int, pe: int, simd: int) -> int:
    """BRAM18s of an MVTU's weight memories: PE memories of WMEM × SIMD bits in block RAM
    (`_in_block_ram`), else none."""
    if not _in_block_ram(rows, columns, pe, simd):
        return 0
    return pe * cm.bram18_for(rows * columns // (pe * simd), simd)


def _mvtu(unit: cm.MatrixVectorUnit, pe: int, simd: int) -> cm.Cost:
    terms = mvtu_terms(unit.rows, unit.columns, pe, simd, unit.input_bits, unit.signed_input,
                       unit.threshold_steps, unit.border_classes)
    return cm.Cost(unit.cycles(pe, simd), luts("mvtu", terms),
                   mvtu_brams(unit.rows, unit.columns, pe, simd))


def cost(unit: object, *args: int) -> cm.Cost:
    """The measured model's cost of a cost_model kernel (`unit.cost(*args)` in FINN's model):
    fitted LUTs and BRAM18s for the calibrated kinds, FINN's figures for the others (matrix
    units with multi-bit weights among them: the sweep has not covered them yet)."""
    finn: cm.Cost = unit.cost(*args)  # type: ignore[attr-defined]
    match unit:
        case cm.MatrixVectorUnit() if unit.weight_bits == 1:
            return _mvtu(unit, *args)
        case cm.SlidingWindow():
            (simd,) = args
            terms = window_terms(unit.channels, unit.ifm_dim[1], simd, unit.bits,
                                 unit.kernel[0], unit.stride)
            return cm.Cost(finn.cycles, luts("window", terms), 0)
        case cm.Padding():
            (simd,) = args
            terms = pad_terms(unit.channels, *unit.out_dim, simd, unit.bits)
            return cm.Cost(finn.cycles, luts("pad", terms), 0)
        case cm.MaxPool() if unit.bits == 1:
            return cm.Cost(finn.cycles, luts("pool", pool_terms(unit)), 0)
        case cm.WidthConverter():
            return cm.Cost(finn.cycles, luts("dwc", dwc_terms(unit.in_width, unit.out_width)), 0)
    return finn


def spec_terms(spec: hw.KernelSpec) -> tuple[str, Terms] | None:
    """The kind and terms of a calibrated kernel spec; None for the others."""
    match spec:
        case hw.MvtuSpec() if spec.weight_bits == 1:
            return "mvtu", mvtu_terms(spec.rows, spec.columns, spec.pe, spec.simd,
                                      spec.input_bits, spec.signed_input, spec.steps,
                                      spec.classes)
        case hw.WindowSpec():
            return "window", window_terms(spec.channels, spec.width, spec.simd, spec.bits,
                                          spec.kernel[0], spec.strides[0])
        case hw.PadSpec():
            return "pad", pad_terms(spec.channels, *spec.output_size(), spec.simd, spec.bits)
        case hw.PoolSpec() if spec.bits == 1:
            top, left, _, _ = spec.pads
            return "pool", pool_terms(cm.MaxPool(
                spec.channels, (spec.height, spec.width), spec.output_size(),
                (spec.kernel[0], spec.kernel[1]), (spec.strides[0], spec.strides[1]),
                (top, left), spec.bits))
        case hw.DwcSpec():
            return "dwc", dwc_terms(spec.in_lanes * spec.bits, spec.out_lanes * spec.bits)
    return None


def spec_cost(spec: hw.KernelSpec, finn: cm.Cost) -> cm.Cost:
    """The measured model's cost of a kernel spec whose FINN-model cost is `finn`."""
    calibrated = spec_terms(spec)
    if calibrated is None:
        return finn
    kind, terms = calibrated
    brams = mvtu_brams(spec.rows, spec.columns, spec.pe, spec.simd) \
        if isinstance(spec, hw.MvtuSpec) else 0
    return cm.Cost(finn.cycles, luts(kind, terms), brams)
