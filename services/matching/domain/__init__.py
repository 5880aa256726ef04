"""The matching domain: words, scores with reasons, the candidate index, alert rings. Pure."""
