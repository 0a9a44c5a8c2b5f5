"""Does a learned component beside the rules beat the rules alone? (issue #16)

Logistic regression (pure Python, L2, batch gradient descent) over SudachiPy lemma features,
with and without the rule verdict as a feature, compared with the rules alone:

1. 5-fold stratified cross-validation, repeated 3 times, on the sets the rules were written
   against (goals_dev.tsv + goals_extra.tsv, borderline rows not scored);
2. trained on all of those, tested once on goals_frozen.tsv (never used for fitting).

Run: python bench/goals_learned.py
"""

from __future__ import annotations

import csv
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "goals" / "data"
CLASSES = ("means", "outcome")
CONTENT = ("名詞", "動詞", "形容詞", "接尾辞", "形状詞")


def load(name: str) -> list[tuple[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(r["text"], r["label"]) for r in rows if r["label"] in CLASSES]


def features(text: str, with_rules: bool) -> dict[str, float]:
    from lms.goals import check_goal
    from lms.goals._analyzer import tokenize
    from lms.goals.text import normalize

    toks = [t for t in tokenize(normalize(text)[:400]) if t.pos in CONTENT]
    lem = [t.norm for t in toks]
    f: dict[str, float] = {"BIAS": 1.0}
    for w in lem:
        f[f"W:{w}"] = 1.0
    for a, b in zip(lem, lem[1:], strict=False):
        f[f"B:{a}_{b}"] = 1.0
    for i, w in enumerate(lem[-3:]):
        f[f"L{i}:{w}"] = 1.0
    if with_rules:
        res = check_goal(text)
        f[f"RULE:{res.verdict}"] = 3.0
        f[f"LEVEL:{res.level}"] = 1.0
    return f


def train(xs: list[dict[str, float]], ys: list[int], l2: float = 0.01, epochs: int = 300):
    w: dict[str, float] = {}
    lr = 0.5
    n = len(xs)
    for _ in range(epochs):
        grad: dict[str, float] = {}
        for x, y in zip(xs, ys, strict=True):
            z = sum(w.get(k, 0.0) * v for k, v in x.items())
            p = 1 / (1 + math.exp(-max(min(z, 30), -30)))
            for k, v in x.items():
                grad[k] = grad.get(k, 0.0) + (p - y) * v
        for k, g in grad.items():
            w[k] = w.get(k, 0.0) - lr * (g / n + l2 * w.get(k, 0.0))
    return w


def predict(w: dict[str, float], x: dict[str, float]) -> int:
    return int(sum(w.get(k, 0.0) * v for k, v in x.items()) > 0)


def macro_f1(gold: list[int], pred: list[int]) -> float:
    out = []
    for c in (0, 1):
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        out.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(out) / 2


def rule_preds(texts: list[str]) -> list[int]:
    from lms.goals import check_goal

    # unclear counts as a miss for either class, as in bench/goals_eval.py
    return [{"means": 0, "outcome": 1}.get(check_goal(t).verdict, -1) for t in texts]


def folds(ys: list[int], k: int, seed: int) -> list[list[int]]:
    rnd = random.Random(seed)
    by: dict[int, list[int]] = {0: [], 1: []}
    for i, y in enumerate(ys):
        by[y].append(i)
    out: list[list[int]] = [[] for _ in range(k)]
    for idx in by.values():
        rnd.shuffle(idx)
        for j, i in enumerate(idx):
            out[j % k].append(i)
    return out


def main() -> int:
    dev = load("goals_dev.tsv") + load("goals_extra.tsv")
    frozen = load("goals_frozen.tsv")
    texts = [t for t, _ in dev]
    ys = [CLASSES.index(label) for _, label in dev]
    feats = {flag: [features(t, flag) for t in texts] for flag in (False, True)}
    rules = rule_preds(texts)
    scores: dict[str, list[float]] = {"rules": [], "LR": [], "LR+rules": []}
    for seed in range(3):
        for fold in folds(ys, 5, seed):
            test = set(fold)
            tr = [i for i in range(len(ys)) if i not in test]
            gold = [ys[i] for i in fold]
            scores["rules"].append(macro_f1(gold, [rules[i] for i in fold]))
            for name, flag in (("LR", False), ("LR+rules", True)):
                w = train([feats[flag][i] for i in tr], [ys[i] for i in tr])
                scores[name].append(macro_f1(gold, [predict(w, feats[flag][i]) for i in fold]))
    print(f"cross-validation on dev+extra ({len(ys)} scored rows, 5 folds x 3 repeats)")
    for name, vals in scores.items():
        mean, sd = statistics.mean(vals), statistics.stdev(vals)
        print(f"  {name:>9}: macro-F1 mean {mean:.3f}  sd {sd:.3f}")

    ftexts = [t for t, _ in frozen]
    fys = [CLASSES.index(label) for _, label in frozen]
    print(f"\ntrained on dev+extra, tested on goals_frozen.tsv ({len(fys)} scored rows)")
    print(f"  {'rules':>9}: macro-F1 {macro_f1(fys, rule_preds(ftexts)):.3f}")
    for name, flag in (("LR", False), ("LR+rules", True)):
        w = train(feats[flag], ys)
        fx = [features(t, flag) for t in ftexts]
        t0 = time.perf_counter()
        preds = [predict(w, x) for x in fx]
        dt = (time.perf_counter() - t0) / len(fx) * 1000
        print(f"  {name:>9}: macro-F1 {macro_f1(fys, preds):.3f}  (scoring {dt:.3f} ms/goal)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
