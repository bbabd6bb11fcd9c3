import pytest

from sparsesim.simulator.bandwidth import BandwidthPipe
from sparsesim.simulator.cache import LRUCache
from sparsesim.simulator.engine import Engine


def test_bandwidth_pipe_serves_in_order_with_fractional_cycles():
    """2.5 B/cycle: 5 B end at 2, the next 1 B at 2.4 -> cycle 3, then 4 B at 4.0 -> 4."""
    pipe = BandwidthPipe(Engine(), "link", 2.5)
    assert [pipe.transfer(5), pipe.transfer(1), pipe.transfer(4)] == [2, 3, 4]
    assert pipe.stats.bytes == 10 and pipe.stats.busy_cycles == pytest.approx(4.0)
    assert pipe.stats.queued_cycles == pytest.approx(2.0 + 2.4)


def test_bandwidth_pipe_idles_until_the_request_time():
    engine = Engine()
    pipe = BandwidthPipe(engine, "link", 1.0)
    log = []

    def late():
        yield engine.env.timeout(10)
        log.append(pipe.transfer(3))

    engine.process(late())
    engine.env.run()
    assert log == [13]


def test_lru_cache_evicts_least_recently_used_and_keeps_ready_cycle():
    cache = LRUCache("l2", capacity_bytes=10)
    cache.insert("a", 4, ready_cycle=7)
    cache.insert("b", 4, ready_cycle=8)
    assert cache.lookup("a", 4) == 7  # a is now the most recently used
    cache.insert("c", 4, ready_cycle=9)  # evicts b
    assert cache.lookup("b", 4) is None and cache.lookup("c", 4) == 9
    assert (cache.stats.hits, cache.stats.misses, cache.stats.evictions) == (2, 1, 1)


def test_components_reject_bad_sizes():
    with pytest.raises(ValueError, match="bytes_per_cycle must be > 0"):
        BandwidthPipe(Engine(), "link", 0)
    with pytest.raises(ValueError, match="capacity_bytes must be >= 1"):
        LRUCache("l2", 0)
