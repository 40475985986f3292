"""Import ONNX and QONNX/FINN-ONNX binarized networks into the `bnn` dialect.

The importer (importer.py) walks the graph once, in node order, and dispatches each node through
a table from op type to the function of its family:

* layers.py: Conv, MatMul, Gemm, XnorPopcountMatMul. Weights must be ±s (one magnitude s per
  tensor or per output channel) after any quantizer, or come from a 2..8-bit QONNX Quant (zero
  point 0), whose integers the layer takes as si<N> weights. A layer input that is a scalar affine
  function a·q + b of integer or bipolar levels q (a Brevitas scale, a Quant, a MultiThreshold
  with out_scale/out_bias, FINN's BINARY {0, 1}) is fed to the layer as q, and
  a·acc + b·rowsum(w) follows it (levels.py). This equals onnxruntime's float32 sum when that sum
  is exact (integers below 2^24, power-of-two scales); otherwise a remark says that the last
  float bit can differ. Gemm's alpha · acc + beta · C is one fused multiply-add, as
  onnxruntime's kernel computes it for up to 256 inputs (MLAS_K_BLOCK); over more, a remark says
  when its per-block roundings can differ.
* normalization.py: BatchNormalization and Mul / Add / Sub / Div / Neg by constants keep their
  float32 steps, with finite scales and offsets.
* activations.py: Sign, BipolarQuant and Quant (1-bit) binarize; a multi-bit Quant becomes an
  exact float32 multi-threshold (quantizers.py); MultiThreshold maps onto `bnn.threshold`; a
  Relu before unsigned Quants is the identity.
* windows.py: MaxPool and Pad, and the pads of Conv and MaxPool.
* layout.py: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Cast, Identity, Dropout, Shape.
* labels.py: TopK (k = 1) and ArgMax.

model.py reads the file, values.py holds the importer's view of a tensor, and original.py runs
the original model with its own runtime for `bnn-compile --verify`.

Constant subgraphs (weights behind quantizers, transposes, reshapes; shape arithmetic) are
evaluated with numpy (constants.py). ONNX `Sign(0) = 0` while `bnn.sign(0) = +1` (Brevitas'
convention): the two differ only on exact ties. FINN's BINARY tensors ({0, 1}) are carried as
bipolar `i1` values whose ONNX meaning is (v + 1) / 2; XnorPopcountMatMul on them is a
`bnn.dense` plus the exact popcount affine.
"""

from bnnir.frontend.onnx.importer import INPUT_TYPES, QONNX_DOMAINS, InputScale, import_onnx
from bnnir.frontend.onnx.model import load_model

__all__ = ["INPUT_TYPES", "QONNX_DOMAINS", "InputScale", "import_onnx", "load_model"]
