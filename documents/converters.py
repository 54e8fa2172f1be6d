"""The verification code in a URL, as a reader types it from a printed document."""

from documents.forms import normalise_code


class VerificationCodeConverter:
    """Letters and digits, with the spaces and hyphens people add when copying a code by hand.

    A value with nothing left after clean-up ("-", "  ") is no code: the URL does not match and the
    visitor gets the 404 page instead of a redirect to an empty code."""

    regex = "[-0-9A-Za-z ]{1,40}"

    def to_python(self, value):
        if not normalise_code(value):
            raise ValueError(value)
        return value

    def to_url(self, value):
        return str(value)
