"""The benchmarks' harness: a run on the local servers and everything it makes
(``session``), open-loop load (``load``), histograms (``stats``), CPU from /proc
(``cpu``), the broker's floors and watchers (``kafka``), the command line (``cli``).
Each benchmark under ``bench/`` is a short runner on top of these."""
