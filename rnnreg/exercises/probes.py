"""The machinery every topic shares: run a class through a probe, then compare what it did.

A *probe* is a function ``probe(factory, trial) -> dict`` that builds objects with ``factory`` (the
candidate class, rnnreg's reference class, or a known wrong variant), calls them on fixed inputs and
returns the *observations*: named arrays (outputs, gradients, updated weights). Every call into the
candidate goes through a guarded :class:`Trial`, so an exception becomes the finding ``raises`` and an
output of the wrong shape the finding ``wrong-shape`` (both stop the probe: :class:`CandidateFailure`).

:func:`diagnose` then compares: an observation where the candidate and the reference disagree is
explained by every variant that reproduces the candidate's value there (that variant's id is reported);
a disagreement no variant explains is reported with the observation's generic id.
"""

import numpy as np

from rnnreg.exercises.report import Finding

RELATIVE_TOLERANCE = 1e-6


class CandidateFailure(Exception):
    """Raised inside a probe when the candidate raised or returned a wrong shape; carries the finding."""

    def __init__(self, finding):
        super().__init__(finding.evidence)
        self.finding = finding


class Trial:
    """Runs the calls of one probe; with ``guarded`` the candidate's failures become findings."""

    def __init__(self, guarded):
        self.guarded = guarded

    def call(self, description, action):
        """Return ``action()``; an exception of a guarded run becomes the finding ``raises``."""
        if not self.guarded:
            return action()
        try:
            return action()
        except Exception as error:  # any exception of the candidate is a finding, never a crash of check
            evidence = f"{description} raised {type(error).__name__}: {error}"
            raise CandidateFailure(Finding.of("raises", evidence)) from error

    def array(self, description, value, shape, *, squeezed=False):
        """``value`` as a float array of ``shape``; anything else becomes the finding ``wrong-shape``.

        A single number is accepted for any shape of one entry; with ``squeezed`` any shape that
        squeezes to ``shape`` too (a (1, C) attribute for a (C,) one).
        """
        shape = tuple(shape)
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.shape != shape:
            fits = (array.size == 1 and np.prod(shape) == 1) or (squeezed and np.squeeze(array).shape == shape)
            array = array.reshape(shape) if fits else None
        if array is None:
            got = f"shape {np.shape(value)}" if isinstance(value, np.ndarray) else repr(value)[:80]
            evidence = f"{description}: expected an array of shape {shape}, got {got}"
            raise CandidateFailure(Finding.of("wrong-shape", evidence))
        return array

    def attribute(self, owner, name, shape):
        """The attribute ``name`` of ``owner`` as a float array of ``shape`` (a (1, C) for a (C,) is accepted)."""
        value = self.call(f"reading .{name}", lambda: getattr(owner, name))
        return self.array(f".{name}", value, shape, squeezed=True)

    def assign(self, owner, name, value):
        """Set ``owner.name = value`` (a copy, so the candidate never shares the probe's array)."""
        self.call(f"setting .{name}", lambda: setattr(owner, name, np.array(value, dtype=float)))

    def assign_flag(self, owner, name, value):
        """Set a flag such as ``owner.testing_phase = value``."""
        self.call(f"setting .{name} = {value}", lambda: setattr(owner, name, value))


def run_probe(probe, factory, guarded=False):
    """The observations of ``probe`` on ``factory`` (raises CandidateFailure for a failing guarded run)."""
    return probe(factory, Trial(guarded))


def close(got, expected):
    """True when two observations agree to a relative 1e-6 of the expected values' scale."""
    if got.shape != expected.shape or not np.isfinite(got).all():
        return False
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-12)
    return bool(np.allclose(got, expected, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE * scale))


def evidence(description, got, expected):
    """'description: expected [...], got [...]' with the first values and the largest difference."""
    text = f"{description}: expected {_preview(expected)}, got {_preview(got)}"
    if got.shape == expected.shape:
        text += f" (largest difference {np.max(np.abs(got - expected), initial=0.0):.3g})"
    return text


def _preview(array):
    if array.ndim == 0:
        return f"{float(array):.6g}"
    values = np.array2string(array.ravel()[:4], precision=4, separator=", ")
    return values[:-1] + ", …]" if array.size > 4 else values


def diagnose(candidate, reference, variants, descriptions):
    """Findings from the observations of the candidate, the reference and the variants.

    Parameters
    ----------
    candidate, reference : dict of ndarray
        Observations by key.
    variants : list of (str, dict of ndarray)
        Each known wrong variant's id and observations (several variants may share an id).
    descriptions : dict of str -> tuple of str
        For each key: what it shows (for the evidence), the generic id of a disagreement no variant explains,
        then optionally the keys it follows from (a wrong training forward makes the test phase wrong too:
        no generic finding for a key when one of these disagrees as well).
    """
    findings, explained = {}, set()
    disagreeing = [key for key in reference if not close(candidate[key], reference[key])]
    for identifier, observed in variants:
        for key in disagreeing:
            if close(candidate[key], observed[key]):  # this variant explains the candidate's value here
                explained.add(key)
                findings.setdefault(identifier, evidence(descriptions[key][0], candidate[key], reference[key]))
    for key in disagreeing:
        description, generic, *follows_from = descriptions[key]
        if key in explained or generic in findings or set(follows_from) & set(disagreeing):
            continue
        findings[generic] = evidence(description, candidate[key], reference[key])
    return [Finding.of(identifier, text) for identifier, text in findings.items()]


def check_against_variants(candidate_class, probe, reference, variants, descriptions):
    """Run ``probe`` on the candidate, the reference and every variant, and return the findings."""
    try:
        observed = run_probe(probe, candidate_class, guarded=True)
    except CandidateFailure as failure:
        return [failure.finding]
    expected = run_probe(probe, reference)
    variant_observations = [(identifier, run_probe(probe, factory)) for identifier, factory in variants]
    return diagnose(observed, expected, variant_observations, descriptions)
