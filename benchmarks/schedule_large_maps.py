"""The cycle schedule on large feature maps: bnn-compile (FIFOs sized, report) of a two-conv BNN
on 3xSxS images, its wall time and peak memory, and the cycle figures of the report.

    python benchmarks/schedule_large_maps.py [--sizes 128 256 512] [--fps 50] [--clock-mhz 200]
        [--reference-up-to 256] [--pointwise 6000]

With --pointwise S it also times the schedule alone (hwstream-size-fifos' depths, then the
report's figures with those FIFOs) of a single 1x1 conv (3->8 channels, BatchNorm, Sign) on a
3xSxS map, in a child process whose peak memory is its own.

For sizes up to --reference-up-to it also solves the streaming design word by word (the
reference solver, every loop iteration; the schedule cost O(words) before it was solved by
blocks) and prints its figures and time beside the schedule's (by blocks, as bnn-compile):
they must be equal.

Measured on the shared 2-core machine (load average 13-16), `/usr/bin/time -v python
benchmarks/schedule_large_maps.py --sizes 256 512 --fps 2 --reference-up-to 0 --pointwise S`:
word by word at the moves (before, S = 2000): 256: 42.6 s, 457 MB; 512: 227.8 s, 1579 MB;
1x1 conv on 3x2000x2000: schedule 261 s, 3.3 GB. By blocks (S = 6000): 256: 48.3 s, 236 MB;
512: 81.0 s, 410 MB (bnn-compile's time is now the RTL backend's; the schedule takes ~2 s);
1x1 conv on 3x6000x6000: schedule 0.5 s, 136 MB. The same cycle figures and depths throughout.

The network: Conv 3->8 3x3 pad 1, BatchNorm, Sign, MaxPool 2, Conv 8->8 3x3 pad 1, BatchNorm,
Sign, MaxPool 8, Flatten, MatMul to 10 logits (random ±1 weights).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

    from bnnir.dialects.hwstream import DesignOp


def two_conv(size: int, seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def const(values: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(values.astype(np.float32), f"c{len(inits)}"))
        return inits[-1].name

    def node(op: str, inputs: list[str], **attrs: object) -> str:
        out = f"{op.lower()}{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def conv_bn_sign(x: str, cin: int, cout: int) -> str:
        w = const(rng.choice([-1.0, 1.0], size=(cout, cin, 3, 3)))
        y = node("Conv", [x, w], pads=[1, 1, 1, 1], kernel_shape=[3, 3])
        params = [rng.uniform(0.5, 2, cout), rng.normal(size=cout),
                  rng.normal(size=cout) * 10, np.ones(cout)]
        return node("Sign", [node("BatchNormalization", [y, *map(const, params)])])

    h = conv_bn_sign("x", 3, 8)
    h = node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = conv_bn_sign(h, 8, 8)
    h = node("MaxPool", [h], kernel_shape=[8, 8], strides=[8, 8])
    h = node("Flatten", [h])
    features = 8 * (size // 16) ** 2
    h = node("MatMul", [h, const(rng.choice([-1.0, 1.0], size=(features, 10)))])
    graph = helper.make_graph(
        nodes, "two_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info(h, TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def pointwise(size: int, seed: int = 0) -> onnx.ModelProto:
    """One 1x1 conv (3 -> 8 channels), BatchNorm and Sign on a 3xSxS map."""
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array(v.astype(np.float32), f"c{i}") for i, v in enumerate(
        [rng.choice([-1.0, 1.0], size=(8, 3, 1, 1)), rng.uniform(0.5, 2, 8), rng.normal(size=8),
         rng.normal(size=8) * 10, np.ones(8)])]
    nodes = [helper.make_node("Conv", ["x", "c0"], ["y"], kernel_shape=[1, 1]),
             helper.make_node("BatchNormalization", ["y", "c1", "c2", "c3", "c4"], ["z"]),
             helper.make_node("Sign", ["z"], ["s"])]
    graph = helper.make_graph(
        nodes, "pointwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 8, size, size])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def streaming_design(model: onnx.ModelProto, fps: float,
                     clock_mhz: float) -> tuple[ModuleOp, DesignOp]:
    """The hwstream design bnn-compile makes of `model`, before its FIFOs are sized."""
    from xdsl.context import Context

    from bnnir.dialects.hwstream import DesignOp
    from bnnir.frontend.onnx import import_onnx
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.fold import Fold
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.threshold_fusion import ThresholdFusion

    module = import_onnx(model, "ui8")
    for p in (ThresholdFusion(), LegalizePadding("exact"),
              Fold(target_fps=fps, clock_mhz=clock_mhz), BnnToHwstream()):
        p.apply(Context(), module)
    return module, next(op for op in module.ops if isinstance(op, DesignOp))


def schedule_pointwise(size: int, fps: float, clock_mhz: float) -> None:
    """In this process (a child of main): size the FIFOs, then the report's schedule."""
    from xdsl.context import Context

    from bnnir.analysis import stream_schedule as ss
    from bnnir.passes.size_fifos import SizeFifos

    module, _ = streaming_design(pointwise(size), fps, clock_mhz)
    start = time.perf_counter()
    SizeFifos().apply(Context(), module)
    design = next(op for op in module.ops if op.name == "hwstream.design")
    schedule = ss.simulate(design)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"1x1 conv on 3x{size}x{size}: schedule {seconds:6.1f} s, peak {peak:.0f} MB "
          f"(the whole process); {schedule.bounded_cycles_per_frame} cycles per frame, latency "
          f"{schedule.bounded_latency} cycles, depths {[k.depth for k in schedule.kernels]}")


def compile_once(size: int, fps: float, clock_mhz: float, folder: Path) -> None:
    model = folder / f"two_conv_{size}.onnx"
    onnx.save(two_conv(size), model)
    build = folder / f"build_{size}"
    command = ["bnn-compile", str(model), "-o", str(build), "--input-type", "ui8",
               "--target-fps", str(fps), "--clock-mhz", str(clock_mhz)]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        print(f"3x{size}x{size}: exit {result.returncode}: {result.stderr.strip()}")
        return
    report = json.loads((build / "report.json").read_text())
    fifos = (build / "4-streaming.mlir").read_text().count("hwstream.fifo")
    memory = f"{peak / 1024:.0f} MB" if peak > before else "below an earlier run's peak"
    print(f"3x{size}x{size}: {seconds:6.1f} s, peak {memory}; {report['max_cycles']} cycles "
          f"per frame, latency {report['latency_cycles']} cycles, {fifos} FIFOs")


def compare_with_reference(size: int, fps: float, clock_mhz: float) -> None:
    """The schedule's figures (FIFO depths, cycles per frame, latency) against the word-by-word
    reference solver's, on the streaming design bnn-compile makes."""
    from bnnir.analysis import stream_schedule as ss

    _, design = streaming_design(two_conv(size), fps, clock_mhz)
    start = time.perf_counter()
    reference = ss.pipeline(design)  # every iteration, word by word
    free = reference.unbounded()
    figures = (ss._output_timing(reference, free, ss.FRAMES), ss._needed_depths(reference, free))
    seconds = time.perf_counter() - start
    ss._SOLVED.clear()
    start = time.perf_counter()
    solved = ss._unbounded(design, ss.FRAMES)  # what fifo_depths and simulate use
    fast = ((solved.period, solved.latency), list(solved.needed))
    print(f"  word by word: {seconds:5.1f} s, (cycles per frame, latency) {figures[0]}, depths "
          f"{figures[1]}")
    print(f"  by blocks:    {time.perf_counter() - start:5.1f} s, (cycles per frame, latency) "
          f"{fast[0]}, depths {fast[1]}: {'the same' if fast == figures else 'DIFFERENT'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[128, 256, 512])
    parser.add_argument("--fps", type=float, default=50)
    parser.add_argument("--clock-mhz", type=float, default=200)
    parser.add_argument("--reference-up-to", type=int, default=256, metavar="S")
    parser.add_argument("--pointwise", type=int, metavar="S",
                        help="also time the schedule of a 1x1 conv on a 3xSxS map")
    parser.add_argument("--pointwise-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pointwise_child:
        schedule_pointwise(args.pointwise_child, args.fps, args.clock_mhz)
        return
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:  # rising sizes: each peak is the largest so far
            compile_once(size, args.fps, args.clock_mhz, Path(folder))
    for size in args.sizes:  # in this process, after the compilations' peaks are measured
        if size <= args.reference_up_to:
            print(f"3x{size}x{size}, the streaming design's schedule:")
            compare_with_reference(size, args.fps, args.clock_mhz)
    sys.stdout.flush()
    if args.pointwise:
        result = subprocess.run([sys.executable, __file__, "--pointwise-child", str(args.pointwise),
                                 "--fps", str(args.fps), "--clock-mhz", str(args.clock_mhz)])
        if result.returncode:
            print(f"1x1 conv on 3x{args.pointwise}x{args.pointwise}: exit {result.returncode}")


if __name__ == "__main__":
    main()
