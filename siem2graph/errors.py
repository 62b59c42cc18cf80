"""The product's error hierarchy: every error a user can cause is a Siem2GraphError.

Each class carries the command line's exit code for it; anything else that escapes is exit 4.
"""

EXIT_OK = 0
EXIT_INPUT = 2  # usage, input, mapping or sign-in: the user can fix it and run again
EXIT_PARTIAL = 3  # a pull that did not get everything (what it got is kept)
EXIT_UNEXPECTED = 4  # a bug: one line on stderr, the traceback in a log file


class Siem2GraphError(Exception):
    """Base class of every error the product raises on purpose."""

    exit_code = EXIT_INPUT


class InputError(Siem2GraphError):
    """An input file cannot be read or holds no usable data."""


class MappingError(Siem2GraphError):
    """The mapping table is invalid; the message names the bad row."""


class GraphError(Siem2GraphError):
    """Microsoft Graph answered with an error or could not be reached."""

    exit_code = EXIT_PARTIAL


class AuthError(GraphError):
    """A token could not be acquired or lacks the needed permission."""

    exit_code = EXIT_INPUT


class PartialPull(GraphError):
    """A pull ended before it had every alert of its range; what it got is kept."""


def quoted(text: str, limit: int = 40) -> str:
    """Text from an input file for an error message: hidden characters escaped and cut to
    `limit` characters, so an error never echoes a file's content (a symlinked secret file's
    line, a whole record)."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[: limit + 1])
    return repr(shown if len(shown) <= limit else shown[: limit - 1] + "…")
