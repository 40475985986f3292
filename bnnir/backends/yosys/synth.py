"""One kernel through yosys' `synth_xilinx` (7-series primitives), its cells counted as Vivado's
utilization report counts them, the result cached by content.

What runs on a worker (a pool process or a Dask worker) is here and needs nothing else from
bnnir: a job carries the kernel's files as text and comes back as a Resources.

Cell counts (the design totals of yosys' `stat -json`: the kernel's module and the memory modules
it instantiates, each counted once per instance):
  luts    LUT1–LUT6 and INV (a LUT1), plus the LUTs of LUT-RAMs and shift registers: SRL16E,
          SRLC32E, RAM32X1S, RAM64X1S and RAM32X1D... as the LUTs they occupy (LUT_CELLS), as
          Vivado's "CLB LUTs" counts LUT as logic plus LUT as memory
  ffs     FDRE, FDSE, FDCE, FDPE and the LDCE, LDPE latches (Vivado's "CLB Registers")
  bram18  RAMB18E1 and FIFO18E1 as 1, RAMB36E1 and FIFO36E1 as 2
  dsps    DSP48E1
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

INSTALL = "apt-get install yosys (Debian's 0.23, the version bnnir's figures are measured with)"
SCRIPT = ("read_verilog -sv -DENABLE_INITIAL_MEM_ {files}; synth_xilinx -family xc7 -top {top}; "
          "tee -q -o stat.json stat -json")
"""The yosys script. ENABLE_INITIAL_MEM_ enables CIRCT's `$readmemh` of a memory's hex file,
which sits behind that macro: without it the memory has no contents and synthesis removes it."""

LUT_CELLS = {
    "LUT1": 1, "LUT2": 1, "LUT3": 1, "LUT4": 1, "LUT5": 1, "LUT6": 1, "INV": 1,
    "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
    "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
    "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4,
    "RAM32M": 4, "RAM64M": 4,
}
"""LUTs each LUT or LUT-RAM/SRL primitive occupies in a 7-series slice (UG474)."""
FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")
BRAM18_CELLS = {"RAMB18E1": 1, "FIFO18E1": 1, "RAMB36E1": 2, "FIFO36E1": 2}
DSP_CELLS = ("DSP48E1",)


class SynthesisError(Exception):
    """Yosys missing or failing; the message is one line."""


@dataclass(frozen=True)
class Resources:
    """A kernel's synthesized resources (see the module docstring for what each counts), the
    yosys that measured them, and the wall time of that synthesis (0 when it came from the
    cache of an earlier run, which keeps its time in `synth_seconds`, and yosys' CPU time in
    `cpu_seconds`: the wall time on a machine with nothing else to do)."""

    luts: int
    ffs: int
    bram18: int
    dsps: int
    yosys_version: str
    seconds: float
    synth_seconds: float = 0.0
    cached: bool = False
    cells: Mapping[str, int] = field(default_factory=dict, compare=False)
    cpu_seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["cells"] = dict(self.cells)
        return data


@dataclass(frozen=True)
class Job:
    """One synthesis: the kernel's module `top`, its files (name, text), the cache key."""

    top: str
    files: tuple[tuple[str, str], ...]
    digest: str
    cache: str  # the cache folder


def yosys() -> list[str]:
    """The yosys command: BNNIR_YOSYS, else `yosys` on PATH."""
    command = os.environ.get("BNNIR_YOSYS")
    words = shlex.split(command) if command else ["yosys"]
    if shutil.which(words[0]) is None:
        what = f"BNNIR_YOSYS names {words[0]}, which is not found" if command else \
            f"needs yosys, which is not installed: {INSTALL}"
        raise SynthesisError(what)
    return words


@functools.cache
def _version(command: tuple[str, ...]) -> str:
    result = subprocess.run([*command, "-V"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or result.stderr.strip()


def yosys_version() -> str:
    return _version(tuple(yosys()))


def script(top: str, verilog: list[str]) -> str:
    return SCRIPT.format(files=" ".join(verilog), top=top)


def cache_root() -> Path:
    """BNNIR_CACHE (default ~/.cache/bnnir), folder synth/: one JSON file per kernel."""
    return Path(os.environ.get("BNNIR_CACHE", Path.home() / ".cache" / "bnnir")) / "synth"


def cached(cache: Path, digest: str) -> Resources | None:
    path = cache / f"{digest}.json"
    try:
        data = json.loads(path.read_text())
        return Resources(**{**data, "seconds": 0.0, "cached": True})
    except (OSError, ValueError, TypeError):
        return None


def store(cache: Path, digest: str, resources: Resources) -> None:
    """Writes the entry atomically (concurrent workers may write the same one)."""
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=cache)
    with os.fdopen(fd, "w") as out:
        json.dump(resources.to_json(), out, indent=1, sort_keys=True)
    os.replace(tmp, cache / f"{digest}.json")


def _store_quietly(cache: Path, digest: str, resources: Resources) -> None:
    """A worker's store: on another machine the client's cache folder may not be writable,
    and the client stores what it receives anyway."""
    try:
        store(cache, digest, resources)
    except OSError:
        pass


def count(cells: Mapping[str, int], version: str, seconds: float, cpu: float = 0.0
          ) -> Resources:
    return Resources(
        luts=sum(n * LUT_CELLS.get(cell, 0) for cell, n in cells.items()),
        ffs=sum(n for cell, n in cells.items() if cell in FF_CELLS),
        bram18=sum(n * BRAM18_CELLS.get(cell, 0) for cell, n in cells.items()),
        dsps=sum(n for cell, n in cells.items() if cell in DSP_CELLS),
        yosys_version=version, seconds=round(seconds, 3), synth_seconds=round(seconds, 3),
        cells=dict(sorted(cells.items())), cpu_seconds=round(cpu, 3))


def synthesize(job: Job) -> Resources:
    """Runs one job, or takes its result from the cache (another worker may have done it)."""
    cache = Path(job.cache)
    hit = cached(cache, job.digest)
    if hit is not None:
        return hit
    command = yosys()
    start, cpu = time.perf_counter(), _children_cpu()
    with tempfile.TemporaryDirectory(prefix="bnnir-yosys-") as tmp:
        for name, text in job.files:
            (Path(tmp) / name).write_text(text)
        verilog = [name for name, _ in job.files if name.endswith(".sv")]
        result = subprocess.run([*command, "-q", "-l", "yosys.log", "-p",
                                 script(job.top, verilog)],
                                capture_output=True, text=True, check=False, cwd=tmp)
        if result.returncode != 0:
            raise SynthesisError(f"yosys fails on {job.top}: {_last_line(result, Path(tmp))}")
        try:
            stat = json.loads((Path(tmp) / "stat.json").read_text())
            cells = stat["design"]["num_cells_by_type"]
        except (OSError, ValueError, KeyError) as e:
            raise SynthesisError(f"yosys gave no cell counts for {job.top} ({e}); is it "
                                 f"yosys >= 0.10 (stat -json)?") from None
    resources = count(cells, _version(tuple(command)), time.perf_counter() - start,
                      _children_cpu() - cpu)
    _store_quietly(cache, job.digest, resources)
    return resources


def _children_cpu() -> float:
    """CPU seconds of this process' finished children (the yosys runs)."""
    times = os.times()
    return times.children_user + times.children_system


def _last_line(result: subprocess.CompletedProcess[str], folder: Path) -> str:
    log = folder / "yosys.log"
    text = log.read_text() if log.is_file() else ""
    lines = [line.strip() for line in (text + result.stderr + result.stdout).splitlines()
             if line.strip()]
    return lines[-1][:300] if lines else f"exit code {result.returncode}"
