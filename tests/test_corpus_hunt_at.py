"""Corpus, hunt AT: time-indexed and tabular data handled with plain NumPy, as pandas-free
scripts, IoT and sensor-logging code, finance back-office scripts and data-engineering
notebooks write them.

Datetimes (elapsed seconds by `/ np.timedelta64(1, "s")` and by `.astype("timedelta64[s]")
.astype(int)`, intervals in milliseconds, medians of timedeltas, flooring to 15 minutes on the
int64 view, hours of the day by differences, weekdays by `(d.view("int64") - 4) % 7` and by
`astype(int)`, business-hour masks, month starts and ends, days in a month, the
StackOverflow year/month/day split, days of the year, quarters, month ends, epochs by floor
division and from millisecond counters, cyclic time features, a clock stepped back held
monotonic by `np.maximum.accumulate` (of the datetimes and of their int64 view), a mean
timestamp, expiries from a datetime64 scalar argument, coupon schedules by month arithmetic,
ACT/365 accrual, invoices overdue with NaT, `np.nanmax`/`np.nanmin` of datetimes with NaT,
`searchsorted` cutoffs, time-zone offsets, sorts, months between dates, the last business day
by weekday arithmetic), gaps and resampling (gap and session ids from a timedelta64 argument,
hourly bins by `np.add.at` and bounded `np.bincount`, `np.digitize` on int64 seconds, bin
means by `searchsorted` and cumsum, `np.add.reduceat`, OHLC bars by reshape, `np.interp` onto
grids and another sensor's clock, as-of joins, the nearest timestamp by `np.abs` of
timedeltas, a 168-bin weekly profile, time-weighted means, energy by `np.trapezoid`, counter
rates and resets, stale heartbeats, a histogram of intervals), rolling windows and fills
(cumsum differences, `np.convolve`, `sliding_window_view` statistics, edge-padded medians, a
Hampel filter, rolling z-scores, NaN-aware windows, forward fills by
`np.maximum.accumulate(idx, out=idx)` in 1-D and by rows, a backward fill, the fill's age in
seconds, gap interpolation by accumulated indices and by `np.interp` over the valid samples, an EWMA on an irregular clock, drawdowns, returns and
volatilities, debouncing), tables without pandas (a dict of columns, P&L by trader, positions
and average cost, sorts by a column, `np.lexsort` on two and three keys, group-bys by
`np.unique(..., return_inverse=True)`, `np.add.at`, `np.maximum.at`, one-hot sums and sorted
runs, pivots by `np.add.at` and `ravel_multi_index`, filters reduced where they are made,
currency and unit lookups from dicts, aging buckets, money rounding, ranks, de-duplication
masks, column imputation in place), missing values and outliers (`np.ma.masked_invalid`,
`masked_values`, `masked_where`, `masked_outside`, `np.ma.array(mask=)`, `np.ma.divide`,
`np.ma.median`, `np.ma.average`, `np.ma.fix_invalid`, `np.ma.mask_or`, NaN-aware statistics
and percentiles, `nanargmax`, z-score, IQR and MAD flags, percentile clipping with `out=`,
calibration by `np.polyval`, stuck sensors by `np.ptp`), and states (run ids, positions and
lengths at full length, the longest run, time in each state, transition matrices, threshold
crossings, a hysteresis loop, duty cycles, event masks).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Reduceat bin widths, window lengths, grid steps and
counts, hour-bin counts, a gap threshold given to `np.timedelta64`, coupon counts and bar
sizes given positionally are made static; structured and record arrays (fields, sorts and
lexsorts by fields, filters, field writes, `structured_to_unstructured`, `np.rec.fromarrays`),
`np.unique`'s counts, run-length encodings by `flatnonzero`, gaps and day boundaries as
indices, selections of de-duplicated samples, a forward fill by a Python `if` in a loop, the
business-day functions, `np.datetime_as_string`, an `np.arange` between traced timestamps, an
`if` on a gap, `MaskedArray.argmax` and a write into a masked array are refused with a named
error and run eagerly under `fallback=True`. The hunt found, and this stop fixed, running
extrema of datetimes, `np.datetime64`/`np.timedelta64` constructors of traced scalars,
`np.ma.median`, `np.ma.average`, `np.ma.fix_invalid`, `np.ma.mask_or` and the `TypeError` of
a masked write (now a named refusal).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp

T0 = np.datetime64("2024-03-01T00:00:00", "s")
EPOCH = np.datetime64("1970-01-01T00:00:00", "s")


def _ts(seed, n, lo=1, hi=900):
    # sorted, irregular timestamps in seconds, as a logger writes them
    r = np.random.default_rng(seed)
    steps = r.integers(lo, hi, n)
    return T0 + np.timedelta64(3600 * seed + 17 * seed, "s") + np.cumsum(steps).astype(
        "timedelta64[s]")


def _dates(seed, n):
    # unsorted calendar dates over about three years
    r = np.random.default_rng(seed)
    return np.datetime64("2022-01-01") + r.integers(0, 1100, n).astype("timedelta64[D]")


def _nan(seed, *shape, frac=0.2, loc=20.0, scale=3.0):
    # sensor readings with dropouts as NaN; the first sample always valid
    r = np.random.default_rng(seed)
    x = loc + scale * r.standard_normal(shape)
    x[r.random(shape) < frac] = np.nan
    x.reshape(-1)[0] = loc
    return x


def _u01(seed, n):
    return np.random.default_rng(seed).random(n)


def _clock_back(seed, n):
    # a clock stepped back by a few minutes twice
    ts = _ts(seed, 5 * n, hi=300)
    return ts - np.timedelta64(400, "s") * ((np.arange(5 * n) >= 3) & (np.arange(5 * n) < 5)) \
        - np.timedelta64(200, "s") * (np.arange(5 * n) == 4 * n)


def _prices(seed, n, p0=100.0):
    r = np.random.default_rng(seed)
    return p0 * np.exp(np.cumsum(0.01 * r.standard_normal(n)))


# ================================================================ datetime64 arithmetic


def elapsed_seconds(ts):
    # the usual: seconds since the first sample as floats
    return (ts - ts[0]) / np.timedelta64(1, "s")


def elapsed_seconds_astype_int(ts):
    # the same through a unit cast and astype(int)
    return (ts - ts[0]).astype("timedelta64[s]").astype(int)


def sample_intervals_ms(ts):
    dt = np.diff(ts)
    return dt.astype("timedelta64[ms]").astype(np.int64)


def sampling_stats(ts):
    # the logger's health check: median interval, jitter and total span in hours
    dt = np.diff(ts) / np.timedelta64(1, "s")
    span_h = (ts.max() - ts.min()) / np.timedelta64(1, "h")
    return np.median(dt), dt.std(), span_h


def median_interval_timedelta(ts):
    # np.median of timedeltas directly, then into seconds
    med = np.median(np.diff(ts))
    return med, med / np.timedelta64(1, "s")


def floor_to_15min(ts):
    # floor to quarter hours on the int64 view, back to datetimes
    q = np.timedelta64(15, "m").astype("timedelta64[s]").astype(np.int64)
    secs = ts.astype("datetime64[s]").astype(np.int64)
    return (secs // q * q).astype("datetime64[s]")


def hour_of_day(ts):
    day = ts.astype("datetime64[D]")
    return (ts - day).astype("timedelta64[h]").astype(int)


def day_of_week_view(ts):
    # 1970-01-01 was a Thursday: shift so Monday is 0
    return (ts.astype("datetime64[D]").view("int64") - 4) % 7


def day_of_week_astype(dates):
    return (dates.astype("datetime64[D]").astype(int) + 3) % 7


def business_hours_mask(ts):
    day = ts.astype("datetime64[D]")
    hour = (ts.astype("datetime64[h]") - day).astype(int)
    dow = (day.astype(np.int64) - 4) % 7
    return (hour >= 9) & (hour < 17) & (dow < 5)


def month_start_end(dates):
    m = dates.astype("datetime64[M]")
    start = m.astype("datetime64[D]")
    end = (m + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return start, end


def days_in_month(dates):
    m = dates.astype("datetime64[M]")
    return ((m + 1).astype("datetime64[D]") - m.astype("datetime64[D]")).astype(int)


def year_month_day(dates):
    # the StackOverflow answer: three casts and differences
    Y, M, D = [dates.astype(f"datetime64[{kind}]") for kind in "YMD"]
    years = Y.astype(int) + 1970
    months = (M - Y).astype(int) + 1
    days = (D - M).astype(int) + 1
    return years, months, days


def day_of_year(dates):
    return (dates.astype("datetime64[D]") - dates.astype("datetime64[Y]")).astype(int) + 1


def quarter_of(dates):
    month0 = dates.astype("datetime64[M]").astype(int) % 12
    return month0 // 3 + 1


def is_month_end(dates):
    return (dates + np.timedelta64(1, "D")).astype("datetime64[M]") != dates.astype(
        "datetime64[M]")


def unix_epoch_seconds(ts):
    return (ts - np.datetime64("1970-01-01T00:00:00")) // np.timedelta64(1, "s")


def epoch_ms_to_datetime(ms):
    # a device's millisecond counter into datetimes, two ways
    a = ms.astype("datetime64[ms]")
    b = np.datetime64(0, "ms") + ms.astype("timedelta64[ms]")
    return a, b, a.astype("datetime64[s]")


def seconds_since_midnight(ts):
    return (ts - ts.astype("datetime64[D]")).astype("timedelta64[s]").astype(np.int64)


def cyclic_time_features(ts):
    # sin/cos encodings of the hour and the weekday for a model
    sec = (ts - ts.astype("datetime64[D]")) / np.timedelta64(1, "s")
    dow = (ts.astype("datetime64[D]").astype(np.int64) - 4) % 7
    return np.column_stack([np.sin(2 * np.pi * sec / 86400), np.cos(2 * np.pi * sec / 86400),
                            np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7)])


def monotonic_clock_fix(ts):
    # an NTP step makes the logger's clock jump back: hold the running maximum
    fixed = np.maximum.accumulate(ts)
    return fixed, (fixed != ts).sum()


def monotonic_clock_int64_view(ts):
    # the same on the int64 view, back to datetimes
    fixed = np.maximum.accumulate(ts.view("i8")).view(ts.dtype)
    return fixed, np.diff(fixed) / np.timedelta64(1, "s")


def hours_since_first_midnight(ts):
    midnight = np.datetime64(ts[0], "D")
    return (ts - midnight) / np.timedelta64(1, "h")


def mean_timestamp(ts):
    t0 = ts[0]
    return t0 + (ts - t0).mean()


def time_to_expiry_years(maturities, today):
    # option desk: a datetime64 scalar argument for today
    days = (maturities - today).astype("timedelta64[D]").astype(int)
    return np.maximum(days, 0) / 365.0, days <= 0


def coupon_schedule(issue, n_coupons=8, months=6):
    m = issue.astype("datetime64[M]")[:, None] + months * np.arange(1, n_coupons + 1)
    day = (issue - issue.astype("datetime64[M]")).astype(int)
    return m.astype("datetime64[D]") + day[:, None]


def accrued_interest_act365(last_coupon, settle, coupon_rate, face):
    days = (settle - last_coupon).astype("timedelta64[D]") / np.timedelta64(1, "D")
    return face * coupon_rate * days / 365.0


def invoice_days_overdue(due, paid, asof):
    # unpaid invoices are NaT in paid; overdue days as of a date
    end = np.where(np.isnat(paid), asof, paid)
    overdue = (end - due).astype("timedelta64[D]").astype(np.int64)
    return np.clip(overdue, 0, None), np.isnat(paid)


def nat_aware_span(ts):
    # NaT where the logger lost its clock; nanmax/nanmin skip them
    return np.nanmax(ts) - np.nanmin(ts), np.isnat(ts).sum()


def latest_before(ts, cutoff):
    # the last sample not after a cutoff timestamp
    i = np.searchsorted(ts, cutoff, side="right") - 1
    return i, ts[i]


def timezone_shift(ts_utc, offsets_h):
    # per-device UTC offsets in hours from a lookup
    return ts_utc + offsets_h.astype("timedelta64[h]")


def dst_naive_local_hour(ts_utc, offset_h):
    local = ts_utc + np.timedelta64(1, "h") * offset_h
    return (local.astype("datetime64[h]") - local.astype("datetime64[D]")).astype(int)


def sort_by_timestamp(ts, values):
    order = np.argsort(ts, kind="stable")
    return ts[order], values[order]


def is_sorted_in_time(ts):
    return bool(np.all(np.diff(ts) >= np.timedelta64(0, "s")))


def months_between(d0, d1):
    return (d1.astype("datetime64[M]") - d0.astype("datetime64[M]")).astype(int)


def last_business_day_of_month(dates):
    # back off Saturdays and Sundays from the month end
    end = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    dow = (end.astype(np.int64) - 4) % 7
    back = np.where(dow == 5, 1, np.where(dow == 6, 2, 0))
    return end - back


# ================================================== gaps, binning and resampling over time


def gap_flags(ts, max_gap_s=600):
    gaps = np.diff(ts) > np.timedelta64(max_gap_s, "s")
    segment = np.concatenate([[0], np.cumsum(gaps)])
    return gaps.sum(), segment


def session_ids_timedelta_arg(ts, timeout):
    # a timedelta64 scalar argument for the session timeout
    new_session = np.r_[True, np.diff(ts) > timeout]
    return np.cumsum(new_session) - 1


def hourly_bins_add_at(ts, values, start, n_hours=24):
    idx = ((ts - start) // np.timedelta64(1, "h")).astype(int)
    idx = np.clip(idx, 0, n_hours - 1)
    sums = np.zeros(n_hours)
    counts = np.zeros(n_hours, dtype=int)
    np.add.at(sums, idx, values)
    np.add.at(counts, idx, 1)
    with np.errstate(invalid="ignore"):
        return sums / counts, counts


def hourly_bincount_minlength(ts, values, start, n_hours=24):
    h = ((ts - start) / np.timedelta64(1, "h")).astype(int)
    h = np.clip(h, 0, n_hours - 1)
    count = np.bincount(h, minlength=n_hours)
    total = np.bincount(h, weights=values, minlength=n_hours)
    return total / np.maximum(count, 1), count


def digitize_into_time_edges(ts, edges):
    # fixed bin edges given as datetimes: digitize on the int64 seconds
    return np.digitize(ts.astype(np.int64), edges.astype(np.int64))


def resample_mean_searchsorted(ts, values, edges):
    # bin means over time edges with searchsorted and a cumsum
    idx = np.searchsorted(ts, edges)
    c = np.concatenate([[0.0], np.cumsum(values)])
    n = np.diff(idx)
    s = c[idx[1:]] - c[idx[:-1]]
    return np.where(n > 0, s / np.maximum(n, 1), np.nan), n


def fixed_rate_reduceat(values, per_bin=6):
    # minute data to bins of fixed length by np.add.reduceat
    starts = np.arange(0, len(values), per_bin)
    return np.add.reduceat(values, starts) / np.diff(np.r_[starts, len(values)])


def resample_reshape_ohlc(prices, k=5):
    n = len(prices) // k * k
    bars = prices[:n].reshape(-1, k)
    return np.column_stack([bars[:, 0], bars.max(axis=1), bars.min(axis=1), bars[:, -1]])


def regular_grid_interp(ts, values, step_s=300, n_out=12):
    # upsample onto a fixed grid from the first sample by np.interp on float seconds
    t = (ts - ts[0]) / np.timedelta64(1, "s")
    grid = np.arange(n_out) * step_s
    return ts[0] + grid.astype("timedelta64[s]"), np.interp(grid, t, values)


def interp_to_other_clock(ta, va, tb):
    # align sensor a onto sensor b's clock by interpolating on epoch seconds
    xa = ta.astype("datetime64[s]").astype(np.float64)
    xb = tb.astype("datetime64[s]").astype(np.float64)
    return np.interp(xb, xa, va, left=np.nan, right=np.nan)


def asof_join(ta, a, tb, b):
    # last value of b at or before each a timestamp
    idx = np.searchsorted(tb, ta, side="right") - 1
    valid = idx >= 0
    idx = np.clip(idx, 0, len(tb) - 1)
    return np.where(valid, a - b[idx], np.nan)


def nearest_timestamp(ts, queries):
    i = np.clip(np.searchsorted(ts, queries), 1, len(ts) - 1)
    left, right = ts[i - 1], ts[i]
    pick = np.where(np.abs(queries - left) <= np.abs(right - queries), i - 1, i)
    return pick, np.abs(ts[pick] - queries) / np.timedelta64(1, "s")


def hour_of_week_profile(ts, values):
    # the 168-bin weekly load profile
    day = ts.astype("datetime64[D]")
    how = ((day.astype(np.int64) - 4) % 7) * 24 + (ts.astype("datetime64[h]") - day).astype(int)
    tot = np.bincount(how, weights=values, minlength=168)
    cnt = np.bincount(how, minlength=168)
    return tot / np.maximum(cnt, 1)


def time_weighted_average(ts, values):
    dt = np.diff(ts) / np.timedelta64(1, "s")
    return np.sum(values[:-1] * dt) / dt.sum()


def trapezoid_energy_kwh(ts, power_w):
    # integrate a power meter over time
    t_h = (ts - ts[0]) / np.timedelta64(1, "h")
    return np.trapezoid(power_w, t_h) / 1000.0


def rate_per_second(ts, counter):
    dt = np.diff(ts) / np.timedelta64(1, "s")
    return np.diff(counter) / dt


def counter_reset_deltas(counter):
    # a cumulative counter that wraps to zero on reboot
    d = np.diff(counter)
    return np.where(d < 0, counter[1:], d)


def heartbeat_stale(last_seen, now, threshold=np.timedelta64(5, "m")):
    age = now - last_seen
    return age > threshold, age.astype("timedelta64[s]").astype(np.int64)


def histogram_of_intervals(ts):
    dt = np.diff(ts) / np.timedelta64(1, "s")
    return np.histogram(dt, bins=[0, 60, 300, 900, 3600])


# ======================================================== rolling windows and fills


def rolling_mean_cumsum(x, w=5):
    c = np.cumsum(np.insert(x, 0, 0))
    return (c[w:] - c[:-w]) / w


def rolling_mean_convolve(x, w=5):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def rolling_window_stats(x, w=4):
    win = sliding_window_view(x, w)
    return win.mean(axis=-1), win.std(axis=-1), win.max(axis=-1) - win.min(axis=-1)


def rolling_median_padded(x, w=5):
    # centred, edges padded with the edge values
    pad = w // 2
    xp = np.pad(x, pad, mode="edge")
    return np.median(sliding_window_view(xp, w), axis=1)


def hampel_filter(x, w=3, n_sigmas=3.0):
    k = 1.4826
    xp = np.pad(x, w, mode="reflect")
    win = sliding_window_view(xp, 2 * w + 1)
    med = np.median(win, axis=1)
    mad = k * np.median(np.abs(win - med[:, None]), axis=1)
    outlier = np.abs(x - med) > n_sigmas * mad
    return np.where(outlier, med, x), outlier


def rolling_zscore_anomaly(x, w=6, thresh=2.0):
    win = sliding_window_view(x[:-1], w)
    mu, sd = win.mean(axis=1), win.std(axis=1)
    z = (x[w:] - mu) / np.where(sd == 0, 1, sd)
    return np.r_[np.zeros(w, dtype=bool), np.abs(z) > thresh]


def rolling_nanmean_window(x, w=4):
    return np.nanmean(sliding_window_view(x, w), axis=-1)


def rolling_sum_cumsum_nan(x, w=3):
    # NaNs treated as zero, counts of valid samples per window
    v = np.nan_to_num(x)
    ok = (~np.isnan(x)).astype(int)
    cs, cn = np.cumsum(v), np.cumsum(ok)
    s = cs[w - 1:] - np.r_[0, cs[:-w]]
    n = cn[w - 1:] - np.r_[0, cn[:-w]]
    return s, n


def ffill_maximum_accumulate(arr):
    # the StackOverflow forward fill
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return arr[idx]


def ffill_2d_rows(arr):
    # the 2-D version along each row
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    return arr[np.arange(idx.shape[0])[:, None], idx]


def bfill_reversed(arr):
    mask = np.isnan(arr)
    n = len(arr)
    idx = np.where(~mask, np.arange(n), n - 1)
    idx = np.minimum.accumulate(idx[::-1])[::-1]
    return arr[idx]


def ffill_with_limit_age(ts, x):
    # forward fill, and how stale the filled value is in seconds
    valid = ~np.isnan(x)
    idx = np.maximum.accumulate(np.where(valid, np.arange(len(x)), 0))
    age = (ts - ts[idx]) / np.timedelta64(1, "s")
    return x[idx], age


def interp_nan_gaps_by_index(y):
    # linear fill between the neighbouring valid samples, found by accumulated indices
    idx = np.arange(len(y))
    good = ~np.isnan(y)
    prev = np.maximum.accumulate(np.where(good, idx, 0))
    nxt = np.minimum.accumulate(np.where(good, idx, len(y) - 1)[::-1])[::-1]
    frac = (idx - prev) / np.maximum(nxt - prev, 1)
    return np.where(good, y, y[prev] + frac * (y[nxt] - y[prev]))


def interp_nan_selection(y):
    # the StackOverflow answer: np.interp over the valid samples, written into a copy
    nans = np.isnan(y)
    x = np.arange(len(y))
    y = y.copy()
    y[nans] = np.interp(x[nans], x[~nans], y[~nans])
    return y


def ewma_irregular_time(ts, x, tau_s=600.0):
    # an EWMA whose decay follows the irregular sampling interval
    dt = np.diff(ts) / np.timedelta64(1, "s")
    a = 1 - np.exp(-dt / tau_s)
    out = [x[0]]
    for i in range(1, len(x)):
        out.append(out[-1] + a[i - 1] * (x[i] - out[-1]))
    return np.array(out)


def drawdown_series(prices):
    peak = np.maximum.accumulate(prices)
    dd = prices / peak - 1.0
    end = np.argmin(dd)
    start = np.argmax(np.where(np.arange(len(prices)) <= end, prices, -np.inf))
    return dd, dd.min(), start, end


def pct_change_log_returns(prices):
    pct = prices[1:] / prices[:-1] - 1
    logr = np.diff(np.log(prices))
    return pct, logr, np.sqrt(252) * logr.std(ddof=1)


def rolling_volatility_windows(prices, w=5):
    r = np.diff(np.log(prices))
    return sliding_window_view(r, w).std(axis=1, ddof=1) * np.sqrt(252)


def debounce_states(sig, n=3):
    # a state counts as on after n consecutive on samples
    on = sig > 0.5
    win = sliding_window_view(np.r_[np.zeros(n - 1, dtype=bool), on], n)
    return win.all(axis=1)


# ============================================================= tabular data without pandas


def vwap_dict_of_columns(trades):
    # a "table" as a dict of equal-length arrays
    notional = trades["price"] * trades["qty"]
    return notional.sum() / trades["qty"].sum(), notional


def pnl_by_trader_bincount(trader, side, qty, price, n_traders=4):
    signed = np.where(side == 1, -1.0, 1.0) * qty * price
    return np.bincount(trader, weights=signed, minlength=n_traders)


def position_and_avg_cost(qty_signed, price):
    pos = np.cumsum(qty_signed)
    cost = np.cumsum(qty_signed * price)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(pos != 0, cost / pos, 0.0)
    return pos, avg


def sort_table_by_column(table, col=2):
    return table[table[:, col].argsort()]


def lexsort_date_then_id(dates, ids, amounts):
    order = np.lexsort((ids, dates))
    return dates[order], ids[order], amounts[order]


def lexsort_three_keys_table(table):
    # last key is primary: region, then product, then descending amount
    order = np.lexsort((-table[:, 2], table[:, 1], table[:, 0]))
    return table[order]


def unique_inverse_group_sum(keys, values):
    _, inv = np.unique(keys, return_inverse=True)
    return np.bincount(inv, weights=values, minlength=len(keys))


def group_mean_by_int_key(key, values, n_groups=5):
    sums = np.zeros(n_groups)
    cnts = np.zeros(n_groups)
    np.add.at(sums, key, values)
    np.add.at(cnts, key, 1)
    with np.errstate(invalid="ignore"):
        return sums / cnts


def group_max_maximum_at(key, values, n_groups=5):
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, key, values)
    return out


def group_mean_onehot(key, values, n_groups=4):
    onehot = key[:, None] == np.arange(n_groups)
    counts = onehot.sum(axis=0)
    return (onehot * values[:, None]).sum(axis=0) / np.maximum(counts, 1), counts


def group_sorted_reduceat(key, values):
    # sort by key, then the segment sums via reduceat at every position's run start
    order = np.argsort(key, kind="stable")
    k, v = key[order], values[order]
    first = np.r_[True, k[1:] != k[:-1]]
    run = np.cumsum(first) - 1
    totals = np.zeros(len(k))
    np.add.at(totals, run, v)
    return totals[run], first


def pivot_add_at(rows, cols, vals, n_rows=3, n_cols=4):
    table = np.zeros((n_rows, n_cols))
    np.add.at(table, (rows, cols), vals)
    return table, table.sum(axis=0), table.sum(axis=1)


def pivot_by_ravel_multi_index(day, hour, vals, n_days=3):
    flat = np.ravel_multi_index((day, hour), (n_days, 24))
    return np.bincount(flat, weights=vals, minlength=n_days * 24).reshape(n_days, 24)


def filter_rows_aggregate(table, threshold=0.0):
    mask = table[:, 1] > threshold
    return table[mask, 2].sum(), mask.sum(), table[mask, 2].mean()


def currency_convert_dict(amounts, ccy_code, rates):
    # rates is a dict {code: rate}; codes are small ints
    rate_arr = np.array([rates["USD"], rates["EUR"], rates["GBP"]])
    return amounts * rate_arr[ccy_code]


def unit_conversion_lookup(values, unit):
    # 0 = degC, 1 = degF, 2 = K, all to degC
    scale = np.array([1.0, 5.0 / 9.0, 1.0])
    offset = np.array([0.0, -32.0 * 5.0 / 9.0, -273.15])
    return values * scale[unit] + offset[unit]


def unit_dict_of_functions(readings):
    # a dict of column arrays, each converted by its own rule
    conv = {"temp_f": lambda v: (v - 32) * 5 / 9, "press_psi": lambda v: v * 6.894757,
            "speed_mph": lambda v: v * 0.44704}
    return {k: conv[k](v) for k, v in readings.items()}


def invoice_aging_buckets(days_overdue, amounts):
    bucket = np.digitize(days_overdue, [1, 31, 61, 91])
    return np.bincount(bucket, weights=amounts, minlength=5), np.bincount(bucket, minlength=5)


def money_rounding(x):
    cents = np.round(x * 100).astype(np.int64)
    return cents, cents / 100, np.floor(x * 100) / 100


def rank_within_table(scores):
    order = scores.argsort()
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(scores))
    return ranks


def dense_rank_by_unique(scores):
    return np.unique(scores, return_inverse=True)[1]


def first_occurrence_mask(ids):
    # de-duplication mask keeping the first row of each id, in the original order
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    first = np.r_[True, s[1:] != s[:-1]]
    keep = np.empty(len(ids), dtype=bool)
    keep[order] = first
    return keep


def last_occurrence_mask_timestamps(ts):
    # duplicate timestamps on a sorted log: keep the last reading of each
    return np.r_[ts[1:] != ts[:-1], True]


def column_stack_features(temp, hum, ts):
    hour = ts.astype("datetime64[h]").astype(np.int64) % 24
    return np.column_stack([temp, hum, hour.astype(float), temp * hum])


def fillna_column_means(X):
    # sklearn-free imputation: column means where NaN, argument written in place
    col_mean = np.nanmean(X, axis=0)
    inds = np.where(np.isnan(X))
    X[inds] = np.take(col_mean, inds[1])
    return X


# ==================================================== masked arrays and NaN-aware stats


def masked_invalid_column_means(X):
    m = np.ma.masked_invalid(X)
    return m.mean(axis=0).filled(np.nan), m.count(axis=0)


def masked_sentinel_values(x):
    # a logger writes -9999 for a missing reading
    m = np.ma.masked_values(x, -9999.0)
    return np.ma.mean(m), m.std(), m.filled(np.nan)


def masked_where_out_of_range(x, lo=-40.0, hi=85.0):
    m = np.ma.masked_where((x < lo) | (x > hi), x)
    return m.filled(np.nan), np.ma.median(m)


def masked_outside_stats(x):
    m = np.ma.masked_outside(x, 15.0, 25.0)
    return m.mean(), m.min(), m.max(), m.count()


def masked_array_nan_mask_sum(X):
    m = np.ma.array(X, mask=np.isnan(X))
    return m.sum(axis=1).filled(0.0), np.ma.getmaskarray(m).sum(axis=1)


def masked_anomaly_from_climatology(X):
    m = np.ma.masked_invalid(X)
    clim = m.mean(axis=0)
    return (m - clim).filled(0.0)


def masked_ratio_divide(a, b):
    # np.ma.divide masks the zero denominators
    return np.ma.divide(a, b).filled(np.nan)


def masked_average_weights(x, w):
    m = np.ma.masked_invalid(x)
    return np.ma.average(m, weights=w)


def fix_invalid_sentinel(x):
    # np.ma.fix_invalid masks NaN and inf and fills them with the sentinel
    m = np.ma.fix_invalid(x, fill_value=-9999.0)
    return m.mean(), m.filled()


def masked_pair_difference(a, b):
    # two sensors compared where both reported
    mask = np.ma.mask_or(np.isnan(a), np.isnan(b))
    d = np.ma.array(a - b, mask=mask)
    return d.mean(), d.std()


def nanmean_sentinel_where(x):
    return np.nanmean(np.where(x == -9999.0, np.nan, x))


def nan_stats_per_sensor(X):
    return (np.nanmean(X, axis=0), np.nanstd(X, axis=0), np.nanmin(X, axis=0),
            np.nanmax(X, axis=0), np.nanmedian(X, axis=0))


def nanpercentile_bands(X):
    p = np.nanpercentile(X, [5, 25, 50, 75, 95], axis=0)
    return p, p[3] - p[1]


def nanargmax_peak_time(ts, X):
    i = np.nanargmax(X, axis=0)
    return ts[i], np.nanmax(X, axis=0)


def zscore_outliers_nan(x, thresh=2.0):
    z = (x - np.nanmean(x)) / np.nanstd(x)
    return np.abs(z) > thresh, z


def iqr_outlier_flags(x):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    return (x < lo) | (x > hi), lo, hi


def iqr_per_column(X, k=1.5):
    q1 = np.percentile(X, 25, axis=0)
    q3 = np.percentile(X, 75, axis=0)
    iqr = q3 - q1
    return ((X < q1 - k * iqr) | (X > q3 + k * iqr)).sum(axis=0)


def modified_zscore_mad(x):
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    return 0.6745 * (x - med) / mad


def nan_quantile_clip_inplace(X):
    # clip each column to its 1st/99th nan-percentile, in place
    lo = np.nanpercentile(X, 1, axis=0)
    hi = np.nanpercentile(X, 99, axis=0)
    np.clip(X, lo, hi, out=X)
    return X


def sensor_calibration_polyval(raw, coeffs):
    return np.polyval(coeffs, raw)


def stuck_sensor_flags(x, w=4):
    # a reading that does not change for w samples
    win = sliding_window_view(x, w)
    stuck = np.ptp(win, axis=1) == 0
    return np.r_[np.zeros(w - 1, dtype=bool), stuck]


# ==================================================== states, runs and de-duplication


def run_ids_and_lengths(states):
    # run-length encoding kept at full length: run id, position in run, run length
    change = np.r_[True, states[1:] != states[:-1]]
    run = np.cumsum(change) - 1
    start_idx = np.maximum.accumulate(np.where(change, np.arange(len(states)), 0))
    pos = np.arange(len(states)) - start_idx
    lengths = np.bincount(run, minlength=len(states))
    return run, pos, lengths[run]


def longest_true_run(b):
    c = np.cumsum(b)
    reset = np.maximum.accumulate(np.where(~b, c, 0))
    return (c - reset).max()


def time_in_state_bincount(ts, states, n_states=3):
    dt = np.diff(ts) / np.timedelta64(1, "s")
    return np.bincount(states[:-1], weights=dt, minlength=n_states)


def transition_matrix_add_at(states, k=3):
    T = np.zeros((k, k))
    np.add.at(T, (states[:-1], states[1:]), 1)
    return T / np.maximum(T.sum(axis=1, keepdims=True), 1)


def threshold_crossings(x, level=20.0):
    above = x > level
    up = above[1:] & ~above[:-1]
    down = ~above[1:] & above[:-1]
    return up.sum(), down.sum(), np.r_[False, up]


def hysteresis_state(x, on=22.0, off=18.0):
    # a thermostat with two thresholds: a loop with np.where
    state = np.zeros(len(x), dtype=bool)
    s = np.False_
    for i in range(len(x)):
        s = np.where(s, x[i] > off, x[i] > on)
        state[i] = s
    return state


def duty_cycle_per_window(on, w=4):
    n = len(on) // w * w
    return on[:n].reshape(-1, w).mean(axis=1)


def on_duration_seconds(ts, on):
    dt = np.diff(ts) / np.timedelta64(1, "s")
    return (dt * on[:-1]).sum(), np.where(on[:-1], dt, 0.0).max()


def event_starts_ends_mask(b):
    # the padded diff trick, kept as masks
    d = np.diff(np.r_[0, b.astype(int), 0])
    return d[:-1] == 1, d[1:] == -1


def dedupe_sorted_keep_mask(ts, values):
    keep = np.r_[True, np.diff(ts) > np.timedelta64(0, "s")]
    return np.where(keep, values, np.nan), keep.sum()


# =================================================================================== tables


def _tab(seed, n, cols=3):
    r = np.random.default_rng(seed)
    t = r.standard_normal((n, cols))
    t[:, 0] = np.round(t[:, 0], 1)
    return t


def _trades(seed, n):
    r = np.random.default_rng(seed)
    return {"price": 100 + r.standard_normal(n), "qty": r.integers(1, 100, n).astype(float)}


def _states(seed, n, k=3):
    r = np.random.default_rng(seed)
    return np.repeat(r.integers(0, k, n), 2)[: 2 * n]


DATETIMES = {
    "elapsed_seconds_div_timedelta": (elapsed_seconds, {}, lambda s, n: (_ts(s, 5 * n),)),
    "elapsed_seconds_astype_int": (elapsed_seconds_astype_int, {}, lambda s, n: (
        _ts(s, 5 * n),)),
    "sample_intervals_ms": (sample_intervals_ms, {}, lambda s, n: (_ts(s, 5 * n),)),
    "sampling_stats_span_hours": (sampling_stats, {}, lambda s, n: (_ts(s, 5 * n),)),
    "median_interval_timedelta": (median_interval_timedelta, {}, lambda s, n: (
        _ts(s, 5 * n),)),
    "floor_to_15min_int64": (floor_to_15min, {}, lambda s, n: (_ts(s, 5 * n),)),
    "hour_of_day_difference": (hour_of_day, {}, lambda s, n: (_ts(s, 5 * n, hi=5000),)),
    "day_of_week_view_int64": (day_of_week_view, {}, lambda s, n: (
        _ts(s, 5 * n, hi=90000),)),
    "day_of_week_dates_astype": (day_of_week_astype, {}, lambda s, n: (_dates(s, 5 * n),)),
    "business_hours_mask": (business_hours_mask, {}, lambda s, n: (
        _ts(s, 5 * n, hi=20000),)),
    "month_start_end": (month_start_end, {}, lambda s, n: (_dates(s, 5 * n),)),
    "days_in_month": (days_in_month, {}, lambda s, n: (_dates(s, 5 * n),)),
    "year_month_day_components": (year_month_day, {}, lambda s, n: (_dates(s, 5 * n),)),
    "day_of_year": (day_of_year, {}, lambda s, n: (_dates(s, 5 * n),)),
    "quarter_of_date": (quarter_of, {}, lambda s, n: (_dates(s, 5 * n),)),
    "is_month_end": (is_month_end, {}, lambda s, n: (
        np.sort(np.r_[_dates(s, 4 * n), np.datetime64("2024-02-29"),
                      np.datetime64("2023-12-31")]),)),
    "unix_epoch_floor_divide": (unix_epoch_seconds, {}, lambda s, n: (_ts(s, 5 * n),)),
    "epoch_ms_to_datetime": (epoch_ms_to_datetime, {}, lambda s, n: (
        1_709_251_200_000 + np.cumsum(_i(60_000, 5 * n, seed=s)),)),
    "seconds_since_midnight": (seconds_since_midnight, {}, lambda s, n: (
        _ts(s, 5 * n, hi=9000),)),
    "cyclic_time_features": (cyclic_time_features, {}, lambda s, n: (
        _ts(s, 5 * n, hi=40000),)),
    "monotonic_clock_maximum_accumulate": (
        monotonic_clock_fix, {}, lambda s, n: (_clock_back(s, n),)),
    "monotonic_clock_int64_view": (monotonic_clock_int64_view, {}, lambda s, n: (
        _clock_back(s, n),)),
    "datetime64_ctor_of_element": (
        hours_since_first_midnight, {}, lambda s, n: (_ts(s, 5 * n, hi=3000),)),
    "mean_timestamp": (mean_timestamp, {}, lambda s, n: (_ts(s, 5 * n),)),
    "time_to_expiry_scalar_today": (time_to_expiry_years, {}, lambda s, n: (
        np.sort(_dates(s, 4 * n)), np.datetime64("2023-06-30") + s)),
    "coupon_schedule_months": (coupon_schedule, {"n_coupons": 6}, lambda s, n: (
        _dates(s, n),)),
    "accrued_interest_act365": (accrued_interest_act365, {}, lambda s, n: (
        _dates(s, n), _dates(s, n) + _i(180, n, seed=s + 1).astype("timedelta64[D]"),
        0.05, 1000.0)),
    "invoice_days_overdue_nat": (invoice_days_overdue, {}, lambda s, n: (
        _dates(s, 2 * n),
        np.where(np.arange(2 * n) % 3 == 0, np.datetime64("NaT"),
                 _dates(s, 2 * n) + _i(60, 2 * n, seed=s + 1).astype("timedelta64[D]")),
        np.datetime64("2025-02-01"))),
    "nat_aware_span_nanmax": (nat_aware_span, {}, lambda s, n: (
        np.where(np.arange(5 * n) % 4 == 1, np.datetime64("NaT"), _ts(s, 5 * n)),)),
    "latest_before_cutoff": (latest_before, {}, lambda s, n: (
        _ts(s, 5 * n), T0 + np.timedelta64(3600 * s + 4000, "s"))),
    "timezone_shift_offsets": (timezone_shift, {}, lambda s, n: (
        _ts(s, 3 * n), _i(24, 3 * n, seed=s) - 12)),
    "local_hour_python_offset": (dst_naive_local_hour, {}, lambda s, n: (
        _ts(s, 3 * n, hi=9000), -5 + s)),
    "sort_by_timestamp": (sort_by_timestamp, {}, lambda s, n: (
        _dates(s, 5 * n), _f(5 * n, seed=s))),
    "is_sorted_in_time": (is_sorted_in_time, {}, lambda s, n: (_ts(s, 5 * n),)),
    "months_between": (months_between, {}, lambda s, n: (_dates(s, 3 * n),
                                                         _dates(s + 9, 3 * n))),
    "last_business_day_of_month": (last_business_day_of_month, {}, lambda s, n: (
        _dates(s, 5 * n),)),
}


@pytest.mark.parametrize("name", _names(DATETIMES))
def test_datetime_arithmetic_matches_numpy(name):
    """datetime64 and timedelta64 arithmetic as loggers and back offices write it: elapsed
    seconds by division and by unit casts, intervals, flooring to hours and days, weekdays by
    the Thursday shift, month boundaries and calendar components, epochs, expiries, coupon
    dates, NaT handling, searches, clips and sorts."""
    check_like_numpy(*DATETIMES[name])


RESAMPLE = {
    "gap_flags_python_int_timedelta": (gap_flags, {}, lambda s, n: (
        _ts(s, 5 * n, hi=1200),)),
    "session_ids_timedelta_arg": (session_ids_timedelta_arg, {}, lambda s, n: (
        _ts(s, 5 * n, hi=1200), np.timedelta64(10, "m"))),
    "hourly_bins_add_at": (hourly_bins_add_at, {"n_hours": 8}, lambda s, n: (
        _ts(s, 6 * n, hi=2000), _f(6 * n, seed=s), _ts(s, 1)[0])),
    "hourly_bincount_minlength": (hourly_bincount_minlength, {"n_hours": 8}, lambda s, n: (
        _ts(s, 6 * n, hi=2000), _f(6 * n, seed=s), _ts(s, 1)[0])),
    "digitize_time_edges": (digitize_into_time_edges, {}, lambda s, n: (
        _ts(s, 5 * n), T0 + np.arange(0, 30000, 3600).astype("timedelta64[s]")
        + np.timedelta64(3600 * s, "s"))),
    "resample_mean_searchsorted": (resample_mean_searchsorted, {}, lambda s, n: (
        _ts(s, 6 * n), _f(6 * n, seed=s),
        T0 + np.timedelta64(3600 * s, "s") + np.arange(0, 6 * 3600, 1800).astype(
            "timedelta64[s]"))),
    "fixed_rate_add_reduceat": (fixed_rate_reduceat, {"per_bin": 6}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "resample_reshape_ohlc": (resample_reshape_ohlc, {}, lambda s, n: (
        _prices(s, 6 * n + 2),)),
    "regular_grid_interp": (regular_grid_interp, {}, lambda s, n: (
        _ts(s, 4 * n, hi=600), _f(4 * n, seed=s))),
    "interp_to_other_clock": (interp_to_other_clock, {}, lambda s, n: (
        _ts(s, 5 * n), _f(5 * n, seed=s), _ts(s, 3 * n, hi=1500))),
    "asof_join_searchsorted": (asof_join, {}, lambda s, n: (
        _ts(s, 5 * n), _f(5 * n, seed=s), _ts(s + 7, 4 * n), _f(4 * n, seed=s + 1))),
    "nearest_timestamp_abs_timedelta": (nearest_timestamp, {}, lambda s, n: (
        _ts(s, 5 * n), _ts(s + 3, 3 * n, hi=700))),
    "hour_of_week_profile": (hour_of_week_profile, {}, lambda s, n: (
        _ts(s, 8 * n, hi=40000), _f(8 * n, seed=s))),
    "time_weighted_average": (time_weighted_average, {}, lambda s, n: (
        _ts(s, 5 * n), _f(5 * n, seed=s))),
    "trapezoid_energy_kwh": (trapezoid_energy_kwh, {}, lambda s, n: (
        _ts(s, 5 * n), 500 + 100 * _f(5 * n, seed=s))),
    "rate_per_second": (rate_per_second, {}, lambda s, n: (
        _ts(s, 5 * n), np.cumsum(_i(100, 5 * n, seed=s)))),
    "counter_reset_deltas": (counter_reset_deltas, {}, lambda s, n: (
        np.r_[np.cumsum(_i(50, 3 * n, seed=s)), np.cumsum(_i(50, 2 * n, seed=s + 1))],)),
    "heartbeat_stale_default_timedelta": (heartbeat_stale, {}, lambda s, n: (
        _ts(s, 4 * n, hi=300), _ts(s, 4 * n, hi=300)[-1] + np.timedelta64(30 * s, "s"))),
    "histogram_of_intervals": (histogram_of_intervals, {}, lambda s, n: (
        _ts(s, 5 * n, hi=2000),)),
}


@pytest.mark.parametrize("name", _names(RESAMPLE))
def test_gaps_binning_and_resampling_match_numpy(name):
    """Gaps and sessions, hourly and weekly bins by np.add.at, bounded bincounts, digitize
    and searchsorted, fixed-rate reduceat and reshape bars, interpolation onto grids and other
    clocks on float seconds, as-of joins, time-weighted averages and integrals, counter
    rates and resets, stale heartbeats and interval histograms."""
    check_like_numpy(*RESAMPLE[name])


ROLLING = {
    "rolling_mean_cumsum_insert": (rolling_mean_cumsum, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "rolling_mean_convolve": (rolling_mean_convolve, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "rolling_window_stats": (rolling_window_stats, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "rolling_median_edge_pad": (rolling_median_padded, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "hampel_filter_reflect": (hampel_filter, {}, lambda s, n: (
        _f(5 * n, seed=s) + 8.0 * (np.arange(5 * n) == 7),)),
    "rolling_zscore_anomaly": (rolling_zscore_anomaly, {}, lambda s, n: (
        _f(5 * n, seed=s) + 6.0 * (np.arange(5 * n) == 10),)),
    "rolling_nanmean_window": (rolling_nanmean_window, {}, lambda s, n: (_nan(s, 5 * n),)),
    "rolling_sum_nan_counts": (rolling_sum_cumsum_nan, {}, lambda s, n: (_nan(s, 5 * n),)),
    "ffill_maximum_accumulate_out": (ffill_maximum_accumulate, {}, lambda s, n: (
        _nan(s, 5 * n, frac=0.4),)),
    "ffill_2d_rows": (ffill_2d_rows, {}, lambda s, n: (_nan(s, n, 6, frac=0.4),)),
    "bfill_reversed_minimum_accumulate": (bfill_reversed, {}, lambda s, n: (
        np.r_[_nan(s, 5 * n, frac=0.4), 1.0],)),
    "ffill_with_age_seconds": (ffill_with_limit_age, {}, lambda s, n: (
        _ts(s, 5 * n), _nan(s, 5 * n, frac=0.4))),
    "interp_nan_gaps_accumulate": (interp_nan_gaps_by_index, {}, lambda s, n: (
        np.r_[_nan(s, 5 * n, frac=0.4), 20.0],)),
    "interp_nan_selection_np_interp": (interp_nan_selection, {}, lambda s, n: (
        np.r_[_nan(s, 5 * n, frac=0.4), 20.0],)),
    "ewma_irregular_time_list": (ewma_irregular_time, {}, lambda s, n: (
        _ts(s, 3 * n), _f(3 * n, seed=s))),
    "drawdown_series": (drawdown_series, {}, lambda s, n: (_prices(s, 6 * n),)),
    "pct_change_log_returns": (pct_change_log_returns, {}, lambda s, n: (
        _prices(s, 6 * n),)),
    "rolling_volatility_windows": (rolling_volatility_windows, {}, lambda s, n: (
        _prices(s, 6 * n),)),
    "debounce_states": (debounce_states, {}, lambda s, n: (_u01(s, 5 * n),)),
}


@pytest.mark.parametrize("name", _names(ROLLING))
def test_rolling_windows_and_fills_match_numpy(name):
    """Rolling means by cumsum, convolve and sliding_window_view, medians, Hampel filters,
    rolling z-scores and NaN-aware windows; forward and backward fills by accumulated
    indices, gap interpolation by accumulated indices and by np.interp over the valid
    samples, an EWMA on an irregular clock, drawdowns, returns and volatilities, debouncing."""
    check_like_numpy(*ROLLING[name])


TABULAR = {
    "vwap_dict_of_columns": (vwap_dict_of_columns, {}, lambda s, n: (_trades(s, 5 * n),)),
    "pnl_by_trader_bincount": (pnl_by_trader_bincount, {}, lambda s, n: (
        _i(4, 5 * n, seed=s), _i(2, 5 * n, seed=s + 1), _i(100, 5 * n, seed=s + 2) + 1.0,
        100 + _f(5 * n, seed=s))),
    "position_and_avg_cost": (position_and_avg_cost, {}, lambda s, n: (
        (_i(21, 5 * n, seed=s) - 10).astype(float), 100 + _f(5 * n, seed=s))),
    "sort_table_by_column": (sort_table_by_column, {}, lambda s, n: (_tab(s, 2 * n),)),
    "lexsort_date_then_id": (lexsort_date_then_id, {}, lambda s, n: (
        np.datetime64("2024-01-01") + _i(4, 5 * n, seed=s).astype("timedelta64[D]"),
        _i(5, 5 * n, seed=s + 1), _f(5 * n, seed=s))),
    "lexsort_three_keys": (lexsort_three_keys_table, {}, lambda s, n: (
        np.column_stack([_i(3, 4 * n, seed=s), _i(3, 4 * n, seed=s + 1),
                         _f(4 * n, seed=s)]),)),
    "unique_inverse_group_sum": (unique_inverse_group_sum, {}, lambda s, n: (
        _i(5, 5 * n, seed=s) * 10, _f(5 * n, seed=s))),
    "group_mean_add_at": (group_mean_by_int_key, {}, lambda s, n: (
        _i(5, 5 * n, seed=s), _f(5 * n, seed=s))),
    "group_max_maximum_at": (group_max_maximum_at, {}, lambda s, n: (
        _i(5, 5 * n, seed=s), _f(5 * n, seed=s))),
    "group_mean_onehot": (group_mean_onehot, {}, lambda s, n: (
        _i(4, 5 * n, seed=s), _f(5 * n, seed=s))),
    "group_sorted_run_totals": (group_sorted_reduceat, {}, lambda s, n: (
        _i(4, 5 * n, seed=s), _f(5 * n, seed=s))),
    "pivot_add_at": (pivot_add_at, {}, lambda s, n: (
        _i(3, 5 * n, seed=s), _i(4, 5 * n, seed=s + 1), _f(5 * n, seed=s))),
    "pivot_ravel_multi_index": (pivot_by_ravel_multi_index, {}, lambda s, n: (
        _i(3, 6 * n, seed=s), _i(24, 6 * n, seed=s + 1), _f(6 * n, seed=s))),
    "filter_rows_aggregate": (filter_rows_aggregate, {}, lambda s, n: (_tab(s, 4 * n),)),
    "currency_convert_dict_rates": (currency_convert_dict, {}, lambda s, n: (
        _f(5 * n, seed=s) * 100, _i(3, 5 * n, seed=s),
        {"USD": 1.0, "EUR": 1.08 + 0.01 * s, "GBP": 1.27})),
    "unit_conversion_lookup": (unit_conversion_lookup, {}, lambda s, n: (
        20 + _f(5 * n, seed=s), _i(3, 5 * n, seed=s))),
    "unit_dict_of_functions": (unit_dict_of_functions, {}, lambda s, n: (
        {"temp_f": 70 + _f(n, seed=s), "press_psi": 14 + _f(n, seed=s + 1),
         "speed_mph": 30 + _f(n, seed=s + 2)},)),
    "invoice_aging_buckets": (invoice_aging_buckets, {}, lambda s, n: (
        _i(120, 5 * n, seed=s), _f(5 * n, seed=s, positive=True) * 100)),
    "money_rounding": (money_rounding, {}, lambda s, n: (_f(5 * n, seed=s) * 1000,)),
    "rank_by_argsort_scatter": (rank_within_table, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "dense_rank_unique_inverse": (dense_rank_by_unique, {}, lambda s, n: (
        np.round(_f(5 * n, seed=s), 0),)),
    "first_occurrence_mask": (first_occurrence_mask, {}, lambda s, n: (
        _i(6, 5 * n, seed=s),)),
    "last_occurrence_duplicate_timestamps": (last_occurrence_mask_timestamps, {}, lambda s, n: (
        np.sort(T0 + _i(8, 5 * n, seed=s).astype("timedelta64[m]")),)),
    "column_stack_features": (column_stack_features, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s + 1), _ts(s, 3 * n, hi=9000))),
    "fillna_column_means_in_place": (fillna_column_means, {}, lambda s, n: (
        _nan(s, 2 * n, 3),)),
}


@pytest.mark.parametrize("name", _names(TABULAR))
def test_tabular_data_matches_numpy(name):
    """Tables as dicts of columns and 2-D arrays: VWAP, P&L by trader, positions, sorts by a
    column and lexsorts, group-bys by np.unique's inverse, np.add.at, np.maximum.at, one-hot
    sums and sorted runs, pivots, filters, currency and unit lookups, aging buckets,
    reconciliations, money rounding, balances, ranks and de-duplication masks."""
    check_like_numpy(*TABULAR[name])


MISSING = {
    "masked_invalid_column_means": (masked_invalid_column_means, {}, lambda s, n: (
        _nan(s, 2 * n, 3),)),
    "masked_values_sentinel": (masked_sentinel_values, {}, lambda s, n: (
        np.where(_i(4, 5 * n, seed=s) == 0, -9999.0, _f(5 * n, seed=s)),)),
    "masked_where_out_of_range": (
        masked_where_out_of_range, {}, lambda s, n: (
            np.r_[20 + _f(4 * n, seed=s), -60.0, 99.0],)),
    "masked_outside_stats": (masked_outside_stats, {}, lambda s, n: (
        20 + 4 * _f(5 * n, seed=s),)),
    "masked_array_nan_mask_sum": (masked_array_nan_mask_sum, {}, lambda s, n: (
        _nan(s, n, 4),)),
    "masked_anomaly_climatology": (masked_anomaly_from_climatology, {}, lambda s, n: (
        _nan(s, 2 * n, 3),)),
    "masked_divide_zero_denominator": (masked_ratio_divide, {}, lambda s, n: (
        _f(5 * n, seed=s), _i(3, 5 * n, seed=s).astype(float))),
    "masked_average_weights": (
        masked_average_weights, {}, lambda s, n: (
            _nan(s, 5 * n), _f(5 * n, seed=s, positive=True))),
    "ma_fix_invalid_fill_value": (
        fix_invalid_sentinel, {}, lambda s, n: (
            np.where(np.arange(5 * n) % 5 == 2, np.inf, _nan(s, 5 * n)),)),
    "ma_mask_or_pair_difference": (
        masked_pair_difference, {}, lambda s, n: (_nan(s, 5 * n), _nan(s + 1, 5 * n))),
    "nanmean_sentinel_where": (nanmean_sentinel_where, {}, lambda s, n: (
        np.where(_i(4, 5 * n, seed=s) == 0, -9999.0, _f(5 * n, seed=s)),)),
    "nan_stats_per_sensor": (nan_stats_per_sensor, {}, lambda s, n: (_nan(s, 3 * n, 3),)),
    "nanpercentile_bands": (nanpercentile_bands, {}, lambda s, n: (_nan(s, 3 * n, 3),)),
    "nanargmax_peak_time": (nanargmax_peak_time, {}, lambda s, n: (
        _ts(s, 3 * n), _nan(s, 3 * n, 2))),
    "zscore_outliers_nan": (zscore_outliers_nan, {}, lambda s, n: (_nan(s, 5 * n),)),
    "iqr_outlier_flags": (iqr_outlier_flags, {}, lambda s, n: (
        np.r_[_f(5 * n, seed=s), 9.0],)),
    "iqr_per_column": (iqr_per_column, {}, lambda s, n: (_f(5 * n, 3, seed=s) ** 3,)),
    "modified_zscore_mad": (modified_zscore_mad, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "nanpercentile_clip_out_in_place": (nan_quantile_clip_inplace, {}, lambda s, n: (
        _nan(s, 4 * n, 3),)),
    "sensor_calibration_polyval": (sensor_calibration_polyval, {}, lambda s, n: (
        _f(5 * n, seed=s), np.array([0.001, -0.02, 1.01, 0.3 * s]))),
    "stuck_sensor_flags_ptp": (stuck_sensor_flags, {}, lambda s, n: (
        np.repeat(np.round(_f(2 * n, seed=s), 1), 3),)),
}


@pytest.mark.parametrize("name", _names(MISSING))
def test_missing_values_and_outliers_match_numpy(name):
    """np.ma for missing sensor values (masked_invalid, masked_values, masked_where,
    masked_outside, np.ma.array with a NaN mask, divide, average), NaN-aware statistics and
    percentiles, nanargmax, coverage, z-score, IQR and MAD outlier flags, winsorizing,
    calibration polynomials, stuck sensors and spikes."""
    check_like_numpy(*MISSING[name])


STATES = {
    "run_ids_positions_lengths": (run_ids_and_lengths, {}, lambda s, n: (_states(s, 3 * n),)),
    "longest_true_run_cumsum": (longest_true_run, {}, lambda s, n: (
        _u01(s, 6 * n) < 0.6,)),
    "time_in_state_bincount": (time_in_state_bincount, {}, lambda s, n: (
        _ts(s, 6 * n), _states(s, 3 * n))),
    "transition_matrix_add_at": (transition_matrix_add_at, {}, lambda s, n: (
        _states(s, 3 * n),)),
    "threshold_crossings": (threshold_crossings, {}, lambda s, n: (_nan(s, 6 * n, frac=0),)),
    "hysteresis_state_loop": (hysteresis_state, {}, lambda s, n: (
        20 + 3 * _f(3 * n, seed=s),)),
    "duty_cycle_per_window": (duty_cycle_per_window, {}, lambda s, n: (
        _u01(s, 5 * n) < 0.5,)),
    "on_duration_seconds": (on_duration_seconds, {}, lambda s, n: (
        _ts(s, 5 * n), _u01(s, 5 * n) < 0.5)),
    "event_starts_ends_masks": (event_starts_ends_mask, {}, lambda s, n: (
        _u01(s, 5 * n) < 0.5,)),
    "dedupe_sorted_keep_mask": (dedupe_sorted_keep_mask, {}, lambda s, n: (
        np.sort(T0 + _i(8, 5 * n, seed=s).astype("timedelta64[m]")), _f(5 * n, seed=s))),
}


@pytest.mark.parametrize("name", _names(STATES))
def test_states_runs_and_duplicates_match_numpy(name):
    """Run-length encodings kept at full length, the longest run, time in each state and
    transition matrices, switch counts, threshold crossings, a hysteresis loop, duty cycles,
    on-durations, event masks and de-duplication of sorted timestamps."""
    check_like_numpy(*STATES[name])


# -------------------------------------------------------------- Python scalars that steer


def resample_bins_positional(values, per_bin):
    starts = np.arange(0, len(values), per_bin)
    return np.add.reduceat(values, starts)


def rolling_mean_positional(x, w):
    return rolling_mean_cumsum(x, w)


def grid_positional(ts, values, step_s, n_out):
    return regular_grid_interp(ts, values, step_s, n_out)


def hourly_positional(ts, values, start, n_hours):
    return hourly_bins_add_at(ts, values, start, n_hours)


def gap_positional(ts, max_gap_s):
    return gap_flags(ts, max_gap_s)


def coupon_positional(issue, n_coupons, months):
    return coupon_schedule(issue, n_coupons, months)


def ohlc_positional(prices, k):
    return resample_reshape_ohlc(prices, k)


def arange_datetime_grid(start, n_hours):
    # an hourly index from a start date, as a logger's report builds it
    return start + np.arange(n_hours).astype("timedelta64[h]")


STEERED = {
    "reduceat_bin_width": (resample_bins_positional, lambda s: (_f(24, seed=s), 2 + s)),
    "rolling_window_length": (rolling_mean_positional, lambda s: (_f(20, seed=s), 2 * s + 1)),
    "grid_step_and_count": (grid_positional, lambda s: (
        _ts(s, 20, hi=600), _f(20, seed=s), 120 * s, 5 + s)),
    "hour_bin_count": (hourly_positional, lambda s: (
        _ts(s, 20, hi=2000), _f(20, seed=s), _ts(s, 1)[0], 6 * s)),
    "gap_threshold_seconds": (
        gap_positional, lambda s: (_ts(s, 20, hi=1200), 300 * s)),
    "coupon_count_months": (coupon_positional, lambda s: (_dates(s, 3), 4 * s, 12 // (s + 1))),
    "ohlc_bar_size": (ohlc_positional, lambda s: (_prices(s, 30), 3 + s)),
    "arange_datetime_hours": (arange_datetime_grid, lambda s: (
        np.datetime64("2024-01-01T00", "h") + s, 5 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Bin widths, window lengths, grid steps and counts, hour-bin counts, gap thresholds in a
    timedelta64 constructor, coupon counts and bar sizes: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def trade_notional_structured(trades):
    return trades["price"] * trades["qty"]


def sort_records_by_field(records):
    return np.sort(records, order=["ts", "sensor"])


def argsort_on_field(records):
    order = np.argsort(records["ts"])
    return records[order]


def lexsort_on_fields(records):
    order = np.lexsort((records["qty"], records["sym"]))
    return records["price"][order]


def filter_records_boolean(records):
    big = records[records["qty"] > 50]
    return big["price"].mean()


def write_field_in_place(records):
    records["price"] = np.round(records["price"], 2)
    return records


def structured_to_unstructured_cols(records):
    import numpy.lib.recfunctions as rfn
    return rfn.structured_to_unstructured(records[["price", "qty"]])


def unique_return_counts_int(key, values):
    keys, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    return keys, np.bincount(inv, weights=values) / counts


def rle_flatnonzero(states):
    # the classic run-length encoding: starts, lengths, values
    starts = np.flatnonzero(np.r_[True, np.diff(states) != 0])
    lengths = np.diff(np.r_[starts, len(states)])
    return states[starts], lengths


def gaps_where_indices(ts, max_gap=np.timedelta64(10, "m")):
    i = np.where(np.diff(ts) > max_gap)[0]
    return ts[i], ts[i + 1]


def daily_reduceat_boundaries(ts, values):
    day = ts.astype("datetime64[D]")
    starts = np.r_[0, np.flatnonzero(day[1:] != day[:-1]) + 1]
    return day[starts], np.add.reduceat(values, starts)


def dedupe_timestamps_selection(ts, values):
    keep = np.r_[ts[1:] != ts[:-1], True]
    return ts[keep], values[keep]


def business_days_between(start, end):
    return np.busday_count(start, end)


def is_business_day_mask(dates):
    return np.is_busday(dates, weekmask="1111100")


def roll_to_business_day(dates):
    return np.busday_offset(dates, 0, roll="forward")


def iso_date_strings(ts):
    return np.datetime_as_string(ts.astype("datetime64[D]"))


def arange_between_timestamps(ts):
    # a regular index spanning the data: its length is in the data
    return np.arange(ts[0].astype("datetime64[h]"), ts[-1], np.timedelta64(1, "h"))


def if_gap_too_large(ts, values):
    if (np.diff(ts) > np.timedelta64(1, "h")).any():
        return values * np.nan
    return values


def ffill_loop_if(x):
    # the plain loop with a Python if on each sample, writing the argument in place
    for i in range(1, len(x)):
        if np.isnan(x[i]):
            x[i] = x[i - 1]
    return x


def masked_write_in_place(x):
    m = np.ma.masked_invalid(x)
    m[0] = 0.0
    return m.filled(-1.0)


def records_from_columns(price, qty):
    # a record array built from column arrays, its fields read as attributes
    rec = np.rec.fromarrays([price, qty], names="price,qty")
    return (rec.price * rec.qty).sum()


def masked_argmax_peak(x):
    return np.ma.masked_invalid(x).argmax()


def test_a_masked_argmax_traces():
    """`np.ma.masked_invalid(x).argmax()`: refused until np.ma's argmax traced (stop 37)."""
    check_like_numpy(masked_argmax_peak, {}, lambda s, n: (_nan(s, n + 4),))


def _records(s, n=8):
    r = np.random.default_rng(s)
    rec = np.zeros(n, dtype=[("ts", "datetime64[s]"), ("sensor", "i4"), ("sym", "i4"),
                             ("price", "f8"), ("qty", "i8")])
    rec["ts"] = T0 + r.integers(0, 5, n).astype("timedelta64[m]")
    rec["sensor"] = r.integers(0, 3, n)
    rec["sym"] = r.integers(0, 3, n)
    rec["price"] = 100 + r.standard_normal(n)
    rec["qty"] = r.integers(1, 100, n)
    return rec


_Unsupported = tracenp.errors.UnsupportedFunctionError
_DataDependent = tracenp.errors.DataDependentShapeError
_Concretization = tracenp.ConcretizationError

# structured arrays, refused until they traced by field (stop 37)
STRUCTURED = {name: (fn, {}, lambda s, n: (_records(s),)) for name, fn in (
    ("structured_field_product", trade_notional_structured),
    ("structured_sort_order_fields", sort_records_by_field),
    ("structured_argsort_on_field", argsort_on_field),
    ("structured_lexsort_fields", lexsort_on_fields),
    ("structured_boolean_filter", filter_records_boolean),
    ("structured_write_field_in_place", write_field_in_place))}


@pytest.mark.parametrize("name", list(STRUCTURED))
def test_structured_records_trace(name):
    check_like_numpy(*STRUCTURED[name])


REFUSED = {
    "structured_to_unstructured": (_Unsupported, structured_to_unstructured_cols, lambda s: (
        _records(s),)),
    "unique_return_counts_group_mean": (_DataDependent, unique_return_counts_int, lambda s: (
        _i(4, 12, seed=s), _f(12, seed=s))),
    "rle_flatnonzero": (_DataDependent, rle_flatnonzero, lambda s: (_states(s, 6),)),
    "gaps_where_indices": (_DataDependent, gaps_where_indices, lambda s: (
        _ts(s, 15, hi=1200),)),
    "daily_reduceat_boundaries": (_DataDependent, daily_reduceat_boundaries, lambda s: (
        _ts(s, 15, hi=30000), _f(15, seed=s))),
    "dedupe_timestamps_selection": (_DataDependent, dedupe_timestamps_selection, lambda s: (
        np.sort(T0 + _i(8, 12, seed=s).astype("timedelta64[m]")), _f(12, seed=s))),
    "busday_count": (_Unsupported, business_days_between, lambda s: (
        _dates(s, 6), _dates(s, 6) + 30)),
    "is_busday_weekmask": (_Unsupported, is_business_day_mask, lambda s: (_dates(s, 6),)),
    "busday_offset_roll": (_Unsupported, roll_to_business_day, lambda s: (_dates(s, 6),)),
    "datetime_as_string": (_Unsupported, iso_date_strings, lambda s: (_ts(s, 6),)),
    "arange_between_timestamps": (_DataDependent, arange_between_timestamps, lambda s: (
        _ts(s, 12, hi=2000),)),
    "ffill_loop_python_if": (_Concretization, ffill_loop_if, lambda s: (
        _nan(s, 10, frac=0.4),)),
    "if_gap_too_large": (_Concretization, if_gap_too_large, lambda s: (
        _ts(s, 12, hi=1200 * s), _f(12, seed=s))),
    "rec_fromarrays_columns": (_Concretization, records_from_columns, lambda s: (
        _f(8, seed=s) + 100, _i(50, 8, seed=s))),
    "masked_array_write": (_Unsupported, masked_write_in_place, lambda s: (_nan(s, 8),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Structured and record arrays (fields, sorts and lexsorts by fields, filters, field
    writes, recfunctions, np.rec.fromarrays), np.unique's counts, run-length encodings by
    flatnonzero, gap and day boundaries as indices, de-duplicated selections, the
    business-day functions, np.datetime_as_string, an arange between traced timestamps, a
    Python `if` in a fill loop and on a gap, MaskedArray.argmax and a write into a masked
    array: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
