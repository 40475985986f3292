"""Yosys synthesis of the CIRCT backend's kernels (bnnir/backends/yosys): the report of a small
network lists every kernel with yosys' figures, in text and JSON, through bnn-translate and
bnn-compile; a memory-backed MVTU keeps its block RAMs (the ENABLE_INITIAL_MEM_ trap); results
come from the cache on a second run and from a Dask LocalCluster of two worker processes; a
missing or failing yosys is one line.

Kernels are small (seconds each); every test shares one cache, so a kernel is synthesized once.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
from distributed import LocalCluster
from xdsl.dialects.builtin import i8
from xdsl.ir import Block

import bnnir
import models
from bnnir.backends.circt.project import emit_project
from bnnir.backends.hls.emit import design_of
from bnnir.backends.yosys import Resources, synth, synthesize_ops, yosys_version
from bnnir.backends.yosys.sources import design_sources
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_from_numpy
from bnnir.tools import bnn_translate


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One synthesis cache for the module's tests."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BNNIR_CACHE", str(root))
        patch.delenv("BNNIR_SYNTH_CLUSTER", raising=False)
        patch.delenv("BNNIR_YOSYS", raising=False)
        yield root / "synth"


def mvtu(rows: int, columns: int, pe: int, simd: int, seed: int = 0) -> hw.MvtuOp:
    """A standalone XNOR MVTU without thresholds (16-bit dot products), random weights."""
    spec = hw.MvtuSpec(rows=rows, columns=columns, vectors=4, pe=pe, simd=simd, input_bits=1,
                       output_bits=16, xnor=True)
    depth = rows * columns // (pe * simd)
    weights = np.random.default_rng(seed).integers(-128, 128, (pe, depth, (simd + 7) // 8))
    block = Block(arg_types=[hw.StreamType(simd)])
    return hw.MvtuOp(block.args[0], spec, weights=dense_from_numpy(weights.astype(np.int8), i8))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer MLP (16 -> 8 -> 4) as ONNX."""
    model, _ = models.mlp_bipolar(np.random.default_rng(3), sizes=(16, 8, 4))
    path = tmp_path_factory.mktemp("mlp") / "mlp.onnx"
    onnx.save(model, path)
    return path


@pytest.fixture(scope="module")
def synthesized(network: Path) -> bnnir.Build:
    return bnnir.compile(network, input_type="bipolar", target_fps=1e6, clock_mhz=100,
                         synth=True)


def test_report_lists_every_kernel_with_yosys_figures(synthesized: bnnir.Build) -> None:
    report = synthesized.report
    rows = report["layers"]
    assert [r["kind"] for r in rows if r["kind"] == "mvtu"] == ["mvtu", "mvtu"]
    for row in rows:
        s = row["synth"]
        assert s["luts"] > 0 and s["ffs"] > 0, row["name"]
        assert row["synth_ratio"]["luts"] == round(s["luts"] / row["luts"], 3)
    totals = report["synthesis"]
    assert totals["total_luts"] == sum(r["synth"]["luts"] for r in rows)
    assert totals["total_ffs"] == sum(r["synth"]["ffs"] for r in rows)
    assert totals["yosys"] == [yosys_version()]
    assert totals["yosys"][0].startswith("Yosys ")
    saved = json.loads(synthesized.files["report.json"])
    assert saved["synthesis"] == totals
    assert [r["synth"] for r in saved["layers"]] == [r["synth"] for r in rows]
    text = synthesized.files["report.txt"]
    assert "yLUT" in text and f"synthesized: {totals['total_luts']} LUTs" in text
    assert yosys_version() in text
    for row in rows:
        line = next(line for line in text.splitlines() if line.startswith(row["name"] + " "))
        assert f" {row['synth']['luts']} " in line


def test_bnn_translate_synth_report_equals_bnn_compile(
        synthesized: bnnir.Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "stream.mlir"
    stream.write_text(synthesized.files["4-streaming.mlir"])
    for fmt, name in (("text", "report.txt"), ("json", "report.json")):
        assert bnn_translate.main([str(stream), "--emit-report", "--synth", "--format", fmt,
                                   "--quiet"]) == 0
        assert capsys.readouterr().out == synthesized.files[name]  # from the cache
    assert bnn_translate.main([str(stream), "--emit-report", "--quiet"]) == 0
    plain = capsys.readouterr().out
    assert "yLUT" not in plain and "synthesized:" not in plain


def test_kernel_sources_are_the_split_exports_files(synthesized: bnnir.Build) -> None:
    """Each kernel, exported alone, is its files of the design's --emit-verilog folder, byte for
    byte."""
    module = synthesized.module
    exported = emit_project(module)
    for sources in design_sources(design_of(module)):
        assert f"{sources.top}.sv" in sources.verilog
        for name, text in sources.files:
            assert exported[name] == text, name


def test_memory_backed_mvtu_keeps_its_block_rams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two PEs of 1024 x 16-bit weight words: seq.firmem memories initialized by $readmemh,
    which CIRCT puts behind ENABLE_INITIAL_MEM_; without the macro yosys sees memories never
    written, and drops them."""
    op = mvtu(64, 512, pe=2, simd=16)
    (measured,) = synthesize_ops([op])
    assert measured.bram18 == 2
    assert measured.cells.get("RAMB18E1") == 2
    monkeypatch.setattr(synth, "SCRIPT", synth.SCRIPT.replace(" -DENABLE_INITIAL_MEM_", ""))
    (trap,) = synthesize_ops([op])
    assert trap.bram18 == 0 and "RAMB18E1" not in trap.cells


def test_cache_and_counts(cache: Path) -> None:
    ops = [mvtu(8, 16, pe=2, simd=4, seed=1), mvtu(8, 16, pe=2, simd=4, seed=1)]
    first = synthesize_ops(ops)
    assert first[0] == first[1]
    entries = set(cache.glob("*.json"))
    again = synthesize_ops(ops)
    assert set(cache.glob("*.json")) == entries
    assert all(r.cached and r.seconds == 0 for r in again)
    assert [(r.luts, r.ffs, r.bram18) for r in again] == [(r.luts, r.ffs, r.bram18)
                                                           for r in first]
    r = first[0]
    assert r.luts == sum(n for c, n in r.cells.items() if c.startswith("LUT") or c == "INV")
    assert r.ffs == r.cells["FDRE"] + r.cells.get("FDSE", 0)
    counted = synth.count({"LUT6": 3, "RAM64M": 2, "SRLC32E": 1, "RAMB36E1": 1,
                           "RAMB18E1": 1, "FDRE": 4, "DSP48E1": 2, "CARRY4": 9}, "v", 0.0)
    assert (counted.luts, counted.ffs, counted.bram18, counted.dsps) == (12, 4, 3, 2)


def test_multi_bit_weights_synthesize_wider_lanes() -> None:
    """A unit with 4-bit weights on 2-bit inputs is synthesized like any kernel; its products
    and wider adder tree cost more LUTs and registers than the same unit with 1-bit weights."""
    def unit(weight_bits: int) -> hw.MvtuOp:
        spec = hw.MvtuSpec(rows=8, columns=16, vectors=4, pe=2, simd=4, input_bits=2,
                           output_bits=16, weight_bits=weight_bits)
        weights = np.random.default_rng(4).integers(-128, 128, (2, 8, (4 * weight_bits + 7) // 8))
        block = Block(arg_types=[hw.StreamType(8)])
        return hw.MvtuOp(block.args[0], spec,
                         weights=dense_from_numpy(weights.astype(np.int8), i8))

    one_bit, four_bit = synthesize_ops([unit(1), unit(4)])
    assert one_bit.luts > 0 and four_bit.luts > 2 * one_bit.luts
    assert four_bit.ffs > one_bit.ffs and four_bit.dsps == 0


def test_dask_local_cluster_computes_each_kernel_once(cache: Path) -> None:
    ops = [mvtu(8, 32, pe=2, simd=4, seed=2), mvtu(16, 16, pe=4, simd=4, seed=3),
           mvtu(8, 32, pe=2, simd=4, seed=2)]
    before = set(cache.glob("*.json"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        measured = synthesize_ops(ops, cluster=cluster.scheduler_address)
        assert measured[0] == measured[2] and measured[0] != measured[1]
        assert len(set(cache.glob("*.json")) - before) == 2
        assert all(r.luts > 0 and not r.cached for r in measured)
        again = synthesize_ops(ops, cluster=cluster.scheduler_address)
    assert all(r.cached for r in again)
    assert [r.luts for r in again] == [r.luts for r in measured]


def _fake_yosys(folder: Path, body: str) -> Path:
    path = folder / "yosys"
    path.write_text(f'#!/bin/sh\nif [ "$1" = -V ]; then echo "Yosys 0.0 (fake)"; exit 0; fi\n'
                    f"{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_missing_yosys_is_one_line(synthesized: bnnir.Build, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "stream.mlir"
    stream.write_text(synthesized.files["4-streaming.mlir"])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert bnn_translate.main([str(stream), "--emit-report", "--synth", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err == ("bnn-translate: error: --synth: needs yosys, which is not installed: "
                   f"{synth.INSTALL}\n")
    assert "apt-get install yosys" in err


def test_failing_yosys_names_the_kernel_and_the_last_log_line(
        synthesized: bnnir.Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "stream.mlir"
    stream.write_text(synthesized.files["4-streaming.mlir"])
    fake = _fake_yosys(tmp_path, 'echo "reading..." > yosys.log\n'
                                 'echo "ERROR: out of LUTs in accel" >> yosys.log\nexit 1')
    monkeypatch.setenv("BNNIR_YOSYS", str(fake))
    assert bnn_translate.main([str(stream), "--emit-report", "--synth", "--quiet",
                               "--synth-jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    named = re.fullmatch(r"bnn-translate: error: --synth: yosys fails on kernel (\S+) "
                         r"\((\w+)\): ERROR: out of LUTs in accel\n", err)
    assert named is not None, err
    assert named[1] in [r["name"] for r in synthesized.report["layers"]]
    assert named[2].startswith("accel_k")


def test_synth_options_are_checked(synthesized: bnnir.Build, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "stream.mlir"
    stream.write_text(synthesized.files["4-streaming.mlir"])
    for args, message in (
            (["--emit-hls", "--synth"], "--synth: applies to --emit-report, not --emit-hls"),
            (["--emit-report", "--synth-cluster", "tcp://h:8786"],
             "--synth-cluster: applies to --synth"),
            (["--emit-report", "--synth", "--format", "svg"],
             "--synth: adds columns to the text and json reports, not to svg")):
        assert bnn_translate.main([str(stream), *args, "--quiet"]) == 1
        assert capsys.readouterr().err == f"bnn-translate: error: {message}\n"


def test_resources_round_trip_through_the_cache_format() -> None:
    r = Resources(1, 2, 3, 4, "Yosys x", 1.5, 1.5, False, {"LUT6": 1})
    back = Resources(**json.loads(json.dumps(r.to_json())))
    assert back == r and dict(back.cells) == {"LUT6": 1}
    assert os.path.basename(str(synth.cache_root())) == "synth"
