"""Refusals of the jobs context."""

from __future__ import annotations

from dancu.kit.errors import Conflict, NotFound


class JobNotFound(NotFound):
    code = "jobs.job.not_found"


class JobNotDead(Conflict):
    """Only dead jobs are put back: the others are still on their way or done."""

    code = "jobs.job.not_dead"


class JobDuplicate(Conflict):
    """Another unfinished job holds the dedupe key of the job to put back."""

    code = "jobs.job.duplicate"
