"""rnnreg.exercises: check(topic, cls) names the mistake of a student's class (issue 14, point 1).

The bug gallery (tests/exercise_gallery) holds one deliberately wrong class per catalogue entry, written
from scratch, and correct classes in several styles: every wrong class must get exactly its id, every
correct class and rnnreg's own classes must pass.
"""

from itertools import permutations

import numpy as np
import pytest
from exercise_gallery import batch_norm as gallery_batch_norm
from exercise_gallery import dropout as gallery_dropout
from exercise_gallery import recurrent as gallery_recurrent
from exercise_gallery import regularizers as gallery_regularizers
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnreg
from rnnreg.exercises import GENERAL, MISCONCEPTIONS, TOPICS, Finding, Report, batch_norm, check, optimizers, recurrent
from rnnreg.layers.variants import NonInvertedDropout

GALLERIES = [gallery_regularizers, gallery_dropout, gallery_batch_norm, gallery_recurrent]
WRONG = [(identifier, topic, cls) for gallery in GALLERIES for identifier, (topic, cls) in gallery.WRONG.items()]
WRONG += [entry for gallery in GALLERIES for entry in gallery.WRONG_ALSO]
CORRECT = [entry for gallery in GALLERIES for entry in gallery.CORRECT]

REFERENCES = {
    "l1_regularizer": rnnreg.L1Regularizer,
    "l2_regularizer": rnnreg.L2Regularizer,
    "sgd_with_momentum": rnnreg.SgdWithMomentum,
    "adam": rnnreg.Adam,
    "dropout": rnnreg.Dropout,
    "batch_normalization": rnnreg.BatchNormalization,
    "rnn": rnnreg.RNN,
    "lstm": rnnreg.LSTM,
}

REQUIRED_IDS = [
    "l2-gradient-doubled",
    "l1-gradient-not-sign",
    "regularizer-inside-momentum",
    "adam-no-bias-correction",
    "dropout-not-inverted",
    "dropout-drop-probability",
    "dropout-active-at-test",
    "dropout-new-mask-in-backward",
    "dropout-backward-not-scaled",
    "bn-batch-statistics-at-test",
    "bn-unbiased-variance",
    "bn-moving-average-start",
    "bn-momentum-swapped",
    "bn-backward-constant-statistics",
    "bn-image-per-position",
    "rnn-state-not-reset",
    "rnn-state-not-carried",
    "rnn-no-backprop-through-time",
    "rnn-gradients-not-summed",
    "rnn-tanh-derivative",
    "lstm-gate-order",
    "lstm-cell-gradient-not-carried",
]


def ids(report):
    return [finding.id for finding in report.findings]


# ------------------------------------------------------------------------------------------ the bug gallery


@pytest.mark.parametrize(("identifier", "topic", "cls"), WRONG, ids=[f"{i}-{c.__name__}" for i, _, c in WRONG])
def test_gallery_wrong_class_gets_exactly_its_id(identifier, topic, cls):
    report = check(topic, cls)
    assert ids(report) == [identifier]
    assert report.passed is False


@pytest.mark.parametrize(("topic", "cls"), CORRECT, ids=[cls.__name__ for _, cls in CORRECT])
def test_gallery_correct_class_passes(topic, cls):
    report = check(topic, cls)
    assert report.findings == []
    assert report.passed is True


@pytest.mark.parametrize("topic", sorted(REFERENCES))
def test_rnnreg_own_class_passes(topic):
    assert check(topic, REFERENCES[topic]).passed


def test_every_catalogue_id_has_a_gallery_class():
    covered = {identifier for identifier, _, _ in WRONG}
    assert covered == {*GENERAL, *MISCONCEPTIONS}


def test_the_required_ids_are_in_the_catalogue():
    assert [identifier for identifier in REQUIRED_IDS if identifier not in MISCONCEPTIONS] == []
    assert all(entry.title and entry.hint for entry in [*GENERAL.values(), *MISCONCEPTIONS.values()])


def test_the_checker_own_variant_models_without_a_bug_pass():
    assert check("sgd_with_momentum", optimizers._Momentum).passed
    assert check("adam", optimizers._Adam).passed
    assert check("batch_normalization", batch_norm._Variant).passed

    class Elman(recurrent._Recurrent):
        def __init__(self, *sizes):
            super().__init__(*sizes, gates=1)

    class Lstm(recurrent._Recurrent):
        def __init__(self, *sizes):
            super().__init__(*sizes, gates=4)

    assert check("rnn", Elman).passed
    assert check("lstm", Lstm).passed


@pytest.mark.parametrize("order", [order for order in permutations("fico") if order != tuple("fico")])
def test_every_other_lstm_gate_order_is_named(order):
    wrong_order = type("WrongOrder", (gallery_recurrent.LSTMExerciseStyle,), {"order": order})
    assert ids(check("lstm", wrong_order)) == ["lstm-gate-order"]


@given(factor=st.floats(0.5, 3.0).filter(lambda factor: abs(factor - 1) > 1e-3))
def test_any_scaled_l2_gradient_is_found(factor):
    class Scaled(gallery_regularizers.L2):
        def calculate_gradient(self, weights):
            return factor * self.alpha * weights

    report = check("l2_regularizer", Scaled)
    expected = "l2-gradient-doubled" if factor == 2 else "regularizer-gradient-wrong"
    assert ids(report) == [expected]


def test_rnnreg_teaching_variant_of_dropout_is_named():
    assert ids(check("dropout", NonInvertedDropout)) == ["dropout-not-inverted"]

    class OriginalDropout(NonInvertedDropout):
        def __init__(self, probability):
            super().__init__(probability, scale_at_test=True)

    assert ids(check("dropout", OriginalDropout)) == ["dropout-not-inverted", "dropout-active-at-test"]


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1))
def test_dropout_is_judged_by_properties_not_by_the_random_stream(seed):
    class OwnGenerator(gallery_dropout.DropoutExerciseStyle):
        def __init__(self, probability):
            super().__init__(probability)
            self.rng = np.random.default_rng(seed)

        def forward(self, input_tensor):
            if self.testing_phase:
                return input_tensor
            self.mask = self.rng.random(input_tensor.shape) < self.probability
            return input_tensor * self.mask / self.probability

    assert check("dropout", OwnGenerator).passed


@settings(max_examples=15)
@given(epsilon=st.floats(1e-12, 1e-8))
def test_batch_norm_with_any_epsilon_up_to_1e_8_passes(epsilon):
    class OwnEpsilon(gallery_batch_norm.BatchNormRowsStyle):
        def __init__(self, channels):
            super().__init__(channels)
            self.eps = epsilon

    assert check("batch_normalization", OwnEpsilon).passed


def test_batch_norm_gradients_shaped_one_by_channels_are_accepted():
    class RowGradients(gallery_batch_norm.BatchNormRowsStyle):
        def parameter_gradients(self, e):
            return np.sum(e * self.x_hat, axis=0, keepdims=True), np.sum(e, axis=0, keepdims=True)

        def update(self):
            self.gradient_weights, self.gradient_bias = self.gradient_weights[0], self.gradient_bias[0]
            super().update()
            self.gradient_weights, self.gradient_bias = self.gradient_weights[None], self.gradient_bias[None]

    assert check("batch_normalization", RowGradients).passed


# --------------------------------------------------------------------------------- the candidate's failures


class Handout:
    """A student's handout, not filled in yet."""

    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        raise NotImplementedError

    def norm(self, weights):
        raise NotImplementedError


class HandoutLayer:
    """Any topic's handout: the constructor stores nothing, every method still raises."""

    def __init__(self, *arguments):
        pass

    def __getattr__(self, name):
        if name in {"forward", "backward", "calculate_gradient", "norm", "calculate_update", "add_regularizer"}:

            def not_done(*arguments):
                raise NotImplementedError

            return not_done
        raise AttributeError(name)


@pytest.mark.parametrize("topic", TOPICS)
def test_a_handout_of_every_topic_gives_raises(topic):
    report = check(topic, HandoutLayer)
    assert ids(report) == ["raises"]
    assert "raised NotImplementedError" in report.findings[0].evidence


def test_a_handout_gives_raises_with_the_call():
    report = check("l2_regularizer", Handout)
    assert ids(report) == ["raises"]
    assert "calculate_gradient(w) raised NotImplementedError" in report.findings[0].evidence


def test_a_constructor_with_another_signature_gives_raises():
    report = check("adam", gallery_regularizers.MomentumExerciseStyle)
    assert ids(report) == ["raises"]
    assert "cls(0.01, 0.9, 0.999)" in report.findings[0].evidence


def test_a_missing_method_gives_raises():
    class NoNorm:
        def __init__(self, alpha):
            self.alpha = alpha

        def calculate_gradient(self, weights):
            return self.alpha * weights

    report = check("l2_regularizer", NoNorm)
    assert ids(report) == ["raises"]
    assert "AttributeError" in report.findings[0].evidence


def test_returning_none_gives_wrong_shape():
    class ReturnsNothing(gallery_regularizers.L2):
        def calculate_gradient(self, weights):
            self.alpha * weights  # the student forgot the return

    report = check("l2_regularizer", ReturnsNothing)
    assert ids(report) == ["wrong-shape"]
    assert "None" in report.findings[0].evidence


POISONED = [
    ("l2_regularizer", gallery_regularizers.L2, "calculate_gradient"),
    ("adam", gallery_regularizers.AdamExerciseStyle, "calculate_update"),
    ("dropout", gallery_dropout.DropoutExerciseStyle, "forward"),
    ("dropout", gallery_dropout.DropoutExerciseStyle, "backward"),
    ("batch_normalization", gallery_batch_norm.BatchNormRowsStyle, "forward"),
    ("rnn", gallery_recurrent.RNNExerciseStyle, "backward"),
    ("lstm", gallery_recurrent.LSTMExerciseStyle, "forward"),
]


@pytest.mark.parametrize("value", [np.nan, np.inf, 0.0])
@pytest.mark.parametrize(("topic", "base", "method"), POISONED, ids=[f"{t}-{m}" for t, _, m in POISONED])
def test_nan_infinite_or_zero_outputs_give_a_finding_never_a_warning(topic, base, method, value):
    def poisoned(self, *arguments):
        return np.full_like(np.asarray(getattr(base, method)(self, *arguments), dtype=float), value)

    report = check(topic, type("Poisoned", (base,), {method: poisoned}))  # RuntimeWarnings are errors here
    assert 1 <= len(report.findings) <= 2
    assert "raises" not in ids(report) and "wrong-shape" not in ids(report)


def test_a_ragged_gradient_gives_wrong_shape():
    class Ragged(gallery_batch_norm.BatchNormRowsStyle):
        def update(self):
            self.gradient_weights = [[1.0, 2.0], [3.0]]

    report = check("batch_normalization", Ragged)
    assert ids(report) == ["wrong-shape"]
    assert ".gradient_weights: expected an array of shape (3,)" in report.findings[0].evidence


# ------------------------------------------------------------------------------------ the caller's mistakes


@pytest.mark.parametrize("topic", ["L2_regularizer", "momentum", "", 3, None])
def test_an_unknown_topic_is_a_value_error_naming_it(topic):
    with pytest.raises(ValueError, match=f"check topic must be one of .*got {topic!r}"):
        check(topic, gallery_regularizers.L2)


@pytest.mark.parametrize("candidate", [gallery_regularizers.L2(0.1), "L2", None, 3])
def test_a_candidate_that_is_not_a_class_is_a_type_error(candidate):
    with pytest.raises(TypeError, match=f"check candidate_class must be a class.*got {candidate!r}"):
        check("l2_regularizer", candidate)


def test_topics_are_the_eight_of_the_issue():
    assert TOPICS == (
        "l1_regularizer",
        "l2_regularizer",
        "sgd_with_momentum",
        "adam",
        "dropout",
        "batch_normalization",
        "rnn",
        "lstm",
    )


# ------------------------------------------------------------------------------------------------ the report


def test_check_leaves_the_global_random_state_as_it_was():
    np.random.seed(3)
    expected = np.random.random(3)
    np.random.seed(3)
    check("adam", rnnreg.Adam)
    assert np.array_equal(np.random.random(3), expected)


def test_a_passed_report_is_green_and_says_so():
    report = check("l2_regularizer", gallery_regularizers.L2)
    assert str(report) == "L2 passed every check of topic 'l2_regularizer'."
    assert "#dafbe1" in report._repr_html_() and "passed" in report._repr_html_()


def test_a_failed_report_lists_findings_most_fundamental_first_with_hints():
    findings = [Finding.of("regularizer-norm-wrong", "norm: 1 vs 2"), Finding.of("raises", "boom <b>")]
    report = Report("l2_regularizer", "Mine", findings)
    assert ids(report) == ["raises", "regularizer-norm-wrong"]
    text = str(report)
    assert text.index("[raises]") < text.index("[regularizer-norm-wrong]")
    assert MISCONCEPTIONS["regularizer-norm-wrong"].hint in text
    html = report._repr_html_()
    assert "#ffebe9" in html and "boom &lt;b&gt;" in html and "boom <b>" not in html
    assert html.index("raises") < html.index("regularizer-norm-wrong")


def test_the_evidence_shows_expected_and_got():
    report = check("l2_regularizer", gallery_regularizers.L2Doubled)
    evidence = report.findings[0].evidence
    assert evidence.startswith("calculate_gradient(w) with alpha=0.3: expected [ 0.15")
    assert "got [ 0.3" in evidence and "largest difference" in evidence


def test_exercises_import_with_numpy_alone():
    import subprocess
    import sys

    from test_package import BLOCKED_IMPORTS, ROOT

    code = BLOCKED_IMPORTS + "import rnnreg.exercises\nprint('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "ok"
