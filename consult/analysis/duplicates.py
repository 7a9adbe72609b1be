"""Groups of identical and near-identical input: campaigns, where many send nearly one text.

Texts that are identical after normalising (lower case, no punctuation) are grouped exactly,
by that form. Near-identical ones are found with MinHash over word 2-shingles and LSH banding,
so 100,000 texts are never compared pair by pair: only texts that agree on a whole band of
their signatures are compared, and a pair joins when its estimated Jaccard similarity reaches
the threshold. Groups join transitively. A group the secretariat labelled a campaign keeps its
row, flag and label when a regrouping finds most of its members together again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash
from datasketch import MinHashLSH
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from consult.analysis.models import DuplicateGroup
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import ResponseState

#: Letters and digits; everything else (punctuation, underscores) separates words.
WORD = re.compile(r"[^\W_]+")
#: Words per shingle. Two, not three: one word changed in a 20-word text leaves a Jaccard
#: similarity of 0.81 over 2-shingles but 0.71 over 3-shingles, too close to a threshold of 0.7
#: for a 128-value estimate (measured: grouped 100 % against 71 % of the time). One size for
#: every length, so a variant a few words longer than its original shingles the same way.
SHINGLE = 2
#: LSH band sizes weighted towards recall: every candidate pair is checked anyway, so a pair
#: LSH misses is lost while a false candidate only costs one comparison.
LSH_WEIGHTS = (0.1, 0.9)
#: Rows per fetch when streaming the consultation's input (and per progress report).
CHUNK = 2000

#: ``progress(done, total)``: how many texts have been read, of how many.
Progress = Callable[[int, int | None], None]


def normalise(text: str) -> str:
    """Return ``text`` lower-cased, without punctuation, its words separated by single spaces."""
    return " ".join(WORD.findall(text.lower()))


def group_texts(
    items: Iterable[tuple[int, str]],
    *,
    threshold: float = 0.7,
    min_words: int = 6,
    num_perm: int = 128,
    seed: int = 1,
) -> list[list[int]]:
    """Group ids whose texts are identical or near-identical; only groups of two or more."""
    # One entry per distinct normalised text: identical texts group here, and each distinct
    # text is hashed once below however many people sent it.
    ids_by_text: dict[str, list[int]] = {}
    for id_, text in items:
        norm = normalise(text or "")
        if norm and norm.count(" ") + 1 >= min_words:
            ids_by_text.setdefault(norm, []).append(id_)
    texts = list(ids_by_text)
    components = _Components(len(texts))
    if len(texts) > 1:
        _join_near_identical(texts, components, threshold, num_perm, seed)

    members: dict[int, list[int]] = {}
    for index, text in enumerate(texts):
        members.setdefault(components.find(index), []).extend(ids_by_text[text])
    groups = [sorted(ids) for ids in members.values() if len(ids) > 1]
    groups.sort(key=lambda ids: (-len(ids), ids[0]))
    return groups


class _Components:
    """Union-find over 0..n-1 (path halving, union by size)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]


def _shingles(text: str) -> list[bytes]:
    words = text.split(" ")
    if len(words) < SHINGLE:
        return [text.encode()]
    return [" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)]


def _join_near_identical(
    texts: list[str], components: _Components, threshold: float, num_perm: int, seed: int
) -> None:
    """Join the texts whose estimated Jaccard similarity reaches ``threshold``."""
    sketches = MinHash.generator((_shingles(t) for t in texts), num_perm=num_perm, seed=seed)
    signatures = np.stack([sketch.hashvalues for sketch in sketches])
    need = threshold * num_perm

    def similar(a: int, b: int) -> bool:
        # MinHash.jaccard's estimate: the share of signature values the two agree on.
        return np.count_nonzero(signatures[a] == signatures[b]) >= need

    # MinHashLSH chooses the bands for the threshold. Its own index keeps a Python set per
    # band and bucket (0.5 GB for 100,000 texts), so the buckets are found by sorting instead.
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    for start, end in lsh.hashranges:
        for bucket in _buckets(signatures[:, start:end]):
            # A campaign fills a bucket with thousands of texts: compare each one with one
            # text per group already met in the bucket, not with every other text.
            representatives: list[int] = []
            for index in bucket:
                joined = False
                for other in representatives:
                    if components.find(other) == components.find(index) or similar(index, other):
                        components.union(index, other)
                        joined = True
                if not joined:
                    representatives.append(index)


def _buckets(band: np.ndarray) -> Iterator[list[int]]:
    """Yield the row numbers, ascending, of each set of two or more identical rows of ``band``."""
    order = np.lexsort(band.T)  # stable, so rows keep their order within a bucket
    ordered = band[order]
    bounds = np.flatnonzero(np.any(ordered[1:] != ordered[:-1], axis=1)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(order)]))
    shared = ends - starts > 1
    for start, end in zip(starts[shared], ends[shared], strict=True):
        yield order[start:end].tolist()


def find_duplicates(consultation_id: int, progress: Progress | None = None) -> int:
    """Regroup the consultation's submitted input; keep campaign labels; return the group count.

    Rows of groups that no new group takes over are deleted. Input objects already in the
    session keep their old ``duplicate_group_id`` (the inputs are updated in bulk, not
    one object at a time); select the column to see the new one.

    :param consultation_id: the consultation whose input to group.
    :param progress: called as ``progress(texts read, texts in all)`` while reading.
    :return: the number of groups now.
    """
    db.session.flush()
    return store_groups(consultation_id, compute_groups(consultation_id, progress))


@dataclass
class Grouping:
    """The groups found (input ids), and the texts read, by input id."""

    groups: list[list[int]]
    texts: dict[int, str]


def compute_groups(consultation_id: int, progress: Progress | None = None) -> Grouping:
    """Read the consultation's submitted input and group it; write nothing (store_groups does).

    The two halves may run in separate transactions (the job does: it reads without holding
    SQLite's write lock); input that changes in between is grouped at the next run.
    """
    total = _count_inputs(consultation_id) if progress is not None else None
    texts: dict[int, str] = {}

    def remembered() -> Iterator[tuple[int, str]]:
        for id_, text in _stream_inputs(consultation_id):
            texts[id_] = text
            if progress is not None and len(texts) % CHUNK == 0:
                progress(len(texts), total)
            yield id_, text

    groups = group_texts(remembered())
    if progress is not None:
        progress(len(texts), len(texts))
    return Grouping(groups, texts)


def store_groups(consultation_id: int, grouping: Grouping) -> int:
    """Write the groups of ``compute_groups``: reuse the rows of the old groups they take over,
    point the inputs at their groups, delete the rest; return the number of groups."""
    groups, texts = grouping.groups, grouping.texts
    old_groups = {
        g.id: g
        for g in db.session.scalars(
            select(DuplicateGroup).where(DuplicateGroup.consultation_id == consultation_id)
        )
    }
    old_of_input: dict[int, int] = {
        id_: group_id
        for id_, group_id in db.session.execute(
            select(Input.id, Input.duplicate_group_id)
            .join(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
            .where(DuplicateGroup.consultation_id == consultation_id)
            .execution_options(yield_per=CHUNK)
        )
    }

    taken = _take_over(old_groups, old_of_input, groups, set(texts))
    rows: list[DuplicateGroup] = []
    for index, ids in enumerate(groups):
        row = taken.get(index)
        if row is None:
            row = DuplicateGroup(consultation_id=consultation_id)
            db.session.add(row)
        row.size = len(ids)
        row.sample = _sample([texts[id_] for id_ in ids])
        rows.append(row)
    db.session.flush()

    new_of_input = {id_: row.id for row, ids in zip(rows, groups, strict=True) for id_ in ids}
    changes = [
        {"input_id": id_, "group_id": group_id}
        for id_, group_id in new_of_input.items()
        if old_of_input.get(id_) != group_id
    ]
    changes += [
        {"input_id": id_, "group_id": None} for id_ in old_of_input if id_ not in new_of_input
    ]
    if changes:
        # One executemany on the connection, not an ORM bulk update: Input objects in the
        # session are not synchronised. updated_at stays: a regrouping is not an edit.
        db.session.connection().execute(
            update(Input)
            .where(Input.id == bindparam("input_id"))
            .values(duplicate_group_id=bindparam("group_id"), updated_at=Input.updated_at),
            changes,
        )

    kept = {row.id for row in taken.values()}
    for group_id, row in old_groups.items():
        if group_id not in kept:
            db.session.delete(row)
    db.session.flush()
    return len(groups)


def _submitted(consultation_id: int):
    return (
        Response.consultation_id == consultation_id,
        Response.state == ResponseState.SUBMITTED,
    )


def _count_inputs(consultation_id: int) -> int:
    return db.session.scalar(
        select(func.count(Input.id))
        .join(Response, Response.id == Input.response_id)
        .where(*_submitted(consultation_id))
    )


def _stream_inputs(consultation_id: int) -> Iterator[tuple[int, str]]:
    """Yield (input id, text and proposed wording) of the consultation's submitted input."""
    rows = db.session.execute(
        select(Input.id, Input.text, Input.proposed_wording)
        .join(Response, Response.id == Input.response_id)
        .where(*_submitted(consultation_id))
        .order_by(Input.id)
        .execution_options(yield_per=CHUNK)
    )
    for id_, text, wording in rows:
        # A campaign may be a proposed wording sent by many, so it counts as part of the text.
        yield id_, f"{text}\n\n{wording}" if wording.strip() else text


def _take_over(
    old_groups: dict[int, DuplicateGroup],
    old_of_input: dict[int, int],
    groups: list[list[int]],
    present: set[int],
) -> dict[int, DuplicateGroup]:
    """Return the old group each new group (by index) takes over.

    A new group takes over the old group when it holds more than half of the old group's
    members that are still submitted input. Each old and new group is matched once at most;
    campaigns are matched first, then the largest overlaps.
    """
    new_of_input = {id_: index for index, ids in enumerate(groups) for id_ in ids}
    present_size: Counter[int] = Counter()
    overlap: Counter[tuple[int, int]] = Counter()
    for id_, group_id in old_of_input.items():
        if id_ in present:
            present_size[group_id] += 1
            if id_ in new_of_input:
                overlap[group_id, new_of_input[id_]] += 1

    pairs = sorted(
        ((old, new) for (old, new), n in overlap.items() if 2 * n > present_size[old]),
        key=lambda pair: (not old_groups[pair[0]].is_campaign, -overlap[pair], pair),
    )
    taken: dict[int, DuplicateGroup] = {}
    used: set[int] = set()
    for old, new in pairs:
        if old not in used and new not in taken:
            taken[new] = old_groups[old]
            used.add(old)
    return taken


def _sample(texts: list[str]) -> str:
    """Return the text the group is shown by: its most common wording, shortest among ties.

    Texts that differ only in case and punctuation count as one wording, shown in its most
    common spelling (again the shortest among ties).
    """
    spellings = Counter(text.strip() for text in texts)
    wordings: Counter[str] = Counter()
    for spelling, n in spellings.items():
        wordings[normalise(spelling)] += n
    wording = min(wordings, key=lambda w: (-wordings[w], len(w), w))
    return min(
        (s for s in spellings if normalise(s) == wording),
        key=lambda s: (-spellings[s], len(s), s),
    )
