"""The soak's plot: memory, open descriptors and lag of each process over the hour."""

from __future__ import annotations

from pathlib import Path


def plot(result: dict, stem: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: pip install -e '.[bench]' for the plot")
        return
    rows = result["samples"]
    minutes = [r["minute"] for r in rows]
    figure, (rss, fds, lag) = plt.subplots(3, 1, figsize=(9, 10), sharex=True)
    for name in rows[0]["rss_mib"]:
        rss.plot(minutes, [r["rss_mib"].get(name) for r in rows], label=name)
        fds.plot(minutes, [r["fds"].get(name) for r in rows], label=name)
    for group in rows[0]["lag"]:
        values = [v if isinstance(v := r["lag"][group], int) else None for r in rows]
        lag.plot(minutes, values, label=f"lag {group}")
    lag.plot(minutes, [r["outbox_backlog"] for r in rows], label="outbox backlog")
    rss.set(ylabel="RSS (MiB)", title=f"soak: {result['rate_per_s']:g} posts/s, "
            f"{result['clients']} sockets, {result['minutes']:g} min")  # fmt: skip
    fds.set(ylabel="open descriptors")
    lag.set(ylabel="messages", xlabel="minutes")
    for axis in (rss, fds, lag):
        axis.legend(fontsize="small", ncol=4)
    figure.savefig(f"{stem}-soak.png", dpi=90, bbox_inches="tight")
    print(f"plot: {stem}-soak.png")
