"""SQL templates, one per indicator kind. Parameters from indicators.yaml drive them; values are bound.

Payment-level kinds give a boolean expression over one row of `txn` (computed once into `flags`); the
other kinds give an evidence query over `flags` (columns: sqlctx.EVIDENCE_COLUMNS).
"""

from __future__ import annotations

import re

import pyarrow as pa

from sulo.finance import rules as r
from sulo.finance.rates import latest_units_per_usd
from sulo.finance.sqlctx import Ctx, forward_mark_sql, seconds

# Whole-word match that also works for non-ASCII words in both RE2 (DuckDB) and Java (Spark).
_WORD_L, _WORD_R = r"(^|[^\p{L}\p{N}])(", r")($|[^\p{L}\p{N}])"
_META = re.compile(r"([.^$*+?()\[\]{}|\\])")


def keyword_regex(keywords: list[str]) -> str:
    words = sorted({k.casefold() for k in keywords}, key=lambda w: (-len(w), w))
    return _WORD_L + "|".join(_META.sub(r"\\\1", w) for w in words) + _WORD_R


def payment_rule_sql(c: Ctx, p: r.PaymentRule, hrj: list[str], rates: pa.Table,
                     preds: dict[str, str]) -> str:
    conds = [preds[x] for x in p.requires]
    if p.cross_border is not None:
        conds.append("sender_country <> receiver_country" if p.cross_border
                     else "sender_country = receiver_country")
    if p.receiver_in_hrj is not None:
        conds.append(("" if p.receiver_in_hrj else "NOT ") + f"receiver_country IN {c.bind_list(hrj)}")
    for col, values in (("receiver_country", p.receiver_countries), ("sender_country", p.sender_countries),
                        ("channel", p.channels)):
        if values:
            conds.append(f"{col} IN {c.bind_list(list(values))}")
    if p.usd_min is not None:
        conds.append(f"usd >= {c.bind(float(p.usd_min))}")
    if p.usd_max is not None:
        conds.append(f"usd <= {c.bind(float(p.usd_max))}")
    if p.amount_min is not None or p.amount_max is not None:
        cur = p.amount_currency or "USD"
        # Exact in the named currency; other currencies at the table's latest rate (approximate).
        local = (f"(CASE WHEN currency = {c.bind(cur)} THEN amount "
                 f"ELSE usd * {c.bind(latest_units_per_usd(rates, cur))} END)")
        if p.amount_min is not None:
            conds.append(f"{local} >= {c.bind(float(p.amount_min))}")
        if p.amount_max is not None:
            conds.append(f"{local} <= {c.bind(float(p.amount_max))}")
    if p.amount_multiple_of is not None:
        conds.append(f"(amount % {c.bind(float(p.amount_multiple_of))}) = 0")
    return "(" + " AND ".join(conds or ["TRUE"]) + ")"


def reference_match_sql(c: Ctx, p: r.ReferenceMatch, preds: dict[str, str]) -> str:
    regexes = ([keyword_regex(p.keywords)] if p.keywords else []) + list(p.patterns)
    # One expression, not one per pattern: most of a match's cost per payment is the call and lower(), not
    # the automaton (two calls -> one: -0.1 s over 4.5 million references).
    match = (c.d.regex_match("lower(reference)", c.bind("|".join(f"(?:{x})" for x in regexes)))
             if regexes else "FALSE")
    # CASE keeps the regular expressions (the costly part) off rows that cannot match anyway.
    gate = " AND ".join([*(preds[x] for x in p.requires), "reference <> ''"])
    return f"(CASE WHEN {gate} THEN ({match}) ELSE FALSE END)"


def window_count_sql(c: Ctx, ind: str, p: r.WindowCount) -> str:
    g, w = [str(x) for x in p.group_by], seconds(days=p.window_days)
    gs = c.cols(g)
    where = c.of(p.of)
    if p.exclude_shared_surname:
        where += " AND NOT same_surname"  # computed once in the flags step
    base = f"SELECT {gs}, {c.q(p.count_distinct)} AS cp, txn_id, ts, usd FROM {c.rows(p.of)} WHERE {where}"
    if p.count_distinct == "txn_id":
        # Counting payments (each its own "counterparty"): >= k of them in (t - W, t] exactly when the one
        # k - 1 places earlier is inside the window; one window instead of the sweep's two and its union.
        back = int(p.min_count) - 1
        return f"""
        WITH base AS ({base}),
        pts AS (SELECT DISTINCT {gs}, ts AS t FROM (
                    SELECT {gs}, ts, LAG(ts, {back}) OVER (PARTITION BY {gs} ORDER BY ts, txn_id) AS k_back
                    FROM base) lb WHERE k_back > ts - {w}),
        hit AS ({forward_mark_sql(c, g, "base", "pts", w)})
        {c.evidence(f"{p.role}_id", p.role, ind, "hit")}"""
    # Sweep: each row counts from its time until the next row of the same counterparty (or W later);
    # the number of open intervals at t is the number of distinct counterparties in (t - W, t].
    return f"""
        WITH base AS ({base}),
        iv AS (SELECT {gs}, ts AS s, LEAST(COALESCE(LEAD(ts) OVER (PARTITION BY {gs}, cp ORDER BY ts, txn_id),
                      ts + {w}), ts + {w}) AS e FROM base),
        ev AS (SELECT {gs}, s AS t, 1 AS d FROM iv WHERE e > s
               UNION ALL SELECT {gs}, e AS t, -1 AS d FROM iv WHERE e > s),
        run AS (SELECT {gs}, t, d, SUM(d) OVER (PARTITION BY {gs} ORDER BY t, d
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM ev),
        pts AS (SELECT DISTINCT {gs}, t FROM run WHERE d = 1 AND n >= {c.bind(p.min_count)}),
        hit AS ({forward_mark_sql(c, g, "base", "pts", w)})
        {c.evidence(f"{p.role}_id", p.role, ind, "hit")}"""


def time_share_sql(c: Ctx, ind: str, p: r.TimeShare) -> str:
    aux = f"aux_{ind}"
    c.aux[aux] = pa.table({"country": list(p.utc_offset_hours),
                           "offset_s": pa.array([seconds(hours=h) for h in p.utc_offset_hours.values()],
                                                pa.int64())})
    hour = "CAST(floor(((f.ts + o.offset_s) % 86400) / 3600) AS INT)"
    lo, hi = c.bind(p.hour_from), c.bind(p.hour_to)
    night = (f"({hour} >= {lo} OR {hour} < {hi})" if p.hour_from > p.hour_to
             else f"({hour} >= {lo} AND {hour} < {hi})")
    # f.sender_country holds the country's code (screen.CODED): the offsets table is joined on its hash.
    return f"""
        WITH m AS (SELECT f.sender_id AS acct, f.txn_id, f.ts, f.usd, CASE WHEN {night} THEN 1 ELSE 0 END AS night
                   FROM {c.rows(p.of)} f JOIN {c.q(aux)} o ON {c.d.hash("o.country")} = f.sender_country
                   WHERE {c.of(p.of)}),
        acc AS (SELECT acct FROM m GROUP BY acct
                HAVING COUNT(*) >= {c.bind(p.min_count)} AND SUM(night) >= {c.bind(p.min_share)} * COUNT(*)),
        hit AS (SELECT m.* FROM m JOIN acc ON m.acct = acc.acct WHERE m.night = 1)
        {c.evidence("acct", "sender", ind, "hit")}"""


def _pair_evidence(c: Ctx, ind: str, rel: str) -> str:
    """Each row twice, as the sender's and as the receiver's evidence. A join with the two roles, not a UNION
    ALL of two reads of `rel`: Spark 4 now and then dropped one branch of that union (seen on F11)."""
    s, r_ = c.bind("sender"), c.bind("receiver")
    return (f"SELECT CASE WHEN x.role = {s} THEN h.sender_id ELSE h.receiver_id END AS account_id, x.role, "
            f"{c.bind(ind)} AS indicator_id, h.txn_id, h.ts, h.usd FROM {rel} h "
            f"CROSS JOIN (SELECT {s} AS role UNION ALL SELECT {r_} AS role) x")


def escalation_sql(c: Ctx, ind: str, p: r.Escalation) -> str:
    med = c.d.median
    pair = "sender_id, receiver_id"
    # Nearly every pair pays once: the pairs whose hash repeats min_payments times come first (a cheap
    # pre-filter), then the count on the real pair.
    freq = c.frequent(f"frequent_{ind}", lambda s: f"SELECT {s.d.hash('sender_id', 'receiver_id')} AS h "
                                                    f"FROM {s.rows(p.of)} WHERE {s.of(p.of)}", p.min_payments)
    return f"""
        WITH {c.d.cte("cand")} (SELECT f.sender_id, f.receiver_id, f.txn_id, f.ts, f.usd FROM {c.rows(p.of)} f
                 JOIN {freq} q ON {c.d.hash('f.sender_id', 'f.receiver_id')} = q.h WHERE {c.of(p.of)}),
        big AS (SELECT {pair} FROM cand GROUP BY {pair} HAVING COUNT(*) >= {c.bind(p.min_payments)}),
        b AS (SELECT cand.*, ROW_NUMBER() OVER (PARTITION BY {pair} ORDER BY ts, txn_id) AS i,
                     COUNT(*) OVER (PARTITION BY {pair}) AS n,
                     ts - LAG(ts) OVER (PARTITION BY {pair} ORDER BY ts, txn_id) AS gap
              FROM cand JOIN big USING (sender_id, receiver_id)),
        k AS (SELECT b.*, LEAST({c.bind(p.head)}, CAST(floor(n / 2) AS INT)) AS k FROM b),
        agg AS (SELECT {pair}, {med("CASE WHEN i <= k THEN usd END")} AS a0,
                       {med("CASE WHEN i > n - k THEN usd END")} AS a1,
                       {med("CASE WHEN i > 1 AND i <= k THEN gap END")} AS g0,
                       {med("CASE WHEN i > n - k + 1 THEN gap END")} AS g1
                FROM k GROUP BY {pair}),
        pairs AS (SELECT {pair} FROM agg WHERE a1 >= {c.bind(p.amount_ratio)} * a0
                  AND g1 <= {c.bind(1.0 - p.gap_shrink)} * g0),
        hit AS (SELECT b.* FROM b JOIN pairs USING (sender_id, receiver_id))
        {_pair_evidence(c, ind, "hit")}"""


def pair_total_sql(c: Ctx, ind: str, p: r.PairTotal) -> str:
    w = seconds(days=p.window_days)
    pair = ["sender_id", "receiver_id"]
    return f"""
        WITH hp AS (SELECT DISTINCT sender_id, receiver_id FROM flags WHERE {c.flag(p.with_hit)}),
        base AS (SELECT f.sender_id, f.receiver_id, f.txn_id, f.ts, f.usd, f.{c.flag(p.with_hit)} AS is_hit
                 FROM {c.rows(p.of)} f JOIN hp USING (sender_id, receiver_id) WHERE {c.of(p.of)}),
        tot AS (SELECT base.*, SUM(usd) OVER (PARTITION BY sender_id, receiver_id ORDER BY ts
                RANGE BETWEEN {w - 1} PRECEDING AND CURRENT ROW) AS total FROM base),
        pts AS (SELECT DISTINCT sender_id, receiver_id, ts AS t FROM tot
                WHERE is_hit AND total <= {c.bind(p.max_usd)}),
        hit AS ({forward_mark_sql(c, pair, "base", "pts", w)})
        {_pair_evidence(c, ind, "hit")}"""


def pass_through_sql(c: Ctx, ind: str, p: r.PassThrough) -> str:
    """An outbound payment that moves on >= share_out of the small inbounds received since the account's
    previous outbound payment, when there were >= min_inbound of them and the last arrived <= window ago.

    One sort: each account's events (its small inbounds, its outbounds) in time order, an inbound before an
    outbound at the same second; the running count of outbounds numbers the segments. Only accounts with
    >= min_inbound small inbounds at all take part."""
    w = max(1, seconds(hours=p.window_hours))
    in_ch = out_ch = ""
    if p.inbound_channels:
        in_ch = " AND " + c.row_flag(f"{ind}_inbound_channel",
                                     lambda x: f"channel IN {x.bind_list(list(p.inbound_channels))}")
    if p.outbound_channels:
        out_ch = " AND " + c.row_flag(f"{ind}_outbound_channel",
                                      lambda x: f"channel IN {x.bind_list(list(p.outbound_channels))}")
    n_min = c.bind(p.min_inbound)
    # Written out twice, not a WITH: DuckDB would copy the millions of small inbounds to share them.
    inb = (f"(SELECT receiver_id AS acct, txn_id, ts, usd FROM flags WHERE usd <= {c.bind(p.inbound_max_usd)} "
           f"AND sender_id <> receiver_id{in_ch}) inb")
    if c.d.name == "duckdb":
        return _pass_through_asof(c, ind, p, inb, w, out_ch, n_min)
    return f"""
        WITH many AS (SELECT acct FROM {inb} GROUP BY acct HAVING COUNT(*) >= {n_min}),
        io AS (SELECT inb.*, 1 AS inbound FROM {inb} JOIN many USING (acct)
               UNION ALL
               SELECT f.sender_id AS acct, f.txn_id, f.ts, f.usd, 0 AS inbound FROM flags f
               JOIN many ON f.sender_id = many.acct WHERE f.sender_id <> f.receiver_id{out_ch}),
        {c.d.cte("seg")} (SELECT io.*, SUM(1 - inbound) OVER (PARTITION BY acct ORDER BY ts, inbound DESC, txn_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - (1 - inbound) AS seg FROM io),
        ins AS (SELECT acct, seg, SUM(usd) AS s_in, MAX(ts) AS last_in FROM seg
                WHERE inbound = 1 GROUP BY acct, seg HAVING COUNT(*) >= {n_min}),
        {c.d.cte("outs")} (SELECT o.acct, o.seg FROM seg o JOIN ins ON o.acct = ins.acct AND o.seg = ins.seg
                 WHERE o.inbound = 0 AND o.usd >= {c.bind(p.share_out)} * ins.s_in
                   AND o.ts - ins.last_in <= {w}),
        hit AS (SELECT seg.* FROM seg JOIN outs ON seg.acct = outs.acct AND seg.seg = outs.seg)
        {c.evidence("acct", "receiver", ind, "hit")}"""


def _pass_through_asof(c: Ctx, ind: str, p: r.PassThrough, inb: str, w: int, out_ch: str, n_min: str) -> str:
    """The same segments on DuckDB by an ASOF join, about twice as cheap as the window: each small inbound
    meets the account's first outbound at or after it, ordered by (ts, txn_id) packed into one integer
    (ts * 2^31 + row number: exact for rows < 2^31 and timestamps of years 1834-2106). Equal to the window
    form (tests/finance/test_pass_through.py; the Spark half of every test runs the window form)."""
    # Narrow on purpose (sorting is most of the cost): time and row number travel packed in one key and are
    # unpacked (shift and mask: exact for times before 1970 too) only for the payments named as evidence.
    k = "2147483648"
    return f"""
        WITH many AS (SELECT acct FROM {inb} GROUP BY acct HAVING COUNT(*) >= {n_min}),
        {c.d.cte("outb")} (SELECT f.sender_id AS acct, f.usd, f.ts * {k} + f.txn_id AS okey
                 FROM flags f JOIN many ON f.sender_id = many.acct WHERE f.sender_id <> f.receiver_id{out_ch}),
        {c.d.cte("seg")} (SELECT i.acct, i.ikey, i.usd, o.okey
                FROM (SELECT inb.acct, inb.ts * {k} + inb.txn_id AS ikey, inb.usd FROM {inb} JOIN many USING (acct)) i
                ASOF JOIN (SELECT acct, okey FROM outb) o ON i.acct = o.acct AND o.okey >= (i.ikey >> 31) * {k}),
        ins AS (SELECT acct, okey, SUM(usd) AS s_in, MAX(ikey) >> 31 AS last_in FROM seg
                GROUP BY acct, okey HAVING COUNT(*) >= {n_min}),
        {c.d.cte("outs")} (SELECT o.acct, o.okey FROM outb o JOIN ins ON o.acct = ins.acct AND o.okey = ins.okey
                 WHERE o.usd >= {c.bind(p.share_out)} * ins.s_in AND (o.okey >> 31) - ins.last_in <= {w}),
        keyed AS (SELECT seg.acct, seg.ikey AS key, seg.usd FROM seg JOIN outs USING (acct, okey)
                  UNION ALL SELECT outb.acct, outb.okey, outb.usd FROM outb JOIN outs USING (acct, okey)),
        hit AS (SELECT acct, key & 2147483647 AS txn_id, key >> 31 AS ts, usd FROM keyed)
        {c.evidence("acct", "receiver", ind, "hit")}"""


def burst_sql(c: Ctx, ind: str, p: r.Burst, rates: pa.Table) -> str:
    to_usd = 1.0 / latest_units_per_usd(rates, p.threshold_currency)
    w, quiet = seconds(hours=p.window_hours), seconds(days=p.quiet_days)
    pair = "sender_id, receiver_id"

    def eligible(x: Ctx) -> str:
        conds = ["sender_country <> receiver_country"] if p.cross_border else ["TRUE"]
        if p.channels:
            conds.append(f"channel IN {x.bind_list(list(p.channels))}")
        return " AND ".join(conds)

    def burst_rows(x: Ctx, cols: str) -> str:
        return f"SELECT {cols} FROM flags WHERE {x.row_flag(f'{ind}_eligible', eligible)}"

    # Fewer payments can hold no burst: pairs whose hash repeats min_payments times first (cheap), then the
    # count on the real pair. The pair's first payment opens the burst: the counterparty is new to the sender.
    freq = c.frequent(f"frequent_{ind}", lambda x: burst_rows(x, f"{x.d.hash('sender_id', 'receiver_id')} AS h"),
                      p.min_payments)
    cand = (f"({burst_rows(c, 'sender_id, receiver_id, txn_id, ts, usd')}) s "
            f"JOIN {freq} q ON {c.d.hash('s.sender_id', 's.receiver_id')} = q.h")
    return f"""
        WITH {c.d.cte("src")} (SELECT s.sender_id, s.receiver_id, s.txn_id, s.ts, s.usd FROM {cand}),
        fst AS (SELECT {pair}, MIN(ts) AS f FROM src GROUP BY {pair} HAVING COUNT(*) >= {c.bind(p.min_payments)}),
        b AS (SELECT src.*, fst.f FROM src JOIN fst USING (sender_id, receiver_id)),
        agg AS (SELECT {pair}, SUM(CASE WHEN ts < f + {w} THEN 1 ELSE 0 END) AS nb,
                       SUM(CASE WHEN ts < f + {w} THEN usd ELSE 0 END) AS total,
                       MIN(CASE WHEN ts = f THEN usd END) AS first_usd,
                       MAX(CASE WHEN ts < f + {w} THEN ts END) AS last_b,
                       MIN(CASE WHEN ts >= f + {w} THEN ts END) AS next_ts
                FROM b GROUP BY {pair}),
        pairs AS (SELECT {pair} FROM agg WHERE nb >= {c.bind(p.min_payments)}
                  AND first_usd < {c.bind(p.first_max * to_usd)} AND total <= {c.bind(p.total_max * to_usd)}
                  AND (next_ts IS NULL OR next_ts >= last_b + {quiet})),
        hit AS (SELECT b.* FROM b JOIN pairs USING (sender_id, receiver_id) WHERE b.ts < b.f + {w})
        {_pair_evidence(c, ind, "hit")}"""


def network_sql(c: Ctx, ind: str, p: r.Network, flagged: str) -> str:
    """`flagged` is a registered table (account_id, role) of the accounts flagged by the first scoring pass."""
    fl = c.q(flagged)
    fs = f"(SELECT account_id FROM {fl} WHERE role = {c.bind('sender')})"
    fr = f"(SELECT account_id FROM {fl} WHERE role = {c.bind('receiver')})"
    parts = [f"""
        WITH src AS (SELECT sender_id, receiver_id, txn_id, ts, usd FROM {c.rows(p.of)} WHERE {c.of(p.of)}),
        fp AS (SELECT src.* FROM src JOIN {fs} f ON src.sender_id = f.account_id),
        rcv AS (SELECT receiver_id FROM fp GROUP BY receiver_id
                HAVING COUNT(DISTINCT sender_id) >= {c.bind(p.min_flagged_senders)}),
        r_hit AS (SELECT fp.* FROM fp JOIN rcv USING (receiver_id)),
        shared AS (SELECT DISTINCT receiver_id FROM fp),
        s_hit AS (SELECT src.* FROM src JOIN shared USING (receiver_id)
                  LEFT JOIN {fs} f ON src.sender_id = f.account_id WHERE f.account_id IS NULL),
        r1_hit AS (SELECT src.* FROM src JOIN {fr} g ON src.receiver_id = g.account_id
                   LEFT JOIN {fs} f ON src.sender_id = f.account_id WHERE f.account_id IS NULL)
        {c.evidence("receiver_id", "receiver", ind, "r_hit")}"""]
    if p.two_hop_senders:
        parts.append(c.evidence("sender_id", "sender", ind, "s_hit"))
    if p.expand_from_receivers:
        parts.append(c.evidence("sender_id", "sender", ind, "r1_hit"))
    # Both expansions may name the same payment: keep one evidence row per account, role and payment.
    return "SELECT DISTINCT * FROM (" + " UNION ALL ".join(parts) + ") n"
