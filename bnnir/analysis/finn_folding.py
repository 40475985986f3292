"""FINN's folding_config.json read with FINN's node names: which bnnir layer each node is.

FINN names a node by its op type and its index among the nodes of that type in the graph:
qonnx's GiveUniqueNodeNames (qonnx/transformation/general.py) gives `{op_type}_{n}`, and FINN's
SpecializeLayers (src/finn/transformation/fpgadataflow/specialize_layers.py) turns an op type
into its `_hls` or `_rtl` implementation, numbered again per implementation (`MVAU_hls_0`,
`ConvolutionInputGenerator_rtl_0`). Older FINN spelled the same nodes `StreamingFCLayer_Batch_0`
(before v0.9), `MatrixVectorActivation_0` (v0.9), `StreamingMaxPool_Batch_0`,
`Thresholding_Batch_0`, `LabelSelect_Batch_0`, `FMPadding_Batch_0`. Its folding files
(`extract_hw_config`, and the BNN-PYNQ configs of tests/benchmark/bnn-pynq/folding_config/) list
the nodes in graph order.

The mapping, per kind of node, in network order (the k-th node of a kind is the k-th bnnir layer
of that kind; by index within one spelling, in the file's order where a kind mixes spellings,
which FINN numbers separately):

    MVAU, MatrixVectorActivation, StreamingFCLayer   conv2d and dense   PE -> pe, SIMD -> simd
    ConvolutionInputGenerator                         conv2d             SIMD -> window_simd
    Pool, StreamingMaxPool                            max_pool           (no parameter in bnnir)
    Thresholding                                      threshold          PE -> pe
    LabelSelect                                       arg_max            PE -> pe
    FMPadding                                         pad                SIMD -> simd

Newer FINN builds a max-pool as a ConvolutionInputGenerator feeding a Pool node; when the file has
Pool nodes, its ConvolutionInputGenerators are the windows of the convs and the max-pools in
network order, and a pool's window has no parameter here (bnnir's max_pool streams whole rows).
FIFOs and width converters (StreamingFIFO, StreamingDataWidthConverter) are bnnir's to size and
place, so their entries are ignored. Any other node, or more nodes of a kind than the network
has layers of it, is an error naming the node.
"""

from __future__ import annotations

import re

from bnnir.analysis.folding import Layer
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn

KINDS: dict[str, str] = {
    "MVAU": "matrix", "MatrixVectorActivation": "matrix", "StreamingFCLayer": "matrix",
    "ConvolutionInputGenerator": "window", "Pool": "pool", "StreamingMaxPool": "pool",
    "Thresholding": "threshold", "LabelSelect": "label", "FMPadding": "pad",
}
"""FINN's op types (without implementation suffix) and the kind of bnnir layer each is."""

IGNORED = frozenset({"StreamingFIFO", "StreamingDataWidthConverter"})
"""FINN op types whose entries set nothing bnnir does not decide itself."""

RENAMED = {"matrix": {"PE": "pe", "SIMD": "simd"}, "window": {"SIMD": "window_simd"},
           "pool": {}, "threshold": {"PE": "pe"}, "label": {"PE": "pe"},
           "pad": {"SIMD": "simd"}}
"""Per kind, FINN's parameter names and bnnir's; other attributes are FINN's own."""

_NODE = re.compile(r"(?P<type>[A-Za-z]+?)(?P<impl>_hls|_rtl)?(?:_Batch)?_(?P<index>\d+)")

_LAYER_KINDS: tuple[tuple[type, str], ...] = (
    (bnn.Conv2dOp, "matrix"), (bnn.DenseOp, "matrix"), (bnn.MaxPoolOp, "pool"),
    (bnn.ThresholdOp, "threshold"), (bnn.ArgMaxOp, "label"), (bnn.PadOp, "pad"))


def is_finn_node(name: str) -> bool:
    """Whether a folding file's key is spelled as a FINN node name (`MVAU_hls_0`)."""
    match = _NODE.fullmatch(name)
    return match is not None and (match["type"] in KINDS or match["type"] in IGNORED)


def bnnir_folding(path: str, spec: dict[str, object],
                  layers: list[Layer]) -> dict[str, dict[str, object]]:
    """The folding file `spec`, keyed by FINN node names, as bnnir's: {layer name: parameters}.
    A node's attributes other than its parameters (ram_style, ...) are kept for the reader to
    accept or refuse as for bnnir's spelling."""
    nodes = _nodes_by_kind(path, spec)
    targets = _layers_by_kind(layers, windows_of_pools="pool" in nodes)
    folding: dict[str, dict[str, object]] = {}
    for kind, names in nodes.items():
        available = targets[kind]
        for position, node in enumerate(names):
            if position >= len(available):
                raise BnnirError(path, f"FINN node '{node}' has no layer of its kind in the "
                                 f"network ({len(available)} {kind} layers: "
                                 f"{', '.join(x.name for x in available) or 'none'})")
            layer = available[position]
            params = _renamed(path, node, spec[node], RENAMED[kind])
            if kind != "pool" and not isinstance(layer.op, bnn.MaxPoolOp):  # pools: none
                folding.setdefault(layer.name, {}).update(params)
    return folding


def _nodes_by_kind(path: str, spec: dict[str, object]) -> dict[str, list[str]]:
    """The file's FINN nodes per kind, in network order."""
    spelled: dict[str, list[tuple[str, int, str]]] = {}
    for name in spec:
        if name == "Defaults":
            continue
        match = _NODE.fullmatch(name)
        if match is None or not (match["type"] in KINDS or match["type"] in IGNORED):
            raise BnnirError(path, f"unknown FINN node '{name}'; nodes bnnir maps: "
                             f"{', '.join(KINDS)} (numbered as FINN does, e.g. MVAU_hls_0)")
        if match["type"] in IGNORED:
            continue
        kind = KINDS[match["type"]]
        spelling = f"{match['type']}{match['impl'] or ''}"
        spelled.setdefault(kind, []).append((spelling, int(match["index"]), name))
    ordered = {}
    for kind, entries in spelled.items():
        if len({spelling for spelling, _, _ in entries}) == 1:
            entries = sorted(entries, key=lambda entry: entry[1])
        ordered[kind] = [name for _, _, name in entries]
    return ordered


def _layers_by_kind(layers: list[Layer], windows_of_pools: bool) -> dict[str, list[Layer]]:
    by_kind: dict[str, list[Layer]] = {kind: [] for kind in RENAMED}
    for layer in layers:
        kind = next((k for op_type, k in _LAYER_KINDS if isinstance(layer.op, op_type)), None)
        if kind is not None:
            by_kind[kind].append(layer)
        if isinstance(layer.op, bnn.Conv2dOp) or (
                windows_of_pools and isinstance(layer.op, bnn.MaxPoolOp)):
            by_kind["window"].append(layer)
    return by_kind


def _renamed(path: str, node: str, params: object, names: dict[str, str]) -> dict[str, object]:
    if not isinstance(params, dict):
        raise BnnirError(path, f"FINN node '{node}': expected an object of attributes "
                         '(e.g. {"PE": 2, "SIMD": 8})')
    return {names.get(key, key): value for key, value in params.items()}
