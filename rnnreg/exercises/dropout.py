"""Topic "dropout": ``cls(probability)``, ``testing_phase``, ``forward``, ``backward``.

Masks are random, so the candidate is judged by the properties of what it returns, never by matching
rnnreg's random stream. The probe: p = 0.8 (so that p and 1 − p differ), an input x of 100,000 values
in [0.5, 1.5] (none zero), a training-phase forward, a backward of an error E of the same kind, then a
test-phase forward. A unit is "kept" where the output is non-zero; its scale is y / x.

- ``dropout-drop-probability``: the fraction kept is 1 − p (± 0.01) instead of p.
- ``dropout-not-inverted``: the kept units are scaled by 1 instead of 1/p.
- ``dropout-forward-wrong``: any other fraction kept, or a scale that is neither 1/p nor one number.
- ``dropout-active-at-test``: the test-phase output is not x itself (masked or scaled).
- ``dropout-new-mask-in-backward``: dL/dx passes as many units as the forward kept, but other ones.
- ``dropout-backward-not-scaled``: dL/dx = E on the kept units while the forward scaled them (by 1/p).
- ``dropout-backward-wrong``: dL/dx is anything else than E ⊙ mask · (the forward's scale).
  The backward pass is judged only when the forward pass has no finding (it is compared with the
  candidate's own mask and scale).
"""

import numpy as np

from rnnreg.exercises.probes import CandidateFailure, Trial, close
from rnnreg.exercises.report import Finding

PROBABILITY = 0.8
SHAPE = (200, 500)
FRACTION_TOLERANCE = 0.01  # 8 standard deviations of the kept fraction of 100,000 units

_rng = np.random.default_rng(14)
INPUT = _rng.uniform(0.5, 1.5, size=SHAPE)
ERROR = _rng.uniform(0.5, 1.5, size=SHAPE)


def check_dropout(candidate_class):
    """Findings for a Dropout class."""
    trial = Trial(guarded=True)
    try:
        layer = trial.call(f"the constructor cls({PROBABILITY})", lambda: candidate_class(PROBABILITY))
        trial.assign_flag(layer, "testing_phase", False)
        output = _forward(trial, layer, "forward(x) in the training phase")
        error_input = trial.array(
            "backward(E) in the training phase", trial.call("backward(E)", lambda: layer.backward(ERROR.copy())), SHAPE
        )
        trial.assign_flag(layer, "testing_phase", True)
        test_output = _forward(trial, layer, "forward(x) in the test phase")
    except CandidateFailure as failure:
        return [failure.finding]
    kept, scale = _kept_and_scale(output)
    forward_findings = [finding for finding in (_fraction_finding(kept), _scale_finding(kept, scale)) if finding]
    # The backward pass is judged against the candidate's own forward, so only when that forward is sound.
    backward_finding = None if forward_findings else _backward_finding(kept, scale, error_input)
    findings = [*forward_findings, _test_finding(test_output), backward_finding]
    unique = {finding.id: finding for finding in reversed(findings) if finding is not None}  # the first of an id
    return list(unique.values())


def _forward(trial, layer, description):
    return trial.array(description, trial.call(description, lambda: layer.forward(INPUT.copy())), SHAPE)


def _kept_and_scale(output):
    """The kept units (output ≠ 0) and their scale y / x (NaN when it is not one number)."""
    kept = output != 0
    ratios = output[kept] / INPUT[kept]
    if ratios.size == 0 or not np.allclose(ratios, ratios[0], rtol=1e-6):
        return kept, float("nan")
    return kept, float(ratios[0])


def _fraction_finding(kept):
    fraction = kept.mean()
    evidence = (
        f"forward(x) in the training phase with probability={PROBABILITY}: expected {PROBABILITY:.0%} of "
        f"{kept.size} units kept, got {fraction:.1%}"
    )
    if abs(fraction - (1 - PROBABILITY)) < FRACTION_TOLERANCE:
        return Finding.of("dropout-drop-probability", evidence)
    if abs(fraction - PROBABILITY) >= FRACTION_TOLERANCE:
        return Finding.of("dropout-forward-wrong", evidence)
    return None


def _scale_finding(kept, scale):
    accepted = [1 / PROBABILITY]
    if abs(kept.mean() - (1 - PROBABILITY)) < FRACTION_TOLERANCE:
        accepted.append(1 / (1 - PROBABILITY))  # consistent with reading p as the drop rate: reported above
    if any(np.isclose(scale, value, rtol=1e-6) for value in accepted):
        return None
    got = "scales that differ from unit to unit" if np.isnan(scale) else f"{scale:.4g}"
    evidence = (
        f"forward(x) in the training phase with probability={PROBABILITY}: expected the kept units scaled by "
        f"1/p = {1 / PROBABILITY:.4g}, got {got}"
    )
    return Finding.of("dropout-not-inverted" if np.isclose(scale, 1) else "dropout-forward-wrong", evidence)


def _test_finding(test_output):
    if close(test_output, INPUT):
        return None
    changed = np.mean(~np.isclose(test_output, INPUT))
    evidence = f"forward(x) in the test phase: expected x unchanged, got {changed:.1%} of the units changed"
    return Finding.of("dropout-active-at-test", evidence)


def _backward_finding(kept, scale, error_input):
    """Compare dL/dx with E ⊙ mask · s, the mask and scale s of the candidate's own forward."""
    forward_scale = 0.0 if np.isnan(scale) else scale
    if close(error_input, ERROR * kept * forward_scale):
        return None
    passed = error_input != 0
    mismatched = np.mean(passed != kept)
    if mismatched > FRACTION_TOLERANCE:
        evidence = (
            f"backward(E) in the training phase: expected the gradient to pass exactly the units the forward "
            f"kept, got {mismatched:.1%} of the units differing ({passed.mean():.1%} passed)"
        )
        fresh_mask = abs(passed.mean() - kept.mean()) < FRACTION_TOLERANCE  # as many units, other ones
        return Finding.of("dropout-new-mask-in-backward" if fresh_mask else "dropout-backward-wrong", evidence)
    ratio = error_input[kept] / ERROR[kept]
    evidence = (
        f"backward(E) in the training phase: expected E·{forward_scale:.4g} on the kept units (the forward's "
        f"scale), got E·{np.median(ratio):.4g}"
    )
    not_scaled = np.allclose(ratio, 1, rtol=1e-6) and not np.isclose(forward_scale, 1)
    return Finding.of("dropout-backward-not-scaled" if not_scaled else "dropout-backward-wrong", evidence)
