"""bnn-fold: choose every streaming unit's parallelism (PE, SIMD) for a throughput or a budget.

    bnn-fold{target-fps=12000 clock-mhz=200 part=xcku115}
    bnn-fold{max-luts=200000 clock-mhz=200}
    bnn-fold{folding-file=folding.json clock-mhz=100}
    bnn-fold{target-fps=12000 cost=measured}

Afterwards every layer that becomes hardware (bnnir/analysis/hardware.py: conv2d, dense,
max_pool, pad, integer threshold, arg_max, in the design's run) carries a `fold` attribute
(#bnn.fold<pe = .., simd = .., window_simd = .. for convs, and the cycles, luts and brams of its
kernels and of the width converter feeding it>) and the module a `bnn.fold` summary
(#bnn.fold_summary<part, clock_mhz, fps, max_cycles, bottleneck, luts, brams, ideal_cycles>):
exactly what bnn-to-hwstream builds and `--emit-report` reports. The choice
is optimal under the cost model, converters between layers included (bnnir/analysis/folding.py
explains why); no stream word exceeds cost_model.MAX_STREAM_BITS. With a target, the folding is
the cheapest meeting it (within the part's BRAM18s); with a budget (max-luts, part), the fastest
within it and the cheapest at that speed. An infeasible target fails with the best achievable
frame rate, on the part when one is given.

Costs are FINN's formulas (`cost=finn`, the default: bnnir's foldings compare with FINN's on
FINN's own terms) or the measured model (`cost=measured`: the same structure fitted to yosys
synthesis of our RTL, bnnir/analysis/measured_costs.py). They differ in LUTs and BRAM18s, so in
the folding a budget or target picks; a module folded under the measured model says so
(`bnn.cost_model = "measured"`), and the report costs it alike.

A folding file (JSON, {"layer": {"pe": P, "simd": S, "window_simd": W}}) fixes the parameters it
names and leaves a layer's others to the search; values are checked for legality. A report
(`--emit-report --format json`) is a folding file too: it gives back the folding it shows. FINN's
spelling is accepted: PE and SIMD in capitals, a "Defaults" entry, and FINN's other node
attributes (ram_style, mem_mode, ...), which are ignored; any other key is an error. So are
FINN's node names (MatrixVectorActivation_0, MVAU_hls_0, ConvolutionInputGenerator_rtl_0, ...):
a folding_config.json of FINN's maps onto the layers in network order
(bnnir/analysis/finn_folding.py says how).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import (
    IntegerAttr,
    ModuleOp,
    StringAttr,
    i64,
)
from xdsl.passes import ModulePass

from bnnir.analysis import finn_folding, targets
from bnnir.analysis.cost_model import MAX_STREAM_BITS, frames_per_second
from bnnir.analysis.folding import (
    LEGALITY,
    Folding,
    Layer,
    fastest_bound,
    fold_for_budget,
    fold_for_cycles,
    hardware_layers,
)
from bnnir.analysis.kernel_costs import (
    COST_MODEL_ATTR,
    COST_MODELS,
    FINN,
    ideal_cycles,
    matrix_work,
)
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn

OPTION_RANGES: dict[str, tuple[float, float, str]] = {
    # beyond these the cycle budget clock / fps leaves the integers (OverflowError, NaN)
    "clock-mhz": (1e-3, 1e5, "MHz"),
    "target-fps": (1e-6, 1e12, "frames per second"),
    "max-luts": (1, 2**62, "LUTs"),
}
"""The valid range of each numeric option."""

FINN_ONLY_KEYS = frozenset({
    # Node attributes FINN's folding files carry besides PE and SIMD (its build steps write them:
    # builder/build_dataflow_steps.py, hw_attrs); they choose memories, implementations and FIFO
    # depths that bnnir decides elsewhere, so a folding file may carry them and they are ignored.
    "parallel_window", "ram_style", "ram_style_thresholds", "ram_style_mask", "depth",
    "impl_style", "preferred_impl_style", "resType", "mac_resource", "mem_mode",
    "runtime_writeable_weights", "inFIFODepths", "outFIFODepths", "depth_trigger_uram",
    "depth_trigger_bram", "EmbFold", "SeqFold", "pumpedCompute",
})


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@dataclass(frozen=True)
class Fold(ModulePass):
    """Annotate a folding (see the module docstring).

    Arguments:
      target_fps: frames per second to reach (with clock_mhz); or
      max_luts: a LUT budget, for the fastest folding within it;
      max_brams: a BRAM18 budget (a custom device's, or below the part's);
      clock_mhz: the clock (default 200);
      part: a device or board whose LUTs and BRAM18s bound the search (bnnir/analysis/
        targets.py: xc7z020, xczu7ev, xcku115, xcu250, ..., PYNQ-Z2, ZCU104, ADM-PCIE-8K5, ...);
      folding_file: a JSON file fixing folding parameters of named layers;
      cost: the cost model, `finn` (the default) or `measured`.
    """

    name = "bnn-fold"

    target_fps: int | float | None = None
    max_luts: int | None = None
    clock_mhz: int | float = targets.DEFAULT_CLOCK_MHZ
    part: str | None = None
    folding_file: str | None = None
    max_brams: int | None = None
    cost: str = FINN

    def __post_init__(self) -> None:
        if self.cost not in COST_MODELS:
            raise ValueError(f"bnn-fold: unknown cost model '{self.cost}'; give cost="
                             f"{' or cost='.join(COST_MODELS)}")
        if self.part is not None and targets.find_part(self.part) is None:
            raise ValueError(f"bnn-fold: unknown part '{self.part}'; known "
                             f"{targets.known_targets()}")
        for option, value in (("clock-mhz", self.clock_mhz), ("target-fps", self.target_fps),
                              ("max-luts", self.max_luts)):
            if value is None:
                continue
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"bnn-fold: {option} must be a positive number, got {value}")
            low, high, unit = OPTION_RANGES[option]
            if not low <= value <= high:
                raise ValueError(f"bnn-fold: {option} must be between {low:g} and {high:g} "
                                 f"{unit}, got {value:g}")
        if self.max_brams is not None and not 0 <= self.max_brams <= 2**62:
            raise ValueError(f"bnn-fold: max-brams must be between 0 and {2**62} BRAM18s, got "
                             f"{self.max_brams}")
        if self.target_fps is None and self.max_luts is None and self.part is None \
                and self.folding_file is None and self.max_brams is None:
            raise ValueError("bnn-fold: give target-fps, max-luts, max-brams, part or "
                             "folding-file")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        layers = hardware_layers(op, self.cost)
        if not layers:
            raise BnnirError("bnn-fold", "the module has no layers to fold")
        if self.folding_file is not None:
            layers = restricted_by_file(self.folding_file, layers)
        for layer in layers:
            if not layer.choices:
                narrowest = min(c.widest for c in layer.too_wide)
                raise BnnirError("bnn-fold", f"layer '{layer.name}': every folding needs "
                                 f"stream words of {narrowest} bits or more, wider than the "
                                 f"{MAX_STREAM_BITS} bits Vitis HLS allows")
        part = None if self.part is None else targets.find_part(self.part)
        annotate(op, self._search(layers), self.clock_mhz, None if part is None else part.name,
                 self.cost)

    def _caps(self) -> tuple[int | None, int | None]:
        """(LUTs, BRAM18s) the folding must fit, from max-luts and the part."""
        part = None if self.part is None else targets.find_part(self.part)
        luts, brams = (None, None) if part is None else (part.luts, part.bram18)
        if self.max_luts is not None:
            luts = self.max_luts if luts is None else min(luts, self.max_luts)
        if self.max_brams is not None:
            brams = self.max_brams if brams is None else min(brams, self.max_brams)
        return luts, brams

    def _within(self) -> str:
        """The caps, as a message says them."""
        luts, brams = self._caps()
        if self.part is not None:
            return f"{self.part} ({luts} LUTs, {brams} BRAM18s)"
        if brams is not None:
            return f"{luts} LUTs and {brams} BRAM18s" if luts is not None else \
                f"{brams} BRAM18s"
        return f"{luts} LUTs"

    def _search(self, layers: list[Layer]) -> Folding:
        max_luts, max_brams = self._caps()
        if self.target_fps is not None:
            return self._for_target(layers, max_luts, max_brams)
        if max_luts is None and max_brams is not None:  # a BRAM18 budget alone
            max_luts = 2**62
        if max_luts is None:  # only a folding file: the fastest folding, the cheapest at it
            folding = fold_for_cycles(layers, fastest_bound(layers))
            assert folding is not None
            return folding
        folding = fold_for_budget(layers, max_luts, max_brams)
        if folding is None:
            raise BnnirError("bnn-fold", f"no folding fits {self._within()}; "
                             + _smallest(layers, max_brams))
        return folding

    def _for_target(self, layers: list[Layer], max_luts: int | None,
                    max_brams: int | None) -> Folding:
        clock = self.clock_mhz * 1e6
        bound = int(clock // self.target_fps)
        cycles = _cycles(bound) if bound else "less than one cycle"
        target = f"{self.target_fps:g} fps at {self.clock_mhz:g} MHz allows {cycles} per frame"
        fast_enough = bound >= fastest_bound(layers)
        folding = fold_for_cycles(layers, bound, max_brams) if fast_enough else None
        if folding is not None and (max_luts is None or folding.luts <= max_luts):
            return folding
        if max_luts is None:
            best = fastest_bound(layers)
            raise BnnirError("bnn-fold", f"{target}, but the best folding takes {_cycles(best)} "
                             f"(at most {frames_per_second(self.clock_mhz, best):.1f} fps)")
        best_within = fold_for_budget(layers, max_luts, max_brams)
        if best_within is None:
            raise BnnirError("bnn-fold", f"no folding fits {self._within()}; "
                             + _smallest(layers, max_brams))
        cheapest = fold_for_cycles(layers, bound) if fast_enough else None
        needs = "no folding is that fast" if cheapest is None else (
            f"the cheapest folding that fast needs {cheapest.luts} LUTs and {cheapest.brams} "
            "BRAM18s")
        raise BnnirError("bnn-fold", f"{target}; {needs}; within {self._within()} the fastest "
                         f"takes {best_within.max_cycles} cycles per frame (at most "
                         f"{frames_per_second(self.clock_mhz, best_within.max_cycles):.1f} fps)")


def _cycles(count: int) -> str:
    return f"{count} cycle{'' if count == 1 else 's'}"


def _smallest(layers: list[Layer], max_brams: int | None) -> str:
    cheapest = fold_for_cycles(layers, 2**62)
    assert cheapest is not None
    smallest = f"the smallest needs {cheapest.luts} LUTs and {cheapest.brams} BRAM18s"
    fewest_brams = sum(min(c.brams for c in layer.choices) for layer in layers)
    if max_brams is not None and fewest_brams > max_brams:
        smallest += f", and every folding at least {fewest_brams} BRAM18s"
    return smallest


# ===----------------------------------------------------------------------=== #
# Folding files
# ===----------------------------------------------------------------------=== #


def restricted_by_file(path: str, layers: list[Layer]) -> list[Layer]:
    """The layers with the folding parameters a folding file names fixed: a layer may fix some
    of its parameters and leave the others to the search. Values are checked for legality."""
    spec = _read_json(path)
    if isinstance(spec, dict) and isinstance(spec.get("layers"), list):
        spec = _report_folding(path, spec["layers"])
    if not isinstance(spec, dict):
        raise BnnirError(path, 'expected an object {"layer name": {"pe": ..., "simd": ...}}')
    names = {layer.name for layer in layers}
    if any(finn_folding.is_finn_node(key) and key not in names for key in spec):
        spec = finn_folding.bnnir_folding(path, spec, layers)
    # One ONNX node can become several layers of one name (a Pad of a bipolar map with an
    # integer value: a threshold with a PE, then a pad with a SIMD); each takes the parameters
    # it has.
    by_name: dict[str, list[int]] = {}
    for index, layer in enumerate(layers):
        by_name.setdefault(layer.name, []).append(index)
    result = list(layers)
    for name, params in spec.items():
        if name == "Defaults":  # FINN's folding files carry one; it sets no layer
            if not isinstance(params, dict):
                raise BnnirError(path, f"'Defaults' must be an object as in FINN's folding "
                                 f"files, got {json.dumps(params)}")
            continue
        if name not in by_name:
            raise BnnirError(path, f"unknown layer '{name}'; layers: {', '.join(by_name)}")
        namesakes = by_name[name]
        if len(namesakes) > 1 and isinstance(params, dict):
            known = set().union(*(_parameters(layers[i]) for i in namesakes))
            unknown = {_lower(k) for k in params if k not in FINN_ONLY_KEYS} - known
            if unknown:
                raise BnnirError(path, f"layer '{name}' has no folding parameter "
                                 f"{', '.join(sorted(unknown))} (it has "
                                 f"{', '.join(sorted(known))})")
        for index in namesakes:
            own = params if len(namesakes) == 1 or not isinstance(params, dict) else {
                k: v for k, v in params.items() if _lower(k) in _parameters(layers[index])}
            result[index] = _restricted(path, layers[index], own)
    return result


def _report_folding(path: str, rows: list[object]) -> dict[str, dict[str, object]]:
    """The folding a report (`--emit-report --format json`) shows, as a folding file gives it:
    per layer, the PE and SIMD of its MVTU, its window's SIMD (window_simd), a pad layer's SIMD,
    a threshold's or label select's PE. Rows come in stream order, so a conv's MVTU comes after
    its padding; width converters and FIFOs follow from the parameters."""
    spec: dict[str, dict[str, object]] = {}
    for row in rows:
        if not (isinstance(row, dict) and isinstance(row.get("name"), str)
                and isinstance(row.get("kind"), str)):
            raise BnnirError(path, "a report's layers must be objects with a name and a kind")
        name, kind = row["name"], row["kind"]
        if "->" in name or "." not in name:  # a FIFO, or not a kernel of a layer
            continue
        match kind:
            case "mvtu":
                params = {"pe": row.get("pe"), "simd": row.get("simd")}
            case "window":
                params = {"window_simd": row.get("simd")}
            case "pad":
                params = {"simd": row.get("simd")}
            case "threshold" | "label_select":
                params = {"pe": row.get("pe")}
            case _:
                continue
        spec.setdefault(name.rsplit(".", 1)[0], {}).update(params)
    return spec


def _lower(key: str) -> str:
    return key.lower() if key in ("PE", "SIMD") else key


def _parameters(layer: Layer) -> set[str]:
    return set(layer.choices[0].params if layer.choices else layer.too_wide[0].params)


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object, refusing a key given twice (Python's reader keeps the last silently)."""
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKey(next(k for k in keys if keys.count(k) > 1))
    return dict(pairs)


def _read_json(path: str) -> object:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise BnnirError(path, e.strerror or str(e)) from None
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as e:
        raise BnnirError(path, f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                         f"{e.start}); a folding file is JSON") from None
    except json.JSONDecodeError as e:
        raise BnnirError(f"{path}:{e.lineno}:{e.colno}", f"not valid JSON ({e.msg})") from None
    except _DuplicateKey as e:
        raise BnnirError(path, f"'{e.key}' is given twice; give each layer and parameter "
                         "once") from None
    except RecursionError:
        raise BnnirError(path, "nested too deeply; a folding file is an object of objects of "
                         "integers") from None


def _restricted(path: str, layer: Layer, params: object) -> Layer:
    if not isinstance(params, dict):
        raise BnnirError(path, f"layer '{layer.name}': expected an object of folding parameters "
                         '(e.g. {"pe": 2, "simd": 8})')
    # FINN spells PE and SIMD in capitals and carries keys that do not apply here.
    spelled = {given: _lower(given) for given in params if given not in FINN_ONLY_KEYS}
    twice = sorted(key for key, count in Counter(spelled.values()).items() if count > 1)
    if twice:
        raise BnnirError(path, f"layer '{layer.name}' gives {', '.join(twice)} twice (in "
                         "bnnir's and FINN's spelling)")
    params = {key: params[given] for given, key in spelled.items()}
    known = _parameters(layer)
    unknown = set(params) - known
    if unknown:
        has = f"it has {', '.join(sorted(known))}" if known else "its folding is fixed"
        raise BnnirError(path, f"layer '{layer.name}' has no folding parameter "
                         f"{', '.join(sorted(unknown))} ({has})")
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise BnnirError(path, f"layer '{layer.name}': {key} must be a positive integer, "
                             f"got {json.dumps(value)}")
    restricted = layer.restricted(params)
    if restricted.choices:
        return restricted
    if restricted.too_wide:
        widest = min(c.widest for c in restricted.too_wide)
        raise BnnirError(path, f"layer '{layer.name}': {json.dumps(params)} needs {widest}-bit "
                         f"stream words, wider than the {MAX_STREAM_BITS} bits Vitis HLS allows "
                         "(ap_uint with AP_INT_MAX_W); choose a smaller PE or SIMD")
    raise BnnirError(path, f"layer '{layer.name}': {json.dumps(params)} is not a legal folding "
                     f"({LEGALITY})")


def annotate(module: ModuleOp, folding: Folding, clock_mhz: float,
             part: str | None = None, cost: str = FINN) -> None:
    """Write the folding into the module: each layer's `fold` (#bnn.fold: its parameters and the
    cycles, LUTs and BRAM18s of its kernels, the width converter feeding it included), the
    module's `bnn.fold` summary (#bnn.fold_summary) and, unless it is the default, the cost
    model they are figures of (COST_MODEL_ATTR)."""
    for layer, choice in folding.choices:
        kernels = [k for owner, k in folding.kernels if owner is layer]
        layer.op.attributes["fold"] = bnn.FoldAttr({
            **choice.params, "cycles": max(k.cost.cycles for k in kernels),
            "luts": sum(k.cost.luts for k in kernels),
            "brams": sum(k.cost.brams for k in kernels)})
    module.attributes["bnn.fold"] = bnn.FoldSummaryAttr(
        part=part, clock_mhz=clock_mhz,
        fps=frames_per_second(clock_mhz, folding.max_cycles), max_cycles=folding.max_cycles,
        bottleneck=folding.bottleneck, luts=folding.luts, brams=folding.brams,
        ideal_cycles=ideal_cycles(*matrix_work(folding.specs)))
    module.attributes.pop(COST_MODEL_ATTR, None)
    if cost != FINN:
        module.attributes[COST_MODEL_ATTR] = StringAttr(cost)
