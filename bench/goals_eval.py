"""Evaluate the goal checker on labelled TSVs: accuracy, macro-F1, per class, latency.

    python bench/goals_eval.py                 # the dev set and the frozen set
    python bench/goals_eval.py FILE.tsv ...    # any labelled TSV (e.g. exported corrections)

goals_frozen.tsv is never used to fit rules: it measures them (see lms/goals/README.md).
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "goals" / "data"
DEFAULT_TSVS = [DATA / "goals_dev.tsv", DATA / "goals_frozen.tsv"]
SCORED = ("means", "outcome")  # borderline rows are not scored (GOALS_GUIDE.md)


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def per_class(pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float, float, int]]:
    """precision, recall, F1 and support per scored class; unclear is a miss for either."""
    out = {}
    for cls in SCORED:
        tp = sum(1 for gold, pred in pairs if gold == cls and pred == cls)
        fp = sum(1 for gold, pred in pairs if gold != cls and pred == cls)
        fn = sum(1 for gold, pred in pairs if gold == cls and pred != cls)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[cls] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, tp + fn)
    return out


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = per_class(pairs)
    return sum(f for _, _, f, _ in scores.values()) / len(SCORED)


def evaluate(path: Path) -> dict[str, float]:
    from lms.goals import check_goal

    rows = load(path)
    results, latencies = [], []
    for _ in range(3):  # repeat for stable percentiles
        latencies.clear()
        results.clear()
        for row in rows:
            a = time.perf_counter()
            res = check_goal(row["text"])
            latencies.append((time.perf_counter() - a) * 1000)
            results.append(res)

    scored = [
        (r["label"], res.verdict)
        for r, res in zip(rows, results, strict=True)
        if r["label"] in SCORED
    ]
    acc = sum(g == p for g, p in scored) / len(scored) if scored else 0.0
    f1 = macro_f1(scored)
    print(f"== {path.name}  rows: {len(rows)}  scored (means/outcome): {len(scored)}")
    print(f"accuracy: {acc:.3f}")
    print(f"macro-F1 (means/outcome): {f1:.3f}")
    for cls, (p, r, f, n) in per_class(scored).items():
        print(f"  {cls:>8}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (n={n})")

    labels = sorted({r["label"] for r in rows}, key=lambda x: (x not in SCORED, x))
    preds = ("means", "outcome", "unclear")
    print("confusion (rows = label, columns = verdict)")
    print(f"{'':>12}" + "".join(f"{p:>10}" for p in preds))
    for lab in labels:
        counts = [
            sum(
                1
                for r, res in zip(rows, results, strict=True)
                if r["label"] == lab and res.verdict == p
            )
            for p in preds
        ]
        print(f"{lab:>12}" + "".join(f"{c:>10}" for c in counts))

    print("misjudged (scored rows)")
    for r, res in zip(rows, results, strict=True):
        if r["label"] in SCORED and res.verdict != r["label"]:
            text = r["text"] if len(r["text"]) <= 70 else r["text"][:68] + "…"
            print(f"  {r['id']}\t{r['label']}\t{res.verdict}\t{text}")

    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    p50 = statistics.median(lat)
    print(f"latency per goal: p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {lat[-1]:.2f} ms"
          f"  (n={len(lat)})\n")
    return {"accuracy": acc, "macro_f1": f1, "p50": p50, "p99": p99}


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv[1:]] or DEFAULT_TSVS
    t0 = time.perf_counter()
    from lms.goals import check_goal

    check_goal("電子申請を導入する")  # first call loads the dictionary
    print(f"start-up (import + dictionary load + first call): {time.perf_counter() - t0:.2f} s\n")
    summary = {p.name: evaluate(p) for p in paths}
    print("summary")
    for name, s in summary.items():
        print(f"  {name:<20} accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}"
              f"  p50 {s['p50']:.2f} ms  p99 {s['p99']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv))
