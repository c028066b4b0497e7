"""Buddy pairing: who fits whom, and the matching of a round.

Modules: ``model`` (members, rules, results, weights and limits), ``scoring`` (the weight of a pair),
``graph`` (the pairs a round is matched on), ``matching`` (``match``), ``improve`` (local improvements), ``search``
(augmenting paths), ``profiles`` (topics, intros, pauses, timezones, conversation starters).

Pure: no discord, no I/O. Time and randomness come in as parameters; for a given seed the matching is deterministic.

Weights. A pair scores ``3 x shared topics + 2 x waking-hours overlap (0..1) + 1 if one wants to talk and the other to
support + 0.5``, at most ``SCORE_MAX``; a member who goes first (left over last time, or accepted a pairing someone
else declined) adds ``PRIORITY`` to every pair they are in, which is more than any pair scores. A pair from the last N
rounds scores ``REPEAT_PENALTY`` less, which makes it negative whatever the rest. Blocks (either way) and two members
who both only want to support someone never pair.

Matching, in order of importance: as many people paired as possible; then as few repeats as possible (a recent pair
only when the alternative is leaving someone unpaired); then as many members who go first as possible; then the
weight. Maximum-weight matching is cubic; a round of 10,000 members has to be fast. Up to ``FULL_GRAPH_MAX`` members
every pair is considered; beyond, a sparse graph of likely partners (for each topic, and each two topics, a member
chose, the members with them nearest in timezone, plus the nearest in timezone overall). Edges are taken greedily by
weight (so members who go first come first), then improved with pair swaps and short augmenting paths
(``improve``). Whoever is still alone is then paired by augmenting paths (``search.Search``, Edmonds' blossom algorithm):
every path without a repeat first, then paths with one repeat, then any; each repeat is then swapped away if a swap
or a path without repeats allows it. Members who go first and are still alone then take the places of members who
don't, along alternating paths without repeats. On the sparse graph, the few still alone are given every possible
partner, not only likely ones. As many are paired as the graph allows (within ``AUGMENT_BUDGET``); the fewest repeats
and the most members going first are checked against every possible matching of small rounds
(``tests/domain/test_pairing.py``) but not guaranteed where several repeats are unavoidable. The benchmark compares
the result with an exact maximum-weight matching (``bench/bench_pairing.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.pairing import matching as _matching
from bot.domain.pairing.graph import Graph
from bot.domain.pairing.matching import neighbours_for
from bot.domain.pairing.model import (
    ACCEPT_WITHIN,
    AUGMENT_BUDGET,
    BASE,
    COMPLEMENT_BONUS,
    DEFAULT_TOPICS,
    FEW_ALONE,
    FULL_GRAPH_MAX,
    HISTORY_ROUNDS,
    INTRO_MAX,
    NEIGHBOURS,
    NEIGHBOURS_MAX,
    NEIGHBOURS_MIN,
    OVERLAP_WEIGHT,
    PRIORITY,
    REPEAT_PENALTY,
    SCORE_MAX,
    SPARSE_BUDGET,
    TOPIC_WEIGHT,
    TOPICS_MAX,
    WAKING_HOURS,
    Cadence,
    Candidate,
    LookingFor,
    Matching,
    OddRule,
    Rules,
)
from bot.domain.pairing.profiles import (
    STARTERS,
    clean_intro,
    clean_topics,
    conversation_starters,
    halfway,
    holds_listener_role,
    may_look_for,
    parse_pause,
    parse_topics,
    utc_offset_minutes,
)
from bot.domain.pairing.scoring import best_partner, compatible, complementary, overlap_hours, pair_weight

_Graph = Graph  # the name tests and the benchmark use


def match(candidates: Sequence[Candidate], rules: Rules, seed: int) -> Matching:
    """Pair everyone who can be paired (see ``matching.match``), with this package's ``FULL_GRAPH_MAX``: read at
    each call, so a test or the benchmark can force the sparse graph by setting it to 0."""
    return _matching.match(candidates, rules, seed, full_graph_max=FULL_GRAPH_MAX)


__all__ = [
    "ACCEPT_WITHIN",
    "AUGMENT_BUDGET",
    "BASE",
    "COMPLEMENT_BONUS",
    "DEFAULT_TOPICS",
    "FEW_ALONE",
    "FULL_GRAPH_MAX",
    "HISTORY_ROUNDS",
    "INTRO_MAX",
    "NEIGHBOURS",
    "NEIGHBOURS_MAX",
    "NEIGHBOURS_MIN",
    "OVERLAP_WEIGHT",
    "PRIORITY",
    "REPEAT_PENALTY",
    "SCORE_MAX",
    "SPARSE_BUDGET",
    "STARTERS",
    "TOPICS_MAX",
    "TOPIC_WEIGHT",
    "WAKING_HOURS",
    "Cadence",
    "Candidate",
    "Graph",
    "LookingFor",
    "Matching",
    "OddRule",
    "Rules",
    "best_partner",
    "clean_intro",
    "clean_topics",
    "compatible",
    "complementary",
    "conversation_starters",
    "halfway",
    "holds_listener_role",
    "match",
    "may_look_for",
    "neighbours_for",
    "overlap_hours",
    "pair_weight",
    "parse_pause",
    "parse_topics",
    "utc_offset_minutes",
]
