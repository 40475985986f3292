"""The `csim` engine: runs a module's hwstream design as the C simulation of its emitted HLS C++.

The project is emitted, compiled with g++ against Xilinx's `ap_int.h` / `hls_stream.h` (from the
PyPI `hls4ml` wheel, or the folder named by BNNIR_AP_TYPES) and run on the design's input,
packed as its input port's words; the output port's words go back through the host's output
adapter. The frames are split between as many simulation processes as there are cores (at most
two): frames are independent, so the parts' outputs concatenate to the whole batch's.

Environment:
  CXX                  the compiler command (default g++; may be a wrapper: "ccache g++")
  BNNIR_AP_TYPES       the folder holding ap_int.h and hls_stream.h
  BNNIR_CACHE          cache folder (default ~/.cache/bnnir); binaries live in its csim/
  BNNIR_CSIM_TIMEOUT   seconds a run may take (default: 60 + 1 per frame; 0: no limit)

Binaries are cached, keyed by a hash of the emitted files, the compiler command, flags and
version, and the ap_types headers, so running the same module again skips compilation. Each
entry records its binary's hash; a damaged entry (missing or changed binary) is rebuilt. An
entry keeps only its binary, and the cache keeps the CACHE_ENTRIES most recently used.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, register_impls

from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.interp.hwstream import HwstreamFunctions, from_stream, to_stream
from bnnir.interp.run import cores, run_with

CXXFLAGS = ["-std=c++14", "-O2", "-Wno-unknown-pragmas", "-pthread"]
CACHE_ENTRIES = 256
WHERE = "C simulation"


def compiler() -> list[str]:
    """The compiler command, split as a shell would (CXX="ccache g++" is two words)."""
    command = shlex.split(os.environ.get("CXX", "g++"))
    if not command or shutil.which(command[0]) is None:
        raise BnnirError(WHERE, f"needs a C++ compiler: {' '.join(command) or 'CXX'} not "
                         "found (install g++, or set CXX to a compiler command)")
    return command


@functools.cache
def _compiler_version(command: tuple[str, ...]) -> str:
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
    return result.stdout


def ap_types_folder() -> Path:
    folder = os.environ.get("BNNIR_AP_TYPES")
    if folder is None:
        spec = importlib.util.find_spec("hls4ml")
        if spec is not None and spec.origin is not None:
            folder = str(Path(spec.origin).parent / "templates" / "vivado" / "ap_types")
    if folder is None or not (Path(folder) / "ap_int.h").is_file():
        raise BnnirError(
            WHERE,
            "needs Xilinx's ap_int.h and hls_stream.h: "
            "`pip install --no-deps hls4ml`, or set BNNIR_AP_TYPES to their folder",
        )
    return Path(folder)


@functools.cache
def _folder_digest(folder: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def cache_root() -> Path:
    return Path(os.environ.get("BNNIR_CACHE", Path.home() / ".cache" / "bnnir")) / "csim"


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _valid_entry(folder: Path) -> bool:
    """Whether a cache entry holds a binary with the hash recorded when it was built."""
    binary, recorded = folder / "csim", folder / "csim.sha256"
    try:
        return binary.is_file() and recorded.read_text().strip() == _file_hash(binary)
    except OSError:
        return False


def _build(files: dict[str, str], command: list[str], work: Path) -> None:
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    # One translation unit: the headers are parsed once, not once per file.
    (work / "csim.cpp").write_text('#include "top.cpp"\n#include "tb.cpp"\n')
    result = subprocess.run(
        [*command, *CXXFLAGS, f"-I{ap_types_folder()}", f"-I{work / 'include'}",
         str(work / "csim.cpp"), "-o", str(work / "csim")],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        first = next((line for line in result.stderr.splitlines() if "error" in line),
                     result.stderr.strip()[:300])
        raise BnnirError(WHERE, f"the emitted C++ does not compile: {first}")
    (work / "csim.sha256").write_text(_file_hash(work / "csim") + "\n")
    for path in work.iterdir():  # the sources are the emitter's to give again
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name not in ("csim", "csim.sha256"):
            path.unlink()


def _evict_old_entries(root: Path) -> None:
    """Removes all but the CACHE_ENTRIES most recently used entries (by folder mtime)."""
    entries = []
    for entry in root.iterdir():
        if not entry.name.startswith("."):
            try:
                entries.append((entry.stat().st_mtime, entry))
            except OSError:  # removed meanwhile
                continue
    for _, entry in sorted(entries, reverse=True)[CACHE_ENTRIES:]:
        shutil.rmtree(entry, ignore_errors=True)


def compiled(files: dict[str, str], defines: tuple[str, ...] = ()) -> Path:
    """The C simulation binary of a project, compiled once per distinct project and toolchain
    (`defines`: extra -D flags)."""
    command = compiler()
    flags = [f"-D{d}" for d in defines]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    digest.update(shlex.join([*command, *CXXFLAGS, *flags]).encode() + b"\0")
    digest.update(_compiler_version(tuple(command)).encode() + b"\0")
    digest.update(_folder_digest(ap_types_folder()))
    folder = cache_root() / digest.hexdigest()[:24]
    if _valid_entry(folder):
        os.utime(folder)  # recently used
        return folder / "csim"
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        _build(files, [*command, *flags], work)
        if folder.exists() and not _valid_entry(folder):  # damaged: replace it
            shutil.rmtree(folder, ignore_errors=True)
        try:
            work.rename(folder)
        except OSError:  # another process built the same project meanwhile
            if not _valid_entry(folder):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _evict_old_entries(folder.parent)
    return folder / "csim"


def pack_words(words: np.ndarray, lanes: int, bits: int, nbytes: int) -> bytes:
    """[F, words, lanes] lane values -> little-endian words of `nbytes` bytes: lanes·bits bits,
    lane 0 lowest, then zero bits."""
    frames, count, _ = words.shape
    masked = words.astype(np.int64) & ((1 << bits) - 1)
    lane_bits = (masked[..., None] >> np.arange(bits)) & 1  # [F, W, lanes, bits]
    flat = lane_bits.reshape(frames * count, lanes * bits).astype(np.uint8)
    padded = np.zeros((frames * count, nbytes * 8), np.uint8)
    padded[:, : lanes * bits] = flat
    return np.packbits(padded, axis=1, bitorder="little").tobytes()


def unpack_words(data: bytes, frames: int, count: int, lanes: int, bits: int, nbytes: int,
                 signed: bool) -> np.ndarray:
    raw = np.frombuffer(data, np.uint8).reshape(frames * count, nbytes)
    flat = np.unpackbits(raw, axis=1, bitorder="little")[:, : lanes * bits]
    lane_bits = flat.reshape(frames, count, lanes, bits).astype(np.int64)
    values = (lane_bits << np.arange(bits)).sum(axis=3)
    if signed:
        values = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
    return values


def timeout_for(frames: int) -> float | None:
    """Seconds a C simulation of `frames` frames may run (BNNIR_CSIM_TIMEOUT; 0 = no limit)."""
    value = os.environ.get("BNNIR_CSIM_TIMEOUT")
    if value is None:
        return 60.0 + frames
    try:
        seconds = float(value)
    except ValueError:
        raise BnnirError("BNNIR_CSIM_TIMEOUT", f"expected seconds, got {value!r}") from None
    return seconds if seconds > 0 else None


def run_binary(binary: Path, header: np.ndarray, payload: bytes,
               frames: int) -> tuple[bytes, str]:
    """Run a C simulation binary on one input file: its output file's payload, and stderr."""
    timeout = timeout_for(frames)
    with tempfile.TemporaryDirectory(prefix="bnnir-csim-") as tmp:
        inputs, outputs = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        inputs.write_bytes(header.astype("<u4").tobytes() + payload)
        try:
            result = subprocess.run([str(binary), str(inputs), str(outputs)],
                                    capture_output=True, text=True, check=False,
                                    timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BnnirError(WHERE, f"the C simulation of {frames} frames took longer than "
                             f"{timeout:.0f} s; set BNNIR_CSIM_TIMEOUT (seconds, 0 for no "
                             "limit)") from None
        if result.returncode != 0:
            message = " ".join(result.stderr.split())[:300] or f"exit code {result.returncode}"
            raise BnnirError(WHERE, f"the C simulation failed: {message}")
        return outputs.read_bytes()[12:], result.stderr


def simulate(module: ModuleOp, x: np.ndarray, defines: tuple[str, ...] = (),
             jobs: int = 1) -> tuple[np.ndarray, str]:
    """The output of the module's design on the batch x by C simulation (built with the extra
    -D `defines`) in `jobs` processes, each on its own consecutive frames, and what the
    simulation printed on stderr (the processes' logs in frame order)."""
    from bnnir.backends.hls.emit import design_of, emit_project, interface

    binary = compiled(emit_project(module), defines)
    design = design_of(module)
    io = interface(design)
    frames = x.shape[0]
    words = to_stream(design, x).reshape(frames, io.input.words, io.input.lanes)
    payload = pack_words(words, io.input.lanes, io.input.bits, io.input.width // 8)
    frame_bytes = io.input.words * (io.input.width // 8)
    bounds = np.linspace(0, frames, max(1, min(jobs, frames)) + 1).astype(int)

    def part(first: int, last: int) -> tuple[bytes, str]:
        header = np.array([last - first, io.input.words, io.input.width // 8])
        return run_binary(binary, header, payload[first * frame_bytes : last * frame_bytes],
                          last - first)

    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        parts = list(pool.map(part, bounds[:-1], bounds[1:]))
    data, log = b"".join(p[0] for p in parts), "".join(p[1] for p in parts)
    out = io.output
    values = unpack_words(data, frames, out.words, out.lanes, out.bits, out.width // 8,
                          io.output_signed)
    return from_stream(design, values.reshape(frames, -1, out.kernel_lanes)), log


@register_impls
class CsimFunctions(HwstreamFunctions):
    """Runs `hwstream.instance` as the C simulation of the emitted HLS project."""

    def execute(self, interp: Interpreter, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
        module = design.get_toplevel_object()
        assert isinstance(module, ModuleOp)
        return simulate(module, x, jobs=cores())[0]


def run(module: ModuleOp, main: func.FuncOp, inputs: tuple[np.ndarray, ...]
        ) -> tuple[np.ndarray, ...]:
    """The `csim` engine: hwstream designs as the C simulation of their emitted HLS C++, the
    host ops around them interpreted."""
    if not any(isinstance(op, hw.DesignOp) for op in module.ops):
        raise BnnirError(
            "--engine csim", "needs a hwstream design (run bnn-fold and bnn-to-hwstream first)"
        )
    return run_with(module, main, inputs, CsimFunctions())
