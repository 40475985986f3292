"""bnnir's Python API: the flow of `bnn-compile`, returning the build instead of only writing it.

    import numpy as np
    import bnnir

    build = bnnir.compile("bnnir/examples/tiny_cnv.onnx", input_type="ui8",
                          target_fps=20000, clock_mhz=100)
    print(build.report["fps"], build.report["bottleneck"])
    x = np.load("bnnir/examples/tiny_cnv_input.npy")
    logits = build.run(x)                   # the streaming design, in the interpreter
    logits = build.run(x, engine="csim")    # the C simulation of its HLS C++ (needs g++)
    build.write("build/tiny_cnv")           # what bnn-compile -o writes

The options are bnn-compile's (`bnn-compile --help`), with Python spellings: `target_fps`,
`max_luts`, `max_brams`, `clock_mhz` (default 200), `part` (a part or board name of
bnnir/analysis/targets.py, e.g. "xcku115" or "PYNQ-Z2"), `folding_file`, `padding`,
`input_type`, `cost` ("finn", the default, or "measured": bnn-fold's cost model), `synth` and
`synth_cluster` (yosys' figures in the report, see bnn-compile --synth), and `verify` (an input
batch, or the path of one, that every stage and the C simulation must give the model's outputs
on). The stages are those of bnn-compile: 1-imported,
2-hardware (threshold fusion, padding), 3-folded (bnn-fold), 4-streaming (bnn-to-hwstream,
hwstream-size-fifos); `build.modules` holds the module after each. Errors are
`bnnir.diagnostics.BnnirError` (the tools' one-line message).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline

from bnnir.analysis import targets
from bnnir.diagnostics import BnnirError, describe

STAGE_FILES = ("1-imported.mlir", "2-hardware.mlir", "3-folded.mlir", "4-streaming.mlir")


@dataclass(frozen=True)
class Options:
    """bnn-compile's options (the same names as its argparse namespace)."""

    input_type: str | None = None
    input_scale: str | None = None
    target_fps: float | None = None
    max_luts: int | None = None
    clock_mhz: float = targets.DEFAULT_CLOCK_MHZ
    part: str | None = None
    folding_file: str | None = None
    padding: str = "exact"
    max_brams: int | None = None
    cost: str = "finn"
    synth: bool = False
    synth_cluster: str | None = None


@dataclass(frozen=True)
class Stage:
    """Passes whose result is written to `file`; `changes_output` says the passes may change
    the network's output on purpose (minus-one padding)."""

    file: str
    passes: tuple[ModulePass, ...]
    changes_output: bool = False


def stages(options: Options) -> list[Stage]:
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.fold import Fold
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.size_fifos import SizeFifos
    from bnnir.passes.threshold_fusion import ThresholdFusion

    if all(getattr(options, a) is None
           for a in ("target_fps", "max_luts", "max_brams", "part", "folding_file")):
        raise BnnirError("options", "give --target-fps, --max-luts, --max-brams, --part or "
                         "--folding-file to choose a folding")
    try:
        fold = Fold(target_fps=options.target_fps, max_luts=options.max_luts,
                    clock_mhz=options.clock_mhz, part=options.part,
                    folding_file=options.folding_file, max_brams=options.max_brams,
                    cost=options.cost)
        padding = LegalizePadding(options.padding)
    except ValueError as e:
        raise BnnirError("options", str(e)) from None
    minus_one = options.padding == "minus-one"
    return [
        # fusion is checked on its own when the padding that follows may change the output
        Stage("2-hardware.mlir", (ThresholdFusion(),)) if minus_one else
        Stage("2-hardware.mlir", (ThresholdFusion(), padding)),
        *([Stage("2-hardware.mlir", (padding,), True)] if minus_one else []),
        Stage("3-folded.mlir", (fold,)),
        Stage("4-streaming.mlir", (BnnToHwstream(), SizeFifos())),
    ]


def host_layers(module: ModuleOp) -> str | None:
    """When the streaming design ends before the network's last layer (bnn-to-hwstream stops at
    the first op between layers that has no streaming kernel, such as float arithmetic left by
    threshold fusion), a warning naming that op and the first layer left to the host."""
    from bnnir.dialects import bnn
    from bnnir.dialects.hwstream import InstanceOp
    from bnnir.interp.run import entry_function

    ops = list(entry_function(module).body.block.ops)
    start = next((i for i, op in enumerate(ops) if isinstance(op, InstanceOp)), None)
    if start is None:
        return None
    after = ops[start + 1 :]
    layer = next((op for op in after if isinstance(op, bnn.Conv2dOp | bnn.DenseOp)), None)
    if layer is None:
        return None
    stop = next(op for op in after
                if not isinstance(op, bnn.ConstantOp | bnn.FlattenOp | bnn.ReshapeOp))
    return (f"the hardware design ends at {describe(stop)}, which has no streaming kernel; "
            f"{describe(layer)} and everything after it run on the host")


def over_budget(options: Options, report: dict[str, Any]) -> str | None:
    """Whether the FIFOs, sized after folding, take the design past --max-luts, --max-brams or
    --part (bnn-fold budgets the kernels and width converters; the FIFOs depend on the folding it
    chooses)."""
    luts, brams = report["total_luts"], report["total_brams"]
    limits: list[tuple[int | None, int | None, str]] = []
    if options.max_luts:
        limits.append((options.max_luts, None, f"--max-luts {options.max_luts}"))
    if options.max_brams is not None:
        limits.append((None, options.max_brams, f"--max-brams {options.max_brams}"))
    device = None if options.part is None else targets.find_part(options.part)
    if device is not None:
        limits.append((device.luts, device.bram18, options.part))
    for max_luts, max_brams, name in limits:
        if (max_luts is not None and luts > max_luts) or \
                (max_brams is not None and brams > max_brams):
            return (f"with its FIFOs the design needs {luts} LUTs and {brams} BRAM18s, more than "
                    f"{name} allows; fold for a smaller budget (bnn-fold does not count FIFOs)")
    return None


@dataclass
class Build:
    """What a compilation made: the module after each stage, the folding report (the dict of
    bnnir.backends.report.build_report) and every file of the build folder."""

    modules: dict[str, ModuleOp]
    report: dict[str, Any]
    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def module(self) -> ModuleOp:
        """The streaming design (the last stage)."""
        return self.modules[STAGE_FILES[-1]]

    def run(self, x: np.ndarray, engine: str = "interp",
            stage: str = STAGE_FILES[-1]) -> np.ndarray | tuple[np.ndarray, ...]:
        """The outputs of a stage's module on the batch x (first axis): one array, or a tuple
        for a network with several outputs. engine: interp, csim (the g++-compiled C
        simulation of the HLS C++) or rtl (the Verilator simulation of the SystemVerilog
        exported through CIRCT); the last two for the streaming stage."""
        from bnnir.interp import run_module_all
        from bnnir.tools.cli import engine as named_engine

        if stage not in self.modules:
            raise BnnirError(stage, f"no such stage; the stages are {', '.join(self.modules)}")
        outputs = run_module_all(self.modules[stage], [np.asarray(x)], named_engine(engine))
        return outputs[0] if len(outputs) == 1 else outputs

    def write(self, folder: str | Path) -> None:
        """Write the build folder, as bnn-compile -o does (each file atomically)."""
        from bnnir.tools.bnn_translate import write_project

        write_project(str(folder), self.files)


class _Check:
    """bnn-compile's --verify: OutputCheck after each stage, reported through `log`."""

    def __init__(self, verify: str | np.ndarray | None, module: ModuleOp,
                 log: Callable[[str], None]):
        from bnnir.tools.output_check import OutputCheck

        self.log = log
        self.check: OutputCheck | None = None
        if verify is None:
            return
        path = verify if isinstance(verify, str) else "the verify batch"
        try:
            self.check = OutputCheck(path, module, None if isinstance(verify, str)
                                     else np.asarray(verify))
        except BnnirError as e:  # name the file whose batch does not fit the model
            if e.where != path:
                raise
            raise BnnirError(path, f"{e.what} (the model's input)") from None

    def stage(self, stage: Stage, module: ModuleOp, why: str) -> None:
        if self.check is None:
            return
        if not stage.changes_output:
            self.check.check(stage.file, module)
            self.log(f"{stage.file}: outputs unchanged")
        elif self.check.rebase(module):
            self.log(f"{stage.file}: outputs changed by {why}; the later stages are checked "
                     "against them")
        else:
            self.log(f"{stage.file}: outputs unchanged")

    def original(self, model: str, input_scale: str | None) -> None:
        """The imported module against the original model's own runtime (onnxruntime, or qonnx
        for QONNX models): rows that differ by the contract's documented cases (Sign ties, Gemm
        blocks) are warnings, any other row is an error."""
        from bnnir.frontend.onnx.original import compare_with_original

        if self.check is None:
            return
        stage = STAGE_FILES[0]
        result = compare_with_original(model, self.check.x, self.check.expected, input_scale)
        if result is None:
            self.log(f"{stage}: not compared with the original model (onnxruntime or qonnx is "
                     "not installed)")
            return
        if result.mismatched:
            raise BnnirError(stage, f"rows {_rows(result.mismatched)} differ from "
                             f"{result.runtime}'s output of the original model, which no "
                             "documented case (Sign ties, Gemm blocks) explains")
        for cause in sorted(set(result.documented.values())):
            rows = [r for r, c in result.documented.items() if c == cause]
            self.log(f"warning: {stage}: rows {_rows(rows)} differ from {result.runtime}'s "
                     f"output of the original model by the contract's {cause}")
        same = result.rows - len(result.documented)
        self.log(f"{stage}: {same} of {result.rows} rows equal {result.runtime}'s output of the "
                 "original model")

    def csim(self, module: ModuleOp) -> None:
        if self.check is not None:
            self.check.check("hls", module, engine="csim")
            self.log("hls: outputs unchanged (csim)")

    def rtl(self, module: ModuleOp) -> None:
        if self.check is not None:
            self.check.check("rtl", module, engine="rtl")
            self.log("rtl: outputs unchanged (Verilator)")


def _rows(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")


def _verifier(model: str) -> Callable[[ModulePass | None, ModuleOp, ModulePass | None], None]:
    """A pass-pipeline callback verifying the module after each pass (errors name the pass)."""
    from bnnir.tools.cli import verify_located

    def verify(before: ModulePass | None, module: ModuleOp, _: ModulePass | None) -> None:
        if before is not None:
            verify_located(module, f"{model}: after pass '{before.name}'")

    return verify


def _synthesize(module: ModuleOp, report: dict[str, Any], cluster: str | None) -> None:
    """Adds yosys' figures per kernel to the report (bnnir/backends/yosys)."""
    from bnnir.backends.report import add_synthesis
    from bnnir.backends.yosys import synthesize_design

    add_synthesis(report, synthesize_design(module, cluster=cluster))


def compile(model: str | Path, *, input_type: str | None = None, input_scale: str | None = None,
            target_fps: float | None = None, max_luts: int | None = None,
            clock_mhz: float = targets.DEFAULT_CLOCK_MHZ, part: str | None = None,
            max_brams: int | None = None, folding_file: str | Path | None = None,
            padding: str = "exact", cost: str = "finn", synth: bool = False,
            synth_cluster: str | None = None, verify: str | Path | np.ndarray | None = None,
            output: str | Path | None = None,
            quiet: bool = True, log: Callable[[str], None] | None = None) -> Build:
    """Compile an ONNX / QONNX / FINN-ONNX model to a folded streaming design (bnn-compile).

    With `output` the build folder is written too. `quiet=False` prints progress lines on
    stderr for long steps; `log` receives the --verify lines ("3-folded.mlir: outputs
    unchanged") and the warnings ("warning: ..."; also in Build.warnings)."""
    options = Options(input_type=input_type, input_scale=input_scale, target_fps=target_fps,
                      max_luts=max_luts, clock_mhz=clock_mhz, part=part,
                      folding_file=None if folding_file is None else str(folding_file),
                      padding=padding, max_brams=max_brams, cost=cost, synth=synth,
                      synth_cluster=synth_cluster)
    return compile_with(str(model), options, verify=verify, output=output, quiet=quiet,
                        log=log or (lambda _: None))


def compile_with(model: str, options: Options, *, verify: str | Path | np.ndarray | None,
                 output: str | Path | None, quiet: bool, log: Callable[[str], None],
                 tool: str = "bnnir") -> Build:
    """compile() over an Options (bnn-compile's entry)."""
    from bnnir.backends.circt.project import emit_project as emit_rtl
    from bnnir.backends.hls.emit import emit_project
    from bnnir.backends.report import build_report, render_json, render_text
    from bnnir.backends.report_svg import render_svg
    from bnnir.frontend.onnx import import_onnx
    from bnnir.tools.cli import print_module
    from bnnir.tools.progress import Progress

    progress = Progress(tool, quiet)
    plan = stages(options)  # bad options fail before any work
    if output is not None and Path(output).exists() and not Path(output).is_dir():
        raise BnnirError(str(output), "is a file; -o names the build folder to write")
    if options.synth_cluster is not None and not options.synth:
        raise BnnirError("options", "synth_cluster (--synth-cluster) applies to synth (--synth)")
    # Everything is kept in memory and written only when every stage has succeeded, so a failed
    # run leaves the folder as it was (no mix of this run's stages with an earlier run's).
    with progress.step(f"importing {model}"):
        module = import_onnx(model, options.input_type, input_scale=options.input_scale)
    modules = {STAGE_FILES[0]: module.clone()}
    with progress.step("running the model on the --verify batch"):
        check = _Check(str(verify) if isinstance(verify, Path) else verify, module, log)
        check.original(model, options.input_scale)
    for index, stage in enumerate(plan, start=1):
        names = ", ".join(p.name for p in stage.passes)
        with progress.step(f"[{index}/{len(plan)}] {stage.file}: {names}"):
            PassPipeline(stage.passes, _verifier(model)).apply(Context(), module)
            check.stage(stage, module, f"{options.padding} padding")
        modules[stage.file] = module.clone()
    warnings = [w for w in (host_layers(module),) if w is not None]
    with progress.step("printing the stages, the report and the HLS project"):
        report = build_report(module)
        if (warning := over_budget(options, report)) is not None:
            warnings.append(warning)
        files = {name: print_module(m) for name, m in modules.items()}
        files["report.txt"] = render_text(report)
        files["report.json"] = render_json(report)
        files |= {f"hls/{name}": text for name, text in emit_project(module).items()}
    if options.synth:
        with progress.step("synthesizing every kernel with yosys"):
            _synthesize(module, report, options.synth_cluster)
        files["report.txt"] = render_text(report)
        files["report.json"] = render_json(report)
    with progress.step("exporting the SystemVerilog through CIRCT (rtl/)"):
        files |= {f"rtl/{name}": text for name, text in emit_rtl(module).items()}
    with progress.step("drawing the pipeline (report.svg, with matplotlib)"):
        files["report.svg"] = render_svg(report)
    for warning in warnings:
        log(f"warning: {warning}")
    with progress.step("compiling and running the C simulation (g++)"):
        check.csim(module)
    with progress.step("building and running the Verilator simulation of the SystemVerilog"):
        check.rtl(module)
    build = Build(modules, report, files, warnings)
    if output is not None:
        build.write(output)
    return build
