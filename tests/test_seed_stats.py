import numpy as np
import pytest
from scipy import stats

from sparsesim.workloads.pruning.seed_stats import mean_ci95, t975


@pytest.mark.parametrize("df", [1, 2, 5, 29, 30, 31, 50, 200])
def test_t_quantile_matches_scipy(df):
    assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=2e-3)


def test_interval_matches_scipy():
    values = np.random.default_rng(0).normal(94.0, 0.4, size=5)
    got = mean_ci95(list(values))
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(),
                                 scale=stats.sem(values))
    assert got.low == pytest.approx(low, rel=1e-4)
    assert got.high == pytest.approx(high, rel=1e-4)


def test_one_seed_has_no_width_and_overlap_is_symmetric():
    one = mean_ci95([93.5])
    assert one.half_width == 0 and f"{one:.1f}" == "93.5"
    a, b = mean_ci95([93.4, 93.6, 93.5]), mean_ci95([94.2, 94.4, 94.3])
    assert not a.overlaps(b) and not b.overlaps(a)
    assert a.overlaps(mean_ci95([93.0, 94.0, 93.5]))
    assert a.to_dict("pct")["seeds"] == 3
    with pytest.raises(ValueError):
        mean_ci95([])
