"""The yosys backend: each kernel's SystemVerilog, as the CIRCT backend exports it, synthesized by
yosys' `synth_xilinx` for 7-series parts, its cells counted as Vivado counts them.

    sources.py   a kernel op's module and memory files, exported alone through CIRCT
    synth.py     one yosys run, its cell counts (Resources), the cache by content hash
    engine.py    the runs in a local process pool or on a Dask cluster

Results are cached in BNNIR_CACHE (default ~/.cache/bnnir), folder synth/, by the sha256 of the
kernel's SystemVerilog and hex files, yosys' version and the script: the same kernel is never
synthesized twice, whichever design or sweep it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from bnnir.backends.yosys.engine import CLUSTER_VARIABLE, run_jobs
from bnnir.backends.yosys.sources import KernelSources, design_sources, kernel_sources
from bnnir.backends.yosys.synth import (
    Job,
    Resources,
    SynthesisError,
    cache_root,
    script,
    yosys_version,
)
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw

__all__ = ["CLUSTER_VARIABLE", "Resources", "synthesize_design", "synthesize_ops",
           "synthesize_sources", "yosys_version"]

WHERE = "--synth"


def synthesize_sources(sources: Sequence[KernelSources], *, cluster: str | None = None,
                       jobs: int = 2, names: Sequence[str] | None = None) -> list[Resources]:
    """Each kernel's resources, in order, from the cache or yosys (`cluster`: a Dask scheduler
    address, default $BNNIR_SYNTH_CLUSTER; else `jobs` local processes). `names` name the
    kernels in errors (default: their modules)."""
    try:
        version = yosys_version()
        root = str(cache_root())
        work = [Job(s.top, s.files, s.digest(f"{version}\n{script(s.top, s.verilog)}"), root)
                for s in sources]
        return run_jobs(work, cluster, jobs)
    except SynthesisError as e:
        what = str(e)
        if names is not None:
            for s, name in zip(sources, names, strict=True):
                what = what.replace(f" on {s.top}:", f" on kernel {name} ({s.top}):")
        raise BnnirError(WHERE, what) from None


def synthesize_ops(ops: Sequence[hw.KernelOp], *, cluster: str | None = None, jobs: int = 2,
                   signed_input: bool = False) -> list[Resources]:
    """The resources of kernel ops, in order: ops built from their specs (in no design) or
    kernels of a design. Each is exported alone as the module `kernel_KIND`, so equal ops share
    one cache entry whatever their context. `signed_input`: the input lanes of an op in no
    design are two's complement (pool, threshold and label-select kernels need it said; an
    MVTU says it itself); a design's kernel has its design's signedness."""
    sources = [kernel_sources(op, "kernel", _signedness(op, signed_input)) for op in ops]
    return synthesize_sources(sources, cluster=cluster, jobs=jobs)


def _signedness(op: hw.KernelOp, signed_input: bool) -> dict[SSAValue, bool]:
    design = op.parent_op()
    if isinstance(design, hw.DesignOp):
        return hw.lane_signedness(design)
    return {op.input: signed_input}


def synthesize_design(module: ModuleOp, *, cluster: str | None = None, jobs: int = 2
                      ) -> list[Resources]:
    """The resources of every kernel of the module's hwstream designs, FIFOs included, in the
    report's row order (designs in module order, kernels in stream order)."""
    from bnnir.backends.report import kernel_names

    designs = [op for op in module.ops if isinstance(op, hw.DesignOp)]
    if not designs:
        raise BnnirError(WHERE, "needs a hwstream design: run bnn-to-hwstream (and "
                         "hwstream-size-fifos) first")
    sources: list[KernelSources] = []
    names: list[str] = []
    for design in designs:
        sources += design_sources(design)
        labels = kernel_names(design)
        names += [labels[op] for op in design.kernels()]
    return synthesize_sources(sources, cluster=cluster, jobs=jobs, names=names)
