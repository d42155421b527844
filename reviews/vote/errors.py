"""The errors of the vote's rules; each message is for the voter (Chinese)."""


class VoteError(Exception):
    """A vote or a code the rules refuse."""


class StaleVoter(VoteError):
    """The voter's cookie was revoked (a newer token version): verify the phone again."""


class CodeLimitReached(VoteError):
    """No code sent: the SMS budget or a per-phone limit is spent for now."""
