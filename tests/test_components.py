import pytest

from sparsesim.simulator import (
    ActivationQueue,
    BankedSRAM,
    Broadcast,
    DeadlockError,
    Engine,
    ProcessingElement,
)


def consumer(engine, queue, pe, work_cycles, log):
    while True:
        item = yield queue.get()
        log.append((item, engine.now))
        yield pe.busy(work_cycles)


def run_bus(items, work_cycles, flag_timing="registered", **bus_options):
    """One depth-1 queue fed by a bus and drained by a consumer taking `work_cycles` per
    item; returns (log of (item, pop cycle), bus, queue, pe) once all is done."""
    engine = Engine()
    queue = ActivationQueue(engine, "q", depth_entries=1, flag_timing=flag_timing)
    pe = ProcessingElement(engine, "pe", 0)
    log = []
    bus = Broadcast(engine, "bus", [queue], items, **bus_options)
    engine.process(consumer(engine, queue, pe, work_cycles, log))
    engine.run(lambda: bus.done and queue.occupancy == 0 and pe.busy_until <= engine.now)
    return log, bus, queue, pe


def test_same_cycle_flags_refill_a_slot_in_the_cycle_it_is_popped():
    """Depth 1, a consumer taking 3 cycles per item: items leave the bus at 0, 1, 3, 6.

    Cycle 0: push a, the waiting consumer pops it at once (busy 0-2). Cycle 1: push b
    (queue 1/1). Cycle 2: full, stall. Cycle 3: the consumer pops b and the bus refills
    the slot with c in the same cycle. Cycles 4, 5: stall. Cycle 6: pop c, push d.
    """
    log, bus, queue, pe = run_bus(["a", "b", "c", "d"], 3, flag_timing="same_cycle")
    assert log == [("a", 0), ("b", 3), ("c", 6), ("d", 9)]
    assert bus.stats.transfers == 4
    assert bus.stats.stall_cycles == 3
    assert queue.stats.max_occupancy_entries == 1
    assert pe.stats.busy_cycles == 12


def test_registered_flags_see_pops_and_pushes_one_cycle_late():
    """The same bus and consumer with registered flags (the default).

    Cycle 0: push a; the consumer sees it at 1 (busy 1-3). Cycle 1: the slot popped
    this cycle still reads full: stall; push b at 2. Cycle 4: pop b, stall; push c at
    5. Cycle 7: pop c; push d at 8, popped at 10.
    """
    log, bus, queue, _ = run_bus(["a", "b", "c", "d"], 3)
    assert log == [("a", 1), ("b", 4), ("c", 7), ("d", 10)]
    assert bus.stats.stall_cycles == 1 + 2 + 2
    assert queue.occupancy_per_cycle(12).tolist() == [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0]


def test_broadcast_gaps_delay_items_and_overlap_stalls():
    """Gaps are cycles before an item is ready; a gap spent while the queue is full
    costs nothing extra, and only waiting past the ready cycle counts as a stall."""
    log, bus, _, _ = run_bus(["a", "b", "c"], 4, start_cycle=2, gaps=[1, 0, 2])
    # a ready 3 (pushed 3, popped 4, busy 4-7); b ready 4, slot popped at 4 reads full
    # until 5: pushed 5; c ready 5 + 1 + 2 = 8, slot popped at 8: pushed 9.
    assert log == [("a", 4), ("b", 8), ("c", 12)]
    assert bus.stats.stall_cycles == 1 + 1


def test_queue_never_exceeds_depth_and_logs_occupancy():
    engine = Engine()
    queue = ActivationQueue(engine, "q", depth_entries=2)
    pe = ProcessingElement(engine, "pe", 0)
    bus = Broadcast(engine, "bus", [queue], list(range(6)))
    engine.process(consumer(engine, queue, pe, 4, []))
    engine.run(lambda: bus.done and queue.occupancy == 0 and pe.busy_until <= engine.now)
    occupancy = queue.occupancy_per_cycle(pe.busy_until)
    assert occupancy.max() == 2 == queue.stats.max_occupancy_entries
    assert queue.stats.pushes == queue.stats.pops == 6


def test_watchdog_names_the_full_queue_nobody_drains():
    engine = Engine(watchdog_cycles=50)
    queue = ActivationQueue(engine, "pe7.queue", depth_entries=2)
    Broadcast(engine, "lnzd.broadcast", [queue], list(range(5)))
    with pytest.raises(DeadlockError, match=r"lnzd.broadcast waits for space in pe7.queue"):
        engine.run(lambda: False)


def test_long_timed_work_is_not_a_deadlock():
    engine = Engine(watchdog_cycles=10)
    queue = ActivationQueue(engine, "q", depth_entries=1)
    pe = ProcessingElement(engine, "pe", 0)
    bus = Broadcast(engine, "bus", [queue], [1, 2])
    engine.process(consumer(engine, queue, pe, 100, []))
    engine.run(lambda: bus.done and queue.occupancy == 0 and pe.busy_until <= engine.now)
    assert pe.stats.busy_cycles == 200


def test_banked_sram_counts_conflicts():
    sram = BankedSRAM("ptr", word_bits=16, banks=2)
    assert sram.read([4, 5]) == 1  # even and odd banks: one cycle
    assert sram.read([4, 6]) == 2  # both even: one conflict
    assert sram.stats.reads == 4 and sram.stats.bank_conflicts == 1
    assert sram.stats.bits_read == 64


def test_components_check_their_arguments():
    engine = Engine()
    with pytest.raises(ValueError, match="depth_entries must be >= 1"):
        ActivationQueue(engine, "q", 0)
    with pytest.raises(ValueError, match="banks must be >= 1"):
        BankedSRAM("s", 64, banks=0)
