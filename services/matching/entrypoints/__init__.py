"""The matching worker's entrypoints: the faust agents and the worker process."""
