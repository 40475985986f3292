"""bnn-legalize-padding: bipolar tensors are padded only with −1 or +1, so the datapath is 1-bit.

Zero is not a bipolar value: hardware can pad a bipolar feature map only with bit 0 (−1) or bit 1
(+1). This pass rewrites every zero-padded `bnn.conv2d` on a bipolar input to pad with −1:

* `mode=exact` (default) keeps the result bit-exact with the zero-padded original. At an output
  position whose window covers the padded taps S, d_zero = d_minus1 + Σ_{k∈S} w_k, and S depends
  only on how many window rows hang over the top and bottom edges and how many columns over the
  left and right ones. The conv gets that correction as its border-class table
  (`correction[th, bh, lh, rh, channel]`), added to the accumulator before any thresholds; a
  3×3 conv with pads of 1 has 9 classes in use. Any stride, kernel shape and pad sizes work.
* `mode=minus-one` is the technique of Fraser et al. (2017): zero pads become −1 pads with no
  correction. That changes the layer's function unless the network was trained with −1
  padding, so each changed layer is named in a remark on stderr. −1 is the network's value:
  for input channels that threshold fusion complemented (`complemented`, a negation absorbed
  into the weights) it is +1, which the conv gets as a border-class table over those channels.

Integer inputs (the first layer) keep zero padding: 0 is representable there. Explicit `bnn.pad`
ops on bipolar tensors already pad with ±1 and are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.utils.exceptions import PassFailedException

from bnnir.diagnostics import describe, remark
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import dense_from_numpy, dense_to_numpy, is_bipolar, si32
from bnnir.dialects.sliding_window import border_correction

MODES = ("exact", "minus-one")


@dataclass
class ZeroToMinusOnePadding(RewritePattern):
    exact: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: bnn.Conv2dOp, rewriter: PatternRewriter) -> None:
        if not is_bipolar(bnn.tensor_type(op.input).element_type):
            return
        if op.pad_value is not None or not any(op.pad_values):
            return
        table = self.border_table(op)
        if table is not None and op.correction is not None:
            table += dense_to_numpy(op.correction)  # a correction the zero padding had
        op.pad_value = IntegerAttr(-1, i64)
        if table is not None:
            op.correction = dense_from_numpy(table.astype(np.int32), si32)
        op.complemented = None
        if not self.exact:
            remark(op, "zero padding of a bipolar input is now -1 padding; this changes the "
                   "layer's output unless the network was trained with -1 padding (use mode=exact "
                   "to keep it)")
        rewriter.notify_op_modified(op)

    def border_table(self, op: bnn.Conv2dOp) -> np.ndarray | None:
        """The border-class table from the −1 padding to the padding wanted: zero (`exact`), or
        −1 of the network's values, which is +1 for the channels the conv reads complemented
        (2·w on each of their padded taps); None where nothing is to correct."""
        complemented = list(op.complemented_channels)
        if not self.exact and not complemented:
            return None
        weights = op.weights.owner
        if not isinstance(weights, bnn.ConstantOp):
            raise PassFailedException(
                f"{describe(op)}: {'exact ' if self.exact else ''}padding needs constant weights "
                "for the border table; make them a bnn.constant"
                + (" or use mode=minus-one" if self.exact else ""))
        w = weights.to_numpy().astype(np.int64)
        if not self.exact:
            w = 2 * np.where(np.isin(np.arange(w.shape[1]), complemented)[None, :, None, None],
                             w, 0)
        return border_correction(w, op.pad_values)


@dataclass(frozen=True)
class LegalizePadding(ModulePass):
    """Afterwards no op on a bipolar tensor pads with zero (see the module docstring).

    Arguments:
      mode: `exact` (default) keeps every output bit-exact through a border-class correction;
        `minus-one` pads with −1 as in Fraser et al. (2017) and remarks on each changed layer.
    """

    name = "bnn-legalize-padding"

    mode: str = "exact"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(
                f"bnn-legalize-padding: unknown mode '{self.mode}'; use mode=exact or "
                "mode=minus-one"
            )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(ZeroToMinusOnePadding(exact=self.mode == "exact")).rewrite_module(op)
