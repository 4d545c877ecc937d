"""Similarity check speed: 300 submissions of ~2,000 words with 5 planted near-copy pairs.

Run: .venv/bin/python bench/similarity.py [--docs 300] [--words 2000] [--runs 3]

Texts come from a fixed-seed generator (Zipf-weighted vocabulary of Kazakh-looking words, split
into sentences and paragraphs), so every run sees the same data. Each planted copy takes another
submission, shuffles its sentences, changes ~5% of its words and swaps Latin look-alike letters
into every fifth word. The times are the median of --runs runs; the last lines say whether every
planted pair was found and how many other pairs were flagged.
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

from qashyq.assignments.similarity import SimilarityIndex  # noqa: E402

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


def corpus(docs: int, words: int, pairs: int) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    rng = random.Random(2026)
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf
    texts = [(f"s{n:03d}", submission(rng, vocab, weights, words)) for n in range(docs - pairs)]
    planted = set()
    for p, source in enumerate(rng.sample(range(len(texts)), pairs)):
        copy_id = f"copy{p}"
        texts.append((copy_id, near_copy(rng, texts[source][1], vocab)))
        planted.add((texts[source][0], copy_id))
    return texts, planted


def run(texts: list[tuple[str, str]]) -> tuple[float, float, float, list, int]:
    t0 = time.perf_counter()
    index = SimilarityIndex()
    for doc_id, text in texts:
        index.add(doc_id, text)
    t1 = time.perf_counter()
    matches = index.find_similar()
    t2 = time.perf_counter()
    passages = sum(len(index.passages(m.a_id, m.b_id)) for m in matches)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, matches, passages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    texts, planted = corpus(args.docs, args.words, args.pairs)
    total_words = sum(len(t.split()) for _, t in texts)
    print(
        f"{len(texts)} submissions, {total_words} words, {len(planted)} planted pairs; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.runs} runs"
    )
    results = [run(texts) for _ in range(args.runs)]
    index_s = statistics.median(r[0] for r in results)
    find_s = statistics.median(r[1] for r in results)
    passages_s = statistics.median(r[2] for r in results)
    total_s = statistics.median(r[0] + r[1] + r[2] for r in results)
    matches, passages = results[-1][3], results[-1][4]
    found = {(m.a_id, m.b_id) for m in matches}
    found |= {(b, a) for a, b in found}
    print(f"indexing (tokenise, shingle, MinHash, LSH): {index_s:.2f} s median")
    print(f"find_similar (candidates + exact scores):   {find_s:.2f} s median")
    print(f"passages for every flagged pair:            {passages_s:.3f} s median")
    print(f"total:                                      {total_s:.2f} s median")
    scores = ", ".join(
        f"{m.a_id}~{m.b_id} J={m.jaccard:.2f} C={m.containment:.2f}" for m in matches[:10]
    )
    print(f"flagged pairs: {len(matches)} ({scores}); passages shown: {passages}")
    missed = [p for p in planted if p not in found]
    extra = [m for m in matches if (m.a_id, m.b_id) not in planted]
    print(
        f"all planted pairs found: {'yes' if not missed else 'NO, missed ' + str(missed)}; "
        f"other pairs flagged: {len(extra)}"
    )


if __name__ == "__main__":
    main()
