class InfraError(RuntimeError):
    """A set-up step failed; the message says what failed and how to fix it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}\n  how to fix: {fix}")
        self.what = what
        self.fix = fix
