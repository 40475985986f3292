"""Target facts: the FPGA parts and boards bnnir folds for, and the defaults a build assumes.

Everything that names a part, a clock or a stream depth reads it from here: bnn-fold (the LUT
and BRAM18 budget of `part=`), the HLS backend (the part string and clock of hls.tcl, the depth
of a plain stream) and the report.

Resources are the device totals of the vendor's product tables (AMD/Xilinx): Zynq-7000 DS190
(XC7Z020), Zynq UltraScale+ MPSoC DS891 (XCZU3EG, XCZU7EV, XCZU9EG), Kria K26 SOM DS987
(XCK26), Kintex UltraScale DS890 (XCKU115), Alveo U50 DS965, U200/U250 DS962 and U280 DS963
(XCU50, XCU200, XCU250, XCU280). BRAM18s count each 36 Kb block RAM as two 18 Kb halves, as
FINN's estimates do. FINN's own platform tables (src/finn/util/platforms.py) agree for the
XC7Z020 (53 200 LUTs, 280 BRAM18s, 220 DSPs), XCZU9EG (1 824 BRAM18s, 2 520 DSPs) and XCZU7EV
(1 728 DSPs). The Vivado part strings and the boards they sit on are FINN's
(src/finn/util/basic.py: pynq_part_map, alveo_part_map); the ADM-PCIE-8K5 carries the KU115
of Fraser et al. (2017).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CLOCK_MHZ = 200.0
"""The clock a build assumes without one given (bnn-fold, hls.tcl)."""

DEFAULT_STREAM_DEPTH = 2
"""The words a plain stream between two kernels holds (`hls::stream` depth without a FIFO)."""


@dataclass(frozen=True)
class Part:
    """An FPGA device: its short name, full Vivado part string and resources."""

    name: str
    part: str
    luts: int
    ffs: int
    bram18: int
    dsps: int


PARTS: dict[str, Part] = {p.name: p for p in (
    Part("xc7z020", "xc7z020clg400-1", 53_200, 106_400, 280, 220),
    Part("xczu3eg", "xczu3eg-sbva484-1-i", 70_560, 141_120, 432, 360),
    Part("xczu7ev", "xczu7ev-ffvc1156-2-e", 230_400, 460_800, 624, 1_728),
    Part("xczu9eg", "xczu9eg-ffvb1156-2-e", 274_080, 548_160, 1_824, 2_520),
    Part("xck26", "xck26-sfvc784-2LV-c", 117_120, 234_240, 288, 1_248),
    Part("xcku115", "xcku115-flvb2104-2-e", 663_360, 1_326_720, 4_320, 5_520),
    Part("xcu50", "xcu50-fsvh2104-2L-e", 871_680, 1_743_360, 2_688, 5_952),
    Part("xcu200", "xcu200-fsgd2104-2-e", 1_182_240, 2_364_480, 4_320, 6_840),
    Part("xcu250", "xcu250-figd2104-2L-e", 1_728_000, 3_456_000, 5_376, 12_288),
    Part("xcu280", "xcu280-fsvh2892-2L-e", 1_303_680, 2_607_360, 4_032, 9_024),
)}
"""Known devices by short name."""

BOARDS: dict[str, str] = {
    "ADM-PCIE-8K5": "xcku115",
    "PYNQ-Z1": "xc7z020",
    "PYNQ-Z2": "xc7z020",
    "Ultra96-V2": "xczu3eg",
    "ZCU102": "xczu9eg",
    "ZCU104": "xczu7ev",
    "KV260": "xck26",
    "U50": "xcu50",
    "U200": "xcu200",
    "U250": "xcu250",
    "U280": "xcu280",
}
"""Known boards and the part each carries (Alveo cards by their short names)."""

DEFAULT_PART = "xczu7ev"
"""The part hls.tcl targets when the folding names none (the ZCU104's)."""


def find_part(name: str) -> Part | None:
    """The part a name gives: a part's short name or Vivado part string, or a board (letter
    case ignored; `Alveo U250` and `KV260_SOM` as FINN spells them too)."""
    key = name.strip().lower().removeprefix("alveo ").removesuffix("_som")
    for part in PARTS.values():
        if key in (part.name, part.part.lower()):
            return part
    board = next((b for b in BOARDS if b.lower() == key), None)
    return None if board is None else PARTS[BOARDS[board]]


def known_targets() -> str:
    """The names `find_part` takes, as a message lists them."""
    return f"parts {', '.join(PARTS)}; boards {', '.join(BOARDS)}"
