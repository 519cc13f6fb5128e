"""Implement it yourself: check a student's layer against rnnreg's and name the mistake.

    >>> from rnnreg.exercises import check
    >>> report = check("dropout", MyDropout)    # doctest: +SKIP
    >>> report.passed, [finding.id for finding in report.findings]    # doctest: +SKIP

``check(topic, candidate_class)`` runs probes (fixed inputs, both phases) on the candidate, on rnnreg's
reference class and on known wrong variants, and returns a :class:`Report`. It uses only the contract of
the exercise for each topic (see the topic modules), never rnnreg-only extras, so a class written to the
exercise's skeleton is checked fairly. NumPy's global random state is saved, seeded for the check and
restored afterwards: the report is the same on every run, and the caller's random stream is untouched.
NumPy's floating-point warnings are off during the check: a NaN or infinity the candidate computes shows in
the evidence of a finding.
``check`` never raises because of the candidate (an exception inside it is the finding ``raises``); a
topic that is not one of ``TOPICS`` is a ValueError, a candidate that is not a class a TypeError.
"""

import numpy as np

from rnnreg.exercises import batch_norm, dropout, optimizers, recurrent, regularizers
from rnnreg.exercises.catalogue import GENERAL, MISCONCEPTIONS, Misconception
from rnnreg.exercises.report import Finding, Report
from rnnreg.lessons.experiment import seeded
from rnnreg.validation import check_choice

# topic -> the function returning the findings for a candidate class.
_CHECKS = {
    "l1_regularizer": regularizers.check_l1,
    "l2_regularizer": regularizers.check_l2,
    "sgd_with_momentum": optimizers.check_momentum,
    "adam": optimizers.check_adam,
    "dropout": dropout.check_dropout,
    "batch_normalization": batch_norm.check_batch_normalization,
    "rnn": recurrent.check_rnn,
    "lstm": recurrent.check_lstm,
}
TOPICS = tuple(_CHECKS)
_SEED = 14


def check(topic, candidate_class):
    """Check ``candidate_class`` against rnnreg's reference for ``topic`` and return a :class:`Report`.

    Parameters
    ----------
    topic : str
        One of ``TOPICS``.
    candidate_class : type
        The class to check (not an instance); it is constructed as the exercise's skeleton prescribes.

    Raises
    ------
    ValueError
        ``topic`` is not one of ``TOPICS``.
    TypeError
        ``candidate_class`` is not a class.
    """
    check_choice("check topic", topic, TOPICS)
    if not isinstance(candidate_class, type):
        raise TypeError(
            f"check candidate_class must be a class (not an instance), got {candidate_class!r} "
            f"({type(candidate_class).__name__})"
        )
    # A NaN or an overflow of the candidate is reported as a finding with its numbers, not as a warning.
    with seeded(_SEED), np.errstate(all="ignore"):
        findings = _CHECKS[topic](candidate_class)
    return Report(topic, candidate_class.__name__, findings)


__all__ = ["GENERAL", "MISCONCEPTIONS", "TOPICS", "Finding", "Misconception", "Report", "check"]
