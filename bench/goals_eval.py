"""Evaluate the goal checker on a labelled TSV: accuracy, macro-F1, confusion, latency."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TSV = ROOT / "tests" / "goals" / "data" / "goals_dev.tsv"
SCORED = ("means", "outcome")  # borderline rows are not scored (GOALS_GUIDE.md)


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-F1 over means/outcome; a verdict of unclear counts as a miss for either class."""
    scores = []
    for cls in SCORED:
        tp = sum(1 for gold, pred in pairs if gold == cls and pred == cls)
        fp = sum(1 for gold, pred in pairs if gold != cls and pred == cls)
        fn = sum(1 for gold, pred in pairs if gold == cls and pred != cls)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / len(scores)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_TSV
    rows = load(path)

    t0 = time.perf_counter()
    from lms.goals import check_goal

    check_goal("電子申請を導入する")  # first call loads the dictionary
    startup = time.perf_counter() - t0

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
    print(f"file: {path}  rows: {len(rows)}  scored (means/outcome): {len(scored)}")
    print(f"accuracy: {acc:.3f}")
    print(f"macro-F1 (means/outcome): {macro_f1(scored):.3f}")

    labels = sorted({r["label"] for r in rows}, key=lambda x: (x not in SCORED, x))
    preds = ("means", "outcome", "unclear")
    print("\nconfusion (rows = label, columns = verdict)")
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

    print("\nmisjudged (scored rows)")
    for r, res in zip(rows, results, strict=True):
        if r["label"] in SCORED and res.verdict != r["label"]:
            text = r["text"] if len(r["text"]) <= 70 else r["text"][:68] + "…"
            print(f"  {r['id']}\t{r['label']}\t{res.verdict}\t{text}")

    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    print(
        f"\nlatency per goal: p50 {statistics.median(lat):.2f} ms  p99 {p99:.2f} ms"
        f"  max {lat[-1]:.2f} ms  (n={len(lat)})"
    )
    print(f"start-up (import + dictionary load + first call): {startup:.2f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv))
