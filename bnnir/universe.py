"""bnnir's xDSL universe: what an installed bnnir adds to `xdsl-opt` and to every xDSL tool that
loads the `xdsl.universe` entry points (xdsl/universe.py).

    xdsl-opt model.mlir -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=1000}' \
        -t bnn-report

The dialects `bnn` and `hwstream`, bnnir's passes (not xDSL's canonicalize, cse and dce, which
xDSL registers itself) and the targets `bnn-hls` and `bnn-report`. Everything is loaded lazily,
so listing the universe imports no dialect or pass.
"""

from __future__ import annotations

from xdsl.ir import Dialect
from xdsl.universe import Universe
from xdsl.utils.target import Target

from bnnir.passes import get_bnnir_passes


def _bnn() -> Dialect:
    from bnnir.dialects.bnn import Bnn

    return Bnn


def _hwstream() -> Dialect:
    from bnnir.dialects.hwstream import HWStream

    return HWStream


def _hls_target() -> type[Target]:
    from bnnir.backends.targets import HlsTarget

    return HlsTarget


def _report_target() -> type[Target]:
    from bnnir.backends.targets import ReportTarget

    return ReportTarget


BNNIR_UNIVERSE = Universe(
    all_dialects={"bnn": _bnn, "hwstream": _hwstream},
    all_passes=get_bnnir_passes(),
    all_targets={"bnn-hls": _hls_target, "bnn-report": _report_target},
)
