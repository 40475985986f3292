"""bnn-run: execute a bnnir module on a batch of inputs.

    bnn-run IN.mlir --input X.npy [-o Y.npy] [--engine interp|csim|rtl] [--cycles]
            [--backpressure P] [--gaps P] [--quiet]

X is batched on its first axis, as the ONNX model's input. The output is written as .npy in the
model's output layout and dtype (an .npz of all outputs for a network with several), or printed
when no -o is given. `--engine` selects the executor of the same module. `--cycles` also prints
each hwstream design's cycle-level schedule: steady-state cycles per frame, first-frame latency,
both with unbounded streams and with the design's FIFO depths, and the streams too shallow;
with `--engine rtl` (the exported SystemVerilog in Verilator) also the cycles it measured.
`--backpressure P` / `--gaps P` make the RTL testbench refuse an output word / hold back an
input word with probability P each cycle. Steps over a second are announced on a terminal's
stderr (a bar counts the frames of a large batch, run CHUNK frames at a time), unless --quiet.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from bnnir.diagnostics import BnnirError
from bnnir.dialects.hwstream import DesignOp
from bnnir.tools.cli import (
    ToolArgumentParser,
    load_batch,
    load_module,
    refuse_onnx,
    run_batch,
    run_tool,
    write_atomic,
)
from bnnir.tools.cli import engine as cli_engine
from bnnir.tools.progress import Progress

if TYPE_CHECKING:
    from bnnir.backends.circt.sim import Result
    from bnnir.interp import Engine

TOOL = "bnn-run"

CHUNK = 64
"""Frames per interpreter call when a batch is larger: a progress bar step, and each call is still
vectorized over its frames."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from bnnir.tools.cli import ENGINES

    parser = ToolArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    parser.add_argument("input_module", metavar="IN.mlir")
    parser.add_argument("--input", required=True, metavar="X.npy", help="the input batch")
    parser.add_argument("-o", "--output", metavar="Y.npy", help="where to write the output")
    parser.add_argument("--engine", default="interp", choices=sorted(ENGINES),
                        help="interp: the interpreter (default); csim: the hwstream design "
                             "as the g++-compiled C simulation of its HLS C++ (needs g++); "
                             "rtl: its SystemVerilog through CIRCT, in Verilator")
    for flag, what in (("--backpressure", "refuses an output word"),
                       ("--gaps", "holds back an input word")):
        parser.add_argument(flag, type=float, metavar="P",
                            help=f"with --engine rtl: the probability that the testbench {what} "
                                 "in a cycle (0 <= P < 1)")
    parser.add_argument("--cycles", action="store_true",
                        help="also simulate and report cycles (hwstream modules)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr for the steps that take over a second")
    args = parser.parse_args(argv)
    for flag in ("backpressure", "gaps"):
        value = getattr(args, flag)
        if value is not None and args.engine != "rtl":
            parser.error(f"--{flag} applies to --engine rtl")
        if value is not None and not 0 <= value < 1:
            parser.error(f"--{flag} must be a probability in [0, 1), got {value}")
    return args


def rtl_cycles(runs: list[Result]) -> str:
    """The cycles the RTL simulation measured, one line per design run."""
    lines = []
    for run in runs:
        per_frame = run.cycles_per_frame
        steady = "one frame only" if per_frame is None else f"{per_frame} cycles per frame"
        lines.append(f"  RTL in Verilator: {steady}, latency {run.latency} cycles (last two "
                     "frames; first frame)")
    return "\n".join(lines)


def save_outputs(path: str, outputs: tuple[np.ndarray, ...], names: list[str]) -> None:
    buffer = io.BytesIO()
    if len(outputs) == 1:
        np.save(buffer, outputs[0], allow_pickle=False)
    else:
        np.savez(buffer, **dict(zip(names, outputs, strict=True)))
    write_atomic(path, buffer.getvalue())


def run_frames(module: ModuleOp, x: np.ndarray, args: argparse.Namespace, engine: Engine,
               progress: Progress) -> tuple[np.ndarray, ...]:
    """The module's outputs on batch x; a large batch in the interpreter runs CHUNK frames at a
    time under a progress bar (frames are independent, so the outputs are the same)."""
    if args.engine != "interp" or x.ndim == 0 or len(x) <= CHUNK:
        what = {"csim": "compiling and running the C simulation",
                "rtl": "exporting the SystemVerilog, building and running its Verilator simulation"
                }.get(args.engine, f"running {args.input_module} on {args.input}")
        with progress.step(what):
            return run_batch(module, x, args.input, engine, args.input_module)
    bar = progress.bar(f"running {args.input_module}: frames", len(x))
    parts = []
    for start in range(0, len(x), CHUNK):
        chunk = x[start : start + CHUNK]
        outputs = run_batch(module, chunk, args.input, engine, args.input_module)
        if any(y.ndim == 0 or len(y) != len(chunk) for y in outputs):  # not one row per frame
            return run_batch(module, x, args.input, engine, args.input_module)
        parts.append(outputs)
        bar.update(start + len(chunk))
    return tuple(np.concatenate(ys, axis=0) for ys in zip(*parts, strict=True))


def cycle_report(design: DesignOp) -> str:
    """The design's cycle-level schedule (bnnir/analysis/stream_schedule.py) in a few lines."""
    from bnnir.analysis.kernel_costs import kernel_cost
    from bnnir.analysis.stream_schedule import DEFAULT_DEPTH, simulate
    from bnnir.backends.report import kernel_names

    schedule = simulate(design)
    names = kernel_names(design)
    cost = {k.op: kernel_cost(k.op).cycles for k in schedule.kernels}
    slowest = max(schedule.kernels, key=lambda k: cost[k.op], default=None)
    bottleneck = "" if slowest is None else \
        f" (cost model: {cost[slowest.op]}, bottleneck {names[slowest.op]})"
    lines = [
        f"design @{design.sym_name.data}: cycle schedule of {schedule.frames} frames (kernel "
        "loops at II = 1, one input word per cycle)",
        f"  steady state: {schedule.cycles_per_frame} cycles per frame{bottleneck}",
        f"  latency: {schedule.latency} cycles from the first input word to the first frame's "
        "last output word",
    ]
    bounded = (schedule.bounded_cycles_per_frame, schedule.bounded_latency)
    if bounded == (schedule.cycles_per_frame, schedule.latency):
        lines.append("  with the design's FIFO depths: the same")
    else:
        short = ", ".join(f"into {names[k.op]} ({k.depth} < {k.depth_needed} words)"
                          for k in schedule.short_streams)
        lines += [f"  with the design's FIFO depths: {bounded[0]} cycles per frame, latency "
                  f"{bounded[1]} cycles",
                  f"  streams too shallow: {short}; run hwstream-size-fifos"]
    deep = [k for k in schedule.kernels if k.depth_needed > DEFAULT_DEPTH]
    if deep:
        deepest = max(deep, key=lambda k: k.depth_needed)
        lines.append(f"  streams needing a FIFO: {len(deep)}, the deepest {deepest.depth_needed} "
                     f"words into {names[deepest.op]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def run() -> None:
        from bnnir.interp.run import entry_function, result_names

        refuse_onnx(args.input_module)
        progress = Progress(TOOL, args.quiet)
        module = load_module(args.input_module)
        designs = [op for op in module.ops if isinstance(op, DesignOp)]
        if args.cycles and not designs:
            raise BnnirError(args.input_module, "--cycles needs a hwstream-level module "
                             "(run bnn-fold and bnn-to-hwstream first)")
        x = load_batch(args.input)
        engine = cli_engine(args.engine, args.backpressure or 0.0, args.gaps or 0.0)
        outputs = run_frames(module, x, args, engine, progress)
        if args.output is not None:
            names = result_names(entry_function(module), len(outputs))
            save_outputs(args.output, outputs, names)
        else:
            with np.printoptions(threshold=sys.maxsize, linewidth=120):
                for y in outputs:
                    print(np.array2string(y, separator=", "))
        if args.cycles:
            for design in designs:
                with progress.step(f"simulating the cycles of design @{design.sym_name.data}"):
                    text = cycle_report(design)
                print(text)
            if args.engine == "rtl":
                from bnnir.backends.circt.sim import RtlEngine

                assert isinstance(engine, RtlEngine)
                print(rtl_cycles(engine.runs))

    return run_tool(TOOL, run)


if __name__ == "__main__":
    sys.exit(main())
