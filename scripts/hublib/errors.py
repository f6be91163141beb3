"""The one exception type that the command line turns into a single line on stderr."""


class HubError(Exception):
    """A user-facing failure: what went wrong, and (optionally) what to do about it."""

    def __init__(self, what: str, todo: str | None = None, exit_code: int = 2):
        super().__init__(what)
        self.what = what
        self.todo = todo
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.what}; {self.todo}" if self.todo else self.what
