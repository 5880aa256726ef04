"""In-memory fakes of each service's ports, for the unit tier: each implements the same
protocol as the adapter it stands for (``services/<name>/ports.py``)."""
