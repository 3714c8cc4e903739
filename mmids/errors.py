"""User-facing errors: bad input is reported in one message, never as a traceback."""


class MmidsInputError(ValueError):
    """Bad user input (file, column, config key). Entry points print it and exit with status 2."""

    def __init__(self, message: str, *, source: str | None = None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)
