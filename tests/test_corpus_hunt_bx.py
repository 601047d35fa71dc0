"""Corpus, hunt BX: sports, games and gambling analytics as sports-analytics blogs, Kaggle
notebooks, FiveThirtyEight-style write-ups and GitHub rating/betting projects write them.

Ratings (clubelo-style Elo loops written into the ratings array, pre-match histories by tuple
row writes, a dict of ratings and int games played with K shrinking by experience,
FiveThirtyEight's NBA margin-of-victory K by `np.where` and its NFL loop as published, FIDE's K
by `np.select`, seasons of fixtures with regression to the mean, rating periods by `np.add.at`,
round-robin expectations with `fill_diagonal`, best-of-seven series by `binom.sf`, log loss and
Brier into a dict, a three-way draw model; Glicko-1 for one player and as a period matrix,
Glicko-2's steps with Newton for the volatility; TrueSkill's 1v1 and draw updates by
`norm.pdf/cdf/ppf`, a ladder with four-way tuple writes, team win probabilities by fancy
indexing, match quality; Massey by `np.add.at` and by `lstsq`,
Colley by a loop, Keener by power iteration and by `eig`, offence-defence, Markov ranking);
score models (Poisson grids from `scipy.stats.poisson`, 1X2 by `tril`/`diag`/`triu`, goal
markets batched with `unravel_index`, Asian handicaps by masks, Dixon-Coles' tau by `np.select`,
its corrected grid in place and its weighted negative log-likelihood, time-decay weights,
strengths from `bincount` weights, Maher's fixed point, a Poisson GLM by IRLS on a one-hot team
design, Skellam, bivariate Poisson in log space, zero-inflated Poisson with `factorial`,
negative binomial grids, float32 expected points by `einsum`); Bradley-Terry (Hunter's MM,
pseudo-counts, home advantage, Davidson ties, Plackett-Luce MM with reversed cumsums, Newton
logistic fits, gradient ascent, Thurstone-Mosteller by `norm.ppf`, log5 matrices, Elo as SGD);
betting (American, decimal and fractional odds, multiplicative, additive, power, Shin and
odds-ratio margin removal, Kelly fractions and growth curves, Kelly bankrolls, binomial
`cumprod` bankrolls with drawdowns, risk of ruin, roulette martingales, a settlement ledger in a
dict, closing-line value, arbitrage scans over bookmakers, accumulators, quarter-line Asian
settlements, value bets, a float32 odds feed, spread cover probabilities by
`statistics.NormalDist`, Sharpe and drawdown); Monte Carlo from a `Generator` argument (league
seasons with one-hot point tables and position probabilities by double argsort, `lexsort`
tables, knockout brackets by loops and vectorised, the exact bracket recursion, best-of-seven
series, `itertools.combinations` groups, season win totals, tennis games, sets and matches,
baseball run expectancy as an absorbing chain, shootouts, hot-hand streaks, playoff odds by
`multinomial` and `choice`, goals by `scipy.stats.poisson.rvs(random_state=rng)`); expected
goals (shot distance and angle, a logistic model from a coefficient dict with bool features,
Newton fits, per-player `bincount` totals into a dict, non-penalty xG by `np.add.at`,
Poisson-binomial goals by recursion, `np.convolve`, FFT and `scipy.stats.poisson_binom`, xT
value iteration, shot maps by `histogram2d`, calibration by `digitize`, pitch control and
Voronoi ownership, progressive passes, a float32 feed, `statistics.correlation`); dice, cards
and casino games (dice sums by convolution and by `np.indices`, Yahtzee by `itertools.product`,
int8 dice sorted, Risk battles, poker hand classes by `sliding_window_view` and `np.select`
from int64 and int8 cards, deals by strided slices, `Generator.permuted`, hypergeometric
opening hands, lotteries by `comb`, the blackjack dealer's DP, Hi-Lo true counts by a lookup
table, craps, Monty Hall, birthdays, sticker albums, Catan, gambler's ruin); fantasy
and racing (scoring dicts, VORP, DFS value, roto z-scores and `rankdata` standings, rolling
form, NaN weeks, greedy lineups under a cap, a knapsack DP, snake drafts, WPA lookups,
similarity, aging curves by `polyfit`, Harville exactas and trifectas, pari-mutuel payouts,
trifecta counts by `scipy.special.perm`, speed figures).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Team counts, iteration counts, simulation sizes and
bracket depths given as Python ints are made static. The forms whose Python or shapes depend
on the data (538's branches on each result, the Illinois volatility search, betting until
ruin, MM until converged, a bracket's `if` on each draw, `scipy.optimize.minimize`, value bets
by a mask, teams by `np.unique`, joint leaders by `flatnonzero`) raise a named error and run
eagerly under `fallback=True`. Strict xfails: `scipy.special.perm`, `scipy.stats.poisson.rvs`
with traced parameters, `scipy.stats.poisson_binom`, `statistics.NormalDist`,
`statistics.correlation`/`linear_regression` of traced values, and `multinomial.pmf` with
traced probabilities refused by the wrong error.
"""

from __future__ import annotations

import itertools
import math
import statistics
from statistics import NormalDist

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import scipy.stats
from scipy.special import expit, gammaln
from scipy.stats import norm, poisson
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _rng(seed):
    return np.random.default_rng(seed)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _fixtures(seed, n_teams, n_matches):
    # home and away team indices, never a team against itself
    r = np.random.default_rng(seed)
    home = r.integers(0, n_teams, n_matches)
    away = (home + r.integers(1, n_teams, n_matches)) % n_teams
    return home, away


def _goals(seed, n, lam=1.4):
    return np.random.default_rng(seed).poisson(lam, n)


def _ratings(seed, n, spread=150.0):
    return 1500.0 + spread * np.random.default_rng(seed).standard_normal(n)


def _decimal_odds(seed, n, k=3, margin=1.06):
    # bookmaker odds with an overround: fair probabilities scaled up, inverted
    r = np.random.default_rng(seed)
    p = r.dirichlet(np.full(k, 4.0), n)
    return 1.0 / (p * margin)


# ============================================================================ rating systems

ELO_K = 20.0
ELO_HFA = 65.0
ELO_MEAN = 1505.0
ELO_SCALE = 400.0


def elo_expected(r_a, r_b, scale=ELO_SCALE):
    return 1.0 / (1.0 + 10.0 ** ((r_b - r_a) / scale))


def elo_match_loop(ratings, home, away, score):
    # clubelo-style: one update per match in order, the ratings array written in place
    for i in range(len(home)):
        h = home[i]
        a = away[i]
        exp_home = elo_expected(ratings[h] + ELO_HFA, ratings[a])
        change = ELO_K * (score[i] - exp_home)
        ratings[h] += change
        ratings[a] -= change
    return ratings


def elo_with_history(ratings, home, away, home_goals, away_goals):
    # result from goals by np.sign, the pre-match ratings and probability kept per match
    n = len(home)
    history = np.zeros((n, 3))
    result = (np.sign(home_goals - away_goals) + 1) / 2.0
    for i in range(n):
        h, a = home[i], away[i]
        p = elo_expected(ratings[h] + ELO_HFA, ratings[a])
        history[i] = ratings[h], ratings[a], p
        delta = ELO_K * (result[i] - p)
        ratings[h] = ratings[h] + delta
        ratings[a] = ratings[a] - delta
    return ratings, history


def elo_state_dict(state, home, away, score, k0=32.0):
    # a dict of arrays (ratings and games played), K shrinking with experience
    rating = state["rating"]
    games = state["games"]
    for i in range(home.shape[0]):
        h, a = home[i], away[i]
        e = 1 / (1 + 10 ** ((rating[a] - rating[h]) / 400))
        k_h = k0 / (1 + games[h] / 20)
        k_a = k0 / (1 + games[a] / 20)
        rating[h] += k_h * (score[i] - e)
        rating[a] += k_a * (e - score[i])
        games[h] += 1
        games[a] += 1
    return state


def elo_538_nba_mov(elo, home, away, home_pts, away_pts, hfa=100.0):
    # FiveThirtyEight's NBA K with the margin-of-victory multiplier, written with np.where
    # for the winner's side of the rating gap
    n = len(home)
    probs = np.empty(n)
    for i in range(n):
        h, a = home[i], away[i]
        diff = elo[h] + hfa - elo[a]
        p = 1.0 / (10 ** (-diff / 400) + 1)
        mov = home_pts[i] - away_pts[i]
        winner_diff = np.where(mov > 0, diff, -diff)
        k = 20 * (abs(mov) + 3) ** 0.8 / (7.5 + 0.006 * winner_diff)
        s = np.where(mov > 0, 1.0, 0.0)
        shift = k * (s - p)
        elo[h] += shift
        elo[a] -= shift
        probs[i] = p
    return elo, probs


def fide_k_factor(rating, games_played, age):
    # FIDE's rules: 40 for new and junior players, 10 from 2400, else 20
    conds = [games_played < 30, (age < 18) & (rating < 2300), rating >= 2400]
    return np.select(conds, [40, 40, 10], default=20)


def elo_seasons_with_regression(ratings, home, away, score, n_seasons=3, carry=0.75):
    # match arrays of shape (seasons, matches); ratings regress to the mean between seasons
    end_of_season = np.zeros((n_seasons, ratings.shape[0]))
    for s in range(n_seasons):
        ratings = carry * ratings + (1 - carry) * ELO_MEAN
        for m in range(home.shape[1]):
            h, a = home[s, m], away[s, m]
            e = elo_expected(ratings[h], ratings[a])
            ratings[h] += ELO_K * (score[s, m] - e)
            ratings[a] -= ELO_K * (score[s, m] - e)
        end_of_season[s] = ratings
    return end_of_season


def elo_rating_period_batch(ratings, home, away, score, k=24.0):
    # every match of a period against the pre-period ratings, summed by np.add.at
    e = 1.0 / (1.0 + 10 ** ((ratings[away] - ratings[home]) / 400.0))
    delta = k * (score - e)
    new = ratings.copy()
    np.add.at(new, home, delta)
    np.add.at(new, away, -delta)
    return new


def elo_round_robin_expected_points(ratings):
    # expected points of each team over a full double round robin against the rest
    diff = ratings[None, :] - ratings[:, None]
    E = 1.0 / (1.0 + np.power(10.0, diff / 400.0))
    np.fill_diagonal(E, 0.0)
    return 2 * E.sum(axis=1), E


def elo_series_win_prob(r_a, r_b, best_of=7):
    # a best-of-n series as the probability of winning a majority of all n games
    p = elo_expected(r_a, r_b)
    need = best_of // 2 + 1
    return scipy.stats.binom.sf(need - 1, best_of, p)


def elo_log_loss_brier(ratings, home, away, outcome, hfa=ELO_HFA):
    # evaluate pre-match probabilities of a rating set: log loss and Brier score
    p = elo_expected(ratings[home] + hfa, ratings[away])
    p = np.clip(p, 1e-15, 1 - 1e-15)
    log_loss = -np.mean(outcome * np.log(p) + (1 - outcome) * np.log(1 - p))
    brier = np.mean((p - outcome) ** 2)
    return {"log_loss": log_loss, "brier": brier, "accuracy": np.mean((p > 0.5) == outcome)}


def elo_draw_model(r_home, r_away, draw_width=0.28):
    # a three-way split of the Elo expectation: win/draw/loss probabilities
    e = elo_expected(r_home + ELO_HFA, r_away)
    p_draw = draw_width * np.exp(-((e - 0.5) ** 2) / 0.08)
    p_home = np.clip(e - p_draw / 2, 0, 1)
    p_away = np.clip(1 - e - p_draw / 2, 0, 1)
    probs = np.stack([p_home, p_draw, p_away], axis=-1)
    return probs / probs.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------- Glicko

GLICKO_Q = math.log(10) / 400


def glicko_g(rd):
    return 1.0 / np.sqrt(1.0 + 3.0 * GLICKO_Q ** 2 * rd ** 2 / np.pi ** 2)


def glicko1_single(r, rd, opp_r, opp_rd, scores):
    # Glickman's Glicko-1 worked example for one player over one rating period
    g = glicko_g(opp_rd)
    E = 1.0 / (1.0 + 10.0 ** (-g * (r - opp_r) / 400.0))
    d2 = 1.0 / (GLICKO_Q ** 2 * np.sum(g ** 2 * E * (1 - E)))
    denom = 1.0 / rd ** 2 + 1.0 / d2
    new_r = r + GLICKO_Q / denom * np.sum(g * (scores - E))
    new_rd = np.sqrt(1.0 / denom)
    return new_r, new_rd


def glicko1_period_matrix(r, rd, S, played, c=34.6, t=1):
    # all players at once: S[i, j] the score of i against j, `played` a bool mask
    rd = np.minimum(np.sqrt(rd ** 2 + c ** 2 * t), 350.0)
    g = glicko_g(rd)
    E = 1.0 / (1.0 + 10.0 ** (-g[None, :] * (r[:, None] - r[None, :]) / 400.0))
    w = played.astype(np.float64)
    d2_inv = GLICKO_Q ** 2 * np.sum(w * g[None, :] ** 2 * E * (1 - E), axis=1)
    denom = 1.0 / rd ** 2 + d2_inv
    r_new = r + GLICKO_Q / denom * np.sum(w * g[None, :] * (S - E), axis=1)
    rd_new = np.sqrt(1.0 / denom)
    return r_new, rd_new


GLICKO2_SCALE = 173.7178


def glicko2_fixed_volatility(rating, rd, opp_ratings, opp_rds, outcomes, sigma=0.06, tau=0.5):
    # Glicko-2 steps 2-7 with the volatility kept (the f(x) root search left out)
    mu = (rating - 1500) / GLICKO2_SCALE
    phi = rd / GLICKO2_SCALE
    mu_j = (opp_ratings - 1500) / GLICKO2_SCALE
    phi_j = opp_rds / GLICKO2_SCALE
    g = 1 / np.sqrt(1 + 3 * phi_j ** 2 / np.pi ** 2)
    E = 1 / (1 + np.exp(-g * (mu - mu_j)))
    v = 1 / np.sum(g ** 2 * E * (1 - E))
    delta = v * np.sum(g * (outcomes - E))
    phi_star = np.sqrt(phi ** 2 + sigma ** 2)
    phi_new = 1 / np.sqrt(1 / phi_star ** 2 + 1 / v)
    mu_new = mu + phi_new ** 2 * np.sum(g * (outcomes - E))
    return {"rating": GLICKO2_SCALE * mu_new + 1500, "rd": GLICKO2_SCALE * phi_new,
            "delta": delta, "v": v}


def glicko2_volatility_newton(phi, v, delta, sigma, tau=0.5, iters=12):
    # the volatility by Newton's method on f(x) with a fixed iteration count, per player
    a = np.log(sigma ** 2)
    x = a.copy()
    for _ in range(iters):
        ex = np.exp(x)
        d = phi ** 2 + v + ex
        h1 = -(x - a) / tau ** 2 - 0.5 * ex / d + 0.5 * ex * (delta / d) ** 2
        h2 = -1 / tau ** 2 - 0.5 * ex * (phi ** 2 + v) / d ** 2 \
            + 0.5 * delta ** 2 * ex * (phi ** 2 + v - ex) / d ** 3
        x = x - h1 / h2
    return np.exp(x / 2)


# ---------------------------------------------------------------------------- TrueSkill

TS_MU = 25.0
TS_SIGMA = TS_MU / 3
TS_BETA = TS_SIGMA / 2
TS_TAU = TS_SIGMA / 100


def v_win(t, eps):
    return norm.pdf(t - eps) / norm.cdf(t - eps)


def w_win(t, eps):
    v = v_win(t, eps)
    return v * (v + t - eps)


def trueskill_1v1(mu_w, sigma_w, mu_l, sigma_l, draw_margin=0.0):
    # the winner/loser update of Herbrich et al., vectorised over matches
    c2 = 2 * TS_BETA ** 2 + sigma_w ** 2 + sigma_l ** 2
    c = np.sqrt(c2)
    t = (mu_w - mu_l) / c
    eps = draw_margin / c
    v = v_win(t, eps)
    w = w_win(t, eps)
    mu_w_new = mu_w + sigma_w ** 2 / c * v
    mu_l_new = mu_l - sigma_l ** 2 / c * v
    sigma_w_new = np.sqrt(sigma_w ** 2 * (1 - sigma_w ** 2 / c2 * w))
    sigma_l_new = np.sqrt(sigma_l ** 2 * (1 - sigma_l ** 2 / c2 * w))
    return mu_w_new, sigma_w_new, mu_l_new, sigma_l_new


def v_draw(t, eps):
    a = eps - t
    b = -eps - t
    return (norm.pdf(b) - norm.pdf(a)) / (norm.cdf(a) - norm.cdf(b))


def w_draw(t, eps):
    a = eps - t
    b = -eps - t
    v = v_draw(t, eps)
    return v ** 2 + (a * norm.pdf(a) - b * norm.pdf(b)) / (norm.cdf(a) - norm.cdf(b))


def trueskill_draw_update(mu1, s1, mu2, s2, draw_prob=0.1):
    # a drawn game: the draw margin from the draw probability by norm.ppf
    eps = norm.ppf((draw_prob + 1) / 2) * np.sqrt(2) * TS_BETA
    c2 = 2 * TS_BETA ** 2 + s1 ** 2 + s2 ** 2
    c = np.sqrt(c2)
    t = (mu1 - mu2) / c
    v = v_draw(t, eps / c)
    w = w_draw(t, eps / c)
    return (mu1 + s1 ** 2 / c * v, np.sqrt(s1 ** 2 * (1 - s1 ** 2 / c2 * w)),
            mu2 - s2 ** 2 / c * v, np.sqrt(s2 ** 2 * (1 - s2 ** 2 / c2 * w)))


def trueskill_ladder(mu, sigma, winners, losers):
    # a ladder of games in order, player arrays updated in place with dynamics noise
    for g in range(len(winners)):
        i, j = winners[g], losers[g]
        si = np.sqrt(sigma[i] ** 2 + TS_TAU ** 2)
        sj = np.sqrt(sigma[j] ** 2 + TS_TAU ** 2)
        mu[i], sigma[i], mu[j], sigma[j] = trueskill_1v1(mu[i], si, mu[j], sj)
    return mu, sigma


def trueskill_team_win_prob(mu, sigma, team_a, team_b):
    # win probability of team A over B, teams as index arrays into the player arrays
    delta_mu = mu[team_a].sum(axis=-1) - mu[team_b].sum(axis=-1)
    sum_sigma = (sigma[team_a] ** 2).sum(axis=-1) + (sigma[team_b] ** 2).sum(axis=-1)
    size = team_a.shape[-1] + team_b.shape[-1]
    denom = np.sqrt(size * TS_BETA ** 2 + sum_sigma)
    return norm.cdf(delta_mu / denom)


def trueskill_match_quality(mu, sigma):
    # Microsoft's 1v1 match quality over all pairs of a lobby
    d = mu[:, None] - mu[None, :]
    s2 = sigma[:, None] ** 2 + sigma[None, :] ** 2
    denom = 2 * TS_BETA ** 2 + s2
    return np.sqrt(2 * TS_BETA ** 2 / denom) * np.exp(-d ** 2 / (2 * denom))


# ---------------------------------------------------------------------------- matrix ratings


def massey_add_at(home, away, margin, n_teams):
    # Massey's normal equations built by np.add.at, the last row replaced by ones
    M = np.zeros((n_teams, n_teams))
    np.add.at(M, (home, home), 1)
    np.add.at(M, (away, away), 1)
    np.add.at(M, (home, away), -1)
    np.add.at(M, (away, home), -1)
    p = np.zeros(n_teams)
    np.add.at(p, home, margin)
    np.add.at(p, away, -margin)
    M[-1, :] = 1
    p[-1] = 0
    return np.linalg.solve(M, p)


def massey_lstsq(home, away, margin, n_teams):
    # the game-by-team design matrix X with +1/-1 and a least-squares fit
    n = len(home)
    X = np.zeros((n, n_teams))
    X[np.arange(n), home] = 1.0
    X[np.arange(n), away] = -1.0
    X = np.vstack([X, np.ones(n_teams)])
    y = np.append(margin, 0.0)
    r, *_ = np.linalg.lstsq(X, y, rcond=None)
    return r - r.mean()


def colley_loop(home, away, home_won, n_teams):
    # Colley's matrix from a loop over games, r = C^-1 b
    C = 2.0 * np.eye(n_teams)
    b = np.ones(n_teams)
    for g in range(len(home)):
        i, j = home[g], away[g]
        C[i, i] += 1
        C[j, j] += 1
        C[i, j] -= 1
        C[j, i] -= 1
        w = home_won[g]
        b[i] += 0.5 * (2 * w - 1)
        b[j] -= 0.5 * (2 * w - 1)
    return np.linalg.solve(C, b)


def keener_power(points_for, n_iter=60):
    # Keener's method: Laplace-smoothed share of points, skewed, Perron vector by power
    # iteration; points_for[i, j] the points i scored against j
    A = (points_for + 1) / (points_for + points_for.T + 2)
    A = 0.5 + 0.5 * np.sign(A - 0.5) * np.sqrt(np.abs(2 * A - 1))
    np.fill_diagonal(A, 0)
    r = np.ones(A.shape[0]) / A.shape[0]
    for _ in range(n_iter):
        r = A @ r
        r /= r.sum()
    return r


def keener_eig(points_for):
    # the same Perron vector from np.linalg.eig, made real and positive
    A = (points_for + 1) / (points_for + points_for.T + 2)
    vals, vecs = np.linalg.eig(A)
    v = np.real(vecs[:, np.argmax(np.real(vals))])
    v = np.abs(v)
    return v / v.sum()


def offense_defense(points_for, n_iter=20):
    # Govan-Meyer offence/defence ratings by alternating fixed-point updates
    A = points_for.T  # A[i, j]: points team j scored against i
    d = np.ones(A.shape[0])
    for _ in range(n_iter):
        o = A.T @ (1.0 / d)
        d = A @ (1.0 / o)
    return o, d, o / d


def markov_ranking(losses_to, damping=0.85, n_iter=50):
    # the Markov (PageRank-style) ranking: losers vote for winners
    n = losses_to.shape[0]
    out = losses_to.sum(axis=1, keepdims=True)
    P = np.where(out > 0, losses_to / np.where(out > 0, out, 1), 1.0 / n)
    G = damping * P + (1 - damping) / n
    pi = np.full(n, 1.0 / n)
    for _ in range(n_iter):
        pi = pi @ G
    return pi


RATINGS = {
    "elo_match_loop_inplace": (elo_match_loop, {}, lambda s, n: (
        _ratings(s, n), *_fixtures(s, n, 3 * n), _i(3, 3 * n, seed=s) / 2.0)),
    "elo_history_tuple_row_writes": (elo_with_history, {}, lambda s, n: (
        _ratings(s, n), *_fixtures(s, n, 2 * n), _goals(s, 2 * n), _goals(s + 7, 2 * n))),
    "elo_state_dict_games_int": (elo_state_dict, {}, lambda s, n: (
        {"rating": _ratings(s, n), "games": _i(40, n, seed=s)}, *_fixtures(s, n, 2 * n),
        _i(2, 2 * n, seed=s + 1).astype(np.float64))),
    "elo_538_nba_mov_where": (elo_538_nba_mov, {}, lambda s, n: (
        _ratings(s, n), *_fixtures(s, n, 2 * n), 90 + _i(40, 2 * n, seed=s),
        91 + _i(40, 2 * n, seed=s + 3))),
    "fide_k_factor_select": (fide_k_factor, {}, lambda s, n: (
        1800 + 800 * _u(s, 3 * n), _i(60, 3 * n, seed=s), 10 + _i(30, 3 * n, seed=s + 1))),
    "elo_seasons_regression_2d": (elo_seasons_with_regression, {"n_seasons": 3}, lambda s, n: (
        _ratings(s, n), *(np.stack(x) for x in zip(*[_fixtures(s + k, n, n) for k in range(3)])),
        _i(3, 3, n, seed=s) / 2)),
    "elo_rating_period_add_at": (elo_rating_period_batch, {}, lambda s, n: (
        _ratings(s, n), *_fixtures(s, n, 4 * n), _i(3, 4 * n, seed=s) / 2)),
    "elo_round_robin_expected_points": (elo_round_robin_expected_points, {}, lambda s, n: (
        _ratings(s, n),)),
    "elo_series_binom_sf": (elo_series_win_prob, {"best_of": 7}, lambda s, n: (
        _ratings(s, n), _ratings(s + 1, n))),
    "elo_log_loss_brier_dict": (elo_log_loss_brier, {}, lambda s, n: (
        _ratings(s, n), *_fixtures(s, n, 5 * n), _i(2, 5 * n, seed=s + 2))),
    "elo_three_way_draw_model": (elo_draw_model, {}, lambda s, n: (
        _ratings(s, 2 * n), _ratings(s + 1, 2 * n))),
    "glicko1_worked_example": (glicko1_single, {}, lambda s, n: (
        1500.0 + 10 * s, 200.0, _ratings(s, n), 30 + 250 * _u(s, n), _i(3, n, seed=s) / 2)),
    "glicko1_period_matrix": (glicko1_period_matrix, {}, lambda s, n: (
        _ratings(s, n), 50 + 250 * _u(s, n), _i(3, n, n, seed=s) / 2,
        _u(s + 1, n, n) < 0.6)),
    "glicko2_fixed_volatility_dict": (glicko2_fixed_volatility, {}, lambda s, n: (
        1500.0, 200.0, _ratings(s, n), 30 + 250 * _u(s, n), _i(2, n, seed=s) * 1.0)),
    "glicko2_volatility_newton": (glicko2_volatility_newton, {"iters": 12}, lambda s, n: (
        0.3 + _u(s, n), 0.5 + 2 * _u(s + 1, n), _f(n, seed=s) * 0.5, 0.06 + 0.01 * _u(s, n))),
    "trueskill_1v1_vectorised": (trueskill_1v1, {}, lambda s, n: (
        25 + 3 * _f(n, seed=s), 2 + 6 * _u(s, n), 25 + 3 * _f(n, seed=s + 1),
        2 + 6 * _u(s + 1, n))),
    "trueskill_draw_ppf_margin": (trueskill_draw_update, {}, lambda s, n: (
        25 + 3 * _f(n, seed=s), 2 + 6 * _u(s, n), 25 + 3 * _f(n, seed=s + 1),
        2 + 6 * _u(s + 1, n))),
    "trueskill_ladder_tuple_writes": (trueskill_ladder, {}, lambda s, n: (
        np.full(n, TS_MU) + _f(n, seed=s), np.full(n, TS_SIGMA), *_fixtures(s, n, 2 * n))),
    "trueskill_team_win_prob": (trueskill_team_win_prob, {}, lambda s, n: (
        25 + 4 * _f(4 * n, seed=s), 3 + 4 * _u(s, 4 * n), _i(4 * n, n, 2, seed=s),
        _i(4 * n, n, 2, seed=s + 1))),
    "trueskill_match_quality": (trueskill_match_quality, {}, lambda s, n: (
        25 + 4 * _f(n, seed=s), 3 + 4 * _u(s, n))),
    "massey_add_at_solve": (massey_add_at, {"n_teams": 6}, lambda s, n: (
        *_fixtures(s, 6, 4 * n), _i(30, 4 * n, seed=s) - 12.0)),
    "massey_design_lstsq": (massey_lstsq, {"n_teams": 5}, lambda s, n: (
        *_fixtures(s, 5, 4 * n), (_i(30, 4 * n, seed=s) - 12).astype(np.float64))),
    "colley_loop_solve": (colley_loop, {"n_teams": 6}, lambda s, n: (
        *_fixtures(s, 6, 3 * n), _i(2, 3 * n, seed=s))),
    "keener_power_iteration": (keener_power, {}, lambda s, n: (
        _i(30, n, n, seed=s) + 5.0,)),
    "keener_eig_perron": (keener_eig, {}, lambda s, n: (_i(30, n, n, seed=s) + 5.0,)),
    "offense_defense_fixed_point": (offense_defense, {}, lambda s, n: (
        (_i(30, n, n, seed=s) + 5.0) * (1 - np.eye(n)) + np.eye(n),)),
    "markov_ranking_pagerank": (markov_ranking, {}, lambda s, n: (
        _i(4, n, n, seed=s) * (1 - np.eye(n, dtype=np.int64)),)),
}


@pytest.mark.parametrize("name", _names(RATINGS))
def test_rating_systems_match_numpy(name):
    """Elo, Glicko, TrueSkill and matrix ratings: NumPy's values."""
    check_like_numpy(*RATINGS[name])


# ============================================================================ score models

MAX_GOALS = 10
GOALS = np.arange(MAX_GOALS + 1)


def poisson_score_matrix(lam_home, lam_away, max_goals=MAX_GOALS):
    # the blog-post score grid: outer product of two Poisson pmfs from scipy.stats
    home = poisson.pmf(np.arange(max_goals + 1), lam_home)
    away = poisson.pmf(np.arange(max_goals + 1), lam_away)
    return np.outer(home, away)


def match_odds_from_grid(lam_home, lam_away):
    # home/draw/away from the lower triangle, diagonal and upper triangle
    M = poisson_score_matrix(lam_home, lam_away)
    return np.sum(np.tril(M, -1)), np.sum(np.diag(M)), np.sum(np.triu(M, 1))


def goal_markets(lam_home, lam_away, line=2.5):
    # over/under, both teams to score and the likeliest correct score, batched over matches
    ph = poisson.pmf(GOALS[None, :], lam_home[:, None])
    pa = poisson.pmf(GOALS[None, :], lam_away[:, None])
    grid = ph[:, :, None] * pa[:, None, :]
    total = np.add.outer(GOALS, GOALS)
    over = grid[:, total > line].sum(axis=1)
    btts = grid[:, 1:, 1:].sum(axis=(1, 2))
    flat = grid.reshape(len(lam_home), -1).argmax(axis=1)
    hs, as_ = np.unravel_index(flat, (MAX_GOALS + 1, MAX_GOALS + 1))
    return over, 1 - over, btts, np.stack([hs, as_], axis=1)


def asian_handicap_grid(lam_home, lam_away, line=-0.5):
    # probability the home side covers a half-goal handicap, and a whole-goal push
    M = poisson_score_matrix(lam_home, lam_away)
    diff = GOALS[:, None] - GOALS[None, :]
    cover = M[diff + line > 0].sum()
    push_whole = M[diff == 1].sum()
    return cover, push_whole, M[diff + line < 0].sum()


def dixon_coles_tau(x, y, lam, mu, rho):
    # the low-score correction, as np.select over the four cells
    conds = [(x == 0) & (y == 0), (x == 0) & (y == 1), (x == 1) & (y == 0), (x == 1) & (y == 1)]
    vals = [1 - lam * mu * rho, 1 + lam * rho, 1 + mu * rho, 1 - rho]
    return np.select(conds, vals, default=1.0)


def dixon_coles_grid(lam, mu, rho, max_goals=MAX_GOALS):
    # the corrected grid: the 2x2 corner multiplied in place
    M = np.outer(poisson.pmf(np.arange(max_goals + 1), lam),
                 poisson.pmf(np.arange(max_goals + 1), mu))
    corr = np.array([[1 - lam * mu * rho, 1 + lam * rho], [1 + mu * rho, 1 - rho]])
    M[:2, :2] *= corr
    return M, M.sum()


def dixon_coles_nll(params, home, away, hg, ag, xi_weights, n_teams=20):
    # the negative log-likelihood an optimiser would minimise: attack and defence per team,
    # home advantage and rho at the end of the parameter vector, time weights per match
    attack = params[:n_teams]
    defence = params[n_teams:2 * n_teams]
    gamma, rho = params[-2], params[-1]
    lam = np.exp(attack[home] + defence[away] + gamma)
    mu = np.exp(attack[away] + defence[home])
    tau = dixon_coles_tau(hg, ag, lam, mu, rho)
    ll = (np.log(tau) + poisson.logpmf(hg, lam) + poisson.logpmf(ag, mu))
    return -np.sum(xi_weights * ll)


def dixon_coles_time_weights(days_ago, xi=0.0018):
    # exponential down-weighting of old matches, normalised
    w = np.exp(-xi * days_ago)
    return w / w.sum()


def attack_defence_from_averages(home, away, hg, ag, n_teams):
    # the classic blog: strengths as goals per game over the league average
    games_h = np.bincount(home, minlength=n_teams)
    games_a = np.bincount(away, minlength=n_teams)
    scored_h = np.bincount(home, weights=hg, minlength=n_teams) / games_h
    scored_a = np.bincount(away, weights=ag, minlength=n_teams) / games_a
    conceded_h = np.bincount(home, weights=ag, minlength=n_teams) / games_h
    conceded_a = np.bincount(away, weights=hg, minlength=n_teams) / games_a
    avg_h, avg_a = hg.mean(), ag.mean()
    att_h, def_h = scored_h / avg_h, conceded_h / avg_a
    att_a, def_a = scored_a / avg_a, conceded_a / avg_h
    lam = att_h[:, None] * def_a[None, :] * avg_h
    mu = att_a[None, :] * def_h[:, None] * avg_a
    return lam, mu


def maher_fixed_point(home, away, hg, ag, n_teams, n_iter=25):
    # Maher's maximum likelihood by alternating closed-form updates
    H = np.zeros((n_teams, n_teams))
    A = np.zeros((n_teams, n_teams))
    np.add.at(H, (home, away), hg)
    np.add.at(A, (home, away), ag)
    played = np.zeros((n_teams, n_teams))
    np.add.at(played, (home, away), 1)
    alpha = np.ones(n_teams)
    beta = np.ones(n_teams)
    gamma = np.ones(n_teams)
    delta = np.ones(n_teams)
    for _ in range(n_iter):
        alpha = H.sum(1) / (played @ beta)
        beta = H.sum(0) / (played.T @ alpha)
        gamma = A.sum(0) / (played.T @ delta)
        delta = A.sum(1) / (played @ gamma)
        beta *= alpha.mean()
        alpha /= alpha.mean()
    return alpha, beta, gamma, delta


def poisson_glm_irls(X, y, n_iter=15):
    # the Poisson regression of goals on team dummies by Newton/IRLS, no statsmodels
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(n_iter):
        eta = X @ beta
        mu = np.exp(eta)
        W = mu
        z = eta + (y - mu) / mu
        XtW = X.T * W
        beta = np.linalg.solve(XtW @ X + 1e-6 * np.eye(X.shape[1]), XtW @ z)
    return beta


def team_design(home, away, n_teams):
    # rows: intercept, home indicator, attack one-hot, defence one-hot (team 0 dropped)
    n = len(home)
    eye = np.eye(n_teams)
    X_home = np.hstack([np.ones((n, 1)), np.ones((n, 1)), eye[home][:, 1:], eye[away][:, 1:]])
    X_away = np.hstack([np.ones((n, 1)), np.zeros((n, 1)), eye[away][:, 1:], eye[home][:, 1:]])
    return np.vstack([X_home, X_away])


def poisson_glm_from_fixtures(home, away, hg, ag, n_teams=4, n_iter=10):
    X = team_design(home, away, n_teams)
    y = np.concatenate([hg, ag]).astype(float)
    return poisson_glm_irls(X, y, n_iter=n_iter)


def skellam_goal_difference(lam_home, lam_away):
    # the goal-difference distribution as scipy's Skellam, and the draw probability
    k = np.arange(-6, 7)
    pmf = scipy.stats.skellam.pmf(k[:, None], lam_home[None, :], lam_away[None, :])
    return pmf, pmf[k == 0][0], pmf[k > 0].sum(axis=0)


def bivariate_poisson_pmf(x, y, l1, l2, l3, kmax=6):
    # Karlis-Ntzoufras by the finite sum over the shared component, in log space
    total = np.zeros(np.broadcast(x, y).shape)
    for k in range(kmax + 1):
        valid = (k <= x) & (k <= y)
        xk = np.where(valid, x - k, 0)
        yk = np.where(valid, y - k, 0)
        logt = (-(l1 + l2 + l3) + xk * np.log(l1) + yk * np.log(l2) + k * np.log(l3)
                - gammaln(xk + 1) - gammaln(yk + 1) - gammaln(k + 1))
        total += np.where(valid, np.exp(logt), 0.0)
    return total


def zero_inflated_poisson(goals, lam, pi0):
    # ZIP pmf and its log-likelihood, as low-scoring-sport notebooks fit it
    base = np.exp(-lam) * lam ** goals / scipy.special.factorial(goals)
    pmf = np.where(goals == 0, pi0 + (1 - pi0) * np.exp(-lam), (1 - pi0) * base)
    return pmf, np.log(pmf).sum()


def negbin_score_grid(mean_h, mean_a, dispersion=5.0):
    # overdispersed goals by scipy's nbinom in (n, p) form
    n = dispersion
    ph = scipy.stats.nbinom.pmf(GOALS, n, n / (n + mean_h))
    pa = scipy.stats.nbinom.pmf(GOALS, n, n / (n + mean_a))
    M = ph[:, None] * pa[None, :]
    return M, np.trace(M), np.triu(M, 1).sum()


def expected_points_table(lam, mu):
    # expected league points of each pairing from batched grids, float32 out
    ph = poisson.pmf(GOALS, lam[..., None])
    pa = poisson.pmf(GOALS, mu[..., None])
    grid = np.einsum("...i,...j->...ij", ph, pa)
    win = np.tril(np.ones((MAX_GOALS + 1, MAX_GOALS + 1)), -1)
    draw = np.eye(MAX_GOALS + 1)
    p_win = (grid * win).sum(axis=(-2, -1))
    p_draw = (grid * draw).sum(axis=(-2, -1))
    return (3 * p_win + p_draw).astype(np.float32)


def poisson_pmf_by_hand(k, lam):
    # the pmf without scipy: exp(k log lam - lam - lgamma(k + 1)), ints in
    return np.exp(k * np.log(lam) - lam - gammaln(k + 1))


SCORE_MODELS = {
    "poisson_score_matrix_outer": (poisson_score_matrix, {}, lambda s, n: (
        0.8 + 0.2 * s, 1.1 + 0.1 * n)),
    "match_odds_tril_diag_triu": (match_odds_from_grid, {}, lambda s, n: (
        1.2 + 0.1 * s, 0.9 + 0.05 * n)),
    "goal_markets_batched_unravel": (goal_markets, {}, lambda s, n: (
        0.6 + 2 * _u(s, n), 0.4 + 2 * _u(s + 1, n))),
    "asian_handicap_masks": (asian_handicap_grid, {}, lambda s, n: (1.0 + 0.3 * s, 1.3)),
    "dixon_coles_tau_select": (dixon_coles_tau, {}, lambda s, n: (
        _goals(s, 4 * n), _goals(s + 1, 4 * n), 0.5 + 2 * _u(s, 4 * n),
        0.5 + 2 * _u(s + 2, 4 * n), -0.1)),
    "dixon_coles_grid_corner_inplace": (dixon_coles_grid, {}, lambda s, n: (
        1.1 + 0.2 * s, 0.9, -0.13)),
    "dixon_coles_nll_params": (dixon_coles_nll, {"n_teams": 5}, lambda s, n: (
        np.concatenate([0.2 * _f(10, seed=s), [0.25, -0.08]]), *_fixtures(s, 5, 6 * n),
        _goals(s, 6 * n), _goals(s + 1, 6 * n), dixon_coles_time_weights(_i(600, 6 * n, seed=s)))),
    "dixon_coles_time_weights": (dixon_coles_time_weights, {}, lambda s, n: (
        _i(900, 5 * n, seed=s),)),
    "attack_defence_bincount_weights": (attack_defence_from_averages, {"n_teams": 4},
                                        lambda s, n: (
        np.tile(np.arange(4), 3 * n), np.tile([1, 2, 3, 0], 3 * n), _goals(s, 12 * n) + 1,
        _goals(s + 1, 12 * n) + 1)),
    "maher_fixed_point_add_at": (maher_fixed_point, {"n_teams": 4}, lambda s, n: (
        np.tile(np.arange(4), 3 * n), np.tile([1, 2, 3, 0], 3 * n), _goals(s, 12 * n) + 1,
        _goals(s + 1, 12 * n) + 1)),
    "poisson_glm_irls_team_design": (poisson_glm_from_fixtures, {"n_teams": 4}, lambda s, n: (
        *_fixtures(s, 4, 12 * n), _goals(s, 12 * n) + 1, _goals(s + 1, 12 * n))),
    "skellam_goal_difference": (skellam_goal_difference, {}, lambda s, n: (
        0.5 + 2 * _u(s, n), 0.5 + 2 * _u(s + 1, n))),
    "bivariate_poisson_kmax_loop": (bivariate_poisson_pmf, {"kmax": 6}, lambda s, n: (
        _goals(s, 3 * n), _goals(s + 1, 3 * n), 1.2, 0.9, 0.15)),
    "zero_inflated_poisson_factorial": (zero_inflated_poisson, {}, lambda s, n: (
        _goals(s, 4 * n, lam=1.0), 1.3, 0.12)),
    "negbin_score_grid": (negbin_score_grid, {}, lambda s, n: (1.2 + 0.2 * s, 1.0)),
    "expected_points_einsum_float32": (expected_points_table, {}, lambda s, n: (
        0.5 + 2 * _u(s, n, n), 0.5 + 2 * _u(s + 1, n, n))),
    "poisson_pmf_by_hand_ints": (poisson_pmf_by_hand, {}, lambda s, n: (
        _goals(s, 5 * n), 0.5 + 2 * _u(s, 5 * n))),
}


@pytest.mark.parametrize("name", _names(SCORE_MODELS))
def test_score_models_match_numpy(name):
    """Poisson, Dixon-Coles, Skellam, bivariate and overdispersed goal models: NumPy's
    values."""
    check_like_numpy(*SCORE_MODELS[name])


# ============================================================================ Bradley-Terry


def wins_matrix(winners, losers, n_players):
    # W[i, j]: times i beat j, from a list of results
    W = np.zeros((n_players, n_players), dtype=np.int64)
    np.add.at(W, (winners, losers), 1)
    return W


def bt_mm_hunter(W, n_iter=50):
    # Hunter (2004): p_i <- W_i / sum_j N_ij / (p_i + p_j), renormalised every sweep
    N = W + W.T
    wins = W.sum(axis=1)
    p = np.ones(W.shape[0])
    for _ in range(n_iter):
        denom = (N / (p[:, None] + p[None, :])).sum(axis=1)
        p = wins / denom
        p = p / p.sum()
    return p


def bt_from_results(winners, losers, n_players, n_iter=40, prior=0.5):
    # a pseudo-count of half a win against everyone keeps unbeaten players finite
    W = wins_matrix(winners, losers, n_players) + prior * (1 - np.eye(n_players))
    p = bt_mm_hunter(W, n_iter=n_iter)
    return np.log(p) - np.log(p).mean()


def bt_home_advantage(home_wins, away_wins, n_iter=40):
    # Agresti's home-field BT: H[i, j] home wins of i over j, A[i, j] away wins of j at i
    n = home_wins.shape[0]
    p = np.ones(n)
    theta = 1.5
    N = home_wins + away_wins
    for _ in range(n_iter):
        denom = (theta * N / (theta * p[:, None] + p[None, :])).sum(axis=1) \
            + (N.T / (theta * p[None, :] + p[:, None])).sum(axis=1)
        p = (home_wins.sum(1) + away_wins.sum(0)) / denom
        p /= np.exp(np.mean(np.log(p)))
        theta = home_wins.sum() / np.sum(N * p[:, None] / (theta * p[:, None] + p[None, :]))
    return p, theta


def davidson_ties(W, T, n_iter=40):
    # Davidson's tie model by MM-style updates of strengths and the tie parameter nu
    n = W.shape[0]
    p = np.ones(n)
    nu = 0.5
    N = W + W.T + T
    for _ in range(n_iter):
        sq = np.sqrt(p[:, None] * p[None, :])
        denom = p[:, None] + p[None, :] + nu * sq
        num = W.sum(1) + 0.5 * T.sum(1)
        d = (N * (1 + 0.5 * nu * np.sqrt(p[None, :] / p[:, None])) / denom).sum(1)
        p = num / d
        p /= p.sum()
        sq = np.sqrt(p[:, None] * p[None, :])
        denom = p[:, None] + p[None, :] + nu * sq
        nu = (0.5 * T.sum()) / (0.5 * np.sum(N * sq / denom))
    return p, nu


def plackett_luce_mm(rankings, n_items, n_iter=30):
    # Hunter's MM for Plackett-Luce: rankings[m] lists the finishing order of race m
    m, k = rankings.shape
    gamma = np.ones(n_items)
    wins = np.zeros(n_items)
    np.add.at(wins, rankings[:, :-1].ravel(), 1)
    for _ in range(n_iter):
        g = gamma[rankings]
        tail = np.cumsum(g[:, ::-1], axis=1)[:, ::-1]
        inv = 1.0 / tail[:, :-1]
        cum_inv = np.cumsum(inv, axis=1)
        cum_inv = np.concatenate([cum_inv, cum_inv[:, -1:]], axis=1)
        denom = np.zeros(n_items)
        np.add.at(denom, rankings.ravel(), cum_inv.ravel())
        gamma = wins / denom
        gamma /= gamma.sum()
    return gamma


def bt_logistic_newton(winners, losers, n_players, n_iter=8, l2=0.1):
    # BT as logistic regression: x = e_winner - e_loser, y = 1, Newton with a ridge
    m = len(winners)
    X = np.zeros((m, n_players))
    X[np.arange(m), winners] += 1
    X[np.arange(m), losers] -= 1
    beta = np.zeros(n_players)
    for _ in range(n_iter):
        p = expit(X @ beta)
        grad = X.T @ (1 - p) - l2 * beta
        H = (X.T * (p * (1 - p))) @ X + l2 * np.eye(n_players)
        beta += np.linalg.solve(H, grad)
    return beta


def bt_gradient_ascent(W, lr=0.1, n_iter=100):
    # log-strengths by plain gradient ascent on the log-likelihood, anchored at zero mean
    beta = np.zeros(W.shape[0])
    N = W + W.T
    for _ in range(n_iter):
        P = 1.0 / (1.0 + np.exp(beta[None, :] - beta[:, None]))
        grad = W.sum(axis=1) - (N * P).sum(axis=1)
        beta = beta + lr * grad / N.sum(axis=1)
        beta -= beta.mean()
    return beta, P


def thurstone_mosteller(W):
    # Case V: z-scores of win fractions, row means as scale values
    N = W + W.T
    frac = np.where(N > 0, (W + 0.5) / (N + 1.0), 0.5)
    Z = norm.ppf(frac)
    return Z.mean(axis=1) - Z.mean()


def log5(p_a, p_b):
    # Bill James' log5 win probability from two winning percentages
    return (p_a - p_a * p_b) / (p_a + p_b - 2 * p_a * p_b)


def log5_matrix(win_pct):
    P = log5(win_pct[:, None], win_pct[None, :])
    P[np.diag_indices_from(P)] = 0.5
    return P


def bt_elo_sgd(winners, losers, n_players, epochs=3, lr=16.0):
    # Elo as stochastic gradient of the BT log-likelihood over several epochs
    r = np.zeros(n_players)
    for _ in range(epochs):
        for w, l in zip(winners, losers):
            p = 1 / (1 + 10 ** ((r[l] - r[w]) / 400))
            r[w] += lr * (1 - p)
            r[l] -= lr * (1 - p)
    return r


BRADLEY_TERRY = {
    "bt_mm_hunter_wins_matrix": (bt_mm_hunter, {"n_iter": 50}, lambda s, n: (
        _i(6, n, n, seed=s) * (1 - np.eye(n, dtype=np.int64)) + (1 - np.eye(n, dtype=np.int64)),
    )),
    "bt_from_results_pseudocounts": (bt_from_results, {"n_players": 5}, lambda s, n: (
        *_fixtures(s, 5, 6 * n),)),
    "bt_home_advantage_theta": (bt_home_advantage, {}, lambda s, n: (
        (_i(4, n, n, seed=s) + 1) * (1 - np.eye(n)),
        (_i(3, n, n, seed=s + 1) + 1) * (1 - np.eye(n)))),
    "davidson_ties_nu": (davidson_ties, {}, lambda s, n: (
        (_i(5, n, n, seed=s) + 1) * (1 - np.eye(n)),
        np.triu(_i(3, n, n, seed=s + 1) + 1, 1) + np.triu(_i(3, n, n, seed=s + 1) + 1, 1).T)),
    "plackett_luce_mm_races": (plackett_luce_mm, {"n_items": 6}, lambda s, n: (
        np.argsort(_u(s, 4 * n, 6), axis=1)[:, :4],)),
    "bt_logistic_newton_ridge": (bt_logistic_newton, {"n_players": 5}, lambda s, n: (
        *_fixtures(s, 5, 6 * n),)),
    "bt_gradient_ascent": (bt_gradient_ascent, {"n_iter": 100}, lambda s, n: (
        _i(6, n, n, seed=s) * (1 - np.eye(n, dtype=np.int64)) + (1 - np.eye(n, dtype=np.int64)),
    )),
    "thurstone_mosteller_ppf": (thurstone_mosteller, {}, lambda s, n: (
        _i(6, n, n, seed=s) * (1 - np.eye(n, dtype=np.int64)),)),
    "log5_diag_indices_from": (log5_matrix, {}, lambda s, n: (0.2 + 0.6 * _u(s, n),)),
    "bt_elo_sgd_zip_epochs": (bt_elo_sgd, {"n_players": 6, "epochs": 3}, lambda s, n: (
        *_fixtures(s, 6, 3 * n),)),
}


@pytest.mark.parametrize("name", _names(BRADLEY_TERRY))
def test_bradley_terry_matches_numpy(name):
    """Bradley-Terry by MM, Newton and gradient ascent, ties, Plackett-Luce, log5: NumPy's
    values."""
    check_like_numpy(*BRADLEY_TERRY[name])


# ============================================================================ betting


def american_to_decimal(american):
    # +150 -> 2.5, -200 -> 1.5
    return np.where(american > 0, 1 + american / 100.0, 1 + 100.0 / np.abs(american))


def decimal_to_american(decimal):
    out = np.empty_like(decimal)
    fav = decimal < 2.0
    out[fav] = -100.0 / (decimal[fav] - 1)
    out[~fav] = (decimal[~fav] - 1) * 100.0
    return np.round(out).astype(int)


def fractional_to_decimal(num, den):
    # 5/2 -> 3.5, integer numerators and denominators as the odds feeds give them
    return num / den + 1


def implied_and_overround(odds):
    # per-market overround and the multiplicative ("basic") normalisation
    implied = 1.0 / odds
    booksum = implied.sum(axis=1, keepdims=True)
    return implied / booksum, booksum.ravel() - 1


def additive_margin_removal(odds):
    # the margin taken off each outcome in equal parts
    implied = 1.0 / odds
    k = odds.shape[1]
    margin = implied.sum(axis=1) - 1
    return implied - margin[:, None] / k


def power_method_margin(odds, n_iter=20):
    # p_i = pi_i ** k with sum p_i = 1, k by Newton with a fixed iteration count
    pi = 1.0 / odds
    k = np.ones(odds.shape[0])
    log_pi = np.log(pi)
    for _ in range(n_iter):
        pk = pi ** k[:, None]
        f = pk.sum(axis=1) - 1
        df = (pk * log_pi).sum(axis=1)
        k = k - f / df
    return pi ** k[:, None], k


def shin_probabilities(odds, n_iter=30):
    # Shin's insider-trading model: z by the fixed-point iteration of Jullien-Salanie
    pi = 1.0 / odds
    beta = pi.sum(axis=1, keepdims=True)
    z = np.zeros((odds.shape[0], 1))
    k = odds.shape[1]
    for _ in range(n_iter):
        root = np.sqrt(z ** 2 + 4 * (1 - z) * pi ** 2 / beta)
        z = (root.sum(axis=1, keepdims=True) - 2) / (k - 2)
    p = (np.sqrt(z ** 2 + 4 * (1 - z) * pi ** 2 / beta) - z) / (2 * (1 - z))
    return p / p.sum(axis=1, keepdims=True), z.ravel()


def odds_ratio_margin(odds, n_iter=25):
    # Cheung's odds-ratio method: p = pi / (c + pi - c pi), c by Newton on sum p = 1
    pi = 1.0 / odds
    c = np.ones((odds.shape[0], 1))
    for _ in range(n_iter):
        d = c + pi - c * pi
        p = pi / d
        f = p.sum(axis=1, keepdims=True) - 1
        df = (-pi * (1 - pi) / d ** 2).sum(axis=1, keepdims=True)
        c = c - f / df
    return pi / (c + pi - c * pi)


def kelly_fraction(p, decimal_odds, fraction=1.0):
    # f* = (bp - q) / b, clipped at zero, scaled for fractional Kelly
    b = decimal_odds - 1
    f = (b * p - (1 - p)) / b
    return fraction * np.clip(f, 0, None)


def kelly_growth_curve(p, decimal_odds, n_grid=101):
    # expected log growth over a grid of stake fractions and its argmax
    f = np.linspace(0, 0.99, n_grid)
    b = decimal_odds - 1
    g = p * np.log1p(f * b) + (1 - p) * np.log1p(-f)
    return g, f[np.argmax(g)]


def kelly_bankroll_sim(p, decimal_odds, rng, n_sims=200, n_bets=50, fraction=0.5,
                       start=1000.0):
    # fractional Kelly on repeated even bets: wins drawn up front, bankroll by a loop
    f = kelly_fraction(p, decimal_odds, fraction)
    wins = rng.random((n_sims, n_bets)) < p
    bank = np.full(n_sims, start)
    path = np.empty((n_bets + 1, n_sims))
    path[0] = bank
    for t in range(n_bets):
        stake = f * bank
        bank = bank + np.where(wins[:, t], stake * (decimal_odds - 1), -stake)
        path[t + 1] = bank
    return path, np.median(bank), np.mean(bank < start)


def bankroll_growth_cumprod(p, decimal_odds, rng, n_sims=300, n_bets=40, f=0.05):
    # the vectorised version: per-bet multipliers and their cumulative product
    outcome = rng.binomial(1, p, size=(n_sims, n_bets))
    mult = np.where(outcome == 1, 1 + f * (decimal_odds - 1), 1 - f)
    paths = 100.0 * np.cumprod(mult, axis=1)
    peak = np.maximum.accumulate(paths, axis=1)
    drawdown = 1 - paths / peak
    return paths[:, -1], drawdown.max(axis=1), np.percentile(paths[:, -1], [5, 50, 95])


def risk_of_ruin_flat(p, odds, rng, n_sims=400, n_bets=60, unit=10.0, bank0=100.0):
    # flat staking; ruin if the bankroll ever touches zero
    r = rng.random((n_sims, n_bets))
    pnl = np.where(r < p, unit * (odds - 1), -unit)
    bank = bank0 + np.cumsum(pnl, axis=1)
    ruined = np.any(bank <= 0, axis=1)
    first = np.where(ruined, np.argmax(bank <= 0, axis=1), n_bets)
    return ruined.mean(), first


def martingale_sim(rng, n_sims=100, n_spins=60, base=1.0, cap=64.0, p_win=18 / 37):
    # roulette martingale on red: the stake doubles after a loss, resets after a win, capped
    stake = np.full(n_sims, base)
    bank = np.zeros(n_sims)
    for _ in range(n_spins):
        won = rng.random(n_sims) < p_win
        bank += np.where(won, stake, -stake)
        stake = np.where(won, base, np.minimum(stake * 2, cap))
    return bank, stake


def settle_bets(odds, stake, won, void):
    # profit per bet: void bets refunded, then the ledger's yield and strike rate
    profit = np.where(void, 0.0, np.where(won, stake * (odds - 1), -stake))
    staked = stake[~void].sum()
    return {"profit": profit.sum(), "yield": profit.sum() / staked,
            "strike_rate": won[~void].mean(), "running": np.cumsum(profit)}


def closing_line_value(taken_odds, closing_odds, closing_all):
    # CLV against the no-vig closing price of the side bet (column 0)
    fair_close = (1 / closing_all) / (1 / closing_all).sum(axis=1, keepdims=True)
    clv = taken_odds * fair_close[:, 0] - 1
    beat = taken_odds > closing_odds
    return clv, beat.mean(), np.mean(clv)


def arbitrage_scan(book_odds):
    # book_odds[bookmaker, match, outcome]: best price per outcome, arb margin, stakes
    best = book_odds.max(axis=0)
    which = book_odds.argmax(axis=0)
    inv = 1 / best
    total = inv.sum(axis=1)
    stakes = 100 * inv / total[:, None]
    return which, 1 - total, stakes, np.where(total[:, None] < 1, stakes * best - 100, 0.0)


def accumulator_odds(legs, mask):
    # multiples: product of selected legs' prices per betslip
    return np.prod(np.where(mask, legs, 1.0), axis=1)


def asian_handicap_settle(goal_diff, line, odds, stake=1.0):
    # quarter lines as two half-stakes, settled by np.select per half
    lines = np.stack([np.floor(line * 2) / 2, np.ceil(line * 2) / 2], axis=-1)
    adj = goal_diff[:, None] + lines
    ret = np.select([adj > 0, adj == 0, adj < 0],
                    [stake / 2 * (odds[:, None] - 1), np.zeros_like(adj),
                     -stake / 2 * np.ones_like(adj)])
    return ret.sum(axis=1)


def value_bets_from_model(p_model, odds, bankroll=1000.0, max_frac=0.05):
    # edges against the price, quarter-Kelly stakes on positive edges, capped
    edge = p_model * odds - 1
    f = np.where(edge > 0, edge / (odds - 1), 0.0) * 0.25
    stakes = bankroll * np.minimum(f, max_frac)
    return edge, stakes, np.count_nonzero(stakes)


def odds_float32_feed(odds32, p64):
    # a float32 odds feed with float64 model probabilities: edges promote to float64
    implied = 1 / odds32
    fair = implied / implied.sum(axis=1, keepdims=True)
    return fair, p64 - fair, (odds32 * p64).astype(np.float32)


def spread_cover_probability(spreads, lines, sd=13.45):
    # the NFL margin as Normal(spread, 13.45): P(margin > line) per game by NormalDist
    return np.array([1 - NormalDist(mu=m, sigma=sd).cdf(l) for m, l in zip(spreads, lines)])


def betting_sharpe(daily_pnl, periods=365):
    mu = daily_pnl.mean()
    sd = daily_pnl.std(ddof=1)
    eq = np.cumsum(daily_pnl)
    dd = np.maximum.accumulate(eq) - eq
    return mu / sd * np.sqrt(periods), dd.max()


BETTING = {
    "american_to_decimal_where": (american_to_decimal, {}, lambda s, n: (
        np.where(_u(s, 4 * n) < 0.5, -1, 1) * (110 + _i(300, 4 * n, seed=s)),)),
    "decimal_to_american_mask_writes": (decimal_to_american, {}, lambda s, n: (
        1.1 + 4 * _u(s, 4 * n) + 0.013,)),
    "fractional_to_decimal_ints": (fractional_to_decimal, {}, lambda s, n: (
        _i(20, 3 * n, seed=s) + 1, _i(8, 3 * n, seed=s + 1) + 1)),
    "implied_overround_multiplicative": (implied_and_overround, {}, lambda s, n: (
        _decimal_odds(s, n),)),
    "additive_margin_removal": (additive_margin_removal, {}, lambda s, n: (
        _decimal_odds(s, n),)),
    "power_method_newton_k": (power_method_margin, {"n_iter": 20}, lambda s, n: (
        _decimal_odds(s, n),)),
    "shin_fixed_point": (shin_probabilities, {"n_iter": 30}, lambda s, n: (
        _decimal_odds(s, n),)),
    "odds_ratio_newton": (odds_ratio_margin, {}, lambda s, n: (_decimal_odds(s, n),)),
    "kelly_fraction_clip": (kelly_fraction, {}, lambda s, n: (
        0.2 + 0.6 * _u(s, 3 * n), 1.5 + 3 * _u(s + 1, 3 * n), 0.5)),
    "kelly_growth_curve_argmax": (kelly_growth_curve, {}, lambda s, n: (
        0.55 + 0.01 * s, 2.0 + 0.1 * n)),
    "kelly_bankroll_sim_generator": (kelly_bankroll_sim, {"n_sims": 50, "n_bets": 20},
                                     lambda s, n: (0.55, 2.0 + 0.05 * n, _rng(s))),
    "bankroll_binomial_cumprod_drawdown": (bankroll_growth_cumprod, {}, lambda s, n: (
        0.53, 2.0 + 0.02 * n, _rng(s))),
    "risk_of_ruin_flat_argmax": (risk_of_ruin_flat, {}, lambda s, n: (
        0.5, 1.9 + 0.01 * n, _rng(s))),
    "martingale_roulette": (martingale_sim, {"n_spins": 40}, lambda s, n: (_rng(s),)),
    "settle_bets_ledger_dict": (settle_bets, {}, lambda s, n: (
        1.5 + 3 * _u(s, 5 * n), 10.0 + _i(50, 5 * n, seed=s), _u(s + 1, 5 * n) < 0.45,
        np.arange(5 * n) % 7 == 3)),
    "closing_line_value": (closing_line_value, {}, lambda s, n: (
        1.6 + _u(s, 4 * n), 1.6 + _u(s + 1, 4 * n), _decimal_odds(s, 4 * n, k=2))),
    "arbitrage_scan_books": (arbitrage_scan, {}, lambda s, n: (
        _decimal_odds(s, 5 * n, k=3, margin=1.02).reshape(5, n, 3) * (1 + 0.05 * _u(s, 5, n, 3)),
    )),
    "accumulator_masked_prod": (accumulator_odds, {}, lambda s, n: (
        1.2 + 2 * _u(s, n, 6), _u(s + 1, n, 6) < 0.5)),
    "asian_handicap_quarter_lines": (asian_handicap_settle, {}, lambda s, n: (
        _i(7, 4 * n, seed=s) - 3, np.array([-1.25, -0.5, 0.25, -0.75] * n),
        1.9 + 0.1 * _u(s, 4 * n))),
    "value_bets_quarter_kelly": (value_bets_from_model, {}, lambda s, n: (
        0.2 + 0.6 * _u(s, 5 * n), 1.5 + 3 * _u(s + 1, 5 * n))),
    "odds_float32_feed_promotion": (odds_float32_feed, {}, lambda s, n: (
        _decimal_odds(s, n).astype(np.float32), _u(s, n, 3) / 3)),
    "spread_cover_normaldist": _Xfail(
        "statistics.NormalDist(mu=traced scalar).cdf raises ConcretizationError (float(mu) in "
        "NormalDist.__init__); Python gives floats", spread_cover_probability, {},
        lambda s, n: (14 * _f(3 * n, seed=s), np.round(14 * _f(3 * n, seed=s + 1)) + 0.5)),
    "betting_sharpe_drawdown": (betting_sharpe, {}, lambda s, n: (10 * _f(30 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(BETTING))
def test_betting_matches_numpy(name):
    """Odds conversion, margin removal, Kelly staking, bankroll simulations and settlement:
    NumPy's values."""
    check_like_numpy(*BETTING[name])


# ============================================================================ Monte Carlo


def simulate_league(att, dfn, home, away, rng, n_sims=200, hfa=0.25):
    # a season simulated n_sims times: Poisson goals, points by one-hot products, the table
    # ordered by points then goal difference then a random draw for lots
    n_teams = att.shape[0]
    lam_h = np.exp(att[home] - dfn[away] + hfa)
    lam_a = np.exp(att[away] - dfn[home])
    gh = rng.poisson(lam_h, size=(n_sims, len(home)))
    ga = rng.poisson(lam_a, size=(n_sims, len(home)))
    pts_h = 3 * (gh > ga) + (gh == ga)
    pts_a = 3 * (ga > gh) + (gh == ga)
    H = np.eye(n_teams)[home]
    A = np.eye(n_teams)[away]
    points = pts_h @ H + pts_a @ A
    gd = (gh - ga) @ H + (ga - gh) @ A
    lots = rng.random((n_sims, n_teams))
    key = points * 1000 + gd + lots
    order = np.argsort(-key, axis=1)
    position = np.argsort(order, axis=1)
    finish = np.stack([(position == k).mean(axis=0) for k in range(n_teams)], axis=1)
    return finish, points.mean(axis=0)


def league_table_lexsort(points, gd, gf, names_idx):
    # the final table by points, then goal difference, then goals for, then name
    order = np.lexsort((names_idx, -gf, -gd, -points))
    table = np.column_stack([order + 1, points[order], gd[order], gf[order]])
    return table


def knockout_bracket(strength, rng, n_sims=300, rounds=3):
    # a 2**rounds-team single-elimination bracket: winners by log5 of strengths
    n_teams = 2 ** rounds
    wins = np.zeros(n_teams)
    champs = np.zeros(n_teams)
    for _ in range(n_sims):
        alive = np.arange(n_teams)
        for r in range(rounds):
            a, b = alive[0::2], alive[1::2]
            p = strength[a] / (strength[a] + strength[b])
            u = rng.random(len(a))
            alive = np.where(u < p, a, b)
            wins[alive] += 1
        champs[alive[0]] += 1
    return champs / n_sims, wins / n_sims


def knockout_vectorised(strength, rng, n_sims=500, rounds=4):
    # all simulations at once, the alive array of shape (n_sims, teams left)
    n_teams = 2 ** rounds
    alive = np.broadcast_to(np.arange(n_teams), (n_sims, n_teams))
    for r in range(rounds):
        a, b = alive[:, 0::2], alive[:, 1::2]
        p = strength[a] / (strength[a] + strength[b])
        alive = np.where(rng.random(p.shape) < p, a, b)
    return np.bincount(alive[:, 0], minlength=n_teams) / n_sims


def bracket_exact_probabilities(P, rounds=3):
    # the exact March Madness recursion: probability of each team reaching each round,
    # blocks of 2**r teams meeting the neighbouring block
    n = 2 ** rounds
    reach = np.ones(n)
    out = np.zeros((rounds, n))
    for r in range(rounds):
        size = 2 ** r
        new = np.zeros(n)
        for i in range(n):
            block = i // size
            opp_block = block ^ 1
            opp = np.arange(opp_block * size, (opp_block + 1) * size)
            new[i] = reach[i] * np.sum(reach[opp] * P[i, opp])
        reach = new
        out[r] = reach
    return out


def best_of_seven(p_game, rng, n_sims=2000):
    # series simulation: first to four wins, series length from the cumulative wins
    games = rng.random((n_sims, 7)) < p_game
    wins_a = np.cumsum(games, axis=1)
    wins_b = np.cumsum(~games, axis=1)
    a_done = wins_a >= 4
    b_done = wins_b >= 4
    done = a_done | b_done
    length = np.argmax(done, axis=1) + 1
    a_won = a_done[np.arange(n_sims), length - 1]
    return a_won.mean(), np.bincount(length, minlength=8)[4:] / n_sims


def series_exact(p, need=4):
    # the negative binomial closed form for winning a best-of-(2 need - 1) series
    k = np.arange(need)
    return np.sum(scipy.special.comb(need - 1 + k, k) * p ** need * (1 - p) ** k)


GROUP_FIXTURES = np.array(list(itertools.combinations(range(4), 2)))


def world_cup_group(lam, rng, n_sims=400):
    # a four-team group: six fixtures from itertools.combinations, the top two advance
    i, j = GROUP_FIXTURES[:, 0], GROUP_FIXTURES[:, 1]
    gi = rng.poisson(lam[i, j], size=(n_sims, 6))
    gj = rng.poisson(lam[j, i], size=(n_sims, 6))
    pts = np.zeros((n_sims, 4))
    for f in range(6):
        pts[:, i[f]] += np.where(gi[:, f] > gj[:, f], 3, np.where(gi[:, f] == gj[:, f], 1, 0))
        pts[:, j[f]] += np.where(gj[:, f] > gi[:, f], 3, np.where(gi[:, f] == gj[:, f], 1, 0))
    tiebreak = pts + 0.001 * rng.random((n_sims, 4))
    top2 = np.argsort(tiebreak, axis=1)[:, -2:]
    advance = np.zeros(4)
    np.add.at(advance, top2.ravel(), 1)
    return advance / n_sims, pts.mean(axis=0)


def pythagorean_expectation(runs_for, runs_against, exponent=1.83, games=162):
    # Bill James' (Pythagenpat-free) expectation and the luck residual
    rf = runs_for ** exponent
    exp_pct = rf / (rf + runs_against ** exponent)
    return exp_pct, np.round(exp_pct * games)


def season_win_totals(p_games, rng, n_sims=1000, line=8.5):
    # over/under on season wins: Bernoulli games per team per simulation
    wins = (rng.random((n_sims,) + p_games.shape) < p_games).sum(axis=-1)
    return (wins > line).mean(axis=0), wins.mean(axis=0), np.quantile(wins, [0.1, 0.9], axis=0)


def tennis_game_prob(p):
    # probability of holding serve from the point probability (deuce as a geometric sum)
    q = 1 - p
    deuce = p ** 2 / (p ** 2 + q ** 2)
    return p ** 4 * (1 + 4 * q + 10 * q ** 2) + 20 * p ** 3 * q ** 3 * deuce


def tennis_set_markov(p_hold_a, p_hold_b):
    # a set by dynamic programming over games (tie-break as a coin weighted by holds)
    P = np.zeros((8, 8))
    P[0, 0] = 1.0
    for total in range(12):
        for a in range(min(total, 6) + 1):
            b = total - a
            if b > 6 or b < 0:
                continue
            if (a == 6 and b < 5) or (b == 6 and a < 5) or a == 7 or b == 7:
                continue
            if a == 6 and b == 6:
                continue
            serve_a = total % 2 == 0
            pw = np.where(serve_a, p_hold_a, 1 - p_hold_b)
            P[a + 1, b] += P[a, b] * pw
            P[a, b + 1] += P[a, b] * (1 - pw)
    tb = 0.5 + 0.5 * (p_hold_a - p_hold_b)
    p_set = P[6, :5].sum() + P[7, 5] + P[6, 6] * tb
    return p_set, P


def tennis_match_sim(p_serve_a, p_serve_b, rng, n_sims=300):
    # a best-of-three approximated at game level, draws from the generator per set
    sets_a = np.zeros(n_sims, dtype=np.int64)
    sets_b = np.zeros(n_sims, dtype=np.int64)
    ha, hb = tennis_game_prob(p_serve_a), tennis_game_prob(p_serve_b)
    for _ in range(3):
        holds_a = rng.binomial(6, ha, n_sims)
        holds_b = rng.binomial(6, hb, n_sims)
        a_games = holds_a + (6 - holds_b)
        b_games = holds_b + (6 - holds_a)
        a_set = (a_games > b_games) | ((a_games == b_games) & (rng.random(n_sims) < 0.5))
        live = (sets_a < 2) & (sets_b < 2)
        sets_a += a_set & live
        sets_b += ~a_set & live
    return (sets_a == 2).mean(), np.bincount(sets_a + 3 * sets_b, minlength=9)


def run_expectancy_markov(T_transient, runs):
    # baseball's 24 base-out states as an absorbing chain: expected runs to the inning's end
    n = T_transient.shape[0]
    N = np.linalg.inv(np.eye(n) - T_transient)
    r = (T_transient * runs).sum(axis=1)
    return N @ r, N.sum(axis=1)


def _run_chain(seed, n):
    r = np.random.default_rng(seed)
    T = r.random((n, n)) * (r.random((n, n)) < 0.6)
    T = 0.85 * T / T.sum(axis=1, keepdims=True)
    return T, r.integers(0, 3, (n, n)).astype(np.float64)


def penalty_shootout(p_a, p_b, rng, n_sims=500):
    # five kicks each, then sudden death for up to ten more rounds, all vectorised
    a = (rng.random((n_sims, 5)) < p_a).sum(axis=1)
    b = (rng.random((n_sims, 5)) < p_b).sum(axis=1)
    sd_a = rng.random((n_sims, 10)) < p_a
    sd_b = rng.random((n_sims, 10)) < p_b
    decided = sd_a != sd_b
    first = np.argmax(decided, axis=1)
    sd_winner_a = sd_a[np.arange(n_sims), first]
    a_wins = np.where(a != b, a > b, sd_winner_a)
    return a_wins.mean()


def hot_hand_streaks(rng, n_players=5, n_shots=40, p=0.45):
    # longest make streak per player from a shot sequence by a run-length loop
    makes = rng.random((n_players, n_shots)) < p
    run = np.zeros(n_players, dtype=np.int64)
    longest = np.zeros(n_players, dtype=np.int64)
    for t in range(n_shots):
        run = np.where(makes[:, t], run + 1, 0)
        longest = np.maximum(longest, run)
    after_make = makes[:, 1:][makes[:, :-1]]
    return longest, after_make.mean()


POINTS_WDL = np.array([3, 1, 0])


def playoff_odds(current_pts, remaining_p, rng, n_sims=400, spots=4):
    # remaining games as W/D/L counts (multinomial) for some teams and per-game draws (choice)
    # for others, the top `spots` qualify; a tiny random key breaks ties
    n_teams, n_left = remaining_p.shape[:2]
    sims = np.zeros((n_sims, n_teams))
    for t in range(n_teams):
        if t % 2 == 0:
            wdl = rng.multinomial(n_left, remaining_p[t, 0], size=n_sims)
            sims[:, t] = current_pts[t] + wdl @ POINTS_WDL
        else:
            res = rng.choice(3, size=(n_sims, n_left), p=remaining_p[t, 0])
            sims[:, t] = current_pts[t] + POINTS_WDL[res].sum(axis=1)
    sims += rng.random(sims.shape) * 1e-3
    rank = (-sims).argsort(axis=1).argsort(axis=1)
    return (rank < spots).mean(axis=0), sims.mean(axis=0)


def fixtures_by_scipy_rvs(lam_home, lam_away, rng, n_sims=500):
    # goals drawn with scipy.stats' rvs and the generator as random_state
    gh = poisson.rvs(lam_home, size=(n_sims, lam_home.size), random_state=rng)
    ga = poisson.rvs(lam_away, size=(n_sims, lam_away.size), random_state=rng)
    return (gh > ga).mean(axis=0), (gh == ga).mean(axis=0), (gh + ga).mean(axis=0)


MONTE_CARLO = {
    "simulate_league_onehot_argsort": (simulate_league, {"n_sims": 100}, lambda s, n: (
        0.3 * _f(n, seed=s), 0.3 * _f(n, seed=s + 1), *_fixtures(s, n, 4 * n), _rng(s))),
    "league_table_lexsort": (league_table_lexsort, {}, lambda s, n: (
        _i(30, 3 * n, seed=s), _i(20, 3 * n, seed=s + 1) - 10, _i(50, 3 * n, seed=s + 2),
        _u(s, 3 * n).argsort())),
    "knockout_bracket_python_loops": (knockout_bracket, {"n_sims": 30, "rounds": 3},
                                      lambda s, n: (_pos(s, 8), _rng(s))),
    "knockout_vectorised_bincount": (knockout_vectorised, {"rounds": 4}, lambda s, n: (
        _pos(s, 16), _rng(s))),
    "bracket_exact_xor_blocks": (bracket_exact_probabilities, {"rounds": 3}, lambda s, n: (
        log5_matrix(0.2 + 0.6 * _u(s, 8)),)),
    "best_of_seven_cumsum_argmax": (best_of_seven, {}, lambda s, n: (0.45 + 0.02 * n, _rng(s))),
    "series_exact_comb": (series_exact, {"need": 4}, lambda s, n: (0.4 + 0.03 * s,)),
    "world_cup_group_combinations": (world_cup_group, {"n_sims": 200}, lambda s, n: (
        0.5 + 2 * _u(s, 4, 4), _rng(s))),
    "pythagorean_expectation": (pythagorean_expectation, {}, lambda s, n: (
        600 + 200 * _u(s, 5 * n), 600 + 200 * _u(s + 1, 5 * n))),
    "season_win_totals_quantile": (season_win_totals, {"n_sims": 500}, lambda s, n: (
        0.3 + 0.4 * _u(s, n, 17), _rng(s))),
    "tennis_game_prob": (tennis_game_prob, {}, lambda s, n: (0.5 + 0.3 * _u(s, 4 * n),)),
    "tennis_set_markov_static_branches": (tennis_set_markov, {}, lambda s, n: (
        0.7 + 0.02 * s, 0.65 + 0.01 * n)),
    "tennis_match_binomial": (tennis_match_sim, {}, lambda s, n: (
        0.62, 0.6 + 0.01 * n, _rng(s))),
    "run_expectancy_absorbing_chain": (run_expectancy_markov, {}, lambda s, n: (
        *_run_chain(s, 4 * n),)),
    "penalty_shootout_sudden_death": (penalty_shootout, {}, lambda s, n: (
        0.75, 0.7 + 0.01 * n, _rng(s))),
    "hot_hand_streaks_masked_mean": (hot_hand_streaks, {"n_shots": 40}, lambda s, n: (_rng(s),)),
    "scipy_poisson_rvs_random_state": _Xfail(
        "scipy.stats.poisson.rvs(traced mu, random_state=rng) raises ConcretizationError at "
        "scipy's argument check `if not np.all(cond)`; SciPy draws from rng",
        fixtures_by_scipy_rvs, {}, lambda s, n: (0.5 + 2 * _u(s, n), 0.5 + 2 * _u(s + 1, n),
                                                 _rng(s))),
    "playoff_odds_choice_multinomial": (playoff_odds, {"n_sims": 100}, lambda s, n: (
        _i(30, n, seed=s), np.tile(np.array([0.45, 0.25, 0.30]), (n, 5, 1)), _rng(s))),
}


@pytest.mark.parametrize("name", _names(MONTE_CARLO))
def test_monte_carlo_simulations_match_numpy(name):
    """League, bracket, series, group, tennis and shootout simulations from a Generator
    argument, and their exact counterparts: NumPy's values."""
    check_like_numpy(*MONTE_CARLO[name])


# ============================================================================ expected goals

PITCH_LENGTH = 105.0
PITCH_WIDTH = 68.0
GOAL_WIDTH = 7.32
XG_COEF = {"intercept": -1.2, "distance": -0.11, "angle": 1.35, "header": -0.75,
           "big_chance": 1.1}


def shot_geometry(x, y):
    # Friends-of-Tracking: distance to the goal centre and the angle the posts subtend,
    # x measured from the goal line, y from the centre line
    dist = np.sqrt(x ** 2 + y ** 2)
    angle = np.arctan(GOAL_WIDTH * x / (x ** 2 + y ** 2 - (GOAL_WIDTH / 2) ** 2))
    angle = np.where(angle < 0, np.pi + angle, angle)
    return dist, angle


def xg_logistic(x, y, header, big_chance):
    # a fitted logistic model from a coefficient dict, bool features mixed in
    dist, angle = shot_geometry(x, y)
    z = (XG_COEF["intercept"] + XG_COEF["distance"] * dist + XG_COEF["angle"] * angle
         + XG_COEF["header"] * header + XG_COEF["big_chance"] * big_chance)
    return 1 / (1 + np.exp(-z))


def xg_features_fit(X, goal, n_iter=12, l2=1e-3):
    # fitting the xG model with Newton steps on standardised features
    mu, sd = X.mean(axis=0), X.std(axis=0)
    Z = np.column_stack([np.ones(len(X)), (X - mu) / sd])
    w = np.zeros(Z.shape[1])
    for _ in range(n_iter):
        p = expit(Z @ w)
        g = Z.T @ (goal - p) - l2 * w
        H = Z.T @ (Z * (p * (1 - p))[:, None]) + l2 * np.eye(Z.shape[1])
        w = w + np.linalg.solve(H, g)
    return w, expit(Z @ w)


def xg_per_player(player, xg, goals, minutes, n_players):
    # totals by bincount with weights, per 90, and goals minus xG
    total_xg = np.bincount(player, weights=xg, minlength=n_players)
    total_goals = np.bincount(player, weights=goals, minlength=n_players)
    shots = np.bincount(player, minlength=n_players)
    per90 = total_xg / minutes * 90
    return {"xg": total_xg, "g_minus_xg": total_goals - total_xg, "xg_per90": per90,
            "xg_per_shot": np.divide(total_xg, shots, out=np.zeros(n_players),
                                     where=shots > 0)}


def npxg(xg, is_penalty, team, n_teams=2, pen_xg=0.76):
    # non-penalty xG per team, with penalties put back at the league conversion rate
    np_xg = np.where(is_penalty, 0.0, xg)
    per_team = np.zeros(n_teams)
    np.add.at(per_team, team, np_xg)
    pens = np.zeros(n_teams, dtype=np.int64)
    np.add.at(pens, team, is_penalty.astype(np.int64))
    return per_team, per_team + pen_xg * pens


def shot_xg_to_goal_distribution(xg, max_goals=8):
    # Poisson-binomial over a team's shots by the one-shot-at-a-time recursion
    dist = np.zeros(max_goals + 1)
    dist[0] = 1.0
    for p in xg:
        dist[1:] = dist[1:] * (1 - p) + dist[:-1] * p
        dist[0] = dist[0] * (1 - p)
    return dist


def xg_match_result_probs(xg_home, xg_away):
    # win/draw/loss from two shot lists by np.convolve of Bernoulli pmfs
    ph = np.array([1.0])
    for p in xg_home:
        ph = np.convolve(ph, [1 - p, p])
    pa = np.array([1.0])
    for p in xg_away:
        pa = np.convolve(pa, [1 - p, p])
    M = np.outer(ph, pa)
    return np.tril(M, -1).sum(), np.trace(M), np.triu(M, 1).sum()


def poisson_binomial_fft(xg, n_out=10):
    # the characteristic-function form: product of (1 - p + p w) on roots of unity
    N = len(xg) + 1
    w = np.exp(2j * np.pi * np.arange(N) / N)
    phi = np.prod(1 - xg[:, None] + xg[:, None] * w[None, :], axis=0)
    pmf = np.real(np.fft.fft(phi)) / N
    return np.clip(pmf[:n_out], 0, 1)


def expected_threat(move_T, shoot_p, move_p, xg_cell, n_iter=5):
    # Karun Singh's xT: xT = s * xG + m * T @ xT, iterated from zeros
    xT = np.zeros_like(xg_cell)
    for _ in range(n_iter):
        xT = shoot_p * xg_cell + move_p * (move_T @ xT)
    return xT


def _xt_inputs(seed, n):
    r = np.random.default_rng(seed)
    cells = 4 * n
    T = r.random((cells, cells))
    T /= T.sum(axis=1, keepdims=True)
    shoot = 0.05 + 0.2 * r.random(cells)
    return T, shoot, 1 - shoot - 0.1 * r.random(cells), 0.3 * r.random(cells)


def shot_map_bins(x, y, xg, nx=6, ny=4):
    # shot counts and xG per zone by np.histogram2d over the attacking half
    counts, xe, ye = np.histogram2d(x, y, bins=[nx, ny], range=[[0, 52.5], [-34, 34]])
    xg_sum, _, _ = np.histogram2d(x, y, bins=[xe, ye], weights=xg)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(counts > 0, xg_sum / np.maximum(counts, 1), np.nan)
    return counts, xg_sum, rate


def xg_calibration(p, y, n_bins=5):
    # reliability table by np.digitize, Brier and log loss
    edges = np.linspace(0, 1, n_bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, n_bins - 1)
    cnt = np.bincount(idx, minlength=n_bins)
    mean_p = np.bincount(idx, weights=p, minlength=n_bins) / np.maximum(cnt, 1)
    obs = np.bincount(idx, weights=y, minlength=n_bins) / np.maximum(cnt, 1)
    brier = np.mean((p - y) ** 2)
    ll = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
    return mean_p, obs, cnt, brier, ll


def pitch_control(grid_xy, att_pos, def_pos, ball_xy, vmax=5.0, react=0.7, sigma=0.45):
    # Spearman-lite: time to intercept per player per cell, a logistic sum per team
    def arrival(pos):
        d = np.linalg.norm(grid_xy[:, None, :] - pos[None, :, :], axis=-1)
        return react + d / vmax
    t_att = arrival(att_pos)
    t_def = arrival(def_pos)
    ball_t = np.linalg.norm(grid_xy - ball_xy, axis=1) / 15.0
    k = np.pi / np.sqrt(3) / sigma
    p_att = 1 / (1 + np.exp(-k * (ball_t[:, None] - t_att)))
    p_def = 1 / (1 + np.exp(-k * (ball_t[:, None] - t_def)))
    a = p_att.sum(axis=1)
    d = p_def.sum(axis=1)
    return a / (a + d + 1e-9)


def _pitch_inputs(seed, n):
    r = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.linspace(0, 105, 3 * n), np.linspace(0, 68, 2 * n))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    return (grid, r.uniform([0, 0], [105, 68], (11, 2)), r.uniform([0, 0], [105, 68], (11, 2)),
            r.uniform([0, 0], [105, 68], 2))


def voronoi_ownership(grid_xy, players, team):
    # nearest player per cell, and each team's share of the pitch
    d2 = ((grid_xy[:, None, :] - players[None, :, :]) ** 2).sum(axis=-1)
    owner = np.argmin(d2, axis=1)
    owner_team = team[owner]
    return owner, np.bincount(owner_team, minlength=2) / len(grid_xy)


def progressive_passes(x0, y0, x1, y1):
    # Wyscout's rule: at least 30 m closer to goal in the own half, 15 m across, 10 m in
    # the opponent's half, measured to the goal centre at (105, 34)
    d0 = np.hypot(105 - x0, 34 - y0)
    d1 = np.hypot(105 - x1, 34 - y1)
    gain = d0 - d1
    own = (x0 < 52.5) & (x1 < 52.5)
    cross = (x0 < 52.5) & (x1 >= 52.5)
    opp = (x0 >= 52.5) & (x1 >= 52.5)
    prog = (own & (gain >= 30)) | (cross & (gain >= 15)) | (opp & (gain >= 10))
    return prog, prog.sum(), gain[prog].sum()


def shot_xg_float32(x, y):
    # a float32 event feed: coordinates in float32, the model in float32 too
    x = x.astype(np.float32)
    y = y.astype(np.float32)
    dist = np.hypot(x, y)
    ang = np.arctan2(np.float32(GOAL_WIDTH) * x, x * x + y * y - np.float32(GOAL_WIDTH ** 2 / 4))
    z = np.float32(-1.0) - np.float32(0.1) * dist + np.float32(1.3) * ang
    return 1 / (1 + np.exp(-z))


def shots_to_goals_poisson_binom(xg, max_goals=6):
    # SciPy's Poisson binomial distribution: the goals a team's shot list is worth
    k = np.arange(max_goals + 1)
    return scipy.stats.poisson_binom.pmf(k, xg), scipy.stats.poisson_binom.sf(0, xg)


def xg_goals_correlation(team_xg, team_goals):
    # the blog check with Python's statistics: r, and goals regressed on xG
    r = statistics.correlation(team_xg, team_goals)
    slope, intercept = statistics.linear_regression(team_xg, team_goals)
    return r, slope, intercept


XG = {
    "shot_geometry_arctan_where": (shot_geometry, {}, lambda s, n: (
        1 + 30 * _u(s, 5 * n), 30 * _u(s + 1, 5 * n) - 15)),
    "xg_logistic_coef_dict_bools": (xg_logistic, {}, lambda s, n: (
        1 + 30 * _u(s, 5 * n), 30 * _u(s + 1, 5 * n) - 15, _u(s, 5 * n) < 0.2,
        _u(s + 2, 5 * n) < 0.1)),
    "xg_fit_newton_standardised": (xg_features_fit, {}, lambda s, n: (
        _f(20 * n, 3, seed=s), (_u(s, 20 * n) < 0.3).astype(np.float64))),
    "xg_per_player_bincount_dict": (xg_per_player, {"n_players": 5}, lambda s, n: (
        _i(5, 6 * n, seed=s), 0.4 * _u(s, 6 * n), _i(2, 6 * n, seed=s + 1),
        900.0 + _i(900, 5, seed=s))),
    "npxg_add_at_bool_cast": (npxg, {}, lambda s, n: (
        0.3 * _u(s, 6 * n), np.arange(6 * n) % 9 == 4, _i(2, 6 * n, seed=s))),
    "xg_poisson_binomial_recursion": (shot_xg_to_goal_distribution, {}, lambda s, n: (
        0.4 * _u(s, 3 * n),)),
    "xg_result_probs_convolve": (xg_match_result_probs, {}, lambda s, n: (
        0.4 * _u(s, 2 * n), 0.4 * _u(s + 1, n + 3))),
    "poisson_binomial_fft": (poisson_binomial_fft, {}, lambda s, n: (0.4 * _u(s, 3 * n),)),
    "expected_threat_iteration": (expected_threat, {}, lambda s, n: (*_xt_inputs(s, n),)),
    "shot_map_histogram2d_weights": (shot_map_bins, {}, lambda s, n: (
        52.5 * _u(s, 10 * n), 68 * _u(s + 1, 10 * n) - 34, 0.5 * _u(s, 10 * n))),
    "xg_calibration_digitize": (xg_calibration, {}, lambda s, n: (
        0.02 + 0.9 * _u(s, 20 * n), (_u(s + 1, 20 * n) < 0.3).astype(np.float64))),
    "pitch_control_nested_helper": (pitch_control, {}, lambda s, n: (*_pitch_inputs(s, n),)),
    "voronoi_ownership_argmin": (voronoi_ownership, {}, lambda s, n: (
        _pitch_inputs(s, n)[0], np.vstack(_pitch_inputs(s, n)[1:3]),
        np.repeat([0, 1], 11))),
    "progressive_passes_masks": (progressive_passes, {}, lambda s, n: (
        105 * _u(s, 8 * n), 68 * _u(s + 1, 8 * n), 105 * _u(s + 2, 8 * n),
        68 * _u(s + 3, 8 * n))),
    "poisson_binom_scipy_pmf": _Xfail(
        "scipy.stats.poisson_binom.pmf/sf of a traced xG array raises ConcretizationError "
        "('Invalid call to pythranized function _poisson_binom(Tracer, ...)'); SciPy gives the "
        "pmf", shots_to_goals_poisson_binom, {}, lambda s, n: (0.4 * _u(s, 3 * n),)),
    "xg_statistics_correlation_regression": _Xfail(
        "statistics.correlation/linear_regression of traced arrays raise ConcretizationError "
        "(float() in statistics' fsum); Python gives floats", xg_goals_correlation, {},
        lambda s, n: (20 + 30 * _u(s, 4 * n), 20 + 30 * _u(s + 1, 4 * n))),
    "shot_xg_float32_feed": (shot_xg_float32, {}, lambda s, n: (
        1 + 30 * _u(s, 5 * n), 30 * _u(s + 1, 5 * n) - 15)),
}


@pytest.mark.parametrize("name", _names(XG))
def test_expected_goals_match_numpy(name):
    """Shot geometry, xG models and fits, Poisson-binomial results, xT, pitch control and
    event metrics: NumPy's values."""
    check_like_numpy(*XG[name])


# ============================================================================ dice, cards and
# casino probability

DIE = np.full(6, 1 / 6)


def dice_sum_pmf(n_dice=3, sides=6):
    # the distribution of the sum of n dice by repeated np.convolve
    pmf = np.array([1.0])
    face = np.ones(sides) / sides
    for _ in range(n_dice):
        pmf = np.convolve(pmf, face)
    return np.arange(n_dice, n_dice * sides + 1), pmf


def loaded_dice_pmf(face_p, n_dice=3):
    # the same with a traced (loaded) die, and P(sum >= 15)
    pmf = face_p
    for _ in range(n_dice - 1):
        pmf = np.convolve(pmf, face_p)
    totals = np.arange(n_dice, 6 * n_dice + 1)
    return pmf, pmf[totals >= 15].sum(), np.dot(totals, pmf)


def dice_enumeration_indices(weights, k=4):
    # every roll of k dice by np.indices, the sum's pmf by a weighted bincount
    rolls = np.indices((6,) * k).reshape(k, -1).T + 1
    p = np.prod(weights[rolls - 1], axis=1)
    return np.bincount(rolls.sum(axis=1), weights=p, minlength=6 * k + 1)


def yahtzee_kind_probs(face_p):
    # P(at least three / four / five of a kind) in one roll of five dice, by enumerating
    # the 7776 rolls from itertools.product and counting faces by comparison
    rolls = np.array(list(itertools.product(range(6), repeat=5)))
    p = np.prod(face_p[rolls], axis=1)
    counts = (rolls[:, :, None] == np.arange(6)).sum(axis=1)
    most = counts.max(axis=1)
    return np.array([p[most >= 3].sum(), p[most >= 4].sum(), p[most == 5].sum()])


def yahtzee_large_straight_sim(rng, n_sims=4000):
    # a rolled large straight: sorted dice equal to 1..5 or 2..6
    dice = rng.integers(1, 7, size=(n_sims, 5), dtype=np.int8)
    s = np.sort(dice, axis=1)
    straight = np.all(np.diff(s, axis=1) == 1, axis=1)
    return straight.mean(), s.dtype == np.int8


RISK_ROLLS_3V2 = np.array(list(itertools.product(range(1, 7), repeat=5)))


def risk_battle_3v2():
    # Risk: three attacking dice against two defending, by full enumeration
    att = -np.sort(-RISK_ROLLS_3V2[:, :3], axis=1)[:, :2]
    dfn = -np.sort(-RISK_ROLLS_3V2[:, 3:], axis=1)
    att_losses = (dfn >= att).sum(axis=1)
    return np.bincount(att_losses, minlength=3) / len(RISK_ROLLS_3V2)


def risk_battle_sim(rng, n_att=3, n_def=2, n_sims=3000):
    a = -np.sort(-rng.integers(1, 7, (n_sims, n_att)), axis=1)
    d = -np.sort(-rng.integers(1, 7, (n_sims, n_def)), axis=1)
    k = min(n_att, n_def)
    lost = (d[:, :k] >= a[:, :k]).sum(axis=1)
    return np.bincount(lost, minlength=k + 1) / n_sims


RANKS = np.arange(13)
HAND_NAMES = ("high", "pair", "two_pair", "trips", "straight", "flush", "full_house", "quads",
              "straight_flush")


def classify_poker_hands(cards):
    # five-card hands as ints 0..51: rank = c % 13, suit = c // 13; rank counts by comparison
    ranks = cards % 13
    suits = cards // 13
    counts = (ranks[:, :, None] == RANKS).sum(axis=1)
    sorted_counts = -np.sort(-counts, axis=1)
    flush = np.all(suits == suits[:, :1], axis=1)
    present = counts > 0
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([present[:, 12:], present], axis=1), 5, axis=1)
    straight = (windows.sum(axis=-1) == 5).any(axis=1) & (sorted_counts[:, 0] == 1)
    c0, c1 = sorted_counts[:, 0], sorted_counts[:, 1]
    category = np.select(
        [straight & flush, c0 == 4, (c0 == 3) & (c1 == 2), flush, straight, c0 == 3,
         (c0 == 2) & (c1 == 2), c0 == 2],
        [8, 7, 6, 5, 4, 3, 2, 1], default=0)
    return category, np.bincount(category, minlength=len(HAND_NAMES))


def _deal(seed, n, k=5, dtype=np.int64):
    r = np.random.default_rng(seed)
    return np.argsort(r.random((n, 52)), axis=1)[:, :k].astype(dtype)


def deal_hands_generator(rng, n_deals=500, n_players=4):
    # shuffles as argsorts of uniforms, hands dealt round the table from the top
    deck = np.argsort(rng.random((n_deals, 52)), axis=1)
    hands = np.stack([deck[:, p:5 * n_players:n_players] for p in range(n_players)], axis=1)
    cats = np.stack([classify_poker_hands(hands[:, p])[0] for p in range(n_players)], axis=1)
    return np.bincount(cats.ravel(), minlength=9) / cats.size


def holdem_preflop_pair_equity(rng, n_sims=2000):
    # pocket aces against a random hand: how often the board pairs a low card, crudely;
    # draws by Generator.permuted of the remaining deck per simulation row
    deck = np.tile(np.arange(4, 52), (n_sims, 1))
    deck = rng.permuted(deck, axis=1)
    board = deck[:, :5] % 13
    villain = deck[:, 5:7] % 13
    hits = (board[:, :, None] == villain[:, None, :]).any(axis=(1, 2))
    return hits.mean()


def hypergeometric_opening_hand(copies, deck_size=60, hand=7, turns=3):
    # P(at least one copy by turn t) for a deck-building game, scipy.stats.hypergeom
    draws = hand + np.arange(turns + 1)
    p_none = scipy.stats.hypergeom.pmf(0, deck_size, copies[:, None], draws[None, :])
    return 1 - p_none, scipy.stats.hypergeom.sf(1, deck_size, copies, hand)


def lottery_odds(n_balls=49, n_draw=6):
    # P(k matches) in a 6/49 lottery from binomial coefficients
    k = np.arange(n_draw + 1)
    ways = scipy.special.comb(n_draw, k) * scipy.special.comb(n_balls - n_draw, n_draw - k)
    return ways / scipy.special.comb(n_balls, n_draw)


def blackjack_dealer_final(card_p, stand=17):
    # infinite-deck dealer: distribution of final totals 17-21 and bust by DP over hard
    # totals (aces as 1, upgraded to 11 where that stands)
    P = np.zeros(32)
    P[0] = 1.0
    final = np.zeros(32)
    for total in range(stand + 10):
        if total >= stand:
            continue
        mass = P[total]
        for v in range(1, 11):
            nt = total + v
            soft = (v == 1) and (nt + 10 >= stand) and (nt + 10 <= 21)
            if soft:
                final[nt + 10] += mass * card_p[v - 1]
            elif nt >= stand:
                final[min(nt, 31)] += mass * card_p[v - 1]
            else:
                P[nt] += mass * card_p[v - 1]
    return final[stand:22], final[22:].sum()


CARD_P = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 4]) / 13.0
HI_LO = np.array([0, -1, 1, 1, 1, 1, 1, 0, 0, 0, -1, -1, -1, -1])


def hi_lo_true_count(shoe_ranks, decks=6):
    # running count by a lookup table and cumsum, true count per decks left
    tags = HI_LO[shoe_ranks]
    running = np.cumsum(tags)
    dealt = np.arange(1, len(shoe_ranks) + 1)
    decks_left = np.maximum((decks * 52 - dealt) / 52.0, 0.5)
    true = running / decks_left
    return running, np.floor(true).astype(np.int64), (true >= 2).mean()


def craps_pass_line():
    # exact pass-line probability from the 2d6 pmf
    two = np.convolve(DIE, DIE)
    totals = np.arange(2, 13)
    win_now = two[(totals == 7) | (totals == 11)].sum()
    points = np.isin(totals, [4, 5, 6, 8, 9, 10])
    p_point = two[points]
    p_make = p_point / (p_point + two[totals == 7])
    return win_now + np.sum(p_point * p_make)


def monty_hall(rng, n_sims=3000):
    car = rng.integers(0, 3, n_sims)
    pick = rng.integers(0, 3, n_sims)
    # the host opens the lowest goat door that is not the pick
    doors = np.arange(3)
    goat = (doors[None, :] != car[:, None]) & (doors[None, :] != pick[:, None])
    opened = np.argmax(goat, axis=1)
    switch = 3 - pick - opened
    return (pick == car).mean(), (switch == car).mean()


def birthday_problem(n_max=60, days=365):
    k = np.arange(n_max)
    p_distinct = np.cumprod((days - k) / days)
    return 1 - p_distinct, np.searchsorted(1 - p_distinct, 0.5) + 1


def sticker_album(rng, n_stickers=50, pack=5, n_sims=60, max_packs=120):
    # how many packs complete an album: a collection mask updated pack by pack
    have = np.zeros((n_sims, n_stickers), dtype=bool)
    done_at = np.full(n_sims, max_packs)
    rows = np.arange(n_sims)[:, None]
    for t in range(max_packs):
        got = rng.integers(0, n_stickers, (n_sims, pack))
        have[rows, got] = True
        complete = have.all(axis=1)
        done_at = np.where(complete & (done_at == max_packs), t + 1, done_at)
    exact = n_stickers * np.sum(1 / np.arange(1, n_stickers + 1)) / pack
    return done_at, exact


def catan_income(number_tokens, resource, n_resources=5):
    # expected resource cards per roll from the number tokens of a settlement's hexes
    two_d6 = np.bincount(np.add.outer(np.arange(1, 7), np.arange(1, 7)).ravel(),
                         minlength=13) / 36
    p = two_d6[number_tokens]
    return np.bincount(resource.ravel(), weights=p.ravel(), minlength=n_resources)


def gamblers_ruin(p, target=10):
    # closed form and the absorbing-chain solve agree
    q = 1 - p
    i = np.arange(target + 1)
    r = q / p
    closed = (1 - r ** i) / (1 - r ** target)
    A = np.eye(target + 1)
    b = np.zeros(target + 1)
    b[target] = 1.0
    for s in range(1, target):
        A[s, s + 1] = -p
        A[s, s - 1] = -q
    return closed, np.linalg.solve(A, b)


CASINO = {
    "dice_sum_convolve_static": (dice_sum_pmf, {"n_dice": 3}, lambda s, n: ()),
    "loaded_dice_convolve": (loaded_dice_pmf, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.full(6, 20.0)),)),
    "dice_enumeration_np_indices": (dice_enumeration_indices, {"k": 4}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.full(6, 20.0)),)),
    "yahtzee_itertools_product": (yahtzee_kind_probs, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.full(6, 20.0)),)),
    "yahtzee_straight_int8_sort_diff": (yahtzee_large_straight_sim, {}, lambda s, n: (
        _rng(s),)),
    "risk_battle_enumeration_constant": (risk_battle_3v2, {}, lambda s, n: ()),
    "risk_battle_sim_static_dice": (risk_battle_sim, {"n_att": 3, "n_def": 2}, lambda s, n: (
        _rng(s),)),
    "poker_classify_sliding_window_select": (classify_poker_hands, {}, lambda s, n: (
        _deal(s, 50 * n),)),
    "poker_classify_int8_cards": (classify_poker_hands, {}, lambda s, n: (
        _deal(s, 50 * n, dtype=np.int8),)),
    "deal_hands_strided_slices": (deal_hands_generator, {"n_deals": 200}, lambda s, n: (
        _rng(s),)),
    "holdem_permuted_rows": (holdem_preflop_pair_equity, {}, lambda s, n: (_rng(s),)),
    "hypergeom_opening_hand": (hypergeometric_opening_hand, {}, lambda s, n: (
        1 + _i(4, n, seed=s),)),
    "lottery_comb": (lottery_odds, {}, lambda s, n: ()),
    "blackjack_dealer_dp_python_branches": (blackjack_dealer_final, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(13 * CARD_P * 50),)),
    "hi_lo_true_count_lut": (hi_lo_true_count, {}, lambda s, n: (
        1 + _i(13, 30 * n, seed=s),)),
    "craps_pass_line_isin": (craps_pass_line, {}, lambda s, n: ()),
    "monty_hall_argmax_goat": (monty_hall, {}, lambda s, n: (_rng(s),)),
    "birthday_cumprod_searchsorted": (birthday_problem, {}, lambda s, n: ()),
    "sticker_album_fancy_bool_writes": (sticker_album, {"n_sims": 20, "max_packs": 40},
                                        lambda s, n: (_rng(s),)),
    "catan_income_bincount": (catan_income, {}, lambda s, n: (
        np.array([2, 3, 4, 5, 6, 8, 9, 10, 11, 12])[_i(10, n, 3, seed=s)],
        _i(5, n, 3, seed=s + 1))),
    "gamblers_ruin_closed_and_solve": (gamblers_ruin, {"target": 10}, lambda s, n: (
        0.45 + 0.01 * s,)),
}


@pytest.mark.parametrize("name", _names(CASINO))
def test_dice_cards_casino_match_numpy(name):
    """Dice by convolution and enumeration, Risk, poker hands, deals, hypergeometric draws,
    blackjack, card counting, craps and classic puzzles: NumPy's values."""
    check_like_numpy(*CASINO[name])


# ============================================================================ fantasy sports and
# racing

FANTASY_SCORING = {"pass_yds": 0.04, "pass_td": 4.0, "int": -2.0, "rush_yds": 0.1,
                   "rush_td": 6.0, "rec": 0.5, "rec_yds": 0.1, "rec_td": 6.0, "fumble": -2.0}
ROSTER_SLOTS = {"QB": 1, "RB": 2, "WR": 3, "TE": 1}
POSITIONS = ("QB", "RB", "WR", "TE")


def fantasy_points(stats):
    # half-PPR points from a dict of stat arrays and the module-level scoring dict
    total = 0.0
    for k, w in FANTASY_SCORING.items():
        total = total + w * stats[k]
    bonus = (np.where(stats["rush_yds"] >= 100, 3.0, 0.0)
             + np.where(stats["rec_yds"] >= 100, 3.0, 0.0))
    return total + bonus


def _stat_lines(seed, n):
    r = np.random.default_rng(seed)
    return {"pass_yds": r.integers(0, 350, n), "pass_td": r.poisson(0.8, n),
            "int": r.poisson(0.3, n), "rush_yds": r.integers(0, 140, n),
            "rush_td": r.poisson(0.3, n), "rec": r.poisson(3, n),
            "rec_yds": r.integers(0, 130, n), "rec_td": r.poisson(0.3, n),
            "fumble": r.poisson(0.1, n)}


def value_over_replacement(points, position, n_teams=10):
    # VORP: replacement level = the points of the last starter at each position
    vor = np.zeros_like(points)
    for p, name in enumerate(POSITIONS):
        mask = position == p
        pts_sorted = np.sort(np.where(mask, points, -np.inf))[::-1]
        repl = pts_sorted[ROSTER_SLOTS[name] * n_teams - 1]
        vor = np.where(mask, points - repl, vor)
    return vor, np.argsort(-vor, kind="stable")


def _players(seed, n):
    r = np.random.default_rng(seed)
    m = 40 * n
    return 50 + 250 * r.random(m), np.arange(m) % 4


def points_per_dollar(points, salary, min_salary=3000):
    # DFS value: points per 1000 of salary, and the salary-adjusted z-score
    value = points / (salary / 1000)
    z = (value - value.mean()) / value.std()
    return value, z, salary >= min_salary


def roto_zscores(cats, weights, invert=("tov",)):
    # roto category z-scores summed with weights; turnovers count against
    total = 0.0
    out = {}
    for k, x in cats.items():
        z = (x - x.mean()) / x.std(ddof=0)
        if k in invert:
            z = -z
        out[k] = z
        total = total + weights.get(k, 1.0) * z
    return total, out


def _cats(seed, n):
    r = np.random.default_rng(seed)
    m = 10 * n
    return {"pts": 10 + 20 * r.random(m), "reb": 2 + 10 * r.random(m),
            "ast": 1 + 8 * r.random(m), "tov": 0.5 + 3 * r.random(m),
            "fg_pct": 0.4 + 0.15 * r.random(m)}


def roto_standings_rankdata(team_totals, lower_is_better):
    # roto points: rank teams in every category (ties averaged) and sum
    ranks = np.column_stack([
        scipy.stats.rankdata(np.where(lower_is_better[c], -team_totals[:, c], team_totals[:, c]))
        for c in range(team_totals.shape[1])])
    return ranks.sum(axis=1), ranks


def rolling_form(points, window=5):
    # last-five average and ewm-style weights, by sliding_window_view and a loop
    win = np.lib.stride_tricks.sliding_window_view(points, window, axis=-1)
    last5 = win.mean(axis=-1)
    ew = np.zeros_like(points)
    alpha = 2 / (window + 1)
    ew[..., 0] = points[..., 0]
    for t in range(1, points.shape[-1]):
        ew[..., t] = alpha * points[..., t] + (1 - alpha) * ew[..., t - 1]
    return last5, ew


def consistency_profile(weekly):
    # floor, ceiling, boom/bust rates with DNP weeks as NaN
    mean = np.nanmean(weekly, axis=1)
    sd = np.nanstd(weekly, axis=1)
    floor, ceil = np.nanpercentile(weekly, [10, 90], axis=1)
    played = np.sum(~np.isnan(weekly), axis=1)
    boom = np.nansum(weekly >= 20, axis=1) / played
    return {"mean": mean, "cv": sd / mean, "floor": floor, "ceiling": ceil, "boom": boom}


def _weekly(seed, n):
    r = np.random.default_rng(seed)
    w = 5 + 20 * r.random((3 * n, 17))
    w[r.random(w.shape) < 0.1] = np.nan
    w[:, 0] = 12.0
    return w


def greedy_lineup(values, salaries, cap=50000.0, picks=6):
    # greedy by value per salary with the cap as a mask; the chosen player's value set to
    # -inf by a traced index write
    ratio = values / salaries
    chosen = np.zeros(picks, dtype=np.int64)
    spent = 0.0
    for k in range(picks):
        affordable = salaries <= (cap - spent)
        j = np.argmax(np.where(affordable, ratio, -np.inf))
        chosen[k] = j
        spent = spent + salaries[j]
        ratio[j] = -np.inf
    return chosen, spent


def knapsack_dp(points, salary_k, budget=30):
    # 0/1 knapsack over integer salaries (in thousands) by the 1-D DP, one row per player
    best = np.zeros(budget + 1)
    for i in range(len(points)):
        w = salary_k[i]
        shifted = np.full(budget + 1, -np.inf)
        idx = np.arange(budget + 1)
        shifted = np.where(idx >= w, best[np.maximum(idx - w, 0)] + points[i], -np.inf)
        best = np.maximum(best, shifted)
    return best


SNAKE = np.array([list(range(10)) if r % 2 == 0 else list(range(9, -1, -1)) for r in range(6)])


def snake_draft(adp_order, board_values):
    # each manager takes the best remaining player by board value in snake order
    taken = np.zeros(board_values.shape[0], dtype=bool)
    roster_value = np.zeros(10)
    for rnd in range(SNAKE.shape[0]):
        for team in SNAKE[rnd]:
            j = np.argmax(np.where(taken, -np.inf, board_values - 0.01 * adp_order))
            taken[j] = True
            roster_value[team] += board_values[j]
    return roster_value, taken.sum()


def win_prob_added(wp_table, state_before, state_after):
    # WPA from a win-probability lookup table indexed by (score diff + 10, quarter)
    before = wp_table[state_before[:, 0] + 10, state_before[:, 1]]
    after = wp_table[state_after[:, 0] + 10, state_after[:, 1]]
    return after - before, np.cumsum(after - before)


def player_similarity(stats):
    # cosine similarity of standardised per-90 profiles; the closest comparable player
    Z = (stats - stats.mean(axis=0)) / stats.std(axis=0)
    Zn = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    S = Zn @ Zn.T
    np.fill_diagonal(S, -np.inf)
    return S, S.argmax(axis=1)


def aging_curve_polyfit(age, war, deg=2):
    # the delta method: year-on-year changes, a quadratic fit and its peak age
    delta = war[:, 1:] - war[:, :-1]
    mid_age = (age[:, 1:] + age[:, :-1]) / 2
    coefs = np.polyfit(mid_age.ravel(), delta.ravel(), deg)
    curve = np.cumsum(np.polyval(coefs, np.arange(21, 38) + 0.5))
    return coefs, 21 + np.argmax(curve)


def harville_exacta(p):
    # Harville's formula for win/place orders: P(i first, j second) = p_i p_j / (1 - p_i)
    P = p[:, None] * p[None, :] / (1 - p[:, None])
    np.fill_diagonal(P, 0.0)
    return P, P.sum(axis=0) + p


def harville_trifecta(p):
    # the three-deep order by einsum and masked diagonals
    n = p.shape[0]
    T = np.einsum("i,j,k->ijk", p, p, p) / ((1 - p)[:, None, None]
                                            * (1 - p[:, None] - p[None, :])[:, :, None])
    i, j, k = np.ogrid[:n, :n, :n]
    T = np.where((i == j) | (j == k) | (i == k), 0.0, T)
    return T.sum(), T.sum(axis=(0, 1)) + T.sum(axis=(0, 2)) + T.sum(axis=(1, 2))


def pari_mutuel_payouts(pool, winners, takeout=0.16):
    # win pool: payout per $2 from money bet on each runner, rounded down to the dime
    net = pool.sum() * (1 - takeout)
    payout = 2 * net / pool[winners]
    return np.floor(payout * 10) / 10


def field_trifecta_combinations(field_sizes):
    # how many ordered 1-2-3 finishes each race has, and the share a random ticket covers
    combos = scipy.special.perm(field_sizes, 3)
    return combos, 1 / combos


def speed_figures(times, distance, track_variant, par=100.0):
    # a Beyer-style figure: lengths behind par converted to points, per-track variants
    secs_per_len = 0.2
    lengths = (times - distance * 0.06) / secs_per_len
    return np.round(par - lengths * (80 / distance) - track_variant).astype(np.int32)


FANTASY = {
    "fantasy_points_scoring_dict": (fantasy_points, {}, lambda s, n: (_stat_lines(s, 5 * n),)),
    "value_over_replacement_sorted": (value_over_replacement, {"n_teams": 2}, lambda s, n: (
        *_players(s, n),)),
    "dfs_points_per_dollar": (points_per_dollar, {}, lambda s, n: (
        5 + 30 * _u(s, 6 * n), 3000 + 100 * _i(80, 6 * n, seed=s))),
    "roto_zscores_weights_dict": (roto_zscores, {}, lambda s, n: (
        _cats(s, n), {"pts": 1.0, "fg_pct": 1.5})),
    "roto_standings_rankdata": (roto_standings_rankdata, {}, lambda s, n: (
        np.round(10 * _u(s, 2 * n, 5), 1), np.array([False, False, True, False, False]))),
    "rolling_form_window_ewm": (rolling_form, {"window": 5}, lambda s, n: (
        5 + 20 * _u(s, n, 12),)),
    "consistency_nan_weeks_dict": (consistency_profile, {}, lambda s, n: (_weekly(s, n),)),
    "greedy_lineup_cap_mask": (greedy_lineup, {"picks": 6}, lambda s, n: (
        5 + 30 * _u(s, 10 * n), 3000.0 + 100 * _i(80, 10 * n, seed=s))),
    "knapsack_dp_int_salaries": (knapsack_dp, {"budget": 30}, lambda s, n: (
        5 + 30 * _u(s, 3 * n), 3 + _i(9, 3 * n, seed=s))),
    "snake_draft_module_order": (snake_draft, {}, lambda s, n: (
        _u(s, 30 * n).argsort().astype(np.float64), 50 + 200 * _u(s + 1, 30 * n))),
    "win_prob_added_table_lookup": (win_prob_added, {}, lambda s, n: (
        expit(np.linspace(-3, 3, 21)[:, None] * np.array([0.5, 0.8, 1.2, 2.0])),
        np.column_stack([_i(21, 4 * n, seed=s) - 10, _i(4, 4 * n, seed=s + 1)]),
        np.column_stack([_i(21, 4 * n, seed=s + 2) - 10, _i(4, 4 * n, seed=s + 3)]))),
    "player_similarity_cosine": (player_similarity, {}, lambda s, n: (_f(3 * n, 6, seed=s),)),
    "aging_curve_delta_polyfit": (aging_curve_polyfit, {}, lambda s, n: (
        np.arange(22, 30)[None, :] + _i(5, 3 * n, seed=s)[:, None],
        _f(3 * n, 8, seed=s).cumsum(axis=1))),
    "harville_exacta": (harville_exacta, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.full(n + 4, 3.0)),)),
    "harville_trifecta_ogrid": (harville_trifecta, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.full(n + 4, 3.0)),)),
    "pari_mutuel_floor_dime": (pari_mutuel_payouts, {}, lambda s, n: (
        1000 + 5000 * _u(s, n + 4), _i(n + 4, 3, seed=s))),
    "field_trifecta_perm": _Xfail(
        "scipy.special.perm(traced array, 3) raises ConcretizationError at scipy's own "
        "asarray(N); NumPy/SciPy return the float counts", field_trifecta_combinations, {},
        lambda s, n: ((5 + _i(10, 2 * n, seed=s)).astype(np.float64),)),
    "speed_figures_round_int32": (speed_figures, {}, lambda s, n: (
        70 + 3 * _u(s, 3 * n), np.array([1200.0, 1400.0, 1600.0] * n), _i(10, 3 * n, seed=s))),
}


@pytest.mark.parametrize("name", _names(FANTASY))
def test_fantasy_and_racing_match_numpy(name):
    """Fantasy scoring, VORP, DFS value, roto, form, lineups, drafts, WPA, similarity, aging
    curves, Harville orders and pari-mutuel payouts: NumPy's values."""
    check_like_numpy(*FANTASY[name])


# ============================================================================ refused forms


def elo_538_nfl_original(elo, home, away, home_pts, away_pts, k=20.0, hfa=65.0):
    # FiveThirtyEight's nfl_elo loop as published: Python branches on each game's result
    for i in range(len(home)):
        h, a = home[i], away[i]
        elo_diff = elo[h] + hfa - elo[a]
        pr_home = 1.0 / (10.0 ** (-elo_diff / 400.0) + 1.0)
        pd = abs(home_pts[i] - away_pts[i])
        if home_pts[i] > away_pts[i]:
            result = 1.0
        elif home_pts[i] < away_pts[i]:
            result = 0.0
        else:
            result = 0.5
        mult = math.log(max(pd, 1) + 1.0) * (2.2 / (1.0 if result == 0.5 else (
            (elo_diff if result == 1.0 else -elo_diff) * 0.001 + 2.2)))
        shift = k * mult * (result - pr_home)
        elo[h] += shift
        elo[a] -= shift
    return elo


def glicko2_illinois(rating, rd, sigma, opp_ratings, opp_rds, outcomes, tau=0.5, eps=1e-6):
    # Glickman's step 5: the volatility by the Illinois algorithm, `while abs(B - A) > eps`
    mu = (rating - 1500) / GLICKO2_SCALE
    phi = rd / GLICKO2_SCALE
    mu_j = (opp_ratings - 1500) / GLICKO2_SCALE
    g = 1 / np.sqrt(1 + 3 * (opp_rds / GLICKO2_SCALE) ** 2 / np.pi ** 2)
    E = 1 / (1 + np.exp(-g * (mu - mu_j)))
    v = 1 / np.sum(g ** 2 * E * (1 - E))
    delta = v * np.sum(g * (outcomes - E))
    a = np.log(sigma ** 2)

    def f(x):
        ex = np.exp(x)
        return ex * (delta ** 2 - phi ** 2 - v - ex) / (2 * (phi ** 2 + v + ex) ** 2) \
            - (x - a) / tau ** 2

    A = a
    if delta ** 2 > phi ** 2 + v:
        B = np.log(delta ** 2 - phi ** 2 - v)
    else:
        k = 1
        while f(a - k * tau) < 0:
            k += 1
        B = a - k * tau
    fA, fB = f(A), f(B)
    while abs(B - A) > eps:
        C = A + (A - B) * fA / (fB - fA)
        fC = f(C)
        if fC * fB <= 0:
            A, fA = B, fB
        else:
            fA = fA / 2
        B, fB = C, fC
    return np.exp(A / 2)


def bankroll_until_ruin(p, odds, rng, bank=100.0, stake=10.0, max_bets=500):
    # bet until broke or out of bets: the loop's length depends on the draws
    n = 0
    while bank > 0 and n < max_bets:
        if rng.random() < p:
            bank += stake * (odds - 1)
        else:
            bank -= stake
        n += 1
    return bank, n


def bt_until_converged(W, tol=1e-8):
    N = W + W.T
    wins = W.sum(axis=1)
    p = np.ones(W.shape[0])
    while True:
        p_new = wins / (N / (p[:, None] + p[None, :])).sum(axis=1)
        p_new /= p_new.sum()
        if np.max(np.abs(p_new - p)) < tol:
            return p_new
        p = p_new


def value_bet_slip(p_model, odds, bankroll=1000.0):
    # the bets with an edge, staked one by one: their number depends on the data
    edge = p_model * odds - 1
    stakes = []
    for p, o in zip(p_model[edge > 0], odds[edge > 0]):
        stakes.append(bankroll * 0.25 * (p * o - 1) / (o - 1))
    return np.array(stakes)


def league_from_team_ids(home_ids, away_ids, home_goals, away_goals):
    # team ids as found in the data: np.unique's length is the number of teams that played
    teams, idx = np.unique(np.concatenate([home_ids, away_ids]), return_inverse=True)
    n = len(teams)
    gf = np.bincount(idx[:len(home_ids)], weights=home_goals, minlength=n)
    return teams, gf


def dixon_coles_fit(home, away, hg, ag, n_teams=4):
    # the usual fit: scipy.optimize.minimize of the negative log-likelihood
    def nll(params):
        att, dfn, gamma = params[:n_teams], params[n_teams:2 * n_teams], params[-1]
        lam = np.exp(att[home] + dfn[away] + gamma)
        mu = np.exp(att[away] + dfn[home])
        return -np.sum(poisson.logpmf(hg, lam) + poisson.logpmf(ag, mu))
    res = scipy.optimize.minimize(nll, np.zeros(2 * n_teams + 1), method="L-BFGS-B")
    return res.x


def knockout_python_if(strength, rng, rounds=3):
    # a bracket with a Python `if` on each draw
    alive = list(range(2 ** rounds))
    for _ in range(rounds):
        nxt = []
        for a, b in zip(alive[0::2], alive[1::2]):
            if rng.random() < strength[a] / (strength[a] + strength[b]):
                nxt.append(a)
            else:
                nxt.append(b)
        alive = nxt
    return alive[0]


def joint_leaders(points):
    # every team level on points at the top: as many as the data says
    return np.flatnonzero(points == points.max())


def record_probability_multinomial(record, p_wdl):
    # probability of a W-D-L record under model probabilities, scipy's multinomial
    return scipy.stats.multinomial.pmf(record, record.sum(axis=-1), p_wdl)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "elo_538_nfl_python_branches": (_Concretization, elo_538_nfl_original, lambda s: (
        _ratings(s, 6), *_fixtures(s, 6, 10), 10 + _i(30, 10, seed=s),
        10 + _i(30, 10, seed=s + 1))),
    "glicko2_illinois_while": (_Concretization, glicko2_illinois, lambda s: (
        1500.0, 200.0, 0.06, np.array([1400.0, 1550.0, 1700.0]) + s,
        np.array([30.0, 100.0, 300.0]), np.array([1.0, 0.0, 0.0]))),
    "bankroll_while_not_ruined": (_Concretization, bankroll_until_ruin, lambda s: (
        0.5, 1.95, _rng(s))),
    "bt_while_not_converged": (_Concretization, bt_until_converged, lambda s: (
        _i(6, 5, 5, seed=s) * (1 - np.eye(5, dtype=np.int64)) + (1 - np.eye(5, dtype=np.int64)),
    )),
    "value_bet_slip_masked_zip": (_DataDependent, value_bet_slip, lambda s: (
        0.2 + 0.6 * _u(s, 12), 1.5 + 3 * _u(s + 1, 12))),
    "league_np_unique_team_ids": (_DataDependent, league_from_team_ids, lambda s: (
        100 + _i(6, 20, seed=s), 100 + _i(6, 20, seed=s + 1), _goals(s, 20), _goals(s + 1, 20))),
    "dixon_coles_scipy_minimize": (_Concretization, dixon_coles_fit, lambda s: (
        *_fixtures(s, 4, 30), _goals(s, 30), _goals(s + 1, 30))),
    "knockout_python_if_draws": (_Concretization, knockout_python_if, lambda s: (
        _pos(s, 8), _rng(s))),
    "joint_leaders_flatnonzero": (_DataDependent, joint_leaders, lambda s: (
        _i(5, 8, seed=s),)),
    "multinomial_pmf_traced_probabilities": _Xfail(
        "scipy.stats.multinomial.pmf with traced p raises UnsupportedFunctionError ('boolean "
        "mask combined with other indices') at scipy's p[i_adjusted, -1] = ... with a 0-d "
        "mask, a write that is not data-dependent, instead of ConcretizationError at its "
        "`if np.any(i_adjusted)`", _Concretization, record_probability_multinomial, lambda s: (
            _i(6, 4, 3, seed=s), np.random.default_rng(s).dirichlet(np.full(3, 5.0)))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Python branches on results (538's loop, Illinois' volatility search, betting until
    ruin, MM until converged, a bracket's `if` on each draw, scipy's minimize), the value bets
    by a mask, teams by np.unique and joint leaders by flatnonzero: the named error, NumPy's
    values under `fallback=True`."""
    check_refused(*REFUSED[name])
