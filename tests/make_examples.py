"""Writes the bundled example network (bnnir/examples): `python tests/make_examples.py`.

tiny_cnv.onnx is models.cnv_small with seed 0: an 8-bit 3x8x8 image through two zero-padded
3x3 convs, max-pool, an unpadded conv and two dense layers; tiny_cnv_input.npy is its input batch
and tiny_cnv_expected.npy onnxruntime's logits for it.
"""

from pathlib import Path

import numpy as np
import onnx

import models

OUT = Path(__file__).resolve().parent.parent / "bnnir" / "examples"


def main() -> None:
    model, x = models.cnv_small(np.random.default_rng(0))
    onnx.save(model, OUT / "tiny_cnv.onnx")
    np.save(OUT / "tiny_cnv_input.npy", x)
    np.save(OUT / "tiny_cnv_expected.npy", models.ort_run(model, x))


if __name__ == "__main__":
    main()
