"""Similarity check speed: 300 submissions of ~2,000 words with 5 planted near-copy pairs.

Run: .venv/bin/python bench/similarity.py [--docs 300] [--words 2000] [--runs 3] [--earlier 300]

Texts come from a fixed-seed generator (Zipf-weighted vocabulary of Kazakh-looking words, split
into sentences and paragraphs), so every run sees the same data. Each planted copy takes another
submission, shuffles its sentences, changes ~5% of its words and swaps Latin look-alike letters
into every fifth word. The times are the median of --runs runs; the last lines say whether every
planted pair was found and how many other pairs were flagged.

``--earlier N`` adds N submissions of earlier years (indexed with ``earlier=True``, as the
assignments service does for the discipline's earlier offerings): --pairs more of this year's
submissions are near-copies of earlier ones and must be found, and --pairs earlier submissions
are verbatim copies of other earlier ones and must not be reported (earlier years are not
re-reported among themselves).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qashyq.assignments.similarity import (  # noqa: E402
    SimilarityIndex,
    fingerprint,
    pack_shingles,
    unpack_shingles,
)

_SYLLABLES_TEXT = (
    "ба бе бі да де ді жа же жі қа қо құ ла ле лі ма ме мі на не ні са се сі та те ті ра ре "
    "рі ға ғы ке кі ұл үш өз ай ал ар ас ат ер ес ет ол от ой ың ақ ық ін ым "
)
SYLLABLES = _SYLLABLES_TEXT.split()
LATIN = str.maketrans("аеорсх", "aeopcx")


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def submission(rng: random.Random, vocab: list[str], weights: list[float], words: int) -> str:
    tokens = rng.choices(vocab, weights=weights, k=words)
    sentences, i = [], 0
    while i < len(tokens):
        n = rng.randint(8, 18)
        sentences.append(" ".join(tokens[i : i + n]).capitalize() + ".")
        i += n
    paragraphs = [" ".join(sentences[j : j + 6]) for j in range(0, len(sentences), 6)]
    return "\n\n".join(paragraphs)


def near_copy(rng: random.Random, text: str, vocab: list[str]) -> str:
    sentences = text.replace("\n\n", " ").split(". ")
    rng.shuffle(sentences)
    words = ". ".join(sentences).split(" ")
    for _ in range(len(words) * 5 // 100):
        words[rng.randrange(len(words))] = rng.choice(vocab)
    return " ".join(w.translate(LATIN) if n % 5 == 0 else w for n, w in enumerate(words))


def corpus(
    docs: int, words: int, pairs: int, earlier: int = 0
) -> tuple[list[tuple[str, str, bool]], set[tuple[str, str]]]:
    """(id, text, earlier?) in the order they are indexed, and the pairs that must be found."""
    rng = random.Random(2026)
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf
    current = docs - pairs - (pairs if earlier else 0)
    texts = [(f"s{n:03d}", submission(rng, vocab, weights, words), False) for n in range(current)]
    planted = set()
    for p, source in enumerate(rng.sample(range(len(texts)), pairs)):
        copy_id = f"copy{p}"
        texts.append((copy_id, near_copy(rng, texts[source][1], vocab), False))
        planted.add((texts[source][0], copy_id))
    if earlier:
        old = [
            (f"e{n:03d}", submission(rng, vocab, weights, words), True)
            for n in range(earlier - pairs)
        ]
        # Earlier years copied among themselves: already reported in their year, not again.
        old += [(f"e-dup{p}", old[p][1], True) for p in range(pairs)]
        for p, source in enumerate(rng.sample(range(len(old) - pairs), pairs)):
            copy_id = f"copy-of-earlier{p}"
            texts.append((copy_id, near_copy(rng, old[source][1], vocab), False))
            planted.add((copy_id, old[source][0]))
        texts += old
    return texts, planted


def run(
    texts: list[tuple[str, str, bool]], stored: dict[str, bytes] | None = None
) -> tuple[float, float, float, list, int]:
    """One check. With ``stored`` (packed shingles by id), index from them as the service does
    once every submission's fingerprint is stored: no tokenising."""
    t0 = time.perf_counter()
    index = SimilarityIndex()
    for doc_id, text, earlier in texts:
        if stored is None:
            index.add(doc_id, text, earlier=earlier)
        else:
            index.add_shingles(doc_id, unpack_shingles(stored[doc_id]), text=text, earlier=earlier)
    t1 = time.perf_counter()
    matches = index.find_similar()
    t2 = time.perf_counter()
    passages = sum(len(index.passages(m.a_id, m.b_id)) for m in matches)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, matches, passages


def report(title: str, results: list) -> None:
    index_s = statistics.median(r[0] for r in results)
    find_s = statistics.median(r[1] for r in results)
    passages_s = statistics.median(r[2] for r in results)
    total_s = statistics.median(r[0] + r[1] + r[2] for r in results)
    print(f"{title}:")
    print(f"  indexing (tokenise or unpack, MinHash, LSH): {index_s:.2f} s median")
    print(f"  find_similar (candidates + exact scores):    {find_s:.2f} s median")
    print(f"  passages for every flagged pair:             {passages_s:.3f} s median")
    print(f"  total:                                       {total_s:.2f} s median")


def found_planted(planted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return planted | {(b, a) for a, b in planted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--earlier", type=int, default=0, help="submissions of earlier years, besides --docs"
    )
    args = parser.parse_args()

    texts, planted = corpus(args.docs, args.words, args.pairs, args.earlier)
    total_words = sum(len(t.split()) for _, t, _e in texts)
    old = sum(1 for *_x, e in texts if e)
    print(
        f"{len(texts) - old} submissions + {old} of earlier years, {total_words} words, "
        f"{len(planted)} planted pairs; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.runs} runs"
    )
    results = [run(texts) for _ in range(args.runs)]
    report("first check (every text tokenised)", results)
    stored = {d: pack_shingles(fingerprint(t).shingle_set) for d, t, _e in texts}
    size = sum(len(b) for b in stored.values())
    print(f"stored shingles: {size / 1e6:.1f} MB ({size // len(stored) // 1024} KB a submission)")
    again = [run(texts, stored) for _ in range(args.runs)]
    report("later checks (stored shingles, no tokenising)", again)
    matches, passages = results[-1][3], results[-1][4]
    if {(m.a_id, m.b_id) for m in again[-1][3]} != {(m.a_id, m.b_id) for m in matches}:
        print("STORED SHINGLES FLAG OTHER PAIRS THAN THE TEXTS")
    found = {(m.a_id, m.b_id) for m in matches}
    found |= {(b, a) for a, b in found}
    scores = ", ".join(
        f"{m.a_id}~{m.b_id} J={m.jaccard:.2f} C={m.containment:.2f}" for m in matches[:10]
    )
    print(f"flagged pairs: {len(matches)} ({scores}); passages shown: {passages}")
    missed = [p for p in planted if p not in found]
    extra = [m for m in matches if (m.a_id, m.b_id) not in found_planted(planted)]
    print(
        f"all planted pairs found: {'yes' if not missed else 'NO, missed ' + str(missed)}; "
        f"other pairs flagged: {len(extra)}"
    )


if __name__ == "__main__":
    main()
