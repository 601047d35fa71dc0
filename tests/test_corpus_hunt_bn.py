"""Corpus, hunt BN: operations research, supply chains, energy systems and scheduling, as course
notebooks, OR textbooks' companion code and industry blog posts write them in NumPy.

Inventory (Harris' EOQ per item into a dict, all-units quantity discounts from module-level
price breaks, the newsvendor by `np.quantile` of demand history, by `norm.ppf` with the standard
normal loss function, safety stock and reorder points for a table of service levels with
lead-time variability, the safety factor for a fill-rate target by a grid `argmin`, Poisson
base-stock levels by `poisson.cdf`, ABC analysis by `argsort`/`cumsum`/`searchsorted` with ranks
scattered back, by `np.select` of character codes and `bincount`, a Pareto table by `interp` and
`digitize`, XYZ classes in a string array, (s,S) policies for a grid of pairs at once by
`np.where`, (r,Q) with a pipeline by `np.roll`, periodic review with Python `max` and `t % R`,
an inventory balance written in place, SKUs in dicts written back, the Wagner-Whitin forward
recursion, a beer-game order-up-to cascade, joint replenishment over `itertools.product`,
lead-time demand by `sliding_window_view`, a lognormal stock-out probability); demand
forecasting (SES into `np.empty` and over an alpha grid, Holt, damped Holt, additive
Holt-Winters with a list of seasonals and multiplicative with an array, Croston and SBA by
`np.where`, TSB, ADI/CV2 classes by `nanstd`, moving averages by `convolve`, cumsum and weights,
a 2xm centred MA decomposition, MAE/RMSE/MAPE/sMAPE/MASE/WAPE into a dict, rolling-origin
evaluation, the theta method by `polyfit`, a trend forecast by `lstsq` with a normal interval,
float32 panels, SES intervals); transportation and assignment (the NW-corner rule and Vogel's
method with fixed rounds and traced cursors, the least-cost rule by `unravel_index`, MODI
potentials by `solve`, `linear_sum_assignment` square, maximising and rectangular with `cdist`,
assignment by permutations, dual prices, simplex tableau pivots by `np.outer`); Markov chains
and queues (stationary vectors by `eig`, a replaced row, `lstsq` and power iteration,
machine-state costs by a dict, absorbing chains' fundamental matrix, Kemeny-Snell first passage
times, a machine-repair CTMC, `expm` transients, Erlang C by a `math.factorial` loop, by
`scipy.special.factorial` and by Erlang B staffing tables, call-centre service levels, M/M/1/K,
Lindley by Python `max` and by `np.minimum.accumulate`, Jackson networks); scheduling (CPM
forward and backward passes over predecessor lists with Python `max`/`min`, generator
expressions, a boolean adjacency matrix and a dict table, PERT by the beta approximation with
`norm.cdf`, PERT-beta and triangular Monte Carlo from seeded Generators, resource profiles, flow
shops by nested `max`, by `np.maximum.accumulate` and over every permutation, Johnson's rule by
`lexsort`, SPT/EDD/WSPT into a dict, a job shop by relaxation passes, line balancing by weighted
`bincount`); energy systems (economic dispatch by lambda iteration with a fixed gain over
module-level unit tables, by vectorised bisection and with B-coefficient losses, heat-rate
curves from a dict of dicts, merit order by `searchsorted` and hourly stacks, priority-list
commitment in int8, unit commitment by enumeration, load duration and screening curves, battery
state of charge by `np.clip`, peak shaving, price arbitrage on quantile thresholds, LCOE with
degradation, IRR by Newton steps, capacity factors by `np.add.reduceat` over month lengths, wind
power by `np.interp` of a turbine curve and a Weibull AEP by `weibull_min.pdf`, COPT and LOLP by
shifted convolution, time-of-use bills, DC power flow by `np.add.at`, PTDFs, reservoir operation
with spill, float32 storage); routing and risk (distance matrices by broadcasting, haversine,
Dijkstra and Floyd-Warshall, the Clarke-Wright savings list and merges by labels,
nearest-neighbour tours with a traced current city, 2-opt gains and sweeps, padded route
distances, the sweep heuristic by `array_split`, Weiszfeld's centre of gravity, facility
enumeration, newsvendor, lead-time-demand and bootstrap Monte Carlo from seeded Generators and
the legacy `np.random.seed`, VaR and CVaR by a boolean selection); and library idioms
(business-day calendars, datetime64 lead times and due dates, record arrays, scipy's left `eig`,
SES by `lfilter` with `lfilter_zi`, seasonality by `correlate` and `rfft`, tiered tariffs by
`piecewise`, `np.ma` stock-outs, pallets by `divmod`, forward fill, empirical demand draws,
`einsum` echelon costs, `interp1d` power curves, top SKUs by `argpartition`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Horizons, season lengths, server counts,
iteration counts and sample counts given as Python ints are static; those given positionally
(and a brentq closure's parameters, a tolerance loop's demand) are made static by `jit`. The
forms whose Python or shapes depend on array values (`if` on inventory or demand, the NW-corner
and Silver-Meal `while` loops, Wagner-Whitin backtracking by `int()`, class-A items and critical
activities by selections, stock-out days by `np.nonzero`, `linprog`, `minimize_scalar` of a
closure, `len(np.unique(...))`, a pivot elimination over a boolean mask of other rows,
`rv_discrete` of a traced pmf, f-string reports, `assert np.allclose`, `null_space`) raise a
named error and run eagerly under `fallback=True`. Strict xfails mark what tracenp gets wrong:
Python `max`/`min` with `default=`, arrays reached through a default argument or a dict of
dicts, Python floats made static where a global array would be captured or a quantile's `q`
traced, `np.busday_offset`/`np.busday_count`, structured arrays, scipy's left `eig`,
`csgraph.shortest_path`, `statistics.mean`, and `max` of an int64 and a float.
"""

from __future__ import annotations

import itertools
import math
import statistics

import numpy as np
import pytest
import scipy.interpolate
import scipy.linalg
import scipy.optimize
import scipy.signal
import scipy.sparse.csgraph
import scipy.special
import scipy.stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from scipy.stats import norm
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _demand(seed, *shape, lam=20):
    return np.random.default_rng(seed).poisson(lam, shape)


def _distinct(seed, n, lo=1.0, hi=100.0):
    # values far enough apart that sorts and argsorts have no near-ties
    r = np.random.default_rng(seed)
    return lo + (hi - lo) * (r.permutation(n) + 0.5 * r.random(n) + 0.25) / n


def _stochastic(seed, n, diag=2.0):
    P = _pos(seed, n, n, lo=0.2, hi=1.0) + diag * np.eye(n)
    return P / P.sum(axis=1, keepdims=True)


# =============================================================================== inventory

HOLDING_RATE = 0.25          # of unit cost per year
WORKING_DAYS = 250
PRICE_BREAKS = np.array([0.0, 500.0, 1000.0])
BREAK_PRICES = np.array([5.0, 4.8, 4.75])
SERVICE_LEVELS = np.array([0.90, 0.95, 0.975, 0.99])


def eoq_table(D, S, H):
    # Harris' EOQ per item, with the annual costs and the order cycle in days
    Q = np.sqrt(2 * D * S / H)
    n_orders = D / Q
    ordering = S * n_orders
    holding = H * Q / 2
    return {"Q": Q, "orders": n_orders, "cost": ordering + holding,
            "cycle_days": WORKING_DAYS / n_orders}


def eoq_quantity_discount(D, S):
    # all-units discount: the EOQ at each price, pushed up to the break, the cheapest kept
    H = HOLDING_RATE * BREAK_PRICES
    Q = np.sqrt(2 * D * S / H)
    Q = np.maximum(Q, PRICE_BREAKS)
    total = D * BREAK_PRICES + D / Q * S + Q / 2 * H
    best = np.argmin(total)
    return Q[best], BREAK_PRICES[best], total


def newsvendor_empirical(demand, price, cost, salvage):
    # critical ratio and the sample quantile of historical demand
    cu = price - cost
    co = cost - salvage
    cr = cu / (cu + co)
    q = np.quantile(demand, cr)
    sales = np.minimum(demand, q)
    profit = price * sales + salvage * np.maximum(q - demand, 0) - cost * q
    return q, profit.mean()


def newsvendor_normal(mu, sigma, price, cost, salvage=0.0):
    cr = (price - cost) / (price - salvage)
    z = norm.ppf(cr)
    q = mu + z * sigma
    # standard normal loss function for expected lost sales
    L = norm.pdf(z) - z * (1 - norm.cdf(z))
    lost = sigma * L
    exp_sales = mu - lost
    exp_left = q - exp_sales
    profit = price * exp_sales + salvage * exp_left - cost * q
    return q, profit, exp_sales / mu


def safety_stock_levels(d_mean, d_std, lead_mean, lead_std):
    z = norm.ppf(SERVICE_LEVELS)
    sigma_ddlt = np.sqrt(lead_mean * d_std ** 2 + d_mean ** 2 * lead_std ** 2)
    ss = z[:, None] * sigma_ddlt[None, :]
    rop = d_mean * lead_mean + ss
    return np.round(ss, 2), np.ceil(rop).astype(int)


def safety_stock_fill_rate(d_mean, d_std, Q, L, fill=0.98):
    # cycle fill-rate target: G(k) = Q (1 - fill) / sigma_L, solved on a grid of k
    sigma_L = d_std * np.sqrt(L)
    k = np.linspace(-1, 3, 81)
    G = norm.pdf(k) - k * norm.sf(k)
    target = Q * (1 - fill) / sigma_L
    idx = np.argmin(np.abs(G[None, :] - target[:, None]), axis=1)
    return k[idx], k[idx] * sigma_L + d_mean * L


def poisson_base_stock(lam, L, levels):
    # base-stock level: the smallest S with P(D_L <= S) >= alpha, lead-time demand Poisson
    S = np.arange(0, 60)
    cdf = scipy.stats.poisson.cdf(S[:, None], lam * L)
    ok = cdf[:, None, :] >= levels[None, :, None]
    return np.argmax(ok, axis=0), cdf[-1]


def abc_analysis(annual_demand, unit_cost):
    value = annual_demand * unit_cost
    order = np.argsort(value)[::-1]
    cum_share = np.cumsum(value[order]) / value.sum()
    cut_a, cut_b = np.searchsorted(cum_share, [0.8, 0.95])
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    cls = np.where(ranks <= cut_a, 0, np.where(ranks <= cut_b, 1, 2))
    return cls, cum_share, value[order]


def abc_select_labels(usage):
    order = np.argsort(-usage)
    share = np.cumsum(usage[order]) / usage.sum()
    labels = np.select([share <= 0.7, share <= 0.9], [ord("A"), ord("B")], ord("C"))
    out = np.zeros(len(usage), dtype=np.int64)
    out[order] = labels
    counts = np.bincount(out - ord("A"), minlength=3)
    return out, counts


def abc_digitize_pareto(usage, pct=np.array([0.2, 0.5])):
    # Pareto table: share of value held by the top 20% and 50% of items
    v = np.sort(usage)[::-1]
    cum = np.cumsum(v) / v.sum()
    item_share = np.arange(1, len(v) + 1) / len(v)
    held = np.interp(pct, item_share, cum)
    band = np.digitize(cum, [0.8, 0.95], right=True)
    return held, band


def xyz_variability(sales):
    # XYZ by coefficient of variation of monthly sales (items x months)
    cv = sales.std(axis=1, ddof=1) / sales.mean(axis=1)
    xyz = np.full(cv.shape, "Z")
    xyz[cv < 0.5] = "Y"
    xyz[cv < 0.25] = "X"
    return cv, (xyz == "X").sum(), (xyz == "Z").sum()


def sS_policy_vectorised(demand, s, S, h=1.0, p=10.0, K=50.0):
    # one simulation per (s, S) pair, all pairs at once, lost sales, zero lead time
    inv = S.astype(float).copy()
    cost = np.zeros_like(inv)
    for t in range(demand.shape[0]):
        order = inv <= s
        cost += np.where(order, K, 0.0)
        inv = np.where(order, S, inv)
        short = np.maximum(demand[t] - inv, 0)
        inv = np.maximum(inv - demand[t], 0)
        cost += h * inv + p * short
    return cost / demand.shape[0]


def rQ_lead_time(demand, r, Q, L=2, I0=40.0):
    # (r, Q) continuous review simulated per period with a pipeline of orders in transit
    T = len(demand)
    on_hand = np.zeros(T + 1)
    on_hand[0] = I0
    pipeline = np.zeros(L + 1)
    orders = np.zeros(T)
    backlog = 0.0
    for t in range(T):
        on_hand[t] += pipeline[0]
        pipeline = np.roll(pipeline, -1)
        pipeline[-1] = 0.0
        net = on_hand[t] - backlog - demand[t]
        backlog = np.maximum(-net, 0.0)
        on_hand[t + 1] = np.maximum(net, 0.0)
        position = on_hand[t + 1] - backlog + pipeline.sum()
        orders[t] = np.where(position <= r, Q, 0.0)
        pipeline[L - 1] += orders[t]
    return on_hand[1:], orders, backlog


def periodic_review_order_up_to(demand, S, R=3, L=1):
    T = demand.shape[0]
    inv = np.full(T + 1, float(S))
    arrivals = np.zeros(T + L + 1)
    placed = []
    for t in range(T):
        inv[t] += arrivals[t]
        if t % R == 0:
            position = inv[t] + arrivals[t + 1:t + L + 1].sum()
            q = max(S - position, 0)
            arrivals[t + L] += q
            placed.append(q)
        inv[t + 1] = inv[t] - demand[t]
    return inv, np.array(placed)


def inventory_balance_inplace(receipts, demand, I0):
    inv = np.zeros(len(demand))
    inv[0] = I0 + receipts[0] - demand[0]
    for t in range(1, len(demand)):
        inv[t] = inv[t - 1] + receipts[t] - demand[t]
    stockout_periods = np.count_nonzero(inv < 0)
    return inv, stockout_periods, np.abs(inv.clip(max=0)).sum()


def multi_item_dict_sim(stock, demand, reorder, qty):
    # one dict entry per SKU, simulated side by side; arrays in the dict updated in place
    log = {}
    for sku in stock:
        level = stock[sku]
        hist = []
        for t in range(demand[sku].shape[0]):
            level = level - demand[sku][t]
            level = level + np.where(level < reorder[sku], qty[sku], 0)
            hist.append(level)
        log[sku] = np.array(hist)
        stock[sku] = level
    return log


def wagner_whitin_cost(d, K=100.0, h=1.0):
    # the forward recursion F(t) = min_j F(j) + K + holding of d[j..t-1] carried from j
    T = len(d)
    F = np.zeros(T + 1)
    choice = np.zeros(T + 1, dtype=np.int64)
    for t in range(1, T + 1):
        costs = np.empty(t)
        for j in range(t):
            carry = np.sum(d[j:t] * np.arange(t - j)) * h
            costs[j] = F[j] + K + carry
        F[t] = costs.min()
        choice[t] = np.argmin(costs)
    return F, choice


def beer_game_order_up_to(demand, L=2, p=3):
    # each echelon forecasts by a p-period moving average and orders up to it
    stages = 3
    T = len(demand)
    orders = np.zeros((stages, T))
    incoming = demand.astype(float)
    for k in range(stages):
        for t in range(T):
            lo = max(0, t - p + 1)
            f = incoming[lo:t + 1].mean()
            target = f * (L + 1)
            prev = incoming[max(0, t - p):t].mean() * (L + 1) if t > 0 else target
            orders[k, t] = max(incoming[t] + target - prev, 0.0)
        incoming = orders[k]
    return orders


def joint_replenishment(D, s_i, S0, H, k_grid=np.array([1, 2, 3, 4])):
    # common cycle T with integer multiples k_i per item, costs for each k combination
    k = np.array(list(itertools.product(k_grid, repeat=len(D))))
    num = S0 + (s_i / k).sum(axis=1)
    den = (k * D * H).sum(axis=1) / 2
    T = np.sqrt(num / den)
    cost = num / T + den * T
    best = np.argmin(cost)
    return k[best], T[best], cost[best]


def reorder_point_table(daily, lead_days):
    # rolling lead-time demand from daily history: ROP at the 95th percentile
    windows = np.lib.stride_tricks.sliding_window_view(daily, lead_days, axis=-1)
    ltd = windows.sum(axis=-1)
    return np.percentile(ltd, 95, axis=-1), ltd.mean(axis=-1)


def stockout_probability_lognormal(mu, sigma, rop):
    # lognormal lead-time demand with given mean and sd: moments matched, P(LTD > ROP)
    s2 = np.log(1 + (sigma / mu) ** 2)
    m = np.log(mu) - s2 / 2
    return scipy.stats.lognorm.sf(rop, np.sqrt(s2), scale=np.exp(m))


def _sS_args(s, n):
    grid_s = np.repeat(np.array([10.0, 20.0, 30.0]), 2)[:n]
    grid_S = grid_s + np.tile([25.0, 45.0], 3)[:n]
    return _demand(s, 12, lam=12).astype(float), grid_s, grid_S


INVENTORY = {
    "eoq_table_dict": (eoq_table, {}, lambda s, n: (
        _pos(s, n, lo=500, hi=5000), _pos(s + 1, n, lo=20, hi=100), _pos(s + 2, n, lo=1, hi=5))),
    "eoq_all_units_discount": (eoq_quantity_discount, {}, lambda s, n: (400.0 * n + 100 * s, 40.0 + s)),
    "eoq_all_units_discount_0d": (eoq_quantity_discount, {}, lambda s, n: (
        np.array(400.0 * n + 100 * s), np.array(40.0 + s))),
    "newsvendor_np_quantile_float_salvage": (newsvendor_empirical, {}, lambda s, n: (
            _demand(s, 10 * n, lam=100).astype(float), 12.0, 7.0, 2.0 + 0.5 * s)),
    "newsvendor_np_quantile_static_prices": (
        newsvendor_empirical, {"price": 12.0, "cost": 7.0, "salvage": 2.0}, lambda s, n: (
            _demand(s, 10 * n, lam=100).astype(float),)),
    "newsvendor_norm_ppf_loss": (newsvendor_normal, {}, lambda s, n: (
        _pos(s, n, lo=80, hi=120), _pos(s + 1, n, lo=10, hi=30), 10.0, 6.0, 1.0)),
    "safety_stock_service_levels": (safety_stock_levels, {}, lambda s, n: (
        _pos(s, n, lo=20, hi=60), _pos(s + 1, n, lo=3, hi=9), _pos(s + 2, n, lo=2, hi=8),
        _pos(s + 3, n, lo=0.5, hi=2))),
    "safety_factor_fill_rate_grid": (safety_stock_fill_rate, {}, lambda s, n: (
        _pos(s, n, lo=20, hi=60), _pos(s + 1, n, lo=3, hi=9), _pos(s + 2, n, lo=100, hi=300),
        4.0)),
    "poisson_base_stock_levels": (poisson_base_stock, {}, lambda s, n: (
        2.0 + s, 3.0, np.linspace(0.8, 0.99, n))),
    "abc_argsort_cumsum_searchsorted": (abc_analysis, {}, lambda s, n: (
        _distinct(s, 5 * n, 10, 1000), _pos(s + 1, 5 * n, lo=1, hi=3))),
    "abc_select_bincount": (abc_select_labels, {}, lambda s, n: (_distinct(s, 6 * n, 1, 500),)),
    "abc_pareto_interp_digitize": (abc_digitize_pareto, {}, lambda s, n: (
        _distinct(s, 5 * n, 1, 300),)),
    "xyz_cv_string_labels": (xyz_variability, {}, lambda s, n: (
        np.column_stack([_pos(s, 3 * n, lo=90, hi=110), _pos(s + 1, 3 * n, lo=10, hi=200),
                         _pos(s + 2, 3 * n, lo=50, hi=150)]) * _pos(s + 3, 3 * n, 1)[:, None],)),
    "sS_policy_grid_np_where": (sS_policy_vectorised, {}, _sS_args),
    "rQ_pipeline_roll": (rQ_lead_time, {"L": 2}, lambda s, n: (
        _demand(s, 3 * n, lam=10).astype(float), 25.0, 40.0)),
    "periodic_review_python_max": (periodic_review_order_up_to, {"R": 3, "L": 1}, lambda s, n: (
        _demand(s, 3 * n, lam=8).astype(float), 40.0)),
    "inventory_balance_count_nonzero": (inventory_balance_inplace, {}, lambda s, n: (
        np.where(np.arange(4 * n) % 3 == 0, 30.0, 0.0), _demand(s, 4 * n, lam=9).astype(float),
        5.0)),
    "multi_sku_dict_in_place": (multi_item_dict_sim, {}, lambda s, n: (
        {"A": np.float64(50.0), "B": np.float64(30.0)},
        {"A": _demand(s, n + 2, lam=9).astype(float), "B": _demand(s + 1, n + 2, lam=5) * 1.0},
        {"A": 20.0, "B": 12.0}, {"A": 40.0, "B": 25.0})),
    "wagner_whitin_forward": (wagner_whitin_cost, {}, lambda s, n: (
        _demand(s, n + 2, lam=30).astype(float), 90.0 + 10 * s)),
    "beer_game_moving_average": (beer_game_order_up_to, {"L": 2, "p": 3}, lambda s, n: (
        _demand(s, 2 * n, lam=10),)),
    "joint_replenishment_product_grid": (joint_replenishment, {}, lambda s, n: (
        _pos(s, 3, lo=500, hi=3000), _pos(s + 1, 3, lo=5, hi=30), 100.0 + n, 2.0)),
    "reorder_point_sliding_window": (reorder_point_table, {"lead_days": 3}, lambda s, n: (
        _demand(s, n, 20, lam=15).astype(float),)),
    "stockout_lognorm_sf": (stockout_probability_lognormal, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=100), _pos(s + 1, n, lo=5, hi=20), _pos(s + 2, n, lo=80, hi=130))),
}


@pytest.mark.parametrize("name", _names(INVENTORY))
def test_inventory_models_match_numpy(name):
    """EOQ variants, newsvendor, safety stock, ABC/XYZ, (s,S), (r,Q), periodic review,
    Wagner-Whitin and multi-echelon order simulations: NumPy's values."""
    check_like_numpy(*INVENTORY[name])


# ============================================================================= forecasting

def ses_forecast(y, alpha=0.3):
    # simple exponential smoothing, the level initialised at the first observation
    level = np.empty(len(y))
    level[0] = y[0]
    for t in range(1, len(y)):
        level[t] = alpha * y[t] + (1 - alpha) * level[t - 1]
    fitted = np.r_[y[0], level[:-1]]
    return level[-1], fitted


def ses_alpha_grid(y, n_alpha=9):
    # choose alpha by in-sample SSE: every alpha smoothed at once as a vector state
    alphas = np.linspace(0.1, 0.9, n_alpha)
    level = np.full(n_alpha, y[0])
    sse = np.zeros(n_alpha)
    for t in range(1, len(y)):
        err = y[t] - level
        sse += err ** 2
        level = level + alphas * err
    best = np.argmin(sse)
    return alphas[best], sse


def holt_linear(y, alpha, beta, h=4):
    lev, b = y[0], y[1] - y[0]
    for t in range(1, len(y)):
        lev_prev = lev
        lev = alpha * y[t] + (1 - alpha) * (lev + b)
        b = beta * (lev - lev_prev) + (1 - beta) * b
    return lev + b * np.arange(1, h + 1)


def holt_damped(y, alpha=0.5, beta=0.2, phi=0.9, h=6):
    n = len(y)
    level, trend = np.zeros(n), np.zeros(n)
    level[0], trend[0] = y[0], y[1] - y[0]
    for t in range(1, n):
        level[t] = alpha * y[t] + (1 - alpha) * (level[t - 1] + phi * trend[t - 1])
        trend[t] = beta * (level[t] - level[t - 1]) + (1 - beta) * phi * trend[t - 1]
    damp = np.cumsum(phi ** np.arange(1, h + 1))
    return level[-1] + damp * trend[-1]


def holt_winters_additive(y, m, alpha=0.4, beta=0.1, gamma=0.3, h=None):
    h = m if h is None else h
    n = len(y)
    level = y[:m].mean()
    trend = (y[m:2 * m].mean() - y[:m].mean()) / m
    season = list(y[:m] - level)
    fitted = np.zeros(n)
    for t in range(n):
        s = season[t % m]
        fitted[t] = level + trend + s
        last_level = level
        level = alpha * (y[t] - s) + (1 - alpha) * (level + trend)
        trend = beta * (level - last_level) + (1 - beta) * trend
        season[t % m] = gamma * (y[t] - level) + (1 - gamma) * s
    fc = np.array([level + (i + 1) * trend + season[(n + i) % m] for i in range(h)])
    return fitted, fc


def holt_winters_multiplicative(y, m, alpha=0.3, beta=0.05, gamma=0.2):
    # seasonal indices from the first two seasons' ratios to their means
    cycles = y[:2 * m].reshape(2, m)
    s = (cycles / cycles.mean(axis=1, keepdims=True)).mean(axis=0)
    lev, b = y[:m].mean(), (y[m:2 * m].sum() - y[:m].sum()) / m ** 2
    out = np.empty_like(y)
    for t in range(len(y)):
        out[t] = (lev + b) * s[t % m]
        lev_new = alpha * y[t] / s[t % m] + (1 - alpha) * (lev + b)
        b = beta * (lev_new - lev) + (1 - beta) * b
        s[t % m] = gamma * y[t] / lev_new + (1 - gamma) * s[t % m]
        lev = lev_new
    return out, s


def croston_where(d, alpha=0.1, sba=False):
    # Croston's method written branch-free: update size and interval only on demand periods
    z = d[np.argmax(d > 0)] * 1.0
    p = 1.0 + np.argmax(d > 0)
    q = 1.0
    f = np.zeros(len(d))
    for t in range(len(d)):
        f[t] = z / p
        hit = d[t] > 0
        z = np.where(hit, alpha * d[t] + (1 - alpha) * z, z)
        p = np.where(hit, alpha * q + (1 - alpha) * p, p)
        q = np.where(hit, 1.0, q + 1.0)
    if sba:
        f = f * (1 - alpha / 2)
    return f


def tsb_forecast(d, alpha=0.2, beta=0.1):
    # Teunter-Syntetos-Babai: demand probability updated every period
    occ = (d > 0).astype(float)
    prob = occ.mean()
    size = d[d > 0].mean()
    f = np.empty(d.shape)
    for t in range(d.shape[0]):
        f[t] = prob * size
        prob = prob + beta * (occ[t] - prob)
        size = np.where(occ[t] > 0, size + alpha * (d[t] - size), size)
    return f


def adi_cv2_classes(d):
    # Syntetos-Boylan categorisation (items x periods): smooth, erratic, intermittent, lumpy
    nz = d > 0
    adi = d.shape[1] / nz.sum(axis=1)
    sizes = np.where(nz, d, np.nan)
    cv2 = (np.nanstd(sizes, axis=1) / np.nanmean(sizes, axis=1)) ** 2
    cls = 2 * (adi > 1.32) + (cv2 > 0.49)
    return adi, cv2, cls


def moving_averages(y, w=4):
    sma = np.convolve(y, np.ones(w) / w, mode="valid")
    c = np.cumsum(np.insert(y, 0, 0.0))
    sma2 = (c[w:] - c[:-w]) / w
    wts = np.arange(1, w + 1, dtype=float)
    wma = np.convolve(y, wts[::-1] / wts.sum(), mode="valid")
    return sma, sma2, wma


def centred_moving_average(y, m=4):
    # classical decomposition: 2 x m MA, seasonal indices from the detrended series
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m
    trend = np.convolve(y, kernel, mode="same")
    half = m // 2
    trend[:half] = np.nan
    trend[-half:] = np.nan
    detr = y - trend
    idx = np.nanmean(detr.reshape(-1, m), axis=0)
    idx -= idx.mean()
    return trend, idx, y - np.tile(idx, len(y) // m)


def forecast_metrics(actual, forecast, train):
    e = actual - forecast
    mae = np.mean(np.abs(e))
    scale = np.mean(np.abs(np.diff(train)))
    return {
        "ME": e.mean(),
        "MAE": mae,
        "RMSE": np.sqrt(np.mean(e ** 2)),
        "MAPE": 100 * np.mean(np.abs(e / actual)),
        "sMAPE": 100 * np.mean(2 * np.abs(e) / (np.abs(actual) + np.abs(forecast))),
        "MASE": mae / scale,
        "WAPE": np.abs(e).sum() / np.abs(actual).sum(),
    }


def mape_statistics_module(actual, forecast):
    # a blog post's metrics with the standard library over per-period errors
    ape = [abs(a - f) / a for a, f in zip(actual, forecast)]
    return 100 * statistics.mean(ape), statistics.median(ape)


def rolling_origin_ses(y, alpha, start=4):
    # expanding-window one-step-ahead evaluation of SES from each origin
    errors = []
    for origin in range(start, len(y)):
        level = y[0]
        for t in range(1, origin):
            level = alpha * y[t] + (1 - alpha) * level
        errors.append(y[origin] - level)
    errors = np.asarray(errors)
    return np.sqrt(np.mean(errors ** 2)), errors


def theta_method(y, alpha=0.5, h=5):
    # Assimakopoulos-Nikolopoulos: SES plus half the slope of the linear trend
    n = len(y)
    t = np.arange(n)
    b, a = np.polyfit(t, y, 1)
    level = y[0]
    for v in y[1:]:
        level = alpha * v + (1 - alpha) * level
    steps = np.arange(1, h + 1)
    return level + 0.5 * b * (steps - 1 + 1 / alpha - ((1 - alpha) ** n) / alpha), a


def linear_trend_forecast(y, h=6):
    t = np.arange(1, len(y) + 1)
    A = np.vstack([t, np.ones_like(t)]).T
    (slope, icpt), res, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    future = np.arange(len(y) + 1, len(y) + h + 1)
    resid_sd = np.sqrt(res[0] / (len(y) - 2))
    z = norm.ppf(0.975)
    fc = icpt + slope * future
    return fc, fc - z * resid_sd, fc + z * resid_sd


def ses_float32_panel(Y, alpha=np.float32(0.25)):
    # many SKUs at once in float32, one row per SKU
    level = Y[:, 0].copy()
    for t in range(1, Y.shape[1]):
        level += alpha * (Y[:, t] - level)
    return level, level.dtype


def prediction_interval_ses(y, alpha, h=4, level=0.9):
    resid = []
    lev = y[0]
    for v in y[1:]:
        resid.append(v - lev)
        lev = lev + alpha * (v - lev)
    sigma = np.std(resid, ddof=1)
    k = np.arange(1, h + 1)
    se = sigma * np.sqrt(1 + (k - 1) * alpha ** 2)
    z = scipy.stats.norm.ppf(0.5 + level / 2)
    return lev - z * se, lev + z * se


def _intermittent(seed, n):
    r = np.random.default_rng(seed)
    d = r.poisson(6, n) * (r.random(n) < 0.4)
    d[1] = 5
    return d


FORECASTING = {
    "ses_empty_loop": (ses_forecast, {}, lambda s, n: (_pos(s, 4 * n, lo=20, hi=40), 0.3)),
    "ses_alpha_grid_vector_state": (ses_alpha_grid, {"n_alpha": 9}, lambda s, n: (
        np.cumsum(_f(4 * n, seed=s)) + 50,)),
    "holt_linear_python_scalars": (holt_linear, {"h": 4}, lambda s, n: (
        10 + 2 * np.arange(4 * n) + _f(4 * n, seed=s), 0.5, 0.3)),
    "holt_damped_arrays": (holt_damped, {"h": 6}, lambda s, n: (
        10 + np.arange(3 * n) + _f(3 * n, seed=s), 0.4, 0.2, 0.85)),
    "holt_winters_additive_list_season": (holt_winters_additive, {"m": 4}, lambda s, n: (
        50 + np.arange(4 * n) + 5 * np.tile([1, -2, 3, -2], n) + _f(4 * n, seed=s),)),
    "holt_winters_multiplicative": (holt_winters_multiplicative, {"m": 4}, lambda s, n: (
        (50 + np.arange(3 * n + 8)) * np.resize([1.2, 0.8, 1.1, 0.9], 3 * n + 8)
        * _pos(s, 3 * n + 8, lo=0.95, hi=1.05),)),
    "croston_np_where": (croston_where, {}, lambda s, n: (_intermittent(s, 6 * n), 0.15)),
    "croston_sba_flag": (croston_where, {"sba": True}, lambda s, n: (_intermittent(s, 6 * n),)),
    "tsb_boolean_mean": (tsb_forecast, {}, lambda s, n: (_intermittent(s, 6 * n), 0.2, 0.1)),
    "adi_cv2_nanstd": (adi_cv2_classes, {}, lambda s, n: (
        np.stack([_intermittent(s + k, 12) for k in range(n)]),)),
    "moving_averages_convolve_cumsum": (moving_averages, {"w": 4}, lambda s, n: (
        _pos(s, 4 * n, lo=10, hi=20),)),
    "centred_ma_decomposition": (centred_moving_average, {"m": 4}, lambda s, n: (
        20 + np.arange(4 * n) * 0.5 + np.tile([3.0, -1, 2, -4], n) + _f(4 * n, seed=s),)),
    "forecast_metrics_dict": (forecast_metrics, {}, lambda s, n: (
        _pos(s, 2 * n, lo=40, hi=60), _pos(s + 1, 2 * n, lo=40, hi=60),
        _pos(s + 2, 3 * n, lo=40, hi=60))),
    "mape_statistics_mean": (mape_statistics_module, {}, lambda s, n: (
            _pos(s, 2 * n, lo=40, hi=60), _pos(s + 1, 2 * n, lo=40, hi=60))),
    "rolling_origin_nested_loops": (rolling_origin_ses, {"start": 3}, lambda s, n: (
        _pos(s, 2 * n, lo=10, hi=30), 0.4)),
    "theta_polyfit_ses": (theta_method, {"h": 5}, lambda s, n: (
        30 + 1.5 * np.arange(3 * n) + _f(3 * n, seed=s),)),
    "linear_trend_lstsq_interval": (linear_trend_forecast, {"h": 6}, lambda s, n: (
        30 + 1.5 * np.arange(3 * n) + _f(3 * n, seed=s),)),
    "ses_float32_panel_inplace": (ses_float32_panel, {}, lambda s, n: (
        _pos(s, n, 8).astype(np.float32),)),
    "ses_prediction_interval_std_list": (prediction_interval_ses, {"h": 4}, lambda s, n: (
        _pos(s, 4 * n, lo=10, hi=30), 0.3)),
}


@pytest.mark.parametrize("name", _names(FORECASTING))
def test_demand_forecasting_matches_numpy(name):
    """Exponential smoothing (SES, Holt, damped, Holt-Winters), Croston/SBA/TSB, moving
    averages, decompositions, error metrics and intervals: NumPy's values."""
    check_like_numpy(*FORECASTING[name])


# ================================================== transportation, assignment, small LPs

def northwest_corner_traced_cursor(supply, demand):
    # the NW-corner rule with a fixed number of steps (m + n - 1) and the cursor kept as
    # arrays, so a step that exhausts a row moves down and one that exhausts a column right
    m, n = len(supply), len(demand)
    s, d = supply.astype(float).copy(), demand.astype(float).copy()
    alloc = np.zeros((m, n))
    i = np.array(0)
    j = np.array(0)
    for _ in range(m + n - 1):
        q = np.minimum(s[i], d[j])
        alloc[i, j] = q
        s[i] -= q
        d[j] -= q
        row_done = s[i] <= d[j]
        i = np.minimum(i + row_done, m - 1)
        j = np.minimum(j + ~row_done, n - 1)
    return alloc


def vogel_penalties(cost, row_open, col_open):
    # one round of Vogel's approximation: the penalty of each open row and column
    big = cost.max() * 10
    c = np.where(row_open[:, None] & col_open[None, :], cost, big)
    rs = np.sort(c, axis=1)
    cs = np.sort(c, axis=0)
    row_pen = np.where(row_open, rs[:, 1] - rs[:, 0], -1.0)
    col_pen = np.where(col_open, cs[1, :] - cs[0, :], -1.0)
    return row_pen, col_pen


def vogel_fixed_rounds(cost, supply, demand):
    # Vogel's method with m + n - 1 rounds; the row/column choice by np.where on the penalties
    m, n = cost.shape
    s, d = supply.astype(float), demand.astype(float)
    alloc = np.zeros_like(cost)
    big = cost.max() * 10
    for _ in range(m + n - 1):
        row_open, col_open = s > 0, d > 0
        row_pen, col_pen = vogel_penalties(cost, row_open, col_open)
        c = np.where(row_open[:, None] & col_open[None, :], cost, big)
        use_row = row_pen.max() >= col_pen.max()
        r_best = np.argmax(row_pen)
        c_best = np.argmax(col_pen)
        i = np.where(use_row, r_best, np.argmin(c[:, c_best]))
        j = np.where(use_row, np.argmin(c[r_best]), c_best)
        q = np.minimum(s[i], d[j])
        alloc[i, j] += q
        s[i] -= q
        d[j] -= q
    return alloc, (alloc * cost).sum()


def least_cost_rule(cost, supply, demand):
    # the least-cost method: cells in order of cost, each given what is left
    m, n = cost.shape
    order = np.argsort(cost, axis=None)
    s, d = supply.copy(), demand.copy()
    alloc = np.zeros(cost.shape)
    for k in range(m * n):
        i, j = np.unravel_index(order[k], cost.shape)
        q = min(s[i], d[j])
        alloc[i, j] = q
        s[i] -= q
        d[j] -= q
    return alloc


def modi_potentials(cost, basis_rows, basis_cols):
    # u_i + v_j = c_ij on the basic cells, u_0 = 0, solved as one linear system
    m, n = cost.shape
    k = len(basis_rows)
    A = np.zeros((k + 1, m + n))
    A[np.arange(k), basis_rows] = 1
    A[np.arange(k), m + np.asarray(basis_cols)] = 1
    A[k, 0] = 1
    b = np.r_[cost[basis_rows, basis_cols], 0.0]
    uv = np.linalg.solve(A, b)
    u, v = uv[:m], uv[m:]
    reduced = cost - u[:, None] - v[None, :]
    return u, v, reduced


def assignment_hungarian(cost):
    row, col = linear_sum_assignment(cost)
    return col, cost[row, col].sum()


def assignment_maximize_profit(profit):
    r, c = scipy.optimize.linear_sum_assignment(profit, maximize=True)
    sol = np.zeros_like(profit, dtype=int)
    sol[r, c] = 1
    return sol, profit[r, c].sum()


def assignment_drivers_to_orders(drivers, orders):
    # rectangular: more orders than drivers, distance by cdist
    D = cdist(drivers, orders)
    r, c = linear_sum_assignment(D)
    return c, D[r, c], D[r, c].mean()


def assignment_brute_force(cost):
    # every permutation for a small crew, as a textbook checks the Hungarian answer
    n = cost.shape[0]
    perms = np.array(list(itertools.permutations(range(n))))
    totals = cost[np.arange(n), perms].sum(axis=1)
    best = perms[np.argmin(totals)]
    return best, totals.min(), np.sort(totals)[:3]


def diet_dual_prices(A, c, x_basic_idx):
    # shadow prices from the optimal basis B: y = c_B B^-1, reduced costs c - y A
    B = A[:, x_basic_idx]
    y = np.linalg.solve(B.T, c[x_basic_idx])
    reduced = c - y @ A
    return y, reduced


def simplex_fixed_iterations(c, A, b, iters=2):
    # the textbook tableau method, entering by the most negative reduced cost and leaving by
    # the minimum ratio, written with argmin/argmax and fancy rows
    m, n = A.shape
    T = np.zeros((m + 1, n + m + 1))
    T[:m, :n] = A
    T[:m, n:n + m] = np.eye(m)
    T[:m, -1] = b
    T[-1, :n] = -c
    for _ in range(iters):
        col = np.argmin(T[-1, :-1])
        pos = T[:-1, col] > 1e-12
        ratios = np.where(pos, T[:-1, -1] / np.where(pos, T[:-1, col], 1.0), np.inf)
        row = np.argmin(ratios)
        pivot = T[row] / T[row, col]
        T = T - np.outer(T[:, col], pivot)
        T[row] = pivot
    return T[-1, -1], T


def simplex_mask_other_rows(T, row, col):
    # the elimination written over the other rows by a boolean mask of a traced pivot row
    T[row] = T[row] / T[row, col]
    others = np.arange(T.shape[0]) != row
    T[others] -= np.outer(T[others, col], T[row])
    return T


def _transport(seed, m, n):
    r = np.random.default_rng(seed)
    supply = r.integers(20, 60, m).astype(float)
    w = r.uniform(0.5, 1.5, n)
    demand = np.floor(supply.sum() * w / w.sum())
    demand[-1] += supply.sum() - demand.sum()
    return supply, demand


def _cost(seed, m, n):
    r = np.random.default_rng(seed)
    return r.permutation(m * n).reshape(m, n) + r.uniform(1, 2, (m, n))


TRANSPORT = {
    "northwest_corner_traced_cursor": (northwest_corner_traced_cursor, {}, lambda s, n: (
        *_transport(s, 3, n),)),
    "vogel_fixed_rounds": (vogel_fixed_rounds, {}, lambda s, n: (
        _cost(s, 3, n), *_transport(s, 3, n))),
    "least_cost_unravel_min": (least_cost_rule, {}, lambda s, n: (
        _cost(s, 3, n), *_transport(s, 3, n))),
    "modi_potentials_solve": (modi_potentials, {}, lambda s, n: (
        _cost(s, 3, n), [0] * n + [1, 2], list(range(n)) + [n - 1, n - 1])),
    "hungarian_lsa": (assignment_hungarian, {}, lambda s, n: (_cost(s, n, n),)),
    "lsa_maximize_int_solution": (assignment_maximize_profit, {}, lambda s, n: (
        _cost(s, n, n),)),
    "lsa_rectangular_cdist": (assignment_drivers_to_orders, {}, lambda s, n: (
        _u(s, 3, 2) * 10, _u(s + 1, n + 1, 2) * 10)),
    "assignment_permutations": (assignment_brute_force, {}, lambda s, n: (
        _cost(s, n // 2 + 2, n // 2 + 2),)),
    "diet_shadow_prices": (diet_dual_prices, {}, lambda s, n: (
        np.hstack([_pos(s, 3, 3), np.eye(3)]), _pos(s + 1, 6), [0, 2, 4])),
    "simplex_tableau_two_pivots": (simplex_fixed_iterations, {"iters": 2}, lambda s, n: (
        np.array([3.0, 5.0]) + s, np.array([[1.0, 0], [0, 2], [3, 2]]),
        np.array([4.0, 12, 18]) * (1 + 0.1 * n))),
}


@pytest.mark.parametrize("name", _names(TRANSPORT))
def test_transportation_and_assignment_match_numpy(name):
    """NW corner and Vogel with fixed rounds, least cost, MODI potentials, the Hungarian
    method by linear_sum_assignment, permutations, tableau pivots: NumPy's values."""
    check_like_numpy(*TRANSPORT[name])


# ============================================================= Markov chains and queueing

MACHINE_STATES = ["good", "worn", "degraded", "failed"]
STATE_COST = np.array([0.0, 1000.0, 3000.0, 6000.0])


def stationary_eig(P):
    # the left eigenvector for eigenvalue 1, as the Hillier-Lieberman notebooks do it
    w, v = np.linalg.eig(P.T)
    k = np.argmin(np.abs(w - 1.0))
    pi = np.real(v[:, k])
    return pi / pi.sum()


def stationary_replaced_row(P):
    n = P.shape[0]
    A = P.T - np.eye(n)
    A[-1, :] = 1.0
    b = np.zeros(n)
    b[-1] = 1.0
    return np.linalg.solve(A, b)


def stationary_lstsq(P):
    n = len(P)
    A = np.vstack([P.T - np.identity(n), np.ones((1, n))])
    b = np.append(np.zeros(n), 1)
    return np.linalg.lstsq(A, b, rcond=None)[0]


def stationary_power(P, iters=60):
    pi = np.ones(P.shape[0]) / P.shape[0]
    for _ in range(iters):
        pi = pi @ P
    return pi, np.linalg.matrix_power(P, iters)[0]


def machine_maintenance_cost(P):
    # expected long-run cost per day of a machine-replacement policy
    pi = stationary_replaced_row(P)
    cost = dict(zip(MACHINE_STATES, STATE_COST))
    return pi @ np.array([cost[s] for s in MACHINE_STATES]), dict(zip(MACHINE_STATES, pi))


def absorbing_chain(P, n_transient):
    # canonical form [[Q, R], [0, I]]: fundamental matrix, expected steps, absorption probs
    Q = P[:n_transient, :n_transient]
    R = P[:n_transient, n_transient:]
    N = np.linalg.inv(np.eye(n_transient) - Q)
    t = N @ np.ones(n_transient)
    B = N @ R
    var_t = (2 * N - np.eye(n_transient)) @ t - t ** 2
    return N, t, B, var_t


def mean_first_passage(P):
    # Kemeny-Snell: M = (I - Z + E Z_dg) D with Z the fundamental matrix of the ergodic chain
    n = P.shape[0]
    pi = stationary_replaced_row(P)
    W = np.tile(pi, (n, 1))
    Z = np.linalg.inv(np.eye(n) - P + W)
    D = np.diag(1 / pi)
    E = np.ones((n, n))
    return (np.eye(n) - Z + E @ np.diag(np.diag(Z))) @ D


def machine_repair_ctmc(lam, mu, machines, repairers=1):
    # birth-death generator of a machine-repair model, solved with a replaced row
    n = machines + 1
    Q = np.zeros((n, n))
    for k in range(n - 1):
        Q[k, k + 1] = (machines - k) * lam
        Q[k + 1, k] = min(k + 1, repairers) * mu
    Q -= np.diag(Q.sum(axis=1))
    A = Q.T.copy()
    A[-1] = 1
    p = np.linalg.solve(A, np.eye(n)[-1])
    down = np.arange(n)
    return p, p @ down, machines - p @ down


def ctmc_transient(Q, p0, t):
    return p0 @ scipy.linalg.expm(Q * t)


def erlang_c_loop(lam, mu, c):
    a = lam / mu
    rho = a / c
    s = 0.0
    for k in range(c):
        s += a ** k / math.factorial(k)
    top = a ** c / math.factorial(c) / (1 - rho)
    pw = top / (s + top)
    wq = pw / (c * mu - lam)
    return pw, wq, wq + 1 / mu


def erlang_c_special(lam, mu, c):
    # the same through scipy.special over arrays of arrival rates
    a = lam / mu
    k = np.arange(c)
    terms = a[:, None] ** k / scipy.special.factorial(k)
    top = a ** c / scipy.special.factorial(c) * c / (c - a)
    pw = top / (terms.sum(axis=1) + top)
    return pw, pw / (c * mu - lam)


def erlang_c_from_b(a, c_max=12):
    # staffing table: Erlang C for each c by Erlang B, the smallest c meeting a target
    out = np.full((c_max, a.size), np.nan)
    B = np.ones_like(a)
    for c in range(1, c_max + 1):
        B = a * B / (c + a * B)
        rho = a / c
        C = B / (1 - rho + rho * B)
        out[c - 1] = np.where(rho < 1, C, np.nan)
    meets = np.nan_to_num(out, nan=1.0) < 0.2
    return out, np.argmax(meets, axis=0) + 1


def service_level_staffing(lam, aht, target_s=20.0, c_range=(5, 15)):
    # call-centre service level P(wait <= t) for a range of agent counts
    a = lam * aht
    cs = np.arange(*c_range)
    sl = np.empty(cs.shape)
    for idx, c in enumerate(cs):
        k = np.arange(c)
        p0_terms = np.sum(a ** k / scipy.special.factorial(k))
        tail = a ** c / math.factorial(c) * c / (c - a)
        pw = tail / (p0_terms + tail)
        sl[idx] = 1 - pw * np.exp(-(c - a) * target_s / aht)
    return cs, sl


def mm1k_blocking(lam, mu, K):
    rho = lam / mu
    n = np.arange(K + 1)
    p = rho ** n
    p = p / p.sum()
    L = (n * p).sum()
    lam_eff = lam * (1 - p[-1])
    return p[-1], L, L / lam_eff


def lindley_waiting_times(interarrival, service):
    w = np.zeros(len(service))
    for n in range(1, len(service)):
        w[n] = max(0.0, w[n - 1] + service[n - 1] - interarrival[n])
    return w, w.mean()


def lindley_by_accumulate(interarrival, service):
    # W_n = S_n - min_{k<=n} S_k with S the partial sums of service - interarrival
    x = np.r_[0.0, service[:-1] - interarrival[1:]]
    S = np.cumsum(x)
    return S - np.minimum.accumulate(np.minimum(S, 0.0))


def jackson_network(gamma, R, mu):
    lam = np.linalg.solve(np.eye(len(gamma)) - R.T, gamma)
    rho = lam / mu
    L = rho / (1 - rho)
    return lam, L, L.sum() / gamma.sum()


def _absorbing(seed, nt, na):
    r = np.random.default_rng(seed)
    P = r.uniform(0.1, 1, (nt, nt + na))
    P = P / P.sum(axis=1, keepdims=True)
    bottom = np.hstack([np.zeros((na, nt)), np.eye(na)])
    return np.vstack([P, bottom])


def _generator(seed, n):
    Q = _pos(seed, n, n, lo=0.1, hi=1.0)
    np.fill_diagonal(Q, 0.0)
    return Q - np.diag(Q.sum(axis=1))


MARKOV_QUEUES = {
    "stationary_eig_real": (stationary_eig, {}, lambda s, n: (_stochastic(s, n),)),
    "stationary_replaced_row": (stationary_replaced_row, {}, lambda s, n: (_stochastic(s, n),)),
    "stationary_lstsq_append": (stationary_lstsq, {}, lambda s, n: (_stochastic(s, n),)),
    "stationary_power_matrix_power": (stationary_power, {"iters": 40}, lambda s, n: (
        _stochastic(s, n, diag=0.5),)),
    "machine_cost_dict_states": (machine_maintenance_cost, {}, lambda s, n: (
        _stochastic(s, 4),)),
    "absorbing_fundamental_matrix": (absorbing_chain, {"n_transient": 3}, lambda s, n: (
        _absorbing(s, 3, n - 2),)),
    "mean_first_passage_kemeny": (mean_first_passage, {}, lambda s, n: (_stochastic(s, n),)),
    "machine_repair_birth_death": (machine_repair_ctmc, {"machines": 4, "repairers": 2},
                                   lambda s, n: (0.1 * s, 0.5 + 0.1 * n)),
    "ctmc_transient_expm": (ctmc_transient, {}, lambda s, n: (
        _generator(s, n), np.eye(n)[1], 0.7)),
    "erlang_c_factorial_loop": (erlang_c_loop, {"c": 4}, lambda s, n: (
        _pos(s, n, lo=4, hi=7), 2.0)),
    "erlang_c_scipy_special": (erlang_c_special, {"c": 5}, lambda s, n: (
        _pos(s, n, lo=4, hi=9), 2.0)),
    "erlang_c_staffing_table": (erlang_c_from_b, {"c_max": 10}, lambda s, n: (
        _pos(s, n, lo=1, hi=6),)),
    "service_level_enumerate_agents": (service_level_staffing, {}, lambda s, n: (
        0.05 + 0.01 * s, 90.0 + 10 * n)),
    "mm1k_blocking": (mm1k_blocking, {"K": 6}, lambda s, n: (1.5 * s + 0.1 * n, 5.0)),
    "lindley_python_max": (lindley_waiting_times, {}, lambda s, n: (
        np.random.default_rng(s).exponential(1.0, 5 * n),
        np.random.default_rng(s + 9).exponential(0.8, 5 * n))),
    "lindley_minimum_accumulate": (lindley_by_accumulate, {}, lambda s, n: (
        np.random.default_rng(s).exponential(1.0, 5 * n),
        np.random.default_rng(s + 9).exponential(0.8, 5 * n))),
    "jackson_traffic_equations": (jackson_network, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=1), 0.5 * _stochastic(s, n, diag=0), _pos(s + 1, n, lo=8, hi=10))),
}


@pytest.mark.parametrize("name", _names(MARKOV_QUEUES))
def test_markov_chains_and_queues_match_numpy(name):
    """Stationary distributions (eig, replaced row, lstsq, power), absorbing chains, first
    passage, CTMCs, M/M/c by Erlang B and C, M/M/1/K, Lindley, Jackson: NumPy's values."""
    check_like_numpy(*MARKOV_QUEUES[name])


# ========================================================== project and machine scheduling

# a house-building network, activities in topological order with their predecessor lists
ACTIVITIES = ["A", "B", "C", "D", "E", "F", "G", "H"]
PREDECESSORS = {"A": [], "B": ["A"], "C": ["A"], "D": ["B"], "E": ["B", "C"],
                "F": ["C"], "G": ["D", "E"], "H": ["F", "G"]}
PRED_IDX = [[ACTIVITIES.index(p) for p in PREDECESSORS[a]] for a in ACTIVITIES]
SUCC_IDX = [[j for j in range(len(ACTIVITIES)) if i in PRED_IDX[j]]
            for i in range(len(ACTIVITIES))]
ADJ = np.zeros((8, 8), dtype=bool)
for _j, _ps in enumerate(PRED_IDX):
    ADJ[_ps, _j] = True
CRITICAL_GUESS = [0, 1, 4, 6, 7]


def cpm_lists(dur):
    # forward and backward passes with Python max/min over predecessor and successor lists
    n = len(dur)
    ES, EF = np.zeros(n), np.zeros(n)
    for i in range(n):
        ES[i] = max([EF[p] for p in PRED_IDX[i]], default=0.0)
        EF[i] = ES[i] + dur[i]
    T = EF.max()
    LS, LF = np.zeros(n), np.zeros(n)
    for i in reversed(range(n)):
        LF[i] = min([LS[s] for s in SUCC_IDX[i]], default=T)
        LS[i] = LF[i] - dur[i]
    slack = LS - ES
    return T, ES, LF, slack, np.isclose(slack, 0)


def cpm_generator_max(durations):
    # the passes with generator expressions and a conditional for the start node
    n = len(durations)
    ef = [0.0] * n
    for i in range(n):
        es = max(ef[p] for p in PRED_IDX[i]) if PRED_IDX[i] else 0.0
        ef[i] = es + durations[i]
    T = max(ef)
    ls = [0.0] * n
    for i in range(n - 1, -1, -1):
        lf = min(ls[s] for s in SUCC_IDX[i]) if SUCC_IDX[i] else T
        ls[i] = lf - durations[i]
    return T, np.array(ls), np.array(ef)


def cpm_adjacency(dur):
    # the same over a boolean adjacency matrix by np.where and max/min reductions
    n = dur.shape[0]
    EF = np.zeros(n)
    for j in range(n):
        EF[j] = np.max(np.where(ADJ[:, j], EF, 0.0)) + dur[j]
    T = EF.max()
    LS = np.full(n, T)
    for i in range(n - 1, -1, -1):
        LS[i] = np.min(np.where(ADJ[i, :], LS, T)) - dur[i]
    return EF - dur, LS, LS - (EF - dur)


def cpm_dict_table(table):
    # an activity table as a dict of columns, the early start written into it
    d = table["duration"]
    es = np.zeros_like(d)
    for i, preds in enumerate(PRED_IDX):
        if preds:
            es[i] = np.max(es[preds] + d[preds])
    table["ES"] = es
    table["EF"] = es + d
    return table["EF"][-1]


def pert_estimates(a, m, b):
    te = (a + 4 * m + b) / 6
    var = ((b - a) / 6) ** 2
    mu = te[CRITICAL_GUESS].sum()
    sd = np.sqrt(var[CRITICAL_GUESS].sum())
    deadlines = mu + np.array([-1.0, 0.0, 1.0, 2.0]) * sd
    return te, mu, sd, norm.cdf(deadlines, loc=mu, scale=sd)


def pert_beta_monte_carlo(a, m, b, n_sims=2000, seed=7):
    # PERT-beta durations for every activity, the project length by the list passes
    rng = np.random.default_rng(seed)
    alpha = 1 + 4 * (m - a) / (b - a)
    beta = 1 + 4 * (b - m) / (b - a)
    u = rng.beta(alpha, beta, size=(n_sims, len(a)))
    dur = a + u * (b - a)
    EF = np.zeros_like(dur)
    for i in range(len(a)):
        start = np.zeros(n_sims)
        for p in PRED_IDX[i]:
            start = np.maximum(start, EF[:, p])
        EF[:, i] = start + dur[:, i]
    T = EF[:, -1]
    return np.percentile(T, [50, 80, 95]), (T <= 30).mean()


def pert_triangular_mc(a, m, b, n_sims=1000, seed=3):
    rng = np.random.default_rng(seed)
    d = rng.triangular(a, m, b, size=(n_sims, len(a)))
    total = d[:, CRITICAL_GUESS].sum(axis=1)
    return total.mean(), total.std(), np.quantile(total, 0.9)


def resource_profile(es, dur, demand, horizon=20):
    t = np.arange(horizon)[:, None]
    active = (t >= es[None, :]) & (t < (es + dur)[None, :])
    usage = active.astype(int) @ demand
    return usage, usage.max(), np.argmax(usage)


def flow_shop_makespan_loops(p):
    # jobs x machines in a fixed sequence: C[i, j] = max(C[i-1, j], C[i, j-1]) + p[i, j]
    n, m = p.shape
    C = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            prev_job = C[i - 1, j] if i > 0 else 0.0
            prev_mach = C[i, j - 1] if j > 0 else 0.0
            C[i, j] = max(prev_job, prev_mach) + p[i, j]
    return C[-1, -1], C


def flow_shop_accumulate(p, seq):
    # the same by machines, each column a running maximum over the previous one
    p = p[seq]
    C = np.cumsum(p[:, 0])
    for j in range(1, p.shape[1]):
        cp = np.cumsum(p[:, j])
        C = cp + np.maximum.accumulate(C - cp + p[:, j])
    return C[-1], C


def flow_shop_all_sequences(p):
    # the makespan of every sequence for a small shop, by the accumulate recursion
    n = p.shape[0]
    seqs = np.array(list(itertools.permutations(range(n))))
    P = p[seqs]
    C = np.cumsum(P[:, :, 0], axis=1)
    for j in range(1, p.shape[1]):
        cp = np.cumsum(P[:, :, j], axis=1)
        C = cp + np.maximum.accumulate(C - cp + P[:, :, j], axis=1)
    ms = C[:, -1]
    return seqs[np.argmin(ms)], ms.min()


def johnson_two_machine(p1, p2):
    # Johnson's rule: jobs with p1 < p2 first by p1 ascending, the rest by p2 descending
    first = p1 < p2
    key = np.where(first, p1, -p2)
    order = np.lexsort((key, ~first))
    a, b = p1[order], p2[order]
    c1 = np.cumsum(a)
    c2 = np.zeros_like(c1)
    for k in range(len(order)):
        c2[k] = max(c1[k], c2[k - 1] if k else 0.0) + b[k]
    return order, c2[-1]


def single_machine_rules(p, d, w):
    # SPT, EDD, WSPT sequences with their flow time, lateness and tardiness
    out = {}
    for name, key in (("SPT", p), ("EDD", d), ("WSPT", p / w)):
        order = np.argsort(key, kind="stable")
        C = np.cumsum(p[order])
        T = np.maximum(C - d[order], 0)
        out[name] = (order, C.mean(), (C - d[order]).max(), (w[order] * T).sum(),
                     np.count_nonzero(T))
    return out


def job_shop_fixed_sequence(proc, route, mach_order):
    # a job-shop schedule from given routings and machine sequences, fixed passes of
    # longest-path relaxation over both precedence kinds
    n_jobs, n_ops = proc.shape
    start = np.zeros((n_jobs, n_ops))
    for _ in range(n_jobs * n_ops):
        end = start + proc
        start[:, 1:] = np.maximum(start[:, 1:], end[:, :-1])
        for m in range(mach_order.shape[0]):
            jobs = mach_order[m]
            ops = np.argmax(route[jobs] == m, axis=1)
            s = start[jobs, ops]
            e = s + proc[jobs, ops]
            s[1:] = np.maximum(s[1:], np.maximum.accumulate(e[:-1]))
            start[jobs, ops] = s
    return (start + proc).max(), start


def line_balancing_cycle(task_times, station_of, n_stations=4):
    # station loads, cycle time, efficiency and balance delay of an assembly line
    loads = np.bincount(station_of, weights=task_times, minlength=n_stations)
    cycle = loads.max()
    eff = task_times.sum() / (n_stations * cycle)
    return loads, cycle, eff, 1 - eff


def _pert_abm(seed):
    a = _pos(seed, 8, lo=1, hi=3)
    m = a + _pos(seed + 1, 8, lo=1, hi=3)
    b = m + _pos(seed + 2, 8, lo=1, hi=4)
    return a, m, b


def _job_shop(seed, n_jobs, n_mach=3):
    r = np.random.default_rng(seed)
    route = np.array([r.permutation(n_mach) for _ in range(n_jobs)])
    proc = r.integers(1, 9, (n_jobs, n_mach)).astype(float)
    mach_order = np.array([r.permutation(n_jobs) for _ in range(n_mach)])
    return proc, route, mach_order


SCHEDULING = {
    "cpm_python_max_min_default": (cpm_lists, {}, lambda s, n: (_pos(s, 8, lo=1, hi=6 + n),)),
    "cpm_generator_max_conditional": (cpm_generator_max, {}, lambda s, n: (
        _pos(s, 8, lo=1, hi=6 + n),)),
    "cpm_adjacency_np_where": (cpm_adjacency, {}, lambda s, n: (_pos(s, 8, lo=1, hi=6 + n),)),
    "cpm_dict_table_fancy_preds": (cpm_dict_table, {}, lambda s, n: (
        {"duration": _pos(s, 8, lo=1, hi=6 + n), "cost": _pos(s + 1, 8)},)),
    "pert_beta_approx_norm_cdf": (pert_estimates, {}, lambda s, n: _pert_abm(s + n)),
    "pert_beta_monte_carlo": (pert_beta_monte_carlo, {"n_sims": 500}, lambda s, n: _pert_abm(
        s + n)),
    "pert_triangular_generator": (pert_triangular_mc, {"n_sims": 400}, lambda s, n: _pert_abm(
        s + n)),
    "resource_profile_active_matmul": (resource_profile, {"horizon": 16}, lambda s, n: (
        _i(8, n, seed=s), _i(5, n, seed=s + 1) + 1, _i(4, n, seed=s + 2) + 1)),
    "flow_shop_nested_max": (flow_shop_makespan_loops, {}, lambda s, n: (
        _pos(s, n, 3, lo=1, hi=9),)),
    "flow_shop_maximum_accumulate": (flow_shop_accumulate, {}, lambda s, n: (
        _pos(s, n, 3, lo=1, hi=9), np.random.default_rng(s).permutation(n))),
    "flow_shop_every_permutation": (flow_shop_all_sequences, {}, lambda s, n: (
        _distinct(s, (n // 2 + 2) * 3, 1, 9).reshape(-1, 3),)),
    "johnson_lexsort": (johnson_two_machine, {}, lambda s, n: (
        _distinct(s, n, 1, 9), _distinct(s + 7, n, 1.3, 9.3))),
    "single_machine_rules_dict": (single_machine_rules, {}, lambda s, n: (
        _distinct(s, n, 1, 10), _distinct(s + 1, n, 5, 30), _distinct(s + 2, n, 1, 4))),
    "job_shop_relaxation_passes": (job_shop_fixed_sequence, {}, lambda s, n: _job_shop(
        s, n // 2 + 1)),
    "line_balancing_bincount": (line_balancing_cycle, {}, lambda s, n: (
        _pos(s, 2 * n, lo=1, hi=5), np.arange(2 * n) * 4 // (2 * n))),
}


@pytest.mark.parametrize("name", _names(SCHEDULING))
def test_project_and_machine_scheduling_match_numpy(name):
    """CPM passes over lists, adjacency and dict tables, PERT estimates and Monte Carlo,
    resource profiles, flow shops, Johnson's rule, dispatching rules, a job shop by relaxation
    passes, line balancing: NumPy's values."""
    check_like_numpy(*SCHEDULING[name])


# ================================================================== energy systems

# three thermal units: quadratic fuel cost a + b P + c P^2 ($/h), limits in MW
UNITS = {
    "coal": {"a": 500.0, "b": 5.3, "c": 0.004, "pmin": 200.0, "pmax": 450.0},
    "gas": {"a": 400.0, "b": 5.5, "c": 0.006, "pmin": 150.0, "pmax": 350.0},
    "oil": {"a": 200.0, "b": 5.8, "c": 0.009, "pmin": 100.0, "pmax": 225.0},
}
A_COEF = np.array([u["a"] for u in UNITS.values()])
B_COEF = np.array([u["b"] for u in UNITS.values()])
C_COEF = np.array([u["c"] for u in UNITS.values()])
PMIN = np.array([u["pmin"] for u in UNITS.values()])
PMAX = np.array([u["pmax"] for u in UNITS.values()])

# time-of-use tariff by hour of day ($/kWh) and a power curve of a 2 MW turbine
TOU = np.r_[np.full(7, 0.08), np.full(10, 0.15), np.full(4, 0.28), np.full(3, 0.08)]
CURVE_WS = np.array([0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 25, 25.01, 40.0])
CURVE_KW = np.array([0, 0, 66, 154, 282, 460, 696, 996, 1341, 1661, 2000, 2000, 0, 0.0])
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def lambda_iteration(demand, iters=40, step=0.002):
    # equal incremental cost: P_i = (lambda - b_i) / 2c_i clipped, lambda by a fixed gain
    lam = B_COEF.mean()
    for _ in range(iters):
        P = np.clip((lam - B_COEF) / (2 * C_COEF), PMIN, PMAX)
        lam = lam + step * (demand - P.sum())
    P = np.clip((lam - B_COEF) / (2 * C_COEF), PMIN, PMAX)
    cost = A_COEF + B_COEF * P + C_COEF * P ** 2
    return lam, P, cost.sum()


def lambda_bisection_where(demand, iters=50):
    # bisection on lambda for a vector of hourly demands, all hours at once
    lo = np.full(demand.shape, B_COEF.min())
    hi = np.full(demand.shape, 20.0)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        P = np.clip((mid[:, None] - B_COEF) / (2 * C_COEF), PMIN, PMAX)
        short = P.sum(axis=1) < demand
        lo = np.where(short, mid, lo)
        hi = np.where(short, hi, mid)
    return 0.5 * (lo + hi), P


def dispatch_with_losses(demand, Bmat, iters=30):
    # penalty factors from B-coefficients, lambda by fixed-point sweeps
    P = np.full(3, demand / 3)
    lam = 8.0
    for _ in range(iters):
        loss = P @ Bmat @ P
        pf = 1 / (1 - 2 * Bmat @ P)
        P = np.clip((lam / pf - B_COEF) / (2 * C_COEF), PMIN, PMAX)
        lam += 0.005 * (demand + loss - P.sum())
    return P, lam, P @ Bmat @ P


def merit_order(capacity, marginal_cost, demand):
    order = np.argsort(marginal_cost)
    cap = capacity[order]
    cum = np.cumsum(cap)
    dispatch = np.clip(demand - (cum - cap), 0, cap)
    marginal = order[np.searchsorted(cum, demand)]
    out = np.zeros_like(capacity)
    out[order] = dispatch
    return out, marginal_cost[marginal], (out * marginal_cost).sum()


def merit_order_hourly(capacity, marginal_cost, load):
    # every hour at once: (hours, units) dispatch by a cumulative stack
    order = np.argsort(marginal_cost)
    cum = np.cumsum(capacity[order])
    prev = cum - capacity[order]
    disp = np.clip(load[:, None] - prev[None, :], 0, capacity[order][None, :])
    price_idx = np.minimum((cum[None, :] < load[:, None]).sum(axis=1), len(cum) - 1)
    return disp, marginal_cost[order][price_idx]


def priority_list_commitment(load, reserve=0.1):
    # commit units by average full-load cost until capacity covers load plus reserve
    afl = (A_COEF + B_COEF * PMAX + C_COEF * PMAX ** 2) / PMAX
    order = np.argsort(afl)
    cum = np.cumsum(PMAX[order])
    need = load * (1 + reserve)
    n_on = np.searchsorted(cum, need) + 1
    status = np.zeros((len(load), len(PMAX)), dtype=np.int8)
    for k in range(len(PMAX)):
        status[:, order[k]] = (n_on > k).astype(np.int8)
    return status, (status * PMAX).sum(axis=1)


def unit_commitment_enumeration(load, startup=np.array([300.0, 200.0, 100.0])):
    # every on/off combination per hour, the cheapest feasible kept; dispatch by lambda grid
    combos = np.array(list(itertools.product([0, 1], repeat=len(PMAX))))
    cap_max = combos @ PMAX
    cap_min = combos @ PMIN
    lam = np.linspace(5.0, 14.0, 181)
    P = np.clip((lam[:, None] - B_COEF) / (2 * C_COEF), PMIN, PMAX)
    cost_table = np.zeros((len(combos), len(load)))
    for ci, on in enumerate(combos):
        total = P @ on
        k = np.argmin(np.abs(total[None, :] - load[:, None]), axis=1)
        Pk = P[k] * on
        cost_table[ci] = ((A_COEF + B_COEF * Pk + C_COEF * Pk ** 2) * on).sum(axis=1)
    feasible = (cap_max[:, None] >= load[None, :]) & (cap_min[:, None] <= load[None, :])
    cost_table = np.where(feasible, cost_table + (combos @ startup)[:, None] * 0.1, np.inf)
    best = np.argmin(cost_table, axis=0)
    return combos[best], cost_table[best, np.arange(len(load))]


# heat-rate curves per unit (MMBtu/MWh at output breakpoints), a dict of dicts of arrays
HEAT_RATE_CURVES = {
    "coal": {"mw": np.array([200.0, 300.0, 400.0, 450.0]), "hr": np.array([10.6, 9.9, 9.6, 9.7])},
    "gas": {"mw": np.array([150.0, 250.0, 350.0]), "hr": np.array([8.2, 7.6, 7.4])},
    "oil": {"mw": np.array([100.0, 160.0, 225.0]), "hr": np.array([11.8, 11.1, 11.0])},
}


def fuel_by_heat_rate_segments(dispatch):
    # the heat rate of the segment each hour's output falls in, looked up by searchsorted
    fuel = np.zeros_like(dispatch)
    for k, (name, curve) in enumerate(HEAT_RATE_CURVES.items()):
        seg = np.clip(np.searchsorted(curve["mw"], dispatch[:, k]), 0, len(curve["mw"]) - 1)
        fuel[:, k] = dispatch[:, k] * curve["hr"][seg]
    return fuel, fuel.sum(axis=1)


def fuel_by_heat_rate_interp(dispatch):
    fuel = np.zeros_like(dispatch)
    for k, curve in enumerate(HEAT_RATE_CURVES.values()):
        fuel[:, k] = dispatch[:, k] * np.interp(dispatch[:, k], curve["mw"], curve["hr"])
    return fuel.sum(axis=1)


def load_duration_curve(load):
    ldc = np.sort(load)[::-1]
    hours = np.arange(1, len(ldc) + 1)
    exceed = 100 * hours / len(ldc)
    base = ldc[-1]
    peak = ldc[0]
    energy_above = np.trapezoid(np.maximum(ldc - np.percentile(ldc, 90), 0))
    return ldc, exceed, base / peak, load.mean() / peak, energy_above


def screening_curves(fixed, variable, hours=np.linspace(0, 8760, 25)):
    # annualised cost per MW vs hours of use; the cheapest technology for each duration
    cost = fixed[:, None] + variable[:, None] * hours[None, :]
    best = np.argmin(cost, axis=0)
    return cost, best, hours[np.argmax(best != best[0])]


def battery_soc(pv, load, capacity, power, eta=0.95):
    n = len(pv)
    soc = np.zeros(n + 1)
    soc[0] = 0.5 * capacity
    grid = np.zeros(n)
    for t in range(n):
        surplus = pv[t] - load[t]
        charge = np.clip(surplus, 0, power)
        discharge = np.clip(-surplus, 0, power)
        new = soc[t] + charge * eta - discharge / eta
        soc[t + 1] = np.clip(new, 0, capacity)
        delivered = (soc[t] - soc[t + 1]) * np.where(surplus < 0, eta, 1 / eta)
        grid[t] = -surplus - delivered
    return soc, grid, np.maximum(grid, 0).sum()


def peak_shaving(load, threshold, capacity, power, eta=0.92):
    soc = capacity
    out = np.empty_like(load)
    socs = []
    for t in range(load.size):
        excess = load[t] - threshold
        dis = np.minimum(np.maximum(excess, 0), np.minimum(power, soc * eta))
        ch = np.minimum(np.maximum(-excess, 0), np.minimum(power, (capacity - soc) / eta))
        soc = soc - dis / eta + ch * eta
        out[t] = load[t] - dis + ch
        socs.append(soc)
    return out, np.array(socs), load.max() - out.max()


def price_arbitrage(prices, capacity=4.0, power=1.0, eta=0.9):
    # charge below the 30th percentile, discharge above the 70th
    lo, hi = np.quantile(prices, [0.3, 0.7])
    soc = 0.0
    revenue = np.zeros_like(prices)
    for t in range(len(prices)):
        if_charge = prices[t] <= lo
        if_dis = prices[t] >= hi
        c = np.where(if_charge, np.minimum(power, (capacity - soc) / eta), 0.0)
        d = np.where(if_dis, np.minimum(power, soc), 0.0)
        soc = soc + c * eta - d
        revenue[t] = prices[t] * (d - c)
    return revenue.sum(), soc


def lcoe(capex, opex, fuel, energy, rate=0.07, years=25, degradation=0.005):
    t = np.arange(1, years + 1)
    df = 1 / (1 + rate) ** t
    e = energy * (1 - degradation) ** (t - 1)
    costs = capex + np.sum((opex + fuel) * df)
    return costs / np.sum(e * df)


def npv_irr_newton(cashflows, iters=30):
    # IRR by a fixed number of Newton steps from 10%
    t = np.arange(len(cashflows))
    r = 0.1
    for _ in range(iters):
        d = (1 + r) ** -t
        f = np.sum(cashflows * d)
        df = np.sum(-t * cashflows * d / (1 + r))
        r = r - f / df
    npv8 = np.sum(cashflows / 1.08 ** t)
    payback = np.argmax(np.cumsum(cashflows) > 0)
    return r, npv8, payback


def capacity_factor_monthly(hourly_kw, rated_kw):
    # an hourly year reshaped into days, summed into months by reduceat on month starts
    daily = hourly_kw.reshape(-1, 24).sum(axis=1)
    starts = np.r_[0, np.cumsum(DAYS_IN_MONTH)[:-1]]
    monthly = np.add.reduceat(daily, starts)
    cf = monthly / (rated_kw * 24 * DAYS_IN_MONTH)
    return cf, hourly_kw.sum() / (rated_kw * hourly_kw.size)


def wind_power_curve(ws, hub=100.0, ref=10.0, alpha=1 / 7):
    v = ws * (hub / ref) ** alpha
    p = np.interp(v, CURVE_WS, CURVE_KW)
    return p, p.mean() / CURVE_KW.max(), (p == 0).mean()


def weibull_aep(k, c, rated=2000.0):
    # annual energy by integrating the power curve against a Weibull speed density
    v = np.linspace(0, 30, 301)
    pdf = scipy.stats.weibull_min.pdf(v, k[:, None], scale=c[:, None])
    p = np.interp(v, CURVE_WS, CURVE_KW)
    mean_kw = np.trapezoid(pdf * p, v, axis=1)
    return 8760 * mean_kw / 1000, mean_kw / rated


def copt_outage_table(capacities, forced_outage_rate):
    # capacity outage probability table by convolving two-state units, then LOLP per load
    total = int(sum(capacities))
    p = np.zeros(total + 1)
    p[0] = 1.0
    for cap, q in zip(capacities, forced_outage_rate):
        shifted = np.concatenate([np.zeros(cap), p[:-cap]])
        p = p * (1 - q) + shifted * q
    return p


def lolp_from_copt(load, capacities, forced_outage_rate):
    p = copt_outage_table(capacities, forced_outage_rate)
    total = sum(capacities)
    available = total - np.arange(len(p))
    short = available[None, :] < load[:, None]
    lolp = (short * p[None, :]).sum(axis=1)
    return lolp, lolp.sum()


def tou_bill(load_kw, demand_charge=12.0):
    # 15-minute interval data: energy by tariff hour, demand charge on the monthly peak
    hours = (np.arange(load_kw.size) // 4) % 24
    kwh = load_kw * 0.25
    energy_cost = np.sum(kwh * TOU[hours])
    by_period = np.bincount(hours, weights=kwh, minlength=24)
    return energy_cost + demand_charge * load_kw.max(), by_period


def dc_power_flow(lines, x, injections, n_bus):
    # B matrix from a line table by np.add.at, slack bus removed, flows from angles
    f, t = lines[:, 0], lines[:, 1]
    b = 1 / x
    B = np.zeros((n_bus, n_bus))
    np.add.at(B, (f, t), -b)
    np.add.at(B, (t, f), -b)
    np.add.at(B, (f, f), b)
    np.add.at(B, (t, t), b)
    theta = np.zeros(n_bus)
    theta[1:] = np.linalg.solve(B[1:, 1:], injections[1:])
    flows = (theta[f] - theta[t]) * b
    return theta, flows


def ptdf_matrix(lines, x, n_bus):
    m = len(lines)
    A = np.zeros((m, n_bus))
    A[np.arange(m), lines[:, 0]] = 1
    A[np.arange(m), lines[:, 1]] = -1
    Bd = np.diag(1 / x)
    Bbus = A.T @ Bd @ A
    X = np.zeros((n_bus, n_bus))
    X[1:, 1:] = np.linalg.inv(Bbus[1:, 1:])
    return Bd @ A @ X


def reservoir_operation(inflow, demand, s_max, s0, release_max=80.0):
    s = np.zeros(len(inflow) + 1)
    s[0] = s0
    spill = np.zeros(len(inflow))
    release = np.zeros(len(inflow))
    for t in range(len(inflow)):
        avail = s[t] + inflow[t]
        release[t] = np.minimum(np.minimum(demand[t], release_max), avail)
        spill[t] = np.maximum(avail - release[t] - s_max, 0)
        s[t + 1] = avail - release[t] - spill[t]
    reliability = np.mean(release >= demand - 1e-9)
    return s, spill, release, reliability


def storage_dispatch_float32(net, capacity, power):
    # a float32 SoC time series, as the vectorised controllers keep it
    soc = np.zeros(net.shape, dtype=np.float32)
    level = np.float32(0.5) * capacity
    for t in range(net.shape[0]):
        level = np.clip(level - np.clip(net[t], -power, power), 0, capacity)
        soc[t] = level
    return soc


def _hourly_year(seed):
    r = np.random.default_rng(seed)
    h = np.arange(365 * 24)
    solar = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
    return 2.0 * solar * r.uniform(0.3, 1.0, h.size)


def _lines(n_bus):
    ring = [(k, (k + 1) % n_bus) for k in range(n_bus)]
    return np.array(ring + [(0, n_bus // 2)])


ENERGY = {
    "lambda_iteration_fixed_gain": (lambda_iteration, {"iters": 60}, lambda s, n: (
        500.0 + 100 * s + 10 * n,)),
    "lambda_bisection_np_where": (lambda_bisection_where, {"iters": 40}, lambda s, n: (
        _pos(s, n, lo=500, hi=950),)),
    "dispatch_b_coefficient_losses": (dispatch_with_losses, {"iters": 25}, lambda s, n: (
        600.0 + 50 * s, 1e-5 * (np.eye(3) * (2 + n) + 0.5))),
    "merit_order_searchsorted": (merit_order, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=200), _distinct(s + 1, n, 10, 90), 150.0 + 20 * s)),
    "merit_order_hourly_stack": (merit_order_hourly, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=200), _distinct(s + 1, n, 10, 90), _pos(s + 2, 6, lo=50, hi=400))),
    "priority_list_int8_status": (priority_list_commitment, {}, lambda s, n: (
        _pos(s, 3 * n, lo=300, hi=900),)),
    "unit_commitment_enumeration": (unit_commitment_enumeration, {}, lambda s, n: (
        _pos(s, n, lo=250, hi=950),)),
    "heat_rate_nested_dict_segments": (fuel_by_heat_rate_segments, {}, lambda s, n: (
            np.column_stack([_pos(s, n, lo=200, hi=450), _pos(s + 1, n, lo=150, hi=350),
                             _pos(s + 2, n, lo=100, hi=225)]),)),
    "heat_rate_nested_dict_interp": (fuel_by_heat_rate_interp, {}, lambda s, n: (
        np.column_stack([_pos(s, n, lo=200, hi=450), _pos(s + 1, n, lo=150, hi=350),
                         _pos(s + 2, n, lo=100, hi=225)]),)),
    "load_duration_curve_trapezoid": (load_duration_curve, {}, lambda s, n: (
        _distinct(s, 24 * n, 300, 900),)),
    "screening_curves_default_arg_array": (screening_curves, {}, lambda s, n: (
            np.array([150e3, 90e3, 40e3]) * (1 + 0.1 * s), np.array([10.0, 40.0, 120.0]))),
    "battery_soc_np_clip": (battery_soc, {}, lambda s, n: (
        _pos(s, 6 * n, lo=0, hi=5), _pos(s + 1, 6 * n, lo=1, hi=3), 8.0, 2.0)),
    "peak_shaving_min_max": (peak_shaving, {}, lambda s, n: (
        _pos(s, 6 * n, lo=20, hi=60), 45.0, 30.0, 10.0)),
    "arbitrage_quantile_thresholds": (price_arbitrage, {}, lambda s, n: (
        _distinct(s, 6 * n, 20, 120),)),
    "lcoe_discount_degradation": (lcoe, {"years": 25}, lambda s, n: (
        1.2e6 * s, 2e4, 0.0, 2.2e3 * n)),
    "irr_newton_payback_argmax": (npv_irr_newton, {"iters": 25}, lambda s, n: (
        np.r_[-1000.0, _pos(s, 2 * n, lo=150, hi=300)],)),
    "capacity_factor_reduceat": (capacity_factor_monthly, {}, lambda s, n: (
        _hourly_year(s), 2.0 + 0.1 * n)),
    "wind_shear_interp_curve": (wind_power_curve, {}, lambda s, n: (
        np.random.default_rng(s).weibull(2.0, 24 * n) * 8,)),
    "weibull_aep_trapezoid": (weibull_aep, {}, lambda s, n: (
        _pos(s, n, lo=1.6, hi=2.4), _pos(s + 1, n, lo=6, hi=10))),
    "copt_convolution_shift": (copt_outage_table, {}, lambda s, n: (
        [20, 30, 50, 20 + n], _pos(s, 4, lo=0.02, hi=0.1))),
    "lolp_from_copt": (lolp_from_copt, {}, lambda s, n: (
        _pos(s, 2 * n, lo=60, hi=120), [20, 30, 50, 40], _pos(s, 4, lo=0.02, hi=0.1))),
    "tou_bill_bincount_weights": (tou_bill, {}, lambda s, n: (
        _pos(s, 96 * (n // 2), lo=5, hi=40),)),
    "dc_power_flow_add_at": (dc_power_flow, {"n_bus": 5}, lambda s, n: (
        _lines(5), _pos(s, 6, lo=0.05, hi=0.2), np.r_[-_pos(s, 4).sum(), _pos(s, 4)])),
    "ptdf_inverse": (ptdf_matrix, {"n_bus": 4}, lambda s, n: (
        _lines(4), _pos(s + n, 5, lo=0.05, hi=0.2))),
    "reservoir_spill_release": (reservoir_operation, {}, lambda s, n: (
        _pos(s, 6 * n, lo=10, hi=150), _pos(s + 1, 6 * n, lo=30, hi=90), 300.0, 150.0)),
    "storage_float32_soc": (storage_dispatch_float32, {}, lambda s, n: (
        _f(6 * n, seed=s).astype(np.float32), np.float32(4.0), np.float32(1.5))),
}


@pytest.mark.parametrize("name", _names(ENERGY))
def test_energy_systems_match_numpy(name):
    """Economic dispatch (lambda iteration, bisection, losses), merit order, unit commitment,
    heat-rate curves, load duration and screening curves, storage, LCOE/IRR, wind yield,
    COPT/LOLP, tariffs, DC power flow and PTDFs, reservoirs: NumPy's values."""
    check_like_numpy(*ENERGY[name])


# ================================================ vehicle routing, logistics and risk

EARTH_RADIUS_KM = 6371.0


def distance_matrix_broadcast(xy):
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=-1))


def haversine_matrix(lat, lon):
    lat, lon = np.radians(lat), np.radians(lon)
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def road_distances_csgraph(xy, max_link=45.0):
    # road links only between nearby sites; network distances by scipy's Dijkstra
    D = distance_matrix_broadcast(xy)
    graph = np.where(D <= max_link, D, 0.0)
    return scipy.sparse.csgraph.shortest_path(graph, method="D", directed=False)


def road_distances_floyd(xy, max_link=45.0):
    # the same by Floyd-Warshall written out, one relaxation per intermediate node
    D = distance_matrix_broadcast(xy)
    d = np.where(D <= max_link, D, np.inf)
    for k in range(d.shape[0]):
        d = np.minimum(d, d[:, k, None] + d[None, k, :])
    return d


def clarke_wright_savings(depot, customers):
    pts = np.vstack([depot, customers])
    D = cdist(pts, pts)
    n = len(customers)
    S = D[0, 1:, None] + D[0, None, 1:] - D[1:, 1:]
    np.fill_diagonal(S, 0)
    iu = np.triu_indices(n, k=1)
    vals = S[iu]
    order = np.argsort(vals)[::-1]
    pairs = np.column_stack([iu[0][order], iu[1][order]])
    return pairs, vals[order]


def savings_merge_fixed(D, demand, cap):
    # Clarke-Wright's parallel version with fixed passes over the sorted savings list, each
    # customer's route held as a label array; merges by np.where on labels and loads
    n = D.shape[0] - 1
    S = D[0, 1:, None] + D[0, None, 1:] - D[1:, 1:]
    iu = np.triu_indices(n, k=1)
    order = np.argsort(S[iu])[::-1]
    route = np.arange(n)
    for k in range(len(order)):
        i, j = iu[0][order[k]], iu[1][order[k]]
        ri, rj = route[i], route[j]
        load = np.sum(np.where((route == ri) | (route == rj), demand, 0))
        ok = (ri != rj) & (load <= cap)
        route = np.where(ok & (route == rj), ri, route)
    n_routes = np.count_nonzero(np.bincount(route, minlength=n))
    return route, n_routes


def nearest_neighbour_tour(D, start=0):
    # greedy tour with a visited mask; the current city a traced index
    n = D.shape[0]
    visited = np.zeros(n, dtype=bool)
    visited[start] = True
    tour = [start]
    cur = start
    for _ in range(n - 1):
        d = np.where(visited, np.inf, D[cur])
        cur = np.argmin(d)
        visited[cur] = True
        tour.append(cur)
    tour = np.array(tour)
    length = D[tour, np.roll(tour, -1)].sum()
    return tour, length


def tour_length(D, tour):
    return D[tour[:-1], tour[1:]].sum() + D[tour[-1], tour[0]]


def two_opt_deltas(D, tour):
    # the gain of every 2-opt move of a tour, vectorised over (i, j)
    n = len(tour)
    a = tour
    b = np.roll(tour, -1)
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))
    i, j = i[keep], j[keep]
    delta = D[a[i], a[j]] + D[b[i], b[j]] - D[a[i], b[i]] - D[a[j], b[j]]
    best = np.argmin(delta)
    return delta, (i[best], j[best]), delta[best]


def two_opt_fixed_sweeps(D, tour, sweeps=2):
    # first-improvement 2-opt with fixed sweeps: each (i, j) applied through np.where
    n = len(tour)
    tour = tour.copy()
    idx = np.arange(n)
    for _ in range(sweeps):
        for i in range(1, n - 2):
            for j in range(i + 1, n - 1):
                a, b, c, d = tour[i - 1], tour[i], tour[j], tour[j + 1]
                gain = D[a, b] + D[c, d] - D[a, c] - D[b, d]
                rev = np.where((idx >= i) & (idx <= j), i + j - idx, idx)
                tour = np.where(gain > 1e-9, tour[rev], tour)
    return tour, tour_length(D, tour)


def route_distance_padded(D, routes):
    # each route starts and ends at the depot (node 0); padding -1 maps to the depot
    r = np.where(routes >= 0, routes + 1, 0)
    full = np.hstack([np.zeros((r.shape[0], 1), dtype=r.dtype), r,
                      np.zeros((r.shape[0], 1), dtype=r.dtype)])
    legs = D[full[:, :-1], full[:, 1:]]
    return legs.sum(axis=1), legs.sum()


def sweep_clusters(xy, depot, n_vehicles=3):
    # the sweep heuristic: polar angle around the depot, equal-sized consecutive clusters
    ang = np.arctan2(xy[:, 1] - depot[1], xy[:, 0] - depot[0])
    order = np.argsort(ang)
    clusters = np.array_split(order, n_vehicles)
    label = np.empty(len(xy), dtype=int)
    for k, c in enumerate(clusters):
        label[c] = k
    return label, np.degrees(ang[order])


def center_of_gravity(xy, weights, iters=20):
    # Weiszfeld's algorithm for a warehouse location, fixed iterations
    p = np.average(xy, axis=0, weights=weights)
    for _ in range(iters):
        d = np.linalg.norm(xy - p, axis=1)
        w = weights / d
        p = (w[:, None] * xy).sum(axis=0) / w.sum()
    return p, np.sum(weights * np.linalg.norm(xy - p, axis=1))


def facility_location_enumeration(D, demand, fixed, k=2):
    # p-median-like: open every pair of sites, serve each customer from the nearest open one
    sites = np.array(list(itertools.combinations(range(D.shape[0]), k)))
    costs = np.empty(len(sites))
    for s, open_ in enumerate(sites):
        costs[s] = fixed[open_].sum() + (demand * D[open_].min(axis=0)).sum()
    best = np.argmin(costs)
    return sites[best], costs[best], np.argsort(costs)[:3]


def monte_carlo_newsvendor(q, mu, sigma, price=10.0, cost=6.0, n=5000, seed=42):
    rng = np.random.default_rng(seed)
    d = np.maximum(rng.normal(mu, sigma, size=(n, 1)), 0)
    sales = np.minimum(d, q[None, :])
    profit = price * sales - cost * q[None, :]
    return profit.mean(axis=0), (profit < 0).mean(axis=0)


def var_cvar_losses(losses, alpha=0.95):
    var = np.quantile(losses, alpha)
    cvar = losses[losses >= var].mean()
    return var, cvar


def lead_time_demand_mc(d_mu, d_sd, lt_probs, n_sims=2000, seed=9):
    # random lead times from an empirical pmf, demand summed over each lead time
    rng = np.random.default_rng(seed)
    lts = rng.choice(np.arange(1, lt_probs.size + 1), size=n_sims, p=lt_probs)
    daily = rng.normal(d_mu, d_sd, size=(n_sims, lt_probs.size))
    mask = np.arange(lt_probs.size)[None, :] < lts[:, None]
    ltd = (daily * mask).sum(axis=1)
    return ltd.mean(), ltd.std(ddof=1), np.quantile(ltd, 0.95)


def bootstrap_forecast_error(errors, n_boot=500, seed=1):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, errors.size, size=(n_boot, errors.size))
    means = errors[idx].mean(axis=1)
    return np.percentile(means, [2.5, 97.5]), means.std()


def inventory_poisson_mc(s, S, lam, periods=30, n_sims=200, seed=3):
    # (s, S) policy over many replications at once with Poisson demand from a Generator
    rng = np.random.default_rng(seed)
    inv = np.full(n_sims, float(S))
    stockouts = np.zeros(n_sims)
    for t in range(periods):
        d = rng.poisson(lam, n_sims)
        stockouts += d > inv
        inv = np.maximum(inv - d, 0)
        inv = np.where(inv <= s, S, inv)
    return stockouts.mean() / periods, inv.mean()


def legacy_seed_demand(mu, sd, n=12):
    # the legacy global-state API, seeded inside as older notebooks do
    np.random.seed(2024)
    d = np.random.normal(mu, sd, size=(n, mu.size))
    return np.round(np.clip(d, 0, None)), d.sum(axis=0)


def _xy(seed, n):
    return _u(seed, n, 2) * 100


ROUTING_RISK = {
    "distance_matrix_broadcast": (distance_matrix_broadcast, {}, lambda s, n: (_xy(s, n),)),
    "haversine_matrix": (haversine_matrix, {}, lambda s, n: (
        _pos(s, n, lo=40, hi=55), _pos(s + 1, n, lo=-5, hi=15))),
    "road_network_csgraph_shortest_path": (road_distances_csgraph, {}, lambda s, n: (_xy(s, n + 2),)),
    "road_network_floyd_by_hand": (road_distances_floyd, {}, lambda s, n: (_xy(s, n + 2),)),
    "clarke_wright_savings_triu": (clarke_wright_savings, {}, lambda s, n: (
        np.array([50.0, 50.0]), _xy(s, n))),
    "savings_merge_labels": (savings_merge_fixed, {}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n + 1)), _i(5, n, seed=s) + 1, 9)),
    "nearest_neighbour_traced_city": (nearest_neighbour_tour, {}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n)),)),
    "two_opt_deltas_triu": (two_opt_deltas, {}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n)), np.random.default_rng(s).permutation(n))),
    "two_opt_fixed_sweeps_where": (two_opt_fixed_sweeps, {"sweeps": 2}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n)), np.random.default_rng(s).permutation(n))),
    "route_distance_padded_hstack": (route_distance_padded, {}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n + 3)), np.array([[0, 2, -1], [1, n - 1, 3]]))),
    "sweep_array_split": (sweep_clusters, {"n_vehicles": 3}, lambda s, n: (
        _xy(s, 2 * n), np.array([50.0, 50.0]))),
    "weiszfeld_center_of_gravity": (center_of_gravity, {"iters": 15}, lambda s, n: (
        _xy(s, n), _pos(s + 1, n, lo=1, hi=5))),
    "facility_location_combinations": (facility_location_enumeration, {"k": 2}, lambda s, n: (
        distance_matrix_broadcast(_xy(s, n))[:4], _pos(s, n, lo=1, hi=5),
        _pos(s + 1, 4, lo=50, hi=60))),
    "mc_newsvendor_generator": (monte_carlo_newsvendor, {"n": 2000}, lambda s, n: (
        np.linspace(80, 120, n), 100.0, 20.0)),
    "var_cvar_boolean_mean": (var_cvar_losses, {}, lambda s, n: (_distinct(s, 50 * n, 0, 10),)),
    "lead_time_demand_choice_p": (lead_time_demand_mc, {"n_sims": 1500}, lambda s, n: (
        20.0, 4.0, np.r_[np.ones(n - 1), 2.0] / (n + 1))),
    "bootstrap_integers_fancy": (bootstrap_forecast_error, {"n_boot": 300}, lambda s, n: (
        _f(10 * n, seed=s),)),
    "inventory_poisson_replications": (inventory_poisson_mc, {"periods": 20}, lambda s, n: (
        10, 30 + n, 8.0)),
    "legacy_np_random_seed": (legacy_seed_demand, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=100), _pos(s + 1, n, lo=5, hi=15))),
}


@pytest.mark.parametrize("name", _names(ROUTING_RISK))
def test_routing_and_risk_match_numpy(name):
    """Distance matrices (broadcast, haversine, cdist, shortest paths), Clarke-Wright savings,
    nearest neighbour and 2-opt, padded routes, sweep, Weiszfeld, facility enumeration, and
    Monte Carlo risk with seeded Generators: NumPy's values."""
    check_like_numpy(*ROUTING_RISK[name])


# ================================== calendars, tables, filters and other library idioms

HOLIDAYS = np.array(["2024-01-01", "2024-05-27", "2024-07-04"], dtype="datetime64[D]")
PROJECT_START = np.datetime64("2024-01-02")
ACTIVITY_DTYPE = [("dur", "f8"), ("cost", "f8"), ("crew", "i8")]


def schedule_business_days(es, dur):
    # early starts in working days turned into calendar dates, holidays skipped
    start = np.busday_offset(PROJECT_START, es.astype(int), roll="forward", holidays=HOLIDAYS)
    finish = np.busday_offset(start, np.ceil(dur).astype(int), holidays=HOLIDAYS)
    return start, finish


def supplier_lead_times_busdays(ordered, received):
    lt = np.busday_count(ordered, received, holidays=HOLIDAYS)
    return lt.mean(), np.percentile(lt, 90)


def supplier_lead_times(ordered, received):
    lt = (received - ordered) / np.timedelta64(1, "D")
    late = received > ordered + np.timedelta64(7, "D")
    return lt.mean(), lt.std(ddof=1), late.sum(), received.max() - ordered.min()


def due_date_tardiness(release, proc_days, due):
    finish = release + np.cumsum(np.round(proc_days)).astype("timedelta64[D]")
    tardy = (finish - due).astype(int)
    return finish, np.maximum(tardy, 0), (finish.astype("datetime64[M]").astype(int) % 12) + 1


def activity_table_structured(table):
    # a record array for the activity list, as older course code keeps it
    ef = np.cumsum(table["dur"])
    return ef, (table["cost"] * table["crew"]).sum()


def stationary_scipy_left_eig(P):
    w, vl = scipy.linalg.eig(P, left=True, right=False)
    k = np.argmin(np.abs(w - 1))
    pi = np.real(vl[:, k])
    return pi / pi.sum()


def order_up_to_int_levels(inv, S):
    # integer stock levels; Python's max of an int64 element and a float literal
    orders = []
    for t in range(len(inv)):
        orders.append(max(S - inv[t], 0.5))
    return np.array(orders)


def ses_by_lfilter(y, alpha):
    # SES as an IIR filter, initial state from lfilter_zi
    b, a = [alpha], [1, alpha - 1]
    zi = scipy.signal.lfilter_zi(b, a) * y[0]
    level, _ = scipy.signal.lfilter(b, a, y, zi=zi)
    return level


def seasonality_acf_fft(y, nlags=8):
    # the seasonal period by the autocorrelation peak and by the periodogram
    x = y - y.mean()
    c = np.correlate(x, x, mode="full")[len(x) - 1:]
    acf = c[:nlags + 1] / c[0]
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x))
    k = np.argmax(spec[1:]) + 1
    return acf, 1 / freqs[k], np.argmax(acf[2:]) + 2


def tiered_tariff(kwh):
    return np.piecewise(kwh, [kwh <= 100, (kwh > 100) & (kwh <= 300), kwh > 300],
                        [lambda k: 0.1 * k, lambda k: 10 + 0.15 * (k - 100),
                         lambda k: 40 + 0.2 * (k - 300)])


def masked_stockouts(inv):
    m = np.ma.masked_less(inv, 0)
    return m.mean(axis=1), m.filled(0), np.ma.count_masked(m, axis=1)


def pallets_and_cases(units, per_case=12, per_pallet=48):
    pallets, rest = np.divmod(units, per_pallet)
    cases = -(-rest // per_case)
    return pallets, cases, pallets + (rest > 0)


def forward_fill_demand(x):
    # missing demand records filled with the last observation (the maximum.accumulate idiom)
    mask = np.isnan(x)
    idx = np.where(~mask, np.arange(mask.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return x[idx]


def empirical_demand_draws(values, probs, u):
    cdf = np.cumsum(probs)
    return values[np.searchsorted(cdf, u, side="right")]


def echelon_costs_einsum(flow, unit_cost, holding):
    # flows (products x echelons x periods): cost per product and per period
    return (np.einsum("pet,et->p", flow, unit_cost),
            np.einsum("pet,e->t", np.cumsum(flow, axis=2), holding))


def turbine_interp1d(ws):
    f = scipy.interpolate.interp1d(CURVE_WS, CURVE_KW, bounds_error=False, fill_value=0.0)
    return f(ws), f(ws).sum() / (2000.0 * ws.size)


def top_skus_argpartition(value, k=3):
    idx = np.argpartition(-value, k)[:k]
    return idx[np.argsort(-value[idx])], value[idx].sum() / value.sum()


def fill_rate_safety_factor(sigma_L, Q, fill):
    # the safety factor k solving sigma_L G(k) = Q (1 - fill), by brentq of a closure
    def gap(k):
        return sigma_L * (norm.pdf(k) - k * norm.sf(k)) - Q * (1 - fill)
    k = scipy.optimize.brentq(gap, -3, 5)
    return k, k * sigma_L


def _dates(seed, n):
    r = np.random.default_rng(seed)
    ordered = PROJECT_START + r.integers(0, 60, n).astype("timedelta64[D]")
    return ordered, ordered + r.integers(2, 12, n).astype("timedelta64[D]")


def _structured(seed, n):
    t = np.zeros(n, dtype=ACTIVITY_DTYPE)
    t["dur"], t["cost"], t["crew"] = _pos(seed, n), _pos(seed + 1, n), _i(5, n, seed=seed) + 1
    return t


def _with_gaps(seed, n):
    x = _pos(seed, n, lo=1, hi=5)
    x[[2, 3, n - 1]] = np.nan
    return x


LIBRARY_IDIOMS = {
    "busday_offset_holidays": _Xfail(
        "np.busday_offset of traced day offsets raises UnsupportedFunctionError (output "
        "shape is the input's; NumPy computes the dates)",
        schedule_business_days, {}, lambda s, n: (_i(20, n, seed=s) * 1.0, _pos(s, n))),
    "busday_count_lead_times": _Xfail(
        "np.busday_count of traced datetime64 arrays raises UnsupportedFunctionError",
        supplier_lead_times_busdays, {}, lambda s, n: _dates(s, 2 * n)),
    "datetime64_lead_times": (supplier_lead_times, {}, lambda s, n: _dates(s, 2 * n)),
    "datetime64_due_dates_months": (due_date_tardiness, {}, lambda s, n: (
        _dates(s, n)[0], _pos(s, n, lo=1, hi=6), _dates(s, n)[1])),
    "structured_activity_table": (activity_table_structured, {}, lambda s, n: (_structured(s, n),)),
    "scipy_linalg_left_eig": (stationary_scipy_left_eig, {}, lambda s, n: (_stochastic(s, n),)),
    "python_max_int64_float_literal": _Xfail(
        "max(np.int64 element, 0.5) is np.float64 under jit; Python's max returns the int64 "
        "operand, so NumPy's array is int64 (a value-dependent type, not refused)",
        order_up_to_int_levels, {}, lambda s, n: (_i(20, 3 * n, seed=s), 30)),
    "ses_scipy_lfilter_zi": (ses_by_lfilter, {}, lambda s, n: (
        _pos(s, 4 * n, lo=10, hi=30), 0.3)),
    "seasonality_correlate_rfft": (seasonality_acf_fft, {"nlags": 8}, lambda s, n: (
        50 + 10 * np.sin(2 * np.pi * np.arange(8 * n) / 4) + _f(8 * n, seed=s),)),
    "tiered_tariff_piecewise": (tiered_tariff, {}, lambda s, n: (_pos(s, 3 * n, lo=0, hi=500),)),
    "masked_stockouts_np_ma": (masked_stockouts, {}, lambda s, n: (_f(3, n, seed=s) + 0.3,)),
    "pallets_divmod_ceil": (pallets_and_cases, {}, lambda s, n: (
        _i(500, 3 * n, seed=s) + 1,)),
    "forward_fill_maximum_accumulate_out": (forward_fill_demand, {}, lambda s, n: (
        _with_gaps(s, 3 * n),)),
    "empirical_demand_searchsorted_right": (empirical_demand_draws, {}, lambda s, n: (
        np.array([0, 10, 20, 30]), np.array([0.1, 0.4, 0.3, 0.2]), _u(s, 5 * n) * 0.99)),
    "echelon_costs_einsum": (echelon_costs_einsum, {}, lambda s, n: (
        _u(s, 3, 2, n), _u(s + 1, 2, n), _u(s + 2, 2))),
    "turbine_interp1d_fill": (turbine_interp1d, {}, lambda s, n: (_pos(s, 5 * n, lo=0, hi=30),)),
    "top_skus_argpartition": (top_skus_argpartition, {"k": 3}, lambda s, n: (
        _distinct(s, 3 * n, 1, 100),)),
}


@pytest.mark.parametrize("name", _names(LIBRARY_IDIOMS))
def test_calendars_tables_and_library_idioms_match_numpy(name):
    """Business-day calendars, datetime64 lead times, record arrays, scipy's left eig, Python
    max of mixed scalars, SES by lfilter, correlate/rfft seasonality, piecewise tariffs,
    np.ma, divmod, forward fill, empirical draws, einsum, interp1d and argpartition: NumPy's
    values."""
    check_like_numpy(*LIBRARY_IDIOMS[name])


# ------------------------------------------------------------------------ steered scalars

def erlang_c_positional(lam, mu, c):
    return erlang_c_loop(lam, mu, c)


def holt_winters_positional(y, m, h):
    return holt_winters_additive(y, m, 0.4, 0.1, 0.3, h)


def lcoe_positional(capex, opex, energy, rate, years):
    return lcoe(capex, opex, 0.0, energy, rate, years)


def sS_simulation_seeded(s, S, T, lam, seed):
    # a notebook's whole experiment in one call: demand drawn inside from the seed
    rng = np.random.default_rng(seed)
    demand = rng.poisson(lam, T)
    inv = np.empty(T + 1)
    inv[0] = S
    orders = 0
    for t in range(T):
        level = inv[t] - demand[t]
        reorder = level <= s
        orders = orders + reorder
        inv[t + 1] = np.where(reorder, S, np.maximum(level, 0))
    return inv, orders


def flow_shop_positional(p, n_jobs):
    return flow_shop_makespan_loops(p[:n_jobs])


STEERED = {
    "erlang_c_servers": (erlang_c_positional, lambda s: (4.0 + s, 2.0, 3 + s)),
    "holt_winters_season_horizon": (holt_winters_positional, lambda s: (
        50 + np.arange(8 * (s + 1)) + np.resize([4.0, -2, 1, -3], 8 * (s + 1)), 4, 2 + s)),
    "lcoe_years": (lcoe_positional, lambda s: (1.5e6, 3e4, 2.5e3, 0.06, 15 + 5 * s)),
    "sS_horizon_and_seed": (sS_simulation_seeded, lambda s: (10, 40, 8 + 4 * s, 9.0, s)),
    "flow_shop_job_count": (flow_shop_positional, lambda s: (_pos(s, 6, 3, lo=1, hi=9), 3 + s)),
    "fill_rate_brentq_closure": (fill_rate_safety_factor, lambda s: (20.0 + s, 100.0 * s, 0.98)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Server counts, season lengths, horizons, life times, seeds, job counts, and the
    parameters of a brentq closure given positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# ------------------------------------------------- data-dependent Python and shapes: refused

def sS_python_if(demand, s, S):
    inv = S
    orders = []
    for d in demand:
        if inv <= s:
            orders.append(S - inv)
            inv = S
        else:
            orders.append(0)
        inv = max(inv - d, 0)
    return np.array(orders)


def croston_python_if(d, alpha=0.1):
    z, p, q = d[0], 1.0, 1
    f = np.zeros(len(d))
    for t in range(1, len(d)):
        if d[t] > 0:
            z = alpha * d[t] + (1 - alpha) * z
            p = alpha * q + (1 - alpha) * p
            q = 1
        else:
            q += 1
        f[t] = z / p
    return f


def northwest_corner_while(supply, demand):
    s, d = supply.copy(), demand.copy()
    alloc = np.zeros((len(s), len(d)))
    i = j = 0
    while i < len(s) and j < len(d):
        q = min(s[i], d[j])
        alloc[i, j] = q
        s[i] -= q
        d[j] -= q
        if s[i] == 0:
            i += 1
        else:
            j += 1
    return alloc


def lambda_iteration_tolerance(demand, tol=1e-3):
    lam, step = 6.0, 0.002
    P = np.clip((lam - B_COEF) / (2 * C_COEF), PMIN, PMAX)
    while abs(demand - P.sum()) > tol:
        lam += step * (demand - P.sum())
        P = np.clip((lam - B_COEF) / (2 * C_COEF), PMIN, PMAX)
    return lam, P


def silver_meal(d, K=100.0, h=1.0):
    # extend the lot while the average cost per period falls
    T = len(d)
    lots = np.zeros(T)
    t = 0
    while t < T:
        best_avg, k = K, 1
        while t + k < T:
            carry = h * np.sum(d[t:t + k + 1] * np.arange(k + 1))
            avg = (K + carry) / (k + 1)
            if avg > best_avg:
                break
            best_avg, k = avg, k + 1
        lots[t] = d[t:t + k].sum()
        t += k
    return lots


def wagner_whitin_plan(d, K=100.0, h=1.0):
    F, choice = wagner_whitin_cost(d, K, h)
    t = len(d)
    lots = np.zeros(len(d))
    while t > 0:
        j = int(choice[t])
        lots[j] = d[j:t].sum()
        t = j
    return lots


def class_a_items(values):
    order = np.argsort(values)[::-1]
    share = np.cumsum(values[order]) / values.sum()
    return order[share <= 0.8]


def critical_activities(dur):
    T, ES, LF, slack, crit = cpm_adjacency_result(dur)
    return np.where(np.isclose(slack, 0))[0]


def cpm_adjacency_result(dur):
    ES, LS, slack = cpm_adjacency(dur)
    return (ES + dur).max(), ES, LS + dur, slack, np.isclose(slack, 0)


def stockout_days(inv):
    return np.nonzero(inv < 0)[0]


def agents_needed(lam, aht, target=0.2):
    c = int(np.ceil(lam * aht)) + 1
    while erlang_c_loop(lam, 1 / aht, c)[0] > target:
        c += 1
    return c


def product_mix_linprog(profit, A, b):
    res = scipy.optimize.linprog(-profit, A_ub=A, b_ub=b, bounds=[(0, None)] * len(profit))
    return res.x, -res.fun


def ses_fit_minimize_scalar(y):
    def sse(alpha):
        level = y[0]
        err = 0.0
        for v in y[1:]:
            err += (v - level) ** 2
            level = alpha * v + (1 - alpha) * level
        return err

    return scipy.optimize.minimize_scalar(sse, bounds=(0.01, 0.99), method="bounded").x


def routes_in_use(route):
    return len(np.unique(route))


def custom_demand_distribution(pk):
    # an empirical demand pmf as a scipy distribution, its 90% quantile as the order
    dist = scipy.stats.rv_discrete(values=(np.arange(len(pk)) * 10, pk))
    return dist.ppf(0.9), dist.mean()


def eoq_report(D, S, H):
    Q = np.sqrt(2 * D * S / H)
    for k, q in enumerate(Q):
        print(f"item {k}: order {q:.0f} units every {q / D[k] * WORKING_DAYS:.1f} days")
    return Q


def checked_chain(P, steps=5):
    assert np.allclose(P.sum(axis=1), 1.0), "rows must sum to one"
    return np.linalg.matrix_power(P, steps)


def stationary_null_space(P):
    v = scipy.linalg.null_space(P.T - np.eye(P.shape[0]))[:, 0]
    return v / v.sum()


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "sS_python_if_on_inventory": (_Concretization, sS_python_if, lambda s: (
        _demand(s, 10, lam=8).astype(float), 10.0, 40.0)),
    "croston_python_if_on_demand": (_Concretization, croston_python_if, lambda s: (
        _intermittent(s, 12).astype(float),)),
    "northwest_corner_while_loop": (_Concretization, northwest_corner_while, lambda s: (
        *_transport(s, 3, 4),)),
    "silver_meal_break": (_Concretization, silver_meal, lambda s: (
        _demand(s, 8, lam=30).astype(float),)),
    "wagner_whitin_backtrack_int": (_Concretization, wagner_whitin_plan, lambda s: (
        _demand(s, 6, lam=30).astype(float),)),
    "abc_class_a_boolean_selection": (_DataDependent, class_a_items, lambda s: (
        _distinct(s, 12, 1, 500),)),
    "critical_path_np_where_indices": (_DataDependent, critical_activities, lambda s: (
        _pos(s, 8, lo=1, hi=8),)),
    "stockout_days_nonzero": (_DataDependent, stockout_days, lambda s: (
        inventory_balance_inplace(np.where(np.arange(12) % 3 == 0, 30.0, 0.0),
                                  _demand(s, 12, lam=9).astype(float), 5.0)[0],)),
    "linprog_product_mix": (_Concretization, product_mix_linprog, lambda s: (
        np.array([3.0, 5.0 + s]), np.array([[1.0, 0], [0, 2], [3, 2]]),
        np.array([4.0, 12, 18]))),
    "ses_minimize_scalar_closure": (_Concretization, ses_fit_minimize_scalar, lambda s: (
        _pos(s, 12, lo=10, hi=30),)),
    "routes_len_np_unique": (_DataDependent, routes_in_use, lambda s: (_i(4, 9, seed=s),)),
    "rv_discrete_traced_pmf": (_Concretization, custom_demand_distribution, lambda s: (
        _stochastic(s, 5)[0],)),
    "eoq_report_fstring_print": (_Concretization, eoq_report, lambda s: (
        _pos(s, 3, lo=500, hi=5000), 50.0, 2.0)),
    "chain_assert_allclose": (_Concretization, checked_chain, lambda s: (_stochastic(s, 4),)),
    "stationary_scipy_null_space": (_DataDependent, stationary_null_space, lambda s: (
        _stochastic(s, 4),)),
    "simplex_mask_other_rows": (_DataDependent, simplex_mask_other_rows, lambda s: (
        _pos(s, 4, 6), np.argmin(_pos(s, 4)), 2)),
}


STEERED_LOOPS = {
    "lambda_iteration_while_tolerance": (lambda_iteration_tolerance, lambda s: (
        600.0 + 50 * s,)),
    "staffing_while_erlang_c": (agents_needed, lambda s: (0.5 + 0.1 * s, 8.0)),
}


@pytest.mark.parametrize("name", _names(STEERED_LOOPS))
def test_loops_on_python_scalar_arguments_are_made_static(name):
    """A dispatch tolerance loop and a staffing search whose conditions are computed from
    Python float arguments alone: those arguments made static, NumPy's values."""
    check_steered(*STEERED_LOOPS[name])


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """`if` on inventory and demand, NW corner and Silver-Meal `while` loops, plan backtracking
    by `int()`, class and critical-path selections, `np.nonzero` days, `linprog`,
    `minimize_scalar` of a closure, `len(np.unique(...))`, a masked pivot elimination,
    `rv_discrete` of a traced pmf, f-string reports, `assert np.allclose`, `null_space`: the
    named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
