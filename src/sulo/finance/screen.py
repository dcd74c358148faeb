"""The screening job: the indicator library as named SQL steps on any engine, then typology scores.

Steps (each a table): flags (payment-level indicators as columns) -> evidence (one row per account, role,
indicator, transaction) -> hits (evidence per account, role, indicator) -> scores (typologies) ; then the
network indicator (F14) from the first pass's flagged senders, hits again, final scores, and networks.
"""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sulo.engine import Backend, Step, make_backend
from sulo.finance import kinds
from sulo.finance import rules as r
from sulo.finance.inputs import CHANNELS, Loaded, load_transactions
from sulo.finance.model import Alert, AlertSet, PaymentTable, ScreenResult
from sulo.finance.rates import load_rates
from sulo.finance.sqlctx import Ctx, subset_table

# Countries and the channel travel through the screening as integer codes (the engine's 64-bit hash of the
# text): writing three short text columns for every payment cost a sixth of the flags step. The texts are a
# closed set (the loader admits two capital letters and the six channels), so `place_codes` (code, text)
# maps every code back, checked free of collisions (place_codes_steps).
CODED = ("sender_country", "receiver_country", "channel")
FLAG_BASE = ("ts", *CODED, "usd")


def place_texts() -> pa.Table:
    """Every text a coded column can hold: the 676 two-letter country codes and the channels."""
    countries = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
    return pa.table({"text": countries + list(CHANNELS)})


def place_codes_steps(b: Backend) -> None:
    """The table `place_codes` (code, text); refuses to go on if two texts share a code (no such pair for
    either engine's hash today: tests/finance/test_codes.py)."""
    texts = place_texts()
    b.register_arrow("place_texts", texts)
    b.run(Step("place_codes", f"SELECT text, {b.dialect.hash('text')} AS code FROM place_texts"))
    n = b.fetch(Step("place_codes check", "SELECT COUNT(DISTINCT code) AS n FROM place_codes")).column("n")[0]
    if n.as_py() != texts.num_rows:
        raise RuntimeError(f"{b.dialect.name}: two countries or channels share one hash code")


def flags_steps(b: Backend, lib: r.Library, rates: pa.Table,
                row_flags: dict[str, Callable[[Ctx], str]] | None = None) -> tuple[Step, Step]:
    """The table `flag_bits` (one row per payment: keys, time, coded places, USD and the payment-level indicators
    packed in one integer: a boolean column each cost a sixth of this step) and the view `flags` over it
    with one boolean column f_<id> per indicator (and same_surname), which every later step reads."""
    c = Ctx(b.dialect)
    preds: dict[str, str] = {}
    for ind in lib.indicators:
        p = lib.params(ind.id)
        if isinstance(p, r.PaymentRule):
            preds[ind.id] = kinds.payment_rule_sql(c, p, lib.hrj, rates, preds)
        elif isinstance(p, r.ReferenceMatch):
            preds[ind.id] = kinds.reference_match_sql(c, p, preds)
    named = {c.flag(i): e for i, e in preds.items()}
    users = [p for i in lib.indicators if getattr(p := lib.params(i.id), "exclude_shared_surname", False)]
    if users:
        pat = c.bind(r"([^\s]+)\s*$")
        sn, rn = (f"regexp_extract(lower({x}_name), {pat}, 1)" for x in ("sender", "receiver"))
        # Only rows an indicator excluding family can look at (its `of`) need the two regular expressions.
        gate = " OR ".join(preds[u.of] if u.of else "TRUE" for u in users)
        named["same_surname"] = f"(CASE WHEN {gate} THEN ({sn} <> '' AND {sn} = {rn}) ELSE FALSE END)"
    for name, condition in (row_flags or {}).items():   # row conditions other steps asked for (Ctx.row_flag)
        named[c.q(f"r_{name}")] = f"({condition(c)})"
    if len(named) > 62:
        raise ValueError(f"{len(named)} payment-level indicators: at most 62 fit the packed flags")
    bits = " + ".join(f"(CASE WHEN {e} THEN {1 << i} ELSE 0 END)" for i, e in enumerate(named.values())) or "0"
    # Narrow on purpose: names and references are read again only for the accounts that alert.
    # Account keys are integers from the load step (inputs.account_key): no join with an account table.
    base = ", ".join(f"{b.dialect.hash('t.' + c.q(col))} AS {c.q(col)}" if col in CODED else f"t.{c.q(col)}"
                     for col in FLAG_BASE)
    table = Step("flag_bits", f"SELECT t.row_no AS txn_id, t.sender_key AS sender_id, t.receiver_key AS receiver_id, "
                              f"{base}, CAST({bits} AS BIGINT) AS bits FROM txn t", c.params)
    unpacked = "".join(f", ((bits & {1 << i}) <> 0) AS {col}" for i, col in enumerate(named))
    view = Step("flags", f"SELECT txn_id, sender_id, receiver_id, {c.cols(FLAG_BASE)}{unpacked} FROM flag_bits")
    return table, view


def subset_steps(b: Backend, lib: r.Library) -> list[Step]:
    """`flags_<id>` for each payment-level indicator another one counts (its `of`, e.g. F1: 6% of payments),
    so the window indicators and the network read that subset instead of scanning every payment again."""
    c = Ctx(b.dialect)
    ofs = sorted({o for i in lib.indicators if (o := getattr(lib.params(i.id), "of", None))})
    return [Step(subset_table(o), f"SELECT * FROM flags WHERE {c.flag(o)}") for o in ofs]


def evidence_steps(b: Backend, lib: r.Library, rates: pa.Table) -> list[tuple[Step, Ctx]]:
    """One step per indicator (its evidence rows), except the payment-level ones (aggregated straight from
    `flags`) and the network one (it needs the first pass's scores). One step each, so an indicator's
    pre-filter (Ctx.frequent) runs just before it and a failure names the indicator."""
    builders: dict[type, Any] = {
        r.WindowCount: kinds.window_count_sql, r.TimeShare: kinds.time_share_sql,
        r.Escalation: kinds.escalation_sql, r.PairTotal: kinds.pair_total_sql,
        r.PassThrough: kinds.pass_through_sql,
        r.Burst: lambda c, ind, p: kinds.burst_sql(c, ind, p, rates)}
    steps = []
    for ind in lib.indicators:
        p = lib.params(ind.id)
        build = builders.get(type(p))
        if build is not None:
            c = Ctx(b.dialect)
            steps.append((Step(f"evidence_{ind.id}", build(c, ind.id, p), c.params), c))
    return steps


def union_step(b: Backend, name: str, tables: list[str]) -> Step:
    if not tables:  # a library of payment-level indicators only: no evidence rows, same columns
        return Step(name, "SELECT CAST(NULL AS BIGINT) AS account_id, 'sender' AS role, '' AS indicator_id, "
                          "CAST(NULL AS BIGINT) AS txn_id, CAST(NULL AS BIGINT) AS ts, CAST(NULL AS DOUBLE) AS usd "
                          "WHERE FALSE")
    return Step(name, " UNION ALL ".join(f"SELECT * FROM {b.dialect.ident(t)}" for t in tables))


def payment_level(lib: r.Library) -> list[str]:
    return [i.id for i in lib.indicators if isinstance(lib.params(i.id), r.PaymentRule | r.ReferenceMatch)]


def payment_rows_step(b: Backend, lib: r.Library) -> Step:
    """The few payments where some payment-level indicator fired: one scan of `flags` instead of one per
    indicator and role."""
    c = Ctx(b.dialect)
    inds = payment_level(lib)
    # Only what payment_hits reads: copying the text columns of a million rows costs more than the rest.
    cols = ", ".join(["txn_id", "sender_id", "receiver_id", "ts", "usd", *map(c.flag, inds)])
    return Step("payment_rows", f"SELECT {cols} FROM flags WHERE {' OR '.join(map(c.flag, inds)) or 'FALSE'}")


def _payment_parts(c: Ctx, lib: r.Library) -> list[tuple[str, str, str]]:
    """(indicator id, role, its flag column) for every payment-level indicator and role it names."""
    return [(i.id, role, c.flag(i.id)) for i in lib.indicators
            if isinstance(p := lib.params(i.id), r.PaymentRule | r.ReferenceMatch) for role in p.roles]


def _only(c: Ctx, only: str | None, account: str, role: str) -> str:
    """A filter to the accounts in table `only` (account_id, role) in `role`; none if `only` is None."""
    if only is None:
        return "TRUE"
    return f"{account} IN (SELECT account_id FROM {c.q(only)} WHERE role = {c.bind(role)})"


def payment_presence_step(b: Backend, lib: r.Library) -> Step:
    """Which account fired which payment-level indicator in which role (what scoring needs), from
    `payment_rows`; the counts, totals and ids come later, for the alerting accounts only (detail_step)."""
    c = Ctx(b.dialect)
    parts = [f"SELECT DISTINCT {role}_id AS account_id, {c.bind(role)} AS role, {c.bind(ind)} AS indicator_id "
             f"FROM payment_rows WHERE {flag}" for ind, role, flag in _payment_parts(c, lib)]
    return Step("payment_hits", _union(parts) if parts else
                "SELECT * FROM hits_evidence WHERE FALSE", c.params)


def presence_step(b: Backend, name: str, source: str) -> Step:
    return Step(name, f"SELECT DISTINCT account_id, role, indicator_id FROM {b.dialect.ident(source)}")


def detail_step(b: Backend, lib: r.Library, evidence: list[str], only: str | None) -> Step:
    """The hits with their evidence (count, USD total, first and last time, the first ids): for the accounts
    in `only` (account_id, role), or for all when None. The top-n id lists are most of the cost of grouping
    hits, so they are made for the few accounts that alert, after scoring."""
    d = b.dialect
    c = Ctx(d)
    agg = (f"COUNT(*) AS n_txn, SUM(usd) AS total_usd, MIN(ts) AS first_ts, MAX(ts) AS last_ts, "
           f"{d.sorted_list('txn_id', lib.evidence_limit)} AS txn_ids")
    parts = [f"SELECT {role}_id AS account_id, {c.bind(role)} AS role, {c.bind(ind)} AS indicator_id, {agg} "
             f"FROM payment_rows WHERE {flag} AND {_only(c, only, f'{role}_id', role)} GROUP BY {role}_id"
             for ind, role, flag in _payment_parts(c, lib)]
    keep = "" if only is None else f" JOIN {c.q(only)} o ON o.account_id = e.account_id AND o.role = e.role"
    parts += [f"SELECT e.account_id, e.role, e.indicator_id, {agg} FROM {d.ident(src)} e{keep} "
              f"GROUP BY e.account_id, e.role, e.indicator_id" for src in evidence]
    return Step("detail_hits", _union(parts), c.params)


def _union(parts: list[str]) -> str:
    return " UNION ALL ".join(f"SELECT * FROM ({q}) e{i}" for i, q in enumerate(parts))


def weights_table(lib: r.Library) -> pa.Table:
    rows: list[tuple[str, str, str, float, float, bool]] = []
    for t in lib.typologies:
        weights = dict(t.weights)
        for req in t.requires_any:
            weights.setdefault(req, 0.0)
        for ind, w in weights.items():
            rows.append((t.id, t.role, ind, float(w), t.threshold, (ind in t.requires_any) or not t.requires_any))
    names = ["typology", "role", "indicator_id", "weight", "threshold", "required"]
    return pa.table({n: [row[i] for row in rows] for i, n in enumerate(names)})


def scores_step(b: Backend, name: str, hits: str) -> Step:
    d = b.dialect
    return Step(name, f"""
        SELECT h.account_id, w.typology, w.role, SUM(w.weight) AS score, MAX(w.threshold) AS threshold
        FROM {d.ident(hits)} h JOIN typology_weights w ON h.indicator_id = w.indicator_id AND h.role = w.role
        GROUP BY h.account_id, w.typology, w.role
        HAVING SUM(w.weight) >= MAX(w.threshold) - 1e-9 AND MAX(CASE WHEN w.required THEN 1 ELSE 0 END) = 1""")


def network_steps(b: Backend, lib: r.Library) -> list[Step]:
    """F14 (and any other network-kind indicator), from the senders flagged in the first pass."""
    steps: list[Step] = []
    for ind in lib.indicators:
        p = lib.params(ind.id)
        if not isinstance(p, r.Network):
            continue
        c = Ctx(b.dialect)
        typs = c.bind_list(list(p.flagged_by))
        steps.append(Step(f"flagged_{ind.id}", f"SELECT DISTINCT account_id, role FROM scores1 "
                          f"WHERE typology IN {typs}", dict(c.params)))
        c2 = Ctx(b.dialect)
        steps.append(Step(f"evidence_{ind.id}", kinds.network_sql(c2, ind.id, p, f"flagged_{ind.id}"), c2.params))
    return steps


def screen_backend(b: Backend, lib: r.Library, rates: pa.Table, with_hits: bool = False,
                   payment_details: bool = True) -> ScreenResult:
    """Run the library over the table `txn` already registered on the backend. `payment_details=False`: the
    evidence payments carry only their ids (all an alert file needs), not amounts, channels and references
    (what storing a screening needs); reading those text columns is a tenth of a large screening."""
    timings: dict[str, float] = {}
    parts = evidence_steps(b, lib, rates)   # first: the flags step computes the row conditions they ask for
    with _timed(timings, "flags"):
        table, view = flags_steps(b, lib, rates, {k: v for _, ctx in parts for k, v in ctx.row_flags.items()})
        b.run(table)
        b.run_view(view)
        place_codes_steps(b)
        b.run_all(subset_steps(b, lib))
    for _, ctx in parts:
        for name, table in ctx.aux.items():
            b.register_arrow(name, table)
    b.register_arrow("typology_weights", weights_table(lib))
    with _timed(timings, "indicators"):
        for step, ctx in parts:
            for pre, min_count in ctx.frequent_steps:
                b.run_frequent(pre, min_count)
            b.run(step)
        b.run(union_step(b, "evidence", [step.name for step, _ in parts]))
        b.run(presence_step(b, "hits_evidence", "evidence"))
        b.run(payment_rows_step(b, lib))
        b.run(payment_presence_step(b, lib))
        b.run(Step("hits1", "SELECT * FROM payment_hits UNION ALL SELECT * FROM hits_evidence"))
        b.run(scores_step(b, "scores1", "hits1"))
    with _timed(timings, "network"):
        net = network_steps(b, lib)
        b.run_all(net)
        sources = ["hits1"]
        for step in net[1::2]:
            b.run(presence_step(b, f"hits_{step.name}", step.name))
            sources.append(f"hits_{step.name}")
        b.run(union_step(b, "hits", sources))
        b.run(scores_step(b, "scores", "hits"))
    evidence = ["evidence", *(step.name for step in net[1::2])]
    with _timed(timings, "alerts"):
        b.run(Step("alerting", "SELECT DISTINCT account_id, role FROM scores"))
        b.run(detail_step(b, lib, evidence, "alerting"))
        alert_set, payments = _assemble(b, lib, payment_details)
    # The stored table, not the view: counting through `flags` unpacked every row's bits (0.17 s at 10M rows).
    n = b.fetch(Step("count", "SELECT COUNT(*) AS n FROM flag_bits")).column("n")[0].as_py()
    result = ScreenResult(alert_set, n_transactions=int(n), engine=b.dialect.name, timings=timings,
                          payments=payments)
    if with_hits:  # every indicator hit, alerting or not, with external ids: for tests and evaluation
        b.run(detail_step(b, lib, evidence, None))
        ids = " UNION ".join(f"SELECT DISTINCT {r}_key AS k, {r}_id AS id FROM txn WHERE {r}_key IN "
                             f"(SELECT account_id FROM hits)" for r in ("sender", "receiver"))
        all_hits = b.fetch(Step("fetch all hits", "SELECT ac.id AS account_id, h.role, h.indicator_id, "
                                "h.n_txn, h.total_usd, h.first_ts, h.last_ts, h.txn_ids FROM detail_hits h "
                                f"JOIN ({ids}) ac ON ac.k = h.account_id"))
        result.hits = _with_txn_ids(b, all_hits)[0].to_pylist()
    return result


class KeyCollision(Exception):
    """Two account ids share one integer key (inputs.account_key): vanishingly rare, never silently merged."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"accounts {first!r} and {second!r} share one internal key; their alert would merge two "
                         f"accounts, so the screening stops (report this input: the key needs widening)")


def _with_txn_ids(b: Backend, hits: pa.Table, details: bool = True) -> tuple[pa.Table, pa.Table]:
    """Replace the input row numbers in `hits.txn_ids` by transaction ids, vectorised (millions of ids in a
    large screening); also return the payments named (row_no order)."""
    lists = hits.column("txn_ids").combine_chunks()
    flat = pc.list_flatten(lists).to_numpy()
    # Row numbers are dense (1..rows in the file): a mark per row finds the distinct ones and a lookup table
    # their positions, in linear time (sorting and binary search cost ten times more for millions of ids).
    size = int(flat.max()) + 1 if len(flat) else 1
    seen = np.zeros(size, dtype=bool)
    seen[flat] = True
    rows = np.flatnonzero(seen)
    payments = _evidence_payments(b, rows, details)
    if not np.array_equal(payments.column("row_no").to_numpy(), rows):
        raise RuntimeError("evidence payments missing from the input")   # cannot happen: rows come from flags
    position = np.zeros(size, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    pos = position[flat]
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    ids = pa.ListArray.from_arrays(offsets, payments.column("txn_id").combine_chunks().take(pa.array(pos)))
    return hits.set_column(hits.schema.get_field_index("txn_ids"), "txn_ids", ids), payments


PAYMENT_COLUMNS = ["txn_id", "ts", "sender_id", "receiver_id", "amount", "currency", "usd", "channel", "reference"]


def _evidence_payments(b: Backend, rows: np.ndarray, details: bool = True) -> pa.Table:
    """The payments named as evidence: numbers from `flags`, text from `txn_text` (on DuckDB a view of the
    input file, so only these rows' text is kept), with the account keys and names the alerts need; with
    `details`, also what is stored for each (time, amount, currency, USD, channel, reference)."""
    b.register_arrow("evidence_rows", pa.table({"row_no": pa.array(rows, pa.int64())}))
    more, channel = (("f.ts, x.amount, x.currency, f.usd, ch.text AS channel, x.reference, ",
                      "JOIN place_codes ch ON ch.code = f.channel") if details else ("", ""))
    return b.fetch(Step("fetch evidence payments", f"""
        SELECT e.row_no, x.txn_id, x.sender_id, x.receiver_id, {more}f.sender_id AS sender_key,
               f.receiver_id AS receiver_key, x.sender_name, x.receiver_name
        FROM evidence_rows e JOIN flags f ON f.txn_id = e.row_no JOIN txn_text x ON x.row_no = e.row_no {channel}
        ORDER BY e.row_no"""))


def _assemble(b: Backend, lib: r.Library, payment_details: bool) -> tuple[AlertSet, PaymentTable | None]:
    """Scores, hits and evidence payments in, the alert set out: joined as Arrow tables in a local DuckDB,
    whatever the engine (they are small), no Python object per alert."""
    d = b.dialect
    scores = b.fetch(Step("fetch scores", "SELECT * FROM scores"))
    hits, payments = _with_txn_ids(b, b.fetch(Step("fetch alert hits", "SELECT * FROM detail_hits")), payment_details)
    c = Ctx(d)
    places = b.fetch(Step("fetch alert accounts", " UNION ALL ".join(f"""
        SELECT g.account_id, {c.bind(role)} AS role, MIN(pc.text) AS country,
               {d.sorted_distinct_list("ch.text")} AS channels
        FROM (SELECT DISTINCT f.{role}_id AS account_id, f.{role}_country AS country, f.channel
              FROM (SELECT DISTINCT account_id FROM scores WHERE role = {c.bind(role)}) a
              JOIN flags f ON f.{role}_id = a.account_id) g
        JOIN place_codes pc ON pc.code = g.country JOIN place_codes ch ON ch.code = g.channel
        GROUP BY g.account_id""" for role in ("sender", "receiver")), c.params))
    local = duckdb.connect()
    try:
        for name, table in (("scores", scores), ("places", places), ("payments", payments)):
            local.register(name, table)
        local.execute(_ACCOUNTS_SQL)
        clash = local.sql("SELECT min_id, max_id FROM ext_ids WHERE min_id <> max_id LIMIT 1").fetchall()
        if clash:
            raise KeyCollision(*clash[0])
        alerting = local.sql("SELECT key, account_id FROM ext_ids WHERE key IN (SELECT account_id FROM scores)")
        local.register("networks", _networks(b, lib, local, alerting.to_arrow_table()))
        alerts = local.sql(_ALERTS_SQL).to_arrow_table()
    finally:
        local.close()
    evidence = hits.rename_columns(["key", *hits.column_names[1:]])
    alert_set = AlertSet(alerts, evidence, {t.id: dict(t.weights) for t in lib.typologies},
                         [i.id for i in lib.indicators])
    return alert_set, (PaymentTable(payments.select(PAYMENT_COLUMNS)) if payment_details else None)


# Each account key's id and names, from the evidence payments. A key with two ids is a hash collision.
_ACCOUNTS_SQL = """
    CREATE TEMP TABLE seen AS
    SELECT sender_key AS key, 'sender' AS role, sender_id AS id, sender_name AS name FROM payments
    UNION ALL SELECT receiver_key, 'receiver', receiver_id, receiver_name FROM payments;
    CREATE TEMP TABLE ext_ids AS SELECT key, min(id) AS account_id, min(id) AS min_id, max(id) AS max_id
    FROM seen GROUP BY key;
    CREATE TEMP TABLE names AS SELECT key, role, min(name) AS name FROM seen GROUP BY key, role;
"""

# One row per alert, in alert order; the name is the smallest seen in the alert's role, else in the other.
_ALERTS_SQL = """
    SELECT s.account_id AS key, e.account_id, s.role, s.typology, s.score, s.threshold,
           coalesce(n1.name, n2.name, '') AS account_name, coalesce(p.country, '') AS country,
           coalesce(p.channels, CAST([] AS VARCHAR[])) AS channels, nw.network_id
    FROM scores s JOIN ext_ids e ON e.key = s.account_id
    LEFT JOIN names n1 ON n1.key = s.account_id AND n1.role = s.role
    LEFT JOIN names n2 ON n2.key = s.account_id AND n2.role <> s.role
    LEFT JOIN places p ON p.account_id = s.account_id AND p.role = s.role
    LEFT JOIN networks nw ON nw.key = s.account_id
    ORDER BY round(s.score, 6) DESC, s.typology, e.account_id, s.role
"""


def _networks(b: Backend, lib: r.Library, local: duckdb.DuckDBPyConnection, alerting: pa.Table) -> pa.Table:
    """Alerts whose accounts pay or are paid by each other, or share a counterparty, form one network
    (payments counted: those of the network indicator's `of`, e.g. F1). Returns key -> network_id for the
    accounts in a network of two or more alerting accounts, named after the smallest account id in it."""
    empty = pa.table({"key": pa.array([], pa.int64()), "network_id": pa.array([], pa.string())})
    if alerting.num_rows == 0:
        return empty
    of = next((lib.params(i.id).of for i in lib.indicators if i.kind == "network"), None)
    b.register_arrow("alert_accounts", pa.table({"account_id": alerting.column("key")}))
    c = Ctx(b.dialect)
    edges = b.fetch(Step("network edges", f"""
        SELECT DISTINCT f.sender_id, f.receiver_id FROM {c.rows(of)} f
        JOIN alert_accounts a ON f.sender_id = a.account_id WHERE {c.of(of)}
        UNION SELECT DISTINCT f.sender_id, f.receiver_id FROM {c.rows(of)} f
        JOIN alert_accounts a ON f.receiver_id = a.account_id WHERE {c.of(of)}"""))
    keys = alerting.column("key").to_numpy()
    u, v = (edges.column(n).to_numpy() for n in ("sender_id", "receiver_id"))
    nodes, dense = np.unique(np.concatenate([keys, u, v]), return_inverse=True)
    label = connected_components(len(nodes), dense[len(keys):len(keys) + len(u)], dense[len(keys) + len(u):])
    comp = label[dense[:len(keys)]]
    local.register("components", pa.table({"key": keys, "comp": comp, "account_id": alerting.column("account_id")}))
    return local.sql("""
        SELECT key, 'NET-' || min(account_id) OVER (PARTITION BY comp) AS network_id FROM components
        QUALIFY count(*) OVER (PARTITION BY comp) > 1""").to_arrow_table()


def connected_components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The component of each of n nodes given edges u-v, as the smallest node index in it: hook each tree's
    root under the smaller root across every edge, compress, repeat until no edge joins two labels."""
    label = np.arange(n)
    while True:
        lu, lv = label[u], label[v]
        if np.array_equal(lu, lv):
            return label
        low = np.minimum(lu, lv)
        np.minimum.at(label, lu, low)
        np.minimum.at(label, lv, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 3)


def screen_file(path: Path, *, engine: str = "duckdb", library: r.Library | None = None,
                rates: pa.Table | None = None, strict: bool = False, backend: Backend | None = None,
                with_hits: bool = False, con: Any = None, payment_details: bool = True) -> tuple[Loaded, ScreenResult]:
    """Validate a transactions file and screen its clean rows; returns the load report and the alerts.
    `con`: a DuckDB connection to load into (e.g. one with a memory limit); a new one by default.
    `payment_details=False` when only an alert file is written (see screen_backend)."""
    lib = library or r.load_library()
    rates = rates if rates is not None else load_rates()
    started = time.perf_counter()
    if engine == "duckdb" and backend is None:
        from sulo.engine.duckdb_backend import DuckDBBackend

        loaded = load_transactions(path, strict=strict, rates=rates, con=con)
        b: Backend = DuckDBBackend(loaded.con)
    else:
        loaded = load_transactions(path, strict=strict, rates=rates)
        b = backend or make_backend(engine)
        b.register_arrow("txn", loaded.con.sql("SELECT * FROM txn").to_arrow_table())
        b.run(Step("txn_text", "SELECT row_no, txn_id, sender_id, sender_name, receiver_id, receiver_name, "
                               "amount, currency, reference FROM txn"))
    load_s = time.perf_counter() - started
    try:
        result = screen_backend(b, lib, rates, with_hits, payment_details)
    finally:
        b.close()
    result.timings = {"load": round(load_s, 3), **result.timings}
    return loaded, result


def alerts_equal(a: list[Alert], b: list[Alert]) -> bool:
    return [x.key() for x in a] == [y.key() for y in b]

