"""The product's error hierarchy: every error a user can cause is a Siem2GraphError."""


class Siem2GraphError(Exception):
    """Base class of every error the product raises on purpose."""


class InputError(Siem2GraphError):
    """An input file cannot be read or holds no usable data."""


class MappingError(Siem2GraphError):
    """The mapping table is invalid; the message names the bad row."""


class GraphError(Siem2GraphError):
    """Microsoft Graph answered with an error or could not be reached."""


class AuthError(GraphError):
    """A token could not be acquired or lacks the needed permission."""
