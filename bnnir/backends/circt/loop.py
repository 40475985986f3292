"""The shell every kernel module shares: its loop's iteration control, a fixed-latency datapath
and a registered output queue.

A kernel is the one pipelined loop (II = 1) of its HLS kernel (bnnir/backends/hls/include/
bnnir/*.hpp): per frame a fixed sequence of iterations, each reading at most one input word and
writing at most one output word. Here an iteration runs (`fire`) in a cycle when the word it
reads is valid and, if it writes, the output queue has room for the word: so, unstalled, one
iteration per cycle, the HLS kernel's and the stream schedule's loop counts.

The word an iteration writes leaves its datapath `latency` cycles later into the output queue,
`latency` + 2 words of registers. The loop issues a writing iteration only while the queue's
words plus the words in flight leave room for it (credits), so the datapath never stalls and
the queue streams a word per cycle when its consumer takes one per cycle. Ports:

    in:  clk, rst, in_data, in_valid, out_ready      out: in_ready, out_data, out_valid

`in_ready` and `out_valid` depend only on the kernel's own registers (and `in_ready` on
`in_valid` not at all), so no ready or valid path runs through two kernels: each kernel
boundary is registered.
"""

from __future__ import annotations

from xdsl.dialects import hw

from bnnir.backends.circt.builder import Reg, Rtl, Value, bits_for, width


def stream_ports(in_bits: int, out_bits: int) -> tuple[list[tuple[str, int]],
                                                         list[tuple[str, int]]]:
    return ([("in_data", in_bits), ("in_valid", 1), ("out_ready", 1)],
            [("in_ready", 1), ("out_data", out_bits), ("out_valid", 1)])


def queue(rtl: Rtl, name: str, depth: int, push: Value, data: Value, pop: Value,
          count: Reg | None = None) -> tuple[Value, Value, Reg]:
    """A FIFO of `depth` registers: (its head word, whether it holds a word, its count
    register, `count` if given). Pushing into a full queue is the caller's error."""
    if count is None:
        count = rtl.reg(f"{name}_count", bits_for(depth + 1))
    popped = rtl.and_(pop, rtl.not_(rtl.eq(count.q, 0)))
    head, _ = rtl.counter(f"{name}_head", depth, popped)
    tail, _ = rtl.counter(f"{name}_tail", depth, push)
    entries = rtl.regfile(f"{name}_word", depth, width(data), push, tail.q, data)
    one = rtl.const(1, width(count.q))
    count.next(rtl.mux(push, rtl.mux(popped, count.q, rtl.add(count.q, one)),
                       rtl.mux(popped, rtl.sub(count.q, one), count.q)))
    return rtl.select(entries, head.q), rtl.not_(rtl.eq(count.q, 0)), count


class LoopKernel:
    """A kernel module under construction: call `control` once with the iteration's read and
    write conditions (functions of the loop's registers), build the datapath from `fire` and
    `in_data`, then `finish` with the output word `latency` cycles after its iteration."""

    def __init__(self, name: str, in_bits: int, out_bits: int, latency: int):
        inputs, outputs = stream_ports(in_bits, out_bits)
        self.rtl = Rtl(name, inputs, outputs)
        self.latency = latency
        self.depth = latency + 2
        self.in_data = self.rtl.inputs["in_data"]
        self.out_bits = out_bits
        self.fire: Value | None = None
        self._count = self.rtl.reg("queue_count", bits_for(self.depth + 1))
        self._push: Value | None = None
        self._in_ready: Value | None = None

    def control(self, reads: Value, writes: Value) -> Value:
        """`fire`: the iteration runs this cycle."""
        rtl = self.rtl
        # the words the queue holds or will hold: its count and the writes issued 1 ..
        # latency cycles ago (issue_d1 .. issue_dL), still in the datapath
        issued = [rtl.reg(f"issue_d{k + 1}", 1) for k in range(self.latency)]
        owned = rtl.sum([self._count.q, *(r.q for r in issued)], bits_for(self.depth + 1))
        may_write = rtl.or_(rtl.not_(writes), rtl.ult(owned, self.depth))
        fire = rtl.and_(rtl.or_(rtl.not_(reads), rtl.inputs["in_valid"]), may_write)
        self._in_ready = rtl.and_(reads, may_write)
        wrote = rtl.and_(fire, writes)
        for register, source in zip(issued, [wrote, *(r.q for r in issued)], strict=False):
            register.next(source)
        self._push = issued[-1].q if issued else wrote
        self.fire = fire
        return fire

    def finish(self, data: Value) -> hw.HWModuleOp:
        rtl = self.rtl
        assert self._push is not None and self._in_ready is not None, "control() first"
        assert width(data) == self.out_bits, (width(data), self.out_bits)
        pop = rtl.inputs["out_ready"]
        head, nonempty, _ = queue(rtl, "queue", self.depth, self._push, data, pop, self._count)
        return rtl.finish({"in_ready": self._in_ready, "out_data": head, "out_valid": nonempty})
