"""Images per second and peak memory of onnxruntime and of each bnnir engine, on the same inputs.

For FINN's CNV (random ±1 weights, 8-bit input, its BNN-PYNQ folding) and the paper's network
(folded by bnn-fold for 12 000 fps at 200 MHz): onnxruntime on the ONNX model (graph
optimizations disabled, float32), the interpreter on the bnn-level module (after threshold
fusion and padding legalization) and on the hwstream module, and the C simulation of the
emitted HLS with a cached binary (built by a first, untimed run). Every engine runs in a fresh
process, so its peak memory (max RSS, the process's imports included) is its own; the time is
the run alone, without imports, import of the model or compilation. The outputs are checked
equal to the bnn level's, bit for bit. The ratios are the figures: absolute times vary on a
shared machine. Wall time says what a user waits; CPU time (user + system, all threads and
child processes) says what the engine costs when other work shares the cores.

    python benchmarks/engines.py [--images 1024] [--csim-images 128] [--network cnv|paper|both]
        [--engines ort,bnn,hwstream,csim]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NETWORKS = ("cnv", "paper")
ENGINES = ("ort", "bnn", "hwstream", "csim")



def images(count: int) -> np.ndarray:
    """`count` random 8-bit 3x32x32 images as float32 (the models' input type)."""
    return np.random.default_rng(1).integers(0, 256, (count, 3, 32, 32)).astype(np.float32)


def onnx_model(network: str):
    from bnnir.examples.reference_networks import FINN_CNV, PAPER, build

    return build(FINN_CNV if network == "cnv" else PAPER)[0]


def bnn_module(network: str):
    from xdsl.context import Context

    from bnnir.frontend.onnx import import_onnx
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.threshold_fusion import ThresholdFusion

    module = import_onnx(onnx_model(network), "ui8")
    for stage in (ThresholdFusion(), LegalizePadding()):
        stage.apply(Context(), module)
    return module


def stream_module(network: str):
    from xdsl.context import Context

    from bnnir.examples.reference_networks import bnn_pynq_folding
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.fold import Fold, annotate
    from bnnir.passes.size_fifos import SizeFifos

    module = bnn_module(network)
    if network == "paper":
        Fold(target_fps=12_000, clock_mhz=200).apply(Context(), module)
    else:
        annotate(module, bnn_pynq_folding(module), 200.0)
    for stage in (BnnToHwstream(), SizeFifos()):
        stage.apply(Context(), module)
    return module


def measure(engine: str, network: str, count: int, out: str) -> dict[str, float]:
    """Run one engine in this process: seconds of the run, and the outputs saved to `out`."""
    x = images(count)
    if engine == "ort":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        session = ort.InferenceSession(onnx_model(network).SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        start, cpu = time.perf_counter(), _cpu_seconds()
        y = session.run(None, {name: x})[0]
    else:
        from bnnir.interp import interpret, run_module

        module = bnn_module(network) if engine == "bnn" else stream_module(network)
        run = interpret
        if engine == "csim":
            from bnnir.backends.hls import csim

            run = csim.run
            run_module(module, x[:1], run)  # build (or find) the cached binary
        start, cpu = time.perf_counter(), _cpu_seconds()
        y = run_module(module, x, run)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    np.save(out, y)
    peak = max(resource.getrusage(who).ru_maxrss * 1024
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak}


def _cpu_seconds() -> float:
    """User + system time of this process's threads and of its finished children (the C
    simulation's processes)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def in_subprocess(engine: str, network: str, count: int, out: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--one", engine, "--network", network, "--images", str(count),
         "--out", out], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"engines.py: {engine} on {network} failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def compare(network: str, count: int, csim_count: int, engines: list[str]) -> None:
    print(f"\n=== {network}: {count} images ({csim_count} for csim), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} ===")
    print("| engine | images | seconds | images/s | vs onnxruntime | CPU s | images/CPU-s | "
          "vs onnxruntime | peak memory |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        figures, per_cpu, reference, reference_ort = {}, {}, None, None
        for engine in engines:
            n = csim_count if engine == "csim" else count
            out = str(Path(tmp) / f"{engine}.npy")
            result = in_subprocess(engine, network, n, out)
            figures[engine] = n / result["seconds"]
            per_cpu[engine] = n / result["cpu_seconds"]
            y = np.load(out)
            if engine == "bnn":
                reference = y
            if engine == "ort":
                reference_ort = y
            if engine != "ort" and reference is not None:
                assert np.array_equal(y, reference[: len(y)]), f"{engine} differs from bnn"
            if engine == "bnn" and "ort" in figures:
                same = np.array_equal(y, reference_ort)
                print(f"(bnn-level logits {'equal' if same else 'DIFFER from'} onnxruntime's)")
            ratio = f"{figures[engine] / figures['ort']:.2f}x" if "ort" in figures else ""
            cpu_ratio = f"{per_cpu[engine] / per_cpu['ort']:.2f}x" if "ort" in per_cpu else ""
            print(f"| {engine} | {n} | {result['seconds']:.2f} | {figures[engine]:.1f} | "
                  f"{ratio} | {result['cpu_seconds']:.2f} | {per_cpu[engine]:.1f} | {cpu_ratio} "
                  f"| {result['peak_bytes'] / 2**30:.2f} GB |", flush=True)
        if "bnn" in figures and "hwstream" in figures:
            print(f"hwstream / bnn time per image: {figures['bnn'] / figures['hwstream']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--csim-images", type=int, default=128)
    parser.add_argument("--network", choices=[*NETWORKS, "both"], default="both")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.network, args.images, args.out)))
        return
    engines = args.engines.split(",")
    for network in NETWORKS if args.network == "both" else [args.network]:
        compare(network, args.images, args.csim_images, engines)


if __name__ == "__main__":
    main()
