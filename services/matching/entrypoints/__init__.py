"""The faust app of the matching service and its worker entrypoint."""
