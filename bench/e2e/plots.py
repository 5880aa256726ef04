"""The latency of a bench/e2e run over time, and its histogram (PNG, with matplotlib:
`pip install -e '.[bench]'`)."""

from __future__ import annotations

from pathlib import Path

TARGET_P99_MS = 100


def plot(result: dict, latencies: list[float], stem: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: pip install -e '.[bench]' for the plots")
        return
    figure, axis = plt.subplots(figsize=(8, 4))
    times = [w["t_s"] for w in result["windows"]]
    axis.plot(times, [w["p50_ms"] for w in result["windows"]], label="p50")
    axis.plot(times, [w["p99_ms"] for w in result["windows"]], label="p99")
    axis.axhline(TARGET_P99_MS, linestyle="--", color="grey", label="target p99")
    axis.set(xlabel="time (s)", ylabel="post to socket (ms)", yscale="log",
             title=f"{result['rate_per_s']:g} posts/s, {result['sockets']} sockets")  # fmt: skip
    axis.legend()
    figure.savefig(f"{stem}-latency.png", dpi=100, bbox_inches="tight")
    figure, axis = plt.subplots(figsize=(8, 4))
    axis.hist(latencies, bins=60)
    axis.set(xlabel="post to socket (ms)", ylabel="frames", title="latency histogram")
    figure.savefig(f"{stem}-histogram.png", dpi=100, bbox_inches="tight")
    print(f"plots: {stem}-latency.png, {stem}-histogram.png")
