"""Adapters of the matching service: faust's producer below ``Topic.send``, and the
fixes to faust's recovery (ADR 0011)."""
