"""bnn-fold: choose every streaming unit's parallelism (PE, SIMD) for a throughput or a budget.

    bnn-fold{target-fps=12000 clock-mhz=200 part=xcku115}
    bnn-fold{max-luts=200000 clock-mhz=200}
    bnn-fold{folding-file=folding.json clock-mhz=100}

Afterwards every layer that becomes hardware (conv2d, dense, max_pool, pad, integer threshold,
arg_max) carries a `fold` dictionary (pe, simd, window_simd for convs, cycles, luts, brams) and the
module a `bnn.fold` summary (clock_mhz, fps, max_cycles, bottleneck, luts, brams, ideal_cycles).
The choice is optimal under the cost model (bnnir/analysis/folding.py explains why); an infeasible
target fails with the best achievable frame rate. A folding file (JSON, {"layer": {"pe": P,
"simd": S, "window_simd": W}}) fixes the named layers; its values are checked for legality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import (
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    f64,
    i64,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from bnnir.analysis.folding import (
    Choice,
    Folding,
    Layer,
    fastest_bound,
    fold_for_budget,
    fold_for_cycles,
    hardware_layers,
)
from bnnir.diagnostics import BnnirError

PARTS: dict[str, tuple[int, int]] = {
    # part: (LUTs, BRAM18s), from the vendor's product tables
    "xc7z020": (53_200, 280),
    "xczu7ev": (230_400, 624),
    "xcku115": (663_360, 4_320),
    "xcu250": (1_728_000, 5_376),
}


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@dataclass(frozen=True)
class Fold(ModulePass):
    """Annotate a folding (see the module docstring).

    Arguments:
      target_fps: frames per second to reach (with clock_mhz); or
      max_luts: a LUT budget, for the fastest folding within it;
      clock_mhz: the clock (default 200);
      part: a device whose LUTs and BRAM18s bound the search (xc7z020, xczu7ev, xcku115, xcu250);
      folding_file: a JSON file fixing the folding of named layers.
    """

    name = "bnn-fold"

    target_fps: int | float | None = None
    max_luts: int | None = None
    clock_mhz: int | float = 200
    part: str | None = None
    folding_file: str | None = None

    def __post_init__(self) -> None:
        if self.part is not None and self.part not in PARTS:
            raise ValueError(f"bnn-fold: unknown part '{self.part}'; known parts: "
                             f"{', '.join(PARTS)}")
        if self.clock_mhz <= 0:
            raise ValueError("bnn-fold: clock-mhz must be positive")
        if self.target_fps is not None and self.target_fps <= 0:
            raise ValueError("bnn-fold: target-fps must be positive")
        if self.target_fps is None and self.max_luts is None and self.part is None \
                and self.folding_file is None:
            raise ValueError("bnn-fold: give target-fps, max-luts, part or folding-file")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        layers = hardware_layers(op)
        if not layers:
            raise BnnirError("bnn-fold", "the module has no layers to fold")
        fixed = self._fixed(layers)
        folding = self._search(layers, fixed)
        annotate(op, folding, self.clock_mhz, self.part)

    def _search(self, layers: list[Layer], fixed: dict[str, Choice]) -> Folding:
        clock = self.clock_mhz * 1e6
        free = [layer for layer in layers if layer.name not in fixed]
        slowest_fixed = max((c.cycles for c in fixed.values()), default=0)
        best_cycles = max(fastest_bound(free) if free else 0, slowest_fixed)
        luts, brams = PARTS.get(self.part, (None, None)) if self.part else (None, None)
        if self.target_fps is not None:
            bound = int(clock // self.target_fps)
            if bound < best_cycles:
                raise BnnirError("bnn-fold", f"{self.target_fps:g} fps at {self.clock_mhz:g} "
                                 f"MHz allows {bound} cycles per frame, but the best folding takes "
                                 f"{best_cycles} (at most {clock / best_cycles:.1f} fps)")
            folding = fold_for_cycles(layers, bound, fixed)
            assert folding is not None
            self._check_fits(folding, luts, brams)
            return folding
        if self.max_luts is None and luts is None:  # only a folding file
            folding = fold_for_cycles(layers, max(best_cycles, slowest_fixed), fixed)
            assert folding is not None
            return folding
        budget = min(v for v in (self.max_luts, luts) if v is not None)
        folding = fold_for_budget(layers, budget, brams, fixed)
        if folding is None:
            cheapest = fold_for_cycles(layers, 2**62, fixed)
            assert cheapest is not None
            raise BnnirError("bnn-fold", f"no folding fits {budget} LUTs"
                             + (f" and {brams} BRAM18s" if brams else "")
                             + f"; the smallest needs {cheapest.luts} LUTs and "
                             f"{cheapest.brams} BRAM18s")
        return folding

    def _check_fits(self, folding: Folding, luts: int | None, brams: int | None) -> None:
        if luts is not None and (folding.luts > luts or folding.brams > (brams or 0)):
            raise BnnirError("bnn-fold", f"the folding for {self.target_fps:g} fps needs "
                             f"{folding.luts} LUTs and {folding.brams} BRAM18s; {self.part} has "
                             f"{luts} and {brams}")
        if self.max_luts is not None and folding.luts > self.max_luts:
            raise BnnirError("bnn-fold", f"the folding for {self.target_fps:g} fps needs "
                             f"{folding.luts} LUTs, over max-luts={self.max_luts}")

    def _fixed(self, layers: list[Layer]) -> dict[str, Choice]:
        if self.folding_file is None:
            return {}
        return choices_from_file(self.folding_file, layers)


def choices_from_file(path: str, layers: list[Layer]) -> dict[str, Choice]:
    """The layers' choices a folding file names, each checked for legality."""
    try:
        spec = json.loads(Path(path).read_text())
    except OSError as e:
        raise BnnirError(path, e.strerror or str(e)) from None
    except json.JSONDecodeError as e:
        raise BnnirError(f"{path}:{e.lineno}:{e.colno}", f"not valid JSON ({e.msg})") from None
    if not isinstance(spec, dict):
        raise BnnirError(path, 'expected an object {"layer name": {"pe": ..., "simd": ...}}')
    by_name = {layer.name: layer for layer in layers}
    fixed = {}
    for name, params in spec.items():
        if name == "Defaults":  # FINN's folding files carry one; it sets no layer
            continue
        if name not in by_name:
            raise BnnirError(path, f"unknown layer '{name}'; layers: {', '.join(by_name)}")
        if isinstance(params, dict):  # FINN spells them PE and SIMD
            params = {k.lower() if k in ("PE", "SIMD") else k: v for k, v in params.items()}
        fixed[name] = _matching_choice(path, by_name[name], params)
    return fixed


def _matching_choice(path: str, layer: Layer, params: object) -> Choice:
    if not isinstance(params, dict) or not all(isinstance(v, int) for v in params.values()):
        raise BnnirError(path, f"layer '{layer.name}': expected integer pe/simd/window_simd")
    known = set(layer.choices[0].params)
    unknown = set(params) - known
    if unknown:
        has = ", ".join(sorted(known)) or "none"
        raise BnnirError(path, f"layer '{layer.name}' has no folding parameter "
                         f"{', '.join(sorted(unknown))} (it has {has})")
    matches = [c for c in layer.choices if all(c.params[k] == v for k, v in params.items())]
    if not matches:
        raise BnnirError(path, f"layer '{layer.name}': {params} is not a legal folding (PE must "
                         "divide the output channels, SIMD the columns, window SIMD the input "
                         "channels, and window SIMD and SIMD one the other's multiple)")
    return min(matches, key=lambda c: c.key)


def annotate(module: ModuleOp, folding: Folding, clock_mhz: float,
             part: str | None = None) -> None:
    for layer, choice in folding.choices:
        entries = {k: _int(v) for k, v in choice.params.items()}
        entries.update(cycles=_int(choice.cycles), luts=_int(choice.luts),
                       brams=_int(choice.brams))
        layer.op.attributes["fold"] = DictionaryAttr(entries)
    fps = clock_mhz * 1e6 / folding.max_cycles
    summary: dict[str, Attribute] = {} if part is None else {"part": StringAttr(part)}
    module.attributes["bnn.fold"] = DictionaryAttr({
        **summary,
        "clock_mhz": FloatAttr(clock_mhz, f64),
        "fps": FloatAttr(round(fps, 1), f64),
        "max_cycles": _int(folding.max_cycles),
        "bottleneck": StringAttr(folding.bottleneck),
        "luts": _int(folding.luts),
        "brams": _int(folding.brams),
        "ideal_cycles": FloatAttr(round(folding.ideal_cycles, 1), f64),
    })
