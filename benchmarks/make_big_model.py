"""Write the benchmark's bipolar MLP with about 10 million ±1 weights as an ONNX file.

The network is `big_mlp` from tests/models.py (784-2048-2048-2048-10, MatMul + BatchNormalization +
Sign per hidden layer, input ±1 of shape [N, 784]); `--input` also saves its tie-free input batch as
.npy for `bnn-run`.

    python benchmarks/make_big_model.py OUT.onnx [--weights 10000000] [--width 2048]
        [--seed 0] [--batch 4] [--input X.npy]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import onnx


def load_models() -> ModuleType:
    """The test model zoo, tests/models.py."""
    tests = str(Path(__file__).resolve().parent.parent / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    return importlib.import_module("models")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the .onnx model")
    parser.add_argument("--weights", type=int, default=10_000_000,
                        help="approximate number of ±1 weights (default 10 000 000)")
    parser.add_argument("--width", type=int, default=2048,
                        help="hidden layer width (default 2048)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--batch", type=int, default=4, help="rows of the input batch")
    parser.add_argument("--input", type=Path, help="also save the input batch here (.npy)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    models = load_models()
    start = time.perf_counter()
    model, x = models.big_mlp(np.random.default_rng(args.seed), n_weights=args.weights,
                              width=args.width, batch=args.batch)
    built = time.perf_counter() - start
    onnx.save_model(model, args.output)
    if args.input is not None:
        np.save(args.input, x)
    sizes = models.big_mlp_sizes(args.weights, width=args.width)
    print(f"{args.output}: {models.weight_count(model) / 1e6:.2f} M weights, "
          f"layers {'-'.join(map(str, sizes))}, {args.output.stat().st_size / 1e6:.1f} MB, "
          f"built in {built:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
