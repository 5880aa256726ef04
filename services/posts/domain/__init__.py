"""The posts domain: pure, no I/O. Aggregates change state and record their events."""
