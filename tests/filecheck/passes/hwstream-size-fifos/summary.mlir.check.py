"""Compare a module's bnn.fold luts/brams with its report's totals (helper of summary.mlir)."""

import json
import re
import subprocess
import sys

for label, path in zip(("without FIFOs", "sized", "deep"), sys.argv[1:], strict=True):
    text = open(path).read()
    luts = int(re.search(r"bnn\.fold = #bnn\.fold_summary<[^>]*\bluts = (\d+)", text).group(1))
    brams = int(re.search(r"bnn\.fold = #bnn\.fold_summary<[^>]*\bbrams = (\d+)", text).group(1))
    report = json.loads(subprocess.run(["bnn-translate", path, "--emit-report", "--format", "json"],
                                       check=True, capture_output=True, text=True).stdout)
    same = (luts, brams) == (report["total_luts"], report["total_brams"])
    fifos = text.count("hwstream.fifo ")
    print(f"{label}: {fifos} FIFOs; bnn.fold totals {'=' if same else '!='} report totals"
          f" ({luts}, {brams} vs {report['total_luts']}, {report['total_brams']})")
