"""Claims over seeds: what a lesson may print so that the sentence is true on every machine.

One training run is one draw. Its last digits depend on the CPU (the BLAS kernel sums a matrix product in
another order, NumPy's SIMD loops round ``tanh`` and ``exp`` differently), and a long training run can turn
those last bits into another result: a seed that recalls the number on one machine may fail on another. So a
lesson states what holds over several seeds, with a margin that such a difference cannot cross:

- ``over_seeds(run, seeds)`` runs ``run(seed)`` for every seed and keeps the values with their seeds;
- ``SeedValues.holds(...)`` is the statement "above 0.9 in all 5 seeds" (every seed clear of the threshold
  by ``margin``) or "in most of the 5 seeds" (a majority that one seed flipping cannot overturn), and raises
  ``ClaimFailed`` when the values do not support it: a notebook cell that prints the sentence also checks it;
- ``SeedValues.describe()`` gives median and range, for cells whose printed digits nbval does not compare
  (``# NBVAL_IGNORE_OUTPUT``).
"""

import dataclasses

import numpy as np

from rnnreg.validation import check_finite_number

SEEDS = (0, 1, 2, 3, 4)  # five seeds where a run is cheap; expensive runs use at least three

FORMS = ("all", "most")


class ClaimFailed(AssertionError):
    """The values of the seeds do not support the statement a lesson makes about them."""


@dataclasses.dataclass(frozen=True)
class SeedValues:
    """One number per seed, e.g. the validation R² of five trainings that differ only in their seed.

    Attributes
    ----------
    seeds : tuple of int
    values : numpy.ndarray, shape (len(seeds),)
    name : str
        What the numbers are, as the statement names them ("LSTM R² at delay 60").
    """

    seeds: tuple
    values: np.ndarray
    name: str = "value"

    def __post_init__(self):
        values = np.asarray(self.values, dtype=float)
        if values.shape != (len(self.seeds),):
            raise ValueError(f"values must hold one number per seed ({len(self.seeds)}), got shape {values.shape}")
        if not np.all(np.isfinite(values)):
            bad = [seed for seed, value in zip(self.seeds, values, strict=True) if not np.isfinite(value)]
            raise ValueError(f"{self.name}: seeds {bad} gave a value that is not finite: {values.tolist()}")
        values.flags.writeable = False
        object.__setattr__(self, "values", values)

    @property
    def median(self):
        return float(np.median(self.values))

    @property
    def low(self):
        return float(self.values.min())

    @property
    def high(self):
        return float(self.values.max())

    def clear_of(self, threshold, margin, *, above=True):
        """How many seeds lie beyond ``threshold`` by more than ``margin``, on the side the claim names."""
        threshold, margin = check_finite_number("threshold", threshold), check_finite_number("margin", margin)
        if margin < 0:
            raise ValueError(f"margin must be >= 0, got {margin}")
        if above:
            return int(np.sum(self.values > threshold + margin))
        return int(np.sum(self.values < threshold - margin))

    def holds(self, threshold, *, margin, above=True, form="all", unit=""):
        """The sentence "<name> above <threshold> in all N seeds" (or "in most of the N seeds"), checked.

        ``form="all"`` needs every seed clear of ``threshold`` by ``margin``. ``form="most"`` needs a majority
        that survives one seed changing sides (at least N // 2 + 2 seeds clear): which seed a different
        machine flips cannot be known, so the sentence names no count that one flip could change.
        Raises ``ClaimFailed`` with every seed's value when the values do not support the sentence.
        """
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}")
        count, n = self.clear_of(threshold, margin, above=above), len(self.seeds)
        needed = n if form == "all" else n // 2 + 2
        side = "above" if above else "below"
        if count < needed or needed > n:
            per_seed = ", ".join(f"seed {s}: {v:.4g}" for s, v in zip(self.seeds, self.values, strict=True))
            raise ClaimFailed(
                f"{self.name} {side} {threshold:g}{unit} (margin {margin:g}) holds in {count} of {n} seeds, "
                f"the claim needs {needed}: {per_seed}"
            )
        seeds_text = f"in all {n} seeds" if form == "all" else f"in most of the {n} seeds"
        return f"{self.name} {side} {threshold:g}{unit} {seeds_text}"

    def describe(self, digits=3):
        """"median 0.986 (range 0.974 to 0.992, 5 seeds)": for output that nbval does not compare."""
        return (
            f"median {self.median:.{digits}f} (range {self.low:.{digits}f} to {self.high:.{digits}f}, "
            f"{len(self.seeds)} seeds)"
        )


def of_runs(runs, name, measure):
    """``SeedValues`` named ``name`` of ``measure(run)`` for runs already trained, ``runs`` = {seed: run}."""
    return SeedValues(tuple(runs), np.array([float(measure(run)) for run in runs.values()]), name)


def over_seeds(run, seeds=SEEDS, *, name="value"):
    """``SeedValues`` of ``run(seed)`` (a number) for every seed in ``seeds``."""
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    return SeedValues(seeds, np.array([float(run(seed)) for seed in seeds]), name)
