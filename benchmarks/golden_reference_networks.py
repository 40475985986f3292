"""Check that the compiler's outputs for FINN's CNV and the paper's network are unchanged: the
reports before and after streaming conversion and every file of the HLS project, folded for
12 000 fps at 200 MHz on the KU115 and for the fastest folding on it (tests/golden_flow.py says
what is digested; tests/test_golden_outputs.py does the same for the small networks).

    python benchmarks/golden_reference_networks.py           # compare with the stored digests
    python benchmarks/golden_reference_networks.py --update  # store them (a deliberate change)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from xdsl.context import Context

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from golden_flow import network_digests

from bnnir.examples.reference_networks import FINN_CNV, PAPER, build
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.fold import Fold

STORED = Path(__file__).with_suffix(".json")
VARIANTS = {
    "target": lambda m: Fold(target_fps=12_000, clock_mhz=200, part="xcku115").apply(Context(), m),
    "budget": lambda m: Fold(clock_mhz=200, part="xcku115").apply(Context(), m),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="store the digests")
    args = parser.parse_args()
    digests = {}
    for name, topology in (("paper", PAPER), ("finn_cnv", FINN_CNV)):
        start = time.perf_counter()
        model, _ = build(topology)
        digests[name] = network_digests(import_onnx(model, "ui8"), VARIANTS)
        print(f"{name}: {time.perf_counter() - start:.1f} s")
    if args.update:
        STORED.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
        print(f"stored {STORED}")
        return 0
    stored = json.loads(STORED.read_text())
    changed = sorted(f"{net}/{variant}/{path}" for net in stored | digests
                     for variant in stored.get(net, {}) | digests.get(net, {})
                     for path in stored.get(net, {}).get(variant, {})
                     | digests.get(net, {}).get(variant, {})
                     if stored.get(net, {}).get(variant, {}).get(path)
                     != digests.get(net, {}).get(variant, {}).get(path))
    print("unchanged" if not changed else "CHANGED: " + ", ".join(changed))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
