"""The `csim` engine: runs a module's hwstream design as the C simulation of its emitted HLS C++.

The project is emitted, compiled with g++ against Xilinx's `ap_int.h` / `hls_stream.h` (from the
PyPI `hls4ml` wheel, or the folder named by BNNIR_AP_TYPES) and run on the design's input words;
its output words go back through the host's output adapter. Binaries are cached under
BNNIR_CACHE (default ~/.cache/bnnir/csim), keyed by a hash of the emitted files and the compiler,
so running the same module again skips compilation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import register_impls

from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.interp.hwstream import HwstreamFunctions, from_stream, to_stream

CXX = os.environ.get("CXX", "g++")
CXXFLAGS = ["-std=c++14", "-O2", "-Wno-unknown-pragmas"]


def ap_types_folder() -> Path:
    folder = os.environ.get("BNNIR_AP_TYPES")
    if folder is None:
        spec = importlib.util.find_spec("hls4ml")
        if spec is not None and spec.origin is not None:
            folder = str(Path(spec.origin).parent / "templates" / "vivado" / "ap_types")
    if folder is None or not (Path(folder) / "ap_int.h").is_file():
        raise BnnirError(
            "--engine csim",
            "needs Xilinx's ap_int.h and hls_stream.h: "
            "`pip install --no-deps hls4ml`, or set BNNIR_AP_TYPES to their folder",
        )
    return Path(folder)


def cache_root() -> Path:
    return Path(os.environ.get("BNNIR_CACHE", Path.home() / ".cache" / "bnnir")) / "csim"


def compiled(files: dict[str, str]) -> Path:
    """The C simulation binary of a project, compiled once per distinct project."""
    if shutil.which(CXX) is None:
        raise BnnirError("--engine csim", f"needs a C++ compiler ({CXX} not found)")
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    digest.update(" ".join([CXX, *CXXFLAGS]).encode())
    folder = cache_root() / digest.hexdigest()[:24]
    binary = folder / "csim"
    if binary.is_file():
        return binary
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        command = [
            CXX,
            *CXXFLAGS,
            f"-I{ap_types_folder()}",
            f"-I{work / 'include'}",
            str(work / "top.cpp"),
            str(work / "tb.cpp"),
            "-o",
            str(work / "csim"),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            first = next(
                (line for line in result.stderr.splitlines() if "error" in line),
                result.stderr.strip()[:300],
            )
            raise BnnirError("--engine csim", f"the emitted C++ does not compile: {first}")
        try:
            work.rename(folder)
        except OSError:  # another process compiled the same project meanwhile
            shutil.rmtree(work, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return binary


def pack_words(words: np.ndarray, lanes: int, bits: int) -> bytes:
    """[F, words, lanes] lane values -> little-endian words of lanes·bits bits, lane 0 lowest."""
    frames, count, _ = words.shape
    masked = words.astype(np.int64) & ((1 << bits) - 1)
    lane_bits = (masked[..., None] >> np.arange(bits)) & 1  # [F, W, lanes, bits]
    flat = lane_bits.reshape(frames * count, lanes * bits).astype(np.uint8)
    nbytes = (lanes * bits + 7) // 8
    padded = np.zeros((frames * count, nbytes * 8), np.uint8)
    padded[:, : lanes * bits] = flat
    return np.packbits(padded, axis=1, bitorder="little").tobytes()


def unpack_words(
    data: bytes, frames: int, count: int, lanes: int, bits: int, signed: bool
) -> np.ndarray:
    nbytes = (lanes * bits + 7) // 8
    raw = np.frombuffer(data, np.uint8).reshape(frames * count, nbytes)
    flat = np.unpackbits(raw, axis=1, bitorder="little")[:, : lanes * bits]
    lane_bits = flat.reshape(frames, count, lanes, bits).astype(np.int64)
    values = (lane_bits << np.arange(bits)).sum(axis=3)
    if signed:
        values = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
    return values


def run_csim(module: ModuleOp, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
    from bnnir.backends.hls.emit import emit_project

    binary = compiled(emit_project(module))
    kernels = design.kernels()
    words = to_stream(design, x)
    lanes_in = design.input_lanes.value.data
    bits_in = hw.stream_width(design.body.block.args[0]) // lanes_in
    last = kernels[-1]
    header = np.array([x.shape[0], words.shape[1], (lanes_in * bits_in + 7) // 8], "<u4")
    with tempfile.TemporaryDirectory(prefix="bnnir-csim-") as tmp:
        inputs, outputs = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        inputs.write_bytes(header.tobytes() + pack_words(words, lanes_in, bits_in))
        result = subprocess.run(
            [str(binary), str(inputs), str(outputs)],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
        if result.returncode != 0:
            raise BnnirError(
                "--engine csim", f"the C simulation failed: {result.stderr.strip()[:300]}"
            )
        data = outputs.read_bytes()[12:]
    signed = hw.lane_signedness(design)[last.output]
    out_words = unpack_words(
        data, x.shape[0], last.words_out(), last.lanes_out, last.bits_out, signed
    )
    return from_stream(design, out_words)


@register_impls
class CsimFunctions(HwstreamFunctions):
    """Runs `hwstream.instance` as the C simulation of the emitted HLS project."""

    def execute(self, module: ModuleOp, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
        return run_csim(module, design, x)
