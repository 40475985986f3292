"""Calibrate the measured cost model (bnnir/analysis/measured_costs.py) against yosys.

Sweeps the MVTU over PE, SIMD, rows, columns, input bits (1 = XNOR, 2–8, signed and not),
threshold count (none, 1, 3, 7, 15) and border classes, and the sliding window, padding,
max-pool and width converter over their parameters; synthesizes each kernel's SystemVerilog
(the CIRCT backend's, one single-kernel design per point with random tables from a fixed seed)
with bnnir.backends.yosys (yosys `synth_xilinx`, cached by the kernel's text); stores the
measurements in benchmarks/calibration_measurements.json; fits each kind's LUT terms by
non-negative least squares on relative error over the fitting points, writes the coefficients
to bnnir/analysis/measured_costs.json, and prints, for the held-out points (every fourth of a
kind), the model's LUTs beside yosys' and FINN's model's, with relative errors, and the same
for the points the measured model leaves uncalibrated (max-pools of multi-bit lanes).

    nice -n 10 python benchmarks/calibrate_costs.py [--jobs 2]   # synthesize, store, fit
    python benchmarks/calibrate_costs.py --refit                 # fit from the stored file

--refit needs no synthesizer: the fit is reproducible from the committed measurements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    TensorType,
    i8,
)
from xdsl.ir import Block, Region

from bnnir.analysis import measured_costs
from bnnir.analysis.kernel_costs import spec_cost
from bnnir.dialects import hwstream as hw

HERE = Path(__file__).parent
MEASUREMENTS = HERE / "calibration_measurements.json"
HELD_OUT_EVERY = 4
"""Every fourth point of a kind (index 3, 7, ...) is held out of the fit."""
GOAL = 0.15
"""The measured model's largest relative LUT error per kind on held-out points."""


# ===----------------------------------------------------------------------=== #
# The sweep
# ===----------------------------------------------------------------------=== #


def _mvtu(rows: int, columns: int, pe: int, simd: int, bits: int = 1, steps: int = 1, *,
          signed: bool = False, classes: int = 1, vectors: int = 1) -> hw.MvtuSpec:
    xnor = bits == 1 and not signed
    out_bits = max(1, steps.bit_length()) if steps else 32
    return hw.MvtuSpec(rows, columns, vectors, pe, simd, bits, out_bits, xnor, signed, steps,
                       classes)


def _dwc(a: int, b: int, bits: int = 1) -> hw.DwcSpec:
    return hw.DwcSpec(a, b, bits, 4 * b // math.gcd(a, b))


def sweep() -> list[hw.KernelSpec]:
    """The calibration points, in a fixed order."""
    mvtu = [
        # bipolar inputs (XNOR), one threshold (binary outputs): weights in ROMs ...
        _mvtu(16, 64, 1, 8), _mvtu(16, 64, 2, 16), _mvtu(32, 128, 2, 32), _mvtu(32, 128, 8, 8),
        _mvtu(64, 64, 4, 16), _mvtu(64, 256, 8, 32), _mvtu(64, 256, 4, 64), _mvtu(32, 32, 1, 1),
        _mvtu(128, 128, 8, 16),
        # ... and in memories (block RAM, or LUTRAM when shallow)
        _mvtu(64, 576, 4, 32), _mvtu(64, 576, 8, 16), _mvtu(64, 1152, 8, 32),
        _mvtu(128, 512, 16, 8), _mvtu(64, 512, 1, 16), _mvtu(256, 64, 32, 4),
        # no thresholds (32-bit dot products), several thresholds
        _mvtu(10, 512, 1, 64, steps=0), _mvtu(10, 512, 2, 32, steps=0),
        _mvtu(64, 256, 8, 16, steps=0), _mvtu(32, 128, 4, 16, steps=3),
        _mvtu(32, 128, 4, 16, steps=7), _mvtu(64, 256, 8, 8, steps=15),
        # a padded 3x3 conv's 16 border classes, and conv vectors without them
        _mvtu(16, 72, 2, 8, classes=16, vectors=16), _mvtu(32, 288, 4, 16, classes=16, vectors=64),
        _mvtu(32, 288, 4, 16, vectors=64),
        # multi-bit inputs, unsigned and signed
        _mvtu(16, 27, 1, 3, 8), _mvtu(64, 27, 4, 3, 8), _mvtu(64, 27, 8, 9, 8),
        _mvtu(32, 64, 4, 8, 2), _mvtu(32, 64, 4, 8, 4), _mvtu(32, 64, 4, 8, 6, steps=3),
        _mvtu(64, 128, 8, 16, 2, steps=3), _mvtu(16, 256, 2, 32, 4, 0),
        _mvtu(64, 512, 4, 16, 2, steps=3), _mvtu(32, 96, 2, 12, 5, 7),
        _mvtu(32, 64, 4, 8, 4, signed=True), _mvtu(64, 27, 4, 9, 8, signed=True),
        # more block RAM weights, narrow SIMD
        _mvtu(64, 576, 2, 32), _mvtu(32, 1152, 4, 32), _mvtu(32, 64, 1, 2), _mvtu(64, 128, 2, 4),
        _mvtu(16, 32, 2, 1),
    ]
    window = [hw.WindowSpec(c, s, s, simd, bits, (k, k), (st, st)) for c, s, simd, bits, k, st in [
        (8, 8, 1, 1, 3, 1), (8, 8, 8, 1, 3, 1), (16, 8, 4, 1, 3, 1), (32, 8, 8, 1, 3, 1),
        (16, 16, 16, 1, 3, 1), (3, 16, 3, 8, 3, 1), (16, 8, 2, 2, 2, 2), (64, 6, 32, 1, 3, 1),
        (4, 10, 1, 4, 3, 2)]]
    pad = [hw.PadSpec(c, s, s, simd, bits, pads, 0) for c, s, simd, bits, pads in [
        (8, 6, 8, 1, (1, 1, 1, 1)), (8, 6, 1, 1, (1, 1, 1, 1)), (64, 8, 16, 1, (1, 1, 1, 1)),
        (3, 16, 3, 8, (1, 1, 1, 1)), (16, 10, 4, 2, (1, 1, 1, 1)), (128, 4, 64, 1, (1, 1, 1, 1)),
        (32, 16, 32, 1, (2, 2, 2, 2)), (16, 6, 16, 4, (0, 1, 0, 1)), (64, 32, 8, 1, (1, 1, 1, 1))]]
    # bipolar pools (the calibrated ones: a BNN's max-pool is an OR), then multi-bit lanes
    pool = [hw.PoolSpec(c, s, s, c, bits, (k, k), (st, st), pads)
            for c, s, bits, k, st, pads in [
                (8, 4, 1, 2, 2, (0, 0, 0, 0)), (64, 8, 1, 2, 2, (0, 0, 0, 0)),
                (128, 4, 1, 2, 2, (0, 0, 0, 0)), (32, 8, 1, 3, 1, (1, 1, 1, 1)),
                (256, 4, 1, 2, 2, (0, 0, 0, 0)), (4, 12, 1, 3, 3, (0, 0, 0, 0)),
                (16, 8, 1, 2, 2, (0, 0, 0, 0)), (64, 4, 1, 2, 2, (0, 0, 0, 0)),
                (128, 8, 1, 2, 2, (0, 0, 0, 0)), (8, 6, 1, 3, 2, (1, 1, 1, 1)),
                (16, 6, 2, 2, 2, (0, 0, 0, 0)), (8, 6, 4, 3, 2, (1, 1, 1, 1)),
                (16, 8, 8, 2, 2, (0, 0, 0, 0)), (8, 8, 2, 2, 2, (0, 0, 0, 0)),
                (32, 4, 4, 2, 2, (0, 0, 0, 0)), (4, 8, 8, 3, 3, (0, 0, 0, 0))]]
    dwc = [_dwc(2, 8), _dwc(8, 2), _dwc(3, 2), _dwc(2, 3), _dwc(16, 64), _dwc(64, 16),
           _dwc(32, 12), _dwc(6, 4), _dwc(4, 6), _dwc(8, 3, 2)]
    return [*mvtu, *window, *pad, *pool, *dwc]


def seed_of(spec: hw.KernelSpec) -> int:
    """The seed of a point's random tables: its spec's, so a point keeps its tables (and its
    cache entry) whatever else the sweep holds."""
    return zlib.crc32(repr(spec).encode())


def split(points: Sequence[dict[str, Any]]) -> list[str]:
    """Each point's set: `held-out` for every HELD_OUT_EVERY-th calibrated point of a kind, in
    sweep order, `fit` for the other calibrated ones, `uncalibrated` for the kernels the
    measured model leaves to FINN's figures (multi-bit pools)."""
    seen: dict[str, int] = {}
    sets = []
    for point in points:
        if measured_costs.spec_terms(spec_of(point["spec"])) is None:
            sets.append("uncalibrated")
            continue
        index = seen.get(point["kind"], 0)
        seen[point["kind"]] = index + 1
        sets.append("held-out" if index % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else "fit")
    return sets


# ===----------------------------------------------------------------------=== #
# Single-kernel designs
# ===----------------------------------------------------------------------=== #


def _element(bits: int, signed: bool) -> IntegerType:
    """A lane's element type: bipolar bits as i1, else ui<b> or si<b>."""
    if bits == 1 and not signed:
        return IntegerType(1)
    return IntegerType(bits, Signedness.SIGNED if signed else Signedness.UNSIGNED)


def _dense(values: np.ndarray, element: IntegerType) -> DenseIntOrFPElementsAttr:
    return DenseIntOrFPElementsAttr.from_list(TensorType(element, list(values.shape)),
                                              [int(v) for v in values.reshape(-1)])


def _design(spec: hw.KernelSpec, in_signed: bool, out_signed: bool,
            **tables: object) -> ModuleOp:
    """A module of one design running one kernel of `spec`."""
    block = Block(arg_types=[hw.StreamType(spec.lanes_in * spec.bits_in)])
    op = spec.op(block.args[0], spec, **tables)  # type: ignore[call-arg]
    block.add_ops([op, hw.YieldOp(op.output)])
    props = {
        "input_type": TensorType(_element(spec.bits_in, in_signed),
                                 [1, spec.words_in() * spec.lanes_in]),
        "output_type": TensorType(_element(spec.bits_out, out_signed),
                                  [1, spec.words_out() * spec.lanes_out]),
        "input_lanes": IntegerAttr(spec.lanes_in, 64),
        "output_lanes": IntegerAttr(spec.lanes_out, 64),
    }
    module = ModuleOp([hw.DesignOp("accel", Region(block), props)])
    module.verify()
    return module


def _mvtu_design(spec: hw.MvtuSpec, seed: int) -> ModuleOp:
    """Random weights; with `steps`, random sorted thresholds within the accumulator's range;
    with 16 classes, a 3x3 conv padded by 1 over a square map of `vectors` pixels."""
    rng = np.random.default_rng(seed)
    pe, wmem, nbytes = spec.weight_memory_shape()
    tables: dict[str, object] = {
        "weights": _dense(rng.integers(-128, 128, size=(pe, wmem, nbytes)), i8)}
    if spec.classes > 1:
        side = math.isqrt(spec.vectors)
        tables["border"] = [side, side, 3, 3, 1, 1, 1, 1, 1, 1]
    if spec.steps:
        if spec.xnor:
            low, high = 0, spec.columns
        else:
            top = (1 << spec.input_bits) - 1 if not spec.signed_input else \
                1 << (spec.input_bits - 1)
            low, high = -spec.columns * top // 4, spec.columns * top // 4
        shape = (spec.classes, pe, spec.rows // pe, spec.steps)
        thresholds = np.sort(rng.integers(low, high + 1, size=shape), axis=-1)
        tables["thresholds"] = _dense(thresholds, IntegerType(32, Signedness.SIGNED))
    return _design(spec, spec.signed_input, not spec.steps, **tables)


def design(spec: hw.KernelSpec, seed: int) -> ModuleOp:
    """The single-kernel design of a calibration point."""
    if isinstance(spec, hw.MvtuSpec):
        return _mvtu_design(spec, seed)
    return _design(spec, False, False)


def kernel_op(module: ModuleOp) -> hw.KernelOp:
    (accel,) = [op for op in module.ops if isinstance(op, hw.DesignOp)]
    (op,) = accel.kernels()
    return op


# ===----------------------------------------------------------------------=== #
# Measurements (the stored file)
# ===----------------------------------------------------------------------=== #

SPECS = {cls.__name__: cls for cls in (hw.MvtuSpec, hw.WindowSpec, hw.PadSpec, hw.PoolSpec,
                                       hw.DwcSpec)}


def spec_record(spec: hw.KernelSpec) -> dict[str, Any]:
    fields = {f.name: list(v) if isinstance(v := getattr(spec, f.name), tuple) else v
              for f in dataclasses.fields(spec)}  # type: ignore[arg-type]
    return {"class": type(spec).__name__, **fields}


def spec_of(record: dict[str, Any]) -> hw.KernelSpec:
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in record.items()
              if k != "class"}
    return SPECS[record["class"]](**values)


def measure(jobs: int, cluster: str | None) -> list[dict[str, Any]]:
    """Synthesize every point (bnnir.backends.yosys, cached by the kernel's text)."""
    from bnnir.backends.yosys import synthesize_ops

    specs = sweep()
    modules = [design(spec, seed_of(spec)) for spec in specs]
    start = time.perf_counter()
    results = synthesize_ops([kernel_op(m) for m in modules], cluster=cluster, jobs=jobs)
    print(f"synthesized {len(specs)} kernels in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    points = []
    for spec, r in zip(specs, results, strict=True):
        points.append({"kind": spec.kind, "seed": seed_of(spec), "spec": spec_record(spec),
                       "luts": r.luts, "ffs": r.ffs, "bram18": r.bram18, "dsps": r.dsps,
                       "yosys_version": r.yosys_version, "seconds": round(r.seconds, 2)})
    for point, which in zip(points, split(points), strict=True):
        point["set"] = which
    return points


def write_atomically(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8",
                                     suffix=".tmp") as f:
        f.write(text)
    os.replace(f.name, path)


def load(path: Path = MEASUREMENTS) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["points"]


# ===----------------------------------------------------------------------=== #
# The fit
# ===----------------------------------------------------------------------=== #


def nnls(a: np.ndarray, b: np.ndarray, iterations: int = 500) -> np.ndarray:
    """argmin ‖a·x − b‖ subject to x ≥ 0 (Lawson and Hanson's active-set method)."""
    n = a.shape[1]
    x, passive = np.zeros(n), np.zeros(n, bool)
    for _ in range(iterations):
        gradient = a.T @ (b - a @ x)
        if passive.all() or gradient[~passive].max(initial=0) <= 1e-9:
            break
        passive[np.argmax(np.where(passive, -np.inf, gradient))] = True
        while True:
            z = np.zeros(n)
            z[passive] = np.linalg.lstsq(a[:, passive], b, rcond=None)[0]
            if (z[passive] > 0).all():
                x = z
                break
            blocking = passive & (z <= 0)
            step = np.min(x[blocking] / (x[blocking] - z[blocking]))
            x = x + step * (z - x)
            passive &= x > 1e-12
    return x


def fit(points: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind, each term's LUTs: non-negative least squares on relative error (each row
    divided by its measured LUTs) over the fitting points."""
    fitted: dict[str, dict[str, float]] = {}
    for kind in measured_costs.KINDS:
        rows = [p for p in points if p["kind"] == kind and p["set"] == "fit"]
        if not rows:
            continue
        terms = [measured_costs.spec_terms(spec_of(p["spec"])) for p in rows]
        names = list(terms[0][1])  # type: ignore[index]
        a = np.array([[t[1][n] for n in names] for t in terms])  # type: ignore[index]
        y = np.array([p["luts"] for p in rows], float)
        x = nnls(a / y[:, None], np.ones(len(y)))
        fitted[kind] = {n: round(float(v), 4) for n, v in zip(names, x, strict=True)}
    return fitted


def write_model(fitted: dict[str, dict[str, float]], points: Sequence[dict[str, Any]]) -> None:
    versions = sorted({p["yosys_version"] for p in points})
    model = {"source": "benchmarks/calibrate_costs.py fitted to benchmarks/"
                       "calibration_measurements.json (yosys synth_xilinx -family xc7)",
             "yosys_version": ", ".join(versions), "luts": fitted}
    write_atomically(measured_costs.MODEL_FILE, json.dumps(model, indent=1) + "\n")
    measured_costs.coefficients.cache_clear()


# ===----------------------------------------------------------------------=== #
# The error table
# ===----------------------------------------------------------------------=== #


def describe(spec: hw.KernelSpec) -> str:
    match spec:
        case hw.MvtuSpec():
            kind = "xnor" if spec.xnor else f"{'s' if spec.signed_input else 'u'}{spec.input_bits}"
            return (f"{spec.rows}x{spec.columns} PE{spec.pe} SIMD{spec.simd} {kind} "
                    f"T{spec.steps}" + (f" C{spec.classes}" if spec.classes > 1 else ""))
        case hw.WindowSpec():
            return (f"C{spec.channels} {spec.height}x{spec.width} SIMD{spec.simd} b{spec.bits} "
                    f"K{spec.kernel[0]} S{spec.strides[0]}")
        case hw.PadSpec():
            return (f"C{spec.channels} {spec.height}x{spec.width} SIMD{spec.simd} b{spec.bits} "
                    f"pads {list(spec.pads)}")
        case hw.PoolSpec():
            return (f"C{spec.channels} {spec.height}x{spec.width} b{spec.bits} K{spec.kernel[0]} "
                    f"S{spec.strides[0]}")
        case hw.DwcSpec():
            return f"{spec.in_lanes}->{spec.out_lanes} lanes x {spec.bits} b"
    return str(spec)


def error_table(points: Sequence[dict[str, Any]], which: str = "held-out"
                ) -> dict[str, tuple[float, float]]:
    """Print each `which` point's yosys LUTs, the measured model's and FINN's with relative
    errors; return per kind the largest error of each model."""
    worst: dict[str, tuple[float, float]] = {}
    print(f"{'kind':7} {'point':40} {'yosys':>6} {'measured':>8} {'err':>7} {'finn':>7} "
          f"{'err':>7}  {'BRAM18 yosys/model':>18}")
    for kind in measured_costs.KINDS:
        for p in (p for p in points if p["kind"] == kind and p["set"] == which):
            spec = spec_of(p["spec"])
            finn = spec_cost(spec)
            model = measured_costs.spec_cost(spec, finn)
            e_model = (model.luts - p["luts"]) / p["luts"]
            e_finn = (finn.luts - p["luts"]) / p["luts"]
            print(f"{kind:7} {describe(spec):40} {p['luts']:6} {model.luts:8} {e_model:+7.1%} "
                  f"{finn.luts:7} {e_finn:+7.1%}  {p['bram18']:>9}/{model.brams}")
            low, high = worst.get(kind, (0.0, 0.0))
            worst[kind] = (max(low, abs(e_model)), max(high, abs(e_finn)))
    print("\nlargest |relative error| per kind: " + "; ".join(
        f"{k} measured {m:.1%} finn {f:.1%}" for k, (m, f) in worst.items()))
    return worst


def brams_agree(points: Sequence[dict[str, Any]]) -> list[str]:
    """The points whose BRAM18s the model's rule does not give."""
    wrong = []
    for p in points:
        spec = spec_of(p["spec"])
        model = measured_costs.spec_cost(spec, spec_cost(spec))
        if model.brams != p["bram18"]:
            wrong.append(f"{describe(spec)}: yosys {p['bram18']}, model {model.brams}")
    return wrong


def print_formulas(fitted: dict[str, dict[str, float]]) -> None:
    for kind, terms in fitted.items():
        text = " + ".join(f"{v:g}·{n}" if n != "const" else f"{v:g}"
                          for n, v in terms.items() if v)
        print(f"{kind}: LUTs = {text}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refit", action="store_true",
                        help="fit from the stored measurements; synthesize nothing")
    parser.add_argument("--jobs", type=int, default=2, help="parallel syntheses (default 2)")
    parser.add_argument("--synth-cluster", default=None, metavar="tcp://HOST:8786",
                        help="a Dask scheduler to synthesize on")
    args = parser.parse_args(argv)
    if args.refit:
        points = load()
    else:
        points = measure(args.jobs, args.synth_cluster)
        write_atomically(MEASUREMENTS, json.dumps({"points": points}, indent=1) + "\n")
    fitted = fit(points)
    write_model(fitted, points)
    print(f"{len(points)} points ({sum(p['set'] == 'fit' for p in points)} fitted), yosys "
          f"{points[0]['yosys_version']}\n")
    print_formulas(fitted)
    print("\nheld-out points:")
    worst = error_table(points)
    print("\nuncalibrated points (multi-bit pools: both models give cost_model.py's figure):")
    error_table(points, "uncalibrated")
    wrong = brams_agree(points)
    print(f"BRAM18 rule: {len(points) - len(wrong)} of {len(points)} points agree"
          + "".join(f"\n  {w}" for w in wrong))
    missed = [k for k, (m, _) in worst.items() if m > GOAL]
    if missed:
        print(f"over the {GOAL:.0%} goal: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
