"""Review comments and the state of a verification, as values and decisions.

Pure: no Flask, no database. A comment is opened by the verifier, answered by the lead (as often
as the exchange needs) and closed by the verifier; a closed thread takes no more messages, so
what the verifier accepted is what the thread shows.
"""

from __future__ import annotations

from enum import StrEnum

from neutrality.errors import Conflict
from neutrality.messages import Msg


class CommentStatus(StrEnum):
    OPEN = "open"  # waiting for the lead's answer
    ANSWERED = "answered"  # the lead answered; the verifier reads it, asks again or closes
    CLOSED = "closed"  # the verifier closed it


class Author(StrEnum):
    """Who wrote a message of a thread, by the role it wrote with."""

    VERIFIER = "verifier"
    LEAD = "lead"


class VerificationState(StrEnum):
    NONE = "none"  # no verification recorded for the period's inventory
    CLAIMED = "claimed"  # recorded by the organisation, not confirmed by the appointed verifier
    CONFIRMED = "confirmed"  # the appointed verifier's opinion confirms it


def verification_state(recorded: bool, confirmed: bool) -> VerificationState:
    if not recorded:
        return VerificationState.NONE
    return VerificationState.CONFIRMED if confirmed else VerificationState.CLAIMED


def after_message(status: CommentStatus, author: Author, comment_id: int) -> CommentStatus:
    """The thread's status once ``author`` wrote in it: the lead's answer waits for the
    verifier, the verifier's question for the lead. A closed thread is final."""
    if status is CommentStatus.CLOSED:
        raise Conflict(Msg("review comment {id} is closed", id=comment_id), {"comment_id": ["closed"]})
    return CommentStatus.ANSWERED if author is Author.LEAD else CommentStatus.OPEN


def close(status: CommentStatus, comment_id: int) -> CommentStatus:
    if status is CommentStatus.CLOSED:
        raise Conflict(Msg("review comment {id} is closed", id=comment_id), {"comment_id": ["closed"]})
    return CommentStatus.CLOSED
