"""bnnir's fuzzing and differential harness.

Two campaigns, both seeded (the same seed gives the same cases):

* malformed inputs (`malformed.py`): .mlir files at every stage, ONNX models, .npy batches,
  command-line and pass options and folding files, mutated from good ones and run through the
  four tools as subprocesses with a timeout; each run is classified (`outcomes.py`): exit 0, a
  clean error (exit 1 or 2 and a `TOOL: error: ...` line), an internal error (exit 70 or a
  traceback), a hang (the timeout) or a crash (a signal).
* random networks (`networks.py`): plain-ONNX BNNs broader than tests/models.py (strides 1-3,
  asymmetric pads, auto_pad, 1x1 to 5x5 and non-square kernels, odd channel counts, pools with
  stride != kernel and ceil_mode, Gemm transB/alpha/beta, every input type, batches 1-5, explicit
  Pad on (Sign+1)/2 maps, Sign -> Neg -> MaxPool, uint8 input with Cast), compared bit for bit
  with onnxruntime (graph optimizations off) after import, threshold fusion, padding
  legalization and the streaming conversion.

CI runs a bounded number of cases (tests/test_fuzz.py); a long campaign is

    python -m tests.fuzz --malformed 2000 --networks 1000 --seed S

from the repository root, printing a summary table and every failure with its reproducer.
"""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # tests/models.py, as under pytest (tests/conftest.py)
    sys.path.insert(0, str(TESTS))
