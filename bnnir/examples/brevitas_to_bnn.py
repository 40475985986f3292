"""From a Brevitas model to an FPGA design: export to QONNX, then `bnn-compile`.

    python -m bnnir.examples.brevitas_to_bnn BUILD

Needs `pip install brevitas torch==2.13.0 onnxoptimizer` (the CPU build of torch). The network is
a small binarized MLP on 28×28 images scaled to [0, 1] as torchvision's ToTensor() gives them
(train it as usual; here its weights and batch-norm statistics are random). 1-bit weights and
activations use Brevitas' SignedBinary* quantizers, which export as QONNX BipolarQuant nodes.
The design reads the 8-bit pixels k; `--input-scale 1/255` tells bnn-compile that the network
reads k / 255, and `--verify` checks every stage, the C simulation and the imported module against
qonnx's execution of the exported file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def build_network(seed: int = 0):  # -> torch.nn.Module; torch is imported lazily
    """784 → 64 → 64 → 10 with binary weights and activations, in eval mode."""
    import torch
    from brevitas import nn as qnn
    from brevitas.quant import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst

    torch.manual_seed(seed)

    def binary_linear(inputs: int, outputs: int) -> torch.nn.Module:
        # a power-of-two weight scale keeps onnxruntime's float32 sums exact (Brevitas'
        # default, 0.1, makes bnnir remark that the last float bit can differ)
        return qnn.QuantLinear(inputs, outputs, bias=False, weight_scaling_init=1.0,
                               weight_quant=SignedBinaryWeightPerTensorConst)

    def binary_act() -> torch.nn.Module:
        return qnn.QuantIdentity(act_quant=SignedBinaryActPerTensorConst)

    def batch_norm(width: int) -> torch.nn.Module:
        norm = torch.nn.BatchNorm1d(width)
        norm.running_mean.uniform_(-20, 20)  # statistics as training would leave them
        norm.running_var.uniform_(50, 400)
        return norm

    layers = [torch.nn.Flatten(), binary_act(), binary_linear(784, 64),
              batch_norm(64), binary_act(), binary_linear(64, 64),
              batch_norm(64), binary_act(), binary_linear(64, 10)]
    return torch.nn.Sequential(*layers).eval()


def export(network, path: Path) -> None:
    """QONNX export with TorchScript naming (dynamo=False), batch 1, float input in [0, 1]."""
    import torch
    from brevitas.export import export_qonnx

    export_qonnx(network, torch.zeros(1, 1, 28, 28), str(path), dynamo=False)


def main(argv: list[str] | None = None) -> int:
    from bnnir.tools.bnn_compile import main as bnn_compile

    args = sys.argv[1:] if argv is None else argv
    build = Path(args[0] if args else "build/brevitas_mlp")
    build.mkdir(parents=True, exist_ok=True)
    model = build / "brevitas_mlp.onnx"
    export(build_network(), model)
    pixels = build / "pixels.npy"
    rng = np.random.default_rng(0)
    np.save(pixels, rng.integers(0, 256, (8, 1, 28, 28)).astype(np.uint8))
    return bnn_compile([str(model), "-o", str(build / "design"), "--input-type", "ui8",
                        "--input-scale", "1/255", "--target-fps", "10000",
                        "--verify", str(pixels)])


if __name__ == "__main__":
    sys.exit(main())
