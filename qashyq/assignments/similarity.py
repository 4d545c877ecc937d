"""Similarity check of text submissions: normalisation, shingles, MinHash, LSH, passages.

Pure Python, no Django and no database: the assignments services feed it texts and store what it
returns. Everything is deterministic across processes and machines (hashes come from
``hashlib.blake2b``, never from Python's salted ``hash()``), so a signature computed today can be
stored and compared with one computed next year.

How a text becomes comparable
-----------------------------
1. **Tokens** are runs of letters in the *original* text (digits, punctuation and whitespace
   separate them; zero-width characters and soft hyphens that students insert to fool checkers
   are treated as part of the word and then removed). Each token keeps its ``(start, end)``
   character offsets in the original text, so passages can be shown exactly as written.
2. **Look-alike letters**: in a word that contains Cyrillic letters, Latin look-alikes
   (``a c e o p x y i k h`` and capitals ``A B C E H K M O P T X Y I``; the Latin schwa ``ə`` and
   barred ``ɵ``) become the Cyrillic letters they imitate (``h`` becomes Kazakh ``һ``, ``i``
   Kazakh ``і``). In a mostly-Cyrillic text a Latin word made only of look-alikes ("poc") is
   treated the same way; in a mostly-Latin (English) text, Cyrillic look-alikes inside Latin
   words become Latin. Then Unicode NFKC and ``casefold``; ``ё`` becomes ``е``.
3. **Kazakh fold** (on by default, ``fold_kazakh=False`` to switch off): ``ә ғ қ ң ө ұ ү һ і``
   are compared as ``а г к н о у у х и``. Decision: many students type Kazakh with a Russian
   keyboard layout, and retyping a copied text without the Kazakh letters must not hide the
   copy; on five-word shingles the fold merges no real distinct phrases in practice. The tokens
   shown to people are never folded: only the comparison key is.
4. **Stop words**: one-letter words and a short kk/ru/en list of function words are dropped, so
   "және"/"и"/"and" sprinkled in or taken out do not break the shingles.
5. **Shingles**: every run of ``k`` consecutive kept words (``k = 5`` by default) hashed to a
   64-bit integer. A text shorter than ``k`` words gives one shingle of all its words.

Scores
------
- ``jaccard`` = |A ∩ B| / |A ∪ B| over the shingle sets (1 for identical texts, near 0 for
  unrelated ones);
- ``containment_a_in_b`` = |A ∩ B| / |A| (how much of A appears in B): a short answer copied
  into a long one scores high here while its Jaccard stays low.

Finding pairs among many documents
----------------------------------
:class:`SimilarityIndex` computes a MinHash signature per document with *one permutation
hashing* (Li, Owen & Zhang 2012): each shingle hash falls into one of ``num_perm`` bins by its
top bits and each bin keeps its minimum; empty bins are filled by *optimal densification*
(Shrivastava 2017) with a fixed probe sequence, so two signatures agree in a bin with probability
equal to the Jaccard similarity. One hash per shingle instead of ``num_perm`` keeps it fast in
pure Python. LSH banding (``bands`` × ``rows``) turns signatures into candidate pairs without
comparing all pairs; a second, sampled inverted index (every shingle whose hash is 0 mod
``sample_mod``) finds candidates for containment, which Jaccard banding cannot. Candidates are
then scored exactly from the shingle sets. Shingles that occur in more than ``max_df`` of the
documents (the task statement quoted by everyone) are ignored when looking for candidates.

Earlier years
-------------
A document added with ``earlier=True`` (a submission to the same discipline in an earlier
academic period) is compared with the others but never with another earlier document: those
pairs were reported in their own year, so :meth:`SimilarityIndex.candidates` and
:meth:`SimilarityIndex.find_similar` leave them out.

Stored shingles
---------------
Tokenising is almost all the cost (about 5 µs a word). A text's shingle set can be stored
(:func:`pack_shingles`: sorted 64-bit big-endian integers, 8 bytes a shingle) and indexed later
with :meth:`SimilarityIndex.add_shingles`, which skips tokenising; the text is tokenised again
only for the passages of a flagged pair. A stored set is valid for :data:`FINGERPRINT_SCHEME`
(``k``, the Kazakh fold and the hash); the assignments app recomputes sets of another scheme.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_K",
    "FINGERPRINT_SCHEME",
    "Comparison",
    "Fingerprint",
    "Match",
    "Passage",
    "SimilarityIndex",
    "Token",
    "compare",
    "estimate_jaccard",
    "fingerprint",
    "minhash_signature",
    "pack_shingles",
    "passages_between",
    "tokenize",
    "unpack_shingles",
]

DEFAULT_K = 5
DEFAULT_NUM_PERM = 128
_MASK64 = (1 << 64) - 1

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# Characters that students insert inside words to defeat checkers: part of the word, then removed.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# A word: letters, combining marks (decomposed й, ё) and invisible joiners; apostrophes inside
# words (Latin-script Kazakh, English "don't") are kept as part of the word.
_WORD_RE = re.compile(
    rf"(?:[^\W\d_]|[\u0300-\u036f{_INVISIBLE}])+(?:['\u2019](?:[^\W\d_]|[\u0300-\u036f])+)*"
)

# Latin (and IPA) look-alikes of Cyrillic letters, case-aware: applied before casefolding.
_HOMOGLYPHS = {
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і",
    "k": "к", "h": "һ", "ə": "ә", "ɵ": "ө", "ı": "і",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О",
    "P": "Р", "T": "Т", "X": "Х", "Y": "У", "I": "І", "Ə": "Ә", "Ɵ": "Ө",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
# The other way, for Cyrillic look-alikes typed inside words of a mostly-Latin (English) text.
_REVERSE_HOMOGLYPHS = {cyr: lat for lat, cyr in _HOMOGLYPHS.items() if lat.isascii()}
_REVERSE_TABLE = str.maketrans(_REVERSE_HOMOGLYPHS | {"һ": "h", "Һ": "H", "у": "y", "і": "i"})
_KAZAKH_FOLD = str.maketrans("әғқңөұүһі", "агкноуухи")
_RUSSIAN_FOLD = str.maketrans("ё", "е")

_STOP_WORDS_TEXT = {
    "kk": "және мен бен пен да де та те ол бұл осы сол үшін деп ғана еді бар жоқ әр не ма ме ба"
    " бе па пе сияқты туралы арқылы бойынша ал бірақ немесе я яғни",
    "ru": "и в во не на с со что как а но по к ко у о об из за от до же ли бы это то для или при"
    " так его ее её их он она они мы вы там тоже уже",
    "en": "the a an of and or to in on is are was were be it that this for with as by at from",
}
STOP_WORDS: frozenset[str] = frozenset(
    word for words in _STOP_WORDS_TEXT.values() for word in words.split()
)


_CYRILLIC_RE = re.compile("[\u0400-\u052f]")
_LATIN_RE = re.compile("[A-Za-z]")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


@dataclass(frozen=True, slots=True)
class Token:
    """A kept word: its comparison key and where it stands in the original text."""

    key: str
    start: int
    end: int


@functools.lru_cache(maxsize=1 << 16)  # words repeat: most of a text is a few thousand words
def _normalise_word(word: str, *, cyrillic_text: bool, fold_kazakh: bool) -> str:
    word = _INVISIBLE_RE.sub("", word)
    word = unicodedata.normalize("NFKC", word)
    has_cyrillic = any(_is_cyrillic(ch) for ch in word)
    if cyrillic_text:
        if has_cyrillic or all(ch in _HOMOGLYPHS for ch in word):
            word = word.translate(_HOMOGLYPH_TABLE)
    elif has_cyrillic and any(ch.isascii() for ch in word):
        word = word.translate(_REVERSE_TABLE)
    word = word.casefold().translate(_RUSSIAN_FOLD)
    if fold_kazakh:
        word = word.translate(_KAZAKH_FOLD)
    return word.replace("\u2019", "'")


def _stop_words(fold_kazakh: bool) -> frozenset[str]:
    if not fold_kazakh:
        return STOP_WORDS
    return STOP_WORDS | frozenset(w.translate(_KAZAKH_FOLD) for w in STOP_WORDS)


_STOP_FOLDED = _stop_words(True)


def tokenize(text: str, *, fold_kazakh: bool = True) -> list[Token]:
    """Split ``text`` into normalised comparison tokens with their original character offsets."""
    # Counted by the regex engine: a Python loop over the characters cost half of the check.
    cyrillic_text = len(_CYRILLIC_RE.findall(text)) > len(_LATIN_RE.findall(text))
    stop = _STOP_FOLDED if fold_kazakh else STOP_WORDS
    # word -> its key, or None for a dropped word: a plain dict per text is cheaper than the
    # keyword-argument call of the lru_cache for every word (most words repeat).
    keys: dict[str, str | None] = {}
    tokens: list[Token] = []
    append = tokens.append
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word in keys:
            key = keys[word]
        else:
            key = _normalise_word(word, cyrillic_text=cyrillic_text, fold_kazakh=fold_kazakh)
            if len(key) < 2 or key in stop:
                key = None
            keys[word] = key
        if key is not None:
            start, end = m.span()
            append(Token(key, start, end))
    return tokens


# --------------------------------------------------------------------------------------------
# Shingles
# --------------------------------------------------------------------------------------------


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass(slots=True)
class Fingerprint:
    """The shingles of one text, in order, with the tokens they span."""

    tokens: list[Token]
    shingles: list[int]  # shingle i spans tokens[i : i + width]
    width: int  # words per shingle (k, or fewer for a text shorter than k words)
    shingle_set: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.shingle_set = frozenset(self.shingles)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets covered by shingles ``first..last`` (inclusive)."""
        return self.tokens[first].start, self.tokens[last + self.width - 1].end


def fingerprint(text: str, *, k: int = DEFAULT_K, fold_kazakh: bool = True) -> Fingerprint:
    """Tokenise ``text`` and hash its word ``k``-grams."""
    if k < 1:
        raise ValueError("k must be at least 1")
    tokens = tokenize(text, fold_kazakh=fold_kazakh)
    if not tokens:
        return Fingerprint(tokens, [], k)
    width = min(k, len(tokens))
    keys = [t.key.encode() for t in tokens]
    shingles = [_hash64(b" ".join(keys[i : i + width])) for i in range(len(keys) - width + 1)]
    return Fingerprint(tokens, shingles, width)


# --------------------------------------------------------------------------------------------
# MinHash (one permutation hashing with optimal densification)
# --------------------------------------------------------------------------------------------

_PROBES = 32
_probe_cache: dict[int, list[list[int]]] = {}


def _probe_table(num_perm: int) -> list[list[int]]:
    """For each bin, a fixed pseudo-random sequence of bins to borrow from when it is empty."""
    table = _probe_cache.get(num_perm)
    if table is None:
        table = [
            [
                _hash64(f"qashyq-densify:{b}:{attempt}".encode()) % num_perm
                for attempt in range(_PROBES)
            ]
            for b in range(num_perm)
        ]
        _probe_cache[num_perm] = table
    return table


def minhash_signature(shingles: Iterable[int], num_perm: int = DEFAULT_NUM_PERM) -> list[int]:
    """A ``num_perm``-value MinHash signature of a set of 64-bit shingle hashes.

    ``num_perm`` must be a power of two. The empty set gives an all-zero signature (compare
    nothing with it: :func:`estimate_jaccard` returns 0 for it).
    """
    if num_perm < 2 or num_perm & (num_perm - 1):
        raise ValueError("num_perm must be a power of two, at least 2")
    bits = num_perm.bit_length() - 1
    shift = 64 - bits
    low = (1 << shift) - 1
    empty = 1 << shift
    bins = [empty] * num_perm
    for h in shingles:
        b = h >> shift
        v = h & low
        if v < bins[b]:
            bins[b] = v
    if all(v == empty for v in bins):
        return [0] * num_perm
    filled = [v != empty for v in bins]
    signature = list(bins)
    probes = _probe_table(num_perm)
    for b in range(num_perm):
        if filled[b]:
            continue
        for j in probes[b]:
            if filled[j]:
                signature[b] = bins[j] + (j + 1) * empty  # keep borrowed values distinct by source
                break
        else:  # astronomically rare with 32 probes and >=1 filled bin; fall back to a scan
            j = next(i for i in range(b, b + num_perm) if filled[i % num_perm]) % num_perm
            signature[b] = bins[j] + (j + 1) * empty
    return signature


def estimate_jaccard(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """Fraction of agreeing bins: an unbiased estimate of the Jaccard similarity."""
    if len(sig_a) != len(sig_b):
        raise ValueError("signatures of different lengths")
    if not any(sig_a) or not any(sig_b):
        return 0.0
    return sum(1 for x, y in zip(sig_a, sig_b, strict=True) if x == y) / len(sig_a)


# --------------------------------------------------------------------------------------------
# Passages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of text found in both documents: character offsets in each original."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    shingles: int  # matching shingles inside it: a measure of its weight

    def text_a(self, text: str) -> str:
        return text[self.a_start : self.a_end]

    def text_b(self, text: str) -> str:
        return text[self.b_start : self.b_end]


def passages_between(fa: Fingerprint, fb: Fingerprint) -> list[Passage]:
    """Maximal runs of matching shingles, merged into passages, ordered by position in A.

    Matches on (nearly) the same diagonal, at most one shingle width apart, are chained into one
    run, so a changed, inserted or deleted word inside a copied stretch does not cut it in two;
    reordered sentences give separate passages.
    """
    if not fa.shingles or not fb.shingles:
        return []
    positions_b: dict[int, list[int]] = defaultdict(list)
    for j, h in enumerate(fb.shingles):
        positions_b[h].append(j)
    common = fa.shingle_set & fb.shingle_set
    gap = max(fa.width, fb.width) + 1
    runs: list[list[int]] = []  # [i_first, j_first, i_last, j_last, count]
    open_runs: list[list[int]] = []
    for i, h in enumerate(fa.shingles):
        if h not in common:
            continue
        open_runs = [r for r in open_runs if i - r[2] <= gap]
        for j in positions_b[h]:
            for run in open_runs:
                di, dj = i - run[2], j - run[3]
                if 0 < di <= gap and 0 < dj <= gap and abs(di - dj) <= 2:
                    run[2], run[3] = i, j
                    run[4] += 1
                    break
            else:
                run = [i, j, i, j, 1]
                runs.append(run)
                open_runs.append(run)
    spans = []
    for i0, j0, i1, j1, count in runs:
        a0, a1 = fa.span(i0, i1)
        b0, b1 = fb.span(min(j0, j1), max(j0, j1))
        spans.append([a0, a1, b0, b1, count])
    # Merge passages that overlap in both texts (repeated phrases make several runs).
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        for m in merged:
            if s[0] < m[1] and m[0] < s[1] and s[2] < m[3] and m[2] < s[3]:
                m[0], m[1] = min(m[0], s[0]), max(m[1], s[1])
                m[2], m[3] = min(m[2], s[2]), max(m[3], s[3])
                m[4] += s[4]
                break
        else:
            merged.append(s)
    return [Passage(*m) for m in merged]


# --------------------------------------------------------------------------------------------
# One pair
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """Exact scores of two texts (from their shingle sets) and the passages they share."""

    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    common_shingles: int
    passages: tuple[Passage, ...]

    @property
    def containment(self) -> float:
        """The larger of the two containments: how much of the shorter text is in the other."""
        return max(self.containment_a_in_b, self.containment_b_in_a)


def _scores(fa: Fingerprint, fb: Fingerprint) -> tuple[float, float, float, int]:
    return _set_scores(fa.shingle_set, fb.shingle_set)


def _set_scores(sa: frozenset[int], sb: frozenset[int]) -> tuple[float, float, float, int]:
    if not sa or not sb:
        return 0.0, 0.0, 0.0, 0
    common = len(sa & sb)
    union = len(sa) + len(sb) - common
    return common / union, common / len(sa), common / len(sb), common


def _comparison(fa: Fingerprint, fb: Fingerprint, *, with_passages: bool = True) -> Comparison:
    jaccard, a_in_b, b_in_a, common = _scores(fa, fb)
    found = tuple(passages_between(fa, fb)) if with_passages and common else ()
    return Comparison(jaccard, a_in_b, b_in_a, common, found)


def compare(
    text_a: str, text_b: str, *, k: int = DEFAULT_K, fold_kazakh: bool = True
) -> Comparison:
    """Compare two texts: exact Jaccard, containment both ways, and the shared passages."""
    return _comparison(
        fingerprint(text_a, k=k, fold_kazakh=fold_kazakh),
        fingerprint(text_b, k=k, fold_kazakh=fold_kazakh),
    )


# --------------------------------------------------------------------------------------------
# Many documents
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """A pair of documents found similar, with exact scores (``a_id`` was added first)."""

    a_id: str
    b_id: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    common_shingles: int

    @property
    def containment(self) -> float:
        return max(self.containment_a_in_b, self.containment_b_in_a)


@dataclass(slots=True)
class _Doc:
    order: int
    text: str
    fp: Fingerprint | None  # None when added from stored shingles: computed for passages only
    shingle_set: frozenset[int]
    signature: list[int]
    earlier: bool = False


# --------------------------------------------------------------------------------------------
# Stored shingles
# --------------------------------------------------------------------------------------------

# What a stored set of shingles was computed with; a stored set of another scheme is recomputed.
FINGERPRINT_SCHEME = f"k{DEFAULT_K}-kkfold-blake2b64-v1"


def pack_shingles(shingles: Iterable[int]) -> bytes:
    """A shingle set as bytes to store: sorted 64-bit big-endian integers (8 bytes each)."""
    values = sorted(set(shingles))
    return struct.pack(f">{len(values)}Q", *values)


def unpack_shingles(data: bytes | memoryview) -> frozenset[int]:
    data = bytes(data)
    if len(data) % 8:
        raise ValueError("stored shingles must be a multiple of 8 bytes")
    return frozenset(struct.unpack(f">{len(data) // 8}Q", data))


class SimilarityIndex:
    """Documents added one by one; similar pairs found without comparing all pairs.

    >>> index = SimilarityIndex()
    >>> index.add("s1", text_1)
    >>> index.add("s2", text_2)
    >>> for m in index.find_similar(threshold=0.3, containment_threshold=0.5):
    ...     index.passages(m.a_id, m.b_id)

    ``bands`` must divide ``num_perm``. A pair with Jaccard ``J`` becomes a candidate with
    probability ``1 - (1 - J ** rows) ** bands``: with the default 64 bands of 2 rows that is
    0.998 at J = 0.3 and 0.5 at J = 0.1, while unrelated texts (J near 0) almost never collide.
    A near-copy with reordered sentences and some changed words typically scores J = 0.3-0.6
    on five-word shingles, hence the defaults.
    """

    def __init__(
        self,
        *,
        k: int = DEFAULT_K,
        num_perm: int = DEFAULT_NUM_PERM,
        bands: int = 64,
        fold_kazakh: bool = True,
        sample_mod: int = 8,
        max_df: float = 0.5,
    ) -> None:
        if num_perm % bands:
            raise ValueError("bands must divide num_perm")
        self.k = k
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.fold_kazakh = fold_kazakh
        self.sample_mod = sample_mod
        self.max_df = max_df
        self._docs: dict[str, _Doc] = {}
        self._buckets: list[dict[tuple[int, ...], list[str]]] = [{} for _ in range(bands)]
        self._samples: dict[int, list[str]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def add(self, doc_id: str, text: str, *, earlier: bool = False) -> list[int]:
        """Index one document and return its MinHash signature (store it to skip recomputing).

        ``earlier=True``: a document of an earlier year, never paired with another such one."""
        if doc_id in self._docs:
            raise ValueError(f"document {doc_id!r} is already in the index")
        fp = fingerprint(text, k=self.k, fold_kazakh=self.fold_kazakh)
        return self._index(doc_id, text, fp, fp.shingle_set, earlier)

    def add_shingles(
        self, doc_id: str, shingles: Iterable[int], *, text: str, earlier: bool = False
    ) -> list[int]:
        """Index a document from its stored shingle set (``fingerprint(text).shingle_set``
        computed with this index's ``k`` and ``fold_kazakh``; see :data:`FINGERPRINT_SCHEME`):
        no tokenising. ``text`` is tokenised again only if its passages are asked for."""
        if doc_id in self._docs:
            raise ValueError(f"document {doc_id!r} is already in the index")
        return self._index(doc_id, text, None, frozenset(shingles), earlier)

    def _index(
        self,
        doc_id: str,
        text: str,
        fp: Fingerprint | None,
        shingle_set: frozenset[int],
        earlier: bool,
    ) -> list[int]:
        signature = minhash_signature(shingle_set, self.num_perm)
        self._docs[doc_id] = _Doc(len(self._docs), text, fp, shingle_set, signature, earlier)
        if shingle_set:
            r = self.rows
            for band, buckets in enumerate(self._buckets):
                buckets.setdefault(tuple(signature[band * r : (band + 1) * r]), []).append(doc_id)
            mod = self.sample_mod
            samples = self._samples
            for h in shingle_set:
                if h % mod == 0:
                    samples[h].append(doc_id)
        return signature

    def _fp(self, doc_id: str) -> Fingerprint:
        doc = self._docs[doc_id]
        if doc.fp is None:
            doc.fp = fingerprint(doc.text, k=self.k, fold_kazakh=self.fold_kazakh)
        return doc.fp

    def signature(self, doc_id: str) -> list[int]:
        return list(self._docs[doc_id].signature)

    def candidates(
        self, *, containment: bool = True, min_shared_samples: int = 2
    ) -> set[tuple[str, str]]:
        """Pairs (earlier id, later id) sharing an LSH bucket, or sampled shingles if asked."""
        pairs: set[tuple[str, str]] = set()
        order = {doc_id: d.order for doc_id, d in self._docs.items()}
        for buckets in self._buckets:
            for ids in buckets.values():
                if len(ids) > 1:
                    _add_pairs(pairs, ids, order)
        if containment:
            limit = max(2, int(self.max_df * len(self._docs)))
            shared: dict[tuple[str, str], int] = defaultdict(int)
            for ids in self._samples.values():
                if 1 < len(ids) <= limit:
                    for pair in _pairs(ids, order):
                        shared[pair] += 1
            pairs.update(p for p, n in shared.items() if n >= min_shared_samples)
        docs = self._docs
        return {(a, b) for a, b in pairs if not (docs[a].earlier and docs[b].earlier)}

    def find_similar(
        self, threshold: float = 0.3, *, containment_threshold: float | None = 0.5
    ) -> list[Match]:
        """Pairs whose exact Jaccard reaches ``threshold`` or containment its threshold.

        Best first. ``containment_threshold=None`` looks at Jaccard only.
        """
        found: list[Match] = []
        for a_id, b_id in self.candidates(containment=containment_threshold is not None):
            jaccard, a_in_b, b_in_a, common = _set_scores(
                self._docs[a_id].shingle_set, self._docs[b_id].shingle_set
            )
            if jaccard >= threshold or (
                containment_threshold is not None and max(a_in_b, b_in_a) >= containment_threshold
            ):
                found.append(Match(a_id, b_id, jaccard, a_in_b, b_in_a, common))
        found.sort(key=lambda m: (-max(m.jaccard, m.containment), m.a_id, m.b_id))
        return found

    def compare(self, a_id: str, b_id: str) -> Comparison:
        """Exact scores and shared passages of two indexed documents."""
        return _comparison(self._fp(a_id), self._fp(b_id))

    def passages(self, a_id: str, b_id: str) -> list[Passage]:
        """Shared passages, with offsets into the texts of ``a_id`` and ``b_id`` as added."""
        return passages_between(self._fp(a_id), self._fp(b_id))

    def text(self, doc_id: str) -> str:
        return self._docs[doc_id].text

    def is_earlier(self, doc_id: str) -> bool:
        return self._docs[doc_id].earlier


def _pairs(ids: list[str], order: dict[str, int]) -> Iterable[tuple[str, str]]:
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            a, b = ids[x], ids[y]
            if a != b:
                yield (a, b) if order[a] < order[b] else (b, a)


def _add_pairs(pairs: set[tuple[str, str]], ids: list[str], order: dict[str, int]) -> None:
    pairs.update(_pairs(ids, order))
