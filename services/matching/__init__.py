"""Matching service (issue 4): faust-streaming matching and urgent alerts."""
