"""Group reports about the same person or account into subjects, with the identifiers that tied them.

Union-find over all reports at once: every identifier key (scoped where the identifier is only unique
within one platform) links the reports that carry it; the same residential IP within a short window
links too; exact duplicates (same content under two report numbers) link. Keys seen in too many
reports (a placeholder e-mail, a shared office IP) are ignored and reported, so one bad key cannot
swallow thousands of unrelated reports. Linear in the number of identifier rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sulo.rules import StrictModel, load_rules

GROUPING_FILE = Path(__file__).with_name("grouping.yaml")


class GroupingRules(StrictModel):
    # Identifier kinds that link reports (anything else is stored but never joins two reports).
    link_kinds: list[str]
    ip_window_hours: float
    max_reports_per_key: int
    viral_min_reports: int


def load_grouping_rules(path: Path = GROUPING_FILE) -> GroupingRules:
    return load_rules(path, GroupingRules)


# Plain tuples, not objects: the rebuild builds hundreds of thousands of these from database rows.
# (index of the report in the batch being grouped, kind, canonical value scoped "esp:value" where needed)
IdentRow = tuple[int, str, str]
# (report index, ip, seen at): residential, non-proxy sightings only (nothing else ever links)
IpRow = tuple[int, str, dt.datetime]


@dataclass(frozen=True, slots=True)
class Tie:
    kind: str
    value: str
    reports: int  # how many of the subject's reports carry it


@dataclass
class Grouping:
    root_of: list[int]  # report index -> index of its subject's representative report
    ties: dict[int, list[Tie]] = field(default_factory=dict)
    ignored_keys: list[tuple[str, str, int]] = field(default_factory=list)

    def members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i, root in enumerate(self.root_of):
            out[root].append(i)
        return out


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression keeps later finds O(1)
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index wins, so a subject's representative is deterministic.
            self.parent[max(ra, rb)] = min(ra, rb)


def group_reports(n: int, idents: Iterable[IdentRow], ips: Sequence[IpRow], content_keys: Sequence[str],
                  rules: GroupingRules) -> Grouping:
    uf = UnionFind(n)
    links: dict[tuple[str, str], set[int]] = defaultdict(set)
    kinds = set(rules.link_kinds)
    for report, kind, value in idents:
        if kind in kinds:
            links[(kind, value)].add(report)
    for i, key in enumerate(content_keys):
        links[("duplicate_content", key)].add(i)
    _ip_links(ips, rules.ip_window_hours, links)
    ignored: list[tuple[str, str, int]] = []
    for (kind, value), reports in links.items():
        if len(reports) < 2:
            continue
        if len(reports) > rules.max_reports_per_key:
            ignored.append((kind, value, len(reports)))
            continue
        first, *rest = reports
        for other in rest:
            uf.union(first, other)
    root_of = [uf.find(i) for i in range(n)]
    return Grouping(root_of=root_of, ties=_ties(links, root_of, rules.max_reports_per_key),
                    ignored_keys=sorted(ignored))


def _ip_links(ips: Sequence[IpRow], window_h: float, links: dict[tuple[str, str], set[int]]) -> None:
    """Same residential IP within the window: consecutive sightings (sorted by time) chain together.
    Each chain gets its own key "ip@<first time>" so two far-apart uses of one address stay apart."""
    window = dt.timedelta(hours=window_h)
    by_ip: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for report, ip, at in ips:
        by_ip[ip].append((at, report))
    for ip, seen in by_ip.items():
        if len(seen) < 2:
            continue
        seen.sort()
        chain_start, last = seen[0][0], seen[0][0]
        for at, report in seen:
            if at - last > window:
                chain_start = at
            links[("ip_window", f"{ip}@{chain_start.isoformat()}")].add(report)
            last = at


def _ties(links: dict[tuple[str, str], set[int]], root_of: list[int], cap: int) -> dict[int, list[Tie]]:
    ties: dict[int, list[Tie]] = defaultdict(list)
    for (kind, value), reports in links.items():
        if len(reports) < 2 or len(reports) > cap:
            continue
        counts: dict[int, int] = defaultdict(int)
        for r in reports:
            counts[root_of[r]] += 1
        for root, count in counts.items():
            if count >= 2:
                ties[root].append(Tie(kind, value.split("@", 1)[0] if kind == "ip_window" else value, count))
    for tie_list in ties.values():
        tie_list.sort(key=lambda t: (-t.reports, t.kind, t.value))
    return dict(ties)


def viral_hashes(file_hashes: Iterable[tuple[int, str]], min_reports: int) -> set[str]:
    """Hashes seen in at least `min_reports` distinct reports: the file is circulating widely (a meme,
    an old series), so it says nothing about who shared it and must not make the sharers one subject."""
    seen: dict[str, set[int]] = defaultdict(set)
    for report, digest in file_hashes:
        seen[digest].add(report)
    return {digest for digest, reports in seen.items() if len(reports) >= min_reports}
