"""A fuzzing campaign from the command line (see tests/fuzz/__init__.py):

    python -m tests.fuzz --malformed 2000 --networks 1000 --seed S [--timeout 60]

prints a summary table (outcomes of the malformed inputs per kind, verdicts of the networks per
stage) and every failure with its reproducer; exit 1 if any internal error, hang, crash or
silent mismatch was found.
"""

from __future__ import annotations

import argparse
import sys

from .campaign import run_campaign


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--malformed", type=int, default=200, metavar="N",
                        help="malformed inputs to run through the tools (default 200)")
    parser.add_argument("--networks", type=int, default=100, metavar="N",
                        help="random networks to compare with onnxruntime (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="the campaign's seed (default 0)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds before a tool run is a hang (default 60)")
    args = parser.parse_args()
    report = run_campaign(args.malformed, args.networks, args.seed, args.timeout)
    print(report.summary())
    sys.stdout.flush()
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
