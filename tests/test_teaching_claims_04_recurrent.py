"""What lesson 04 (recurrent networks) claims, checked over seeds with margins another CPU cannot cross.

Every sentence here is the one the notebook prints (``rnnreg.lessons.recurrent``'s ``*_claims``): each claim
function raises ``ClaimFailed`` with every seed's value when the seeds do not support its sentence, and the
test pins the sentence, so the notebook's stored output and this file say the same. Carried over from the
shared teaching-claims file (re-stated over seeds): the Elman gradient vanishes much faster than the LSTM's,
the Elman RNN remembers over a short delay, and the LSTM solves the memory task at a delay where the Elman
RNN fails. New: the forget-gate bias, truncated BPTT (the window must reach the number), exploding gradients
and clipping, the sine predictor and the forget gate after training.
"""

from rnnreg.lessons.recurrent import (
    clipping_claims,
    forget_bias_claims,
    gate_claims,
    recall_claims,
    sine_claims,
    truncation_claims,
    vanishing_claims,
)


def test_the_elman_cell_predicts_a_noisy_sine_in_every_seed():
    assert sine_claims() == ["Elman R² on held-out waves above 0.8 in all 5 seeds"]


def test_elman_gradient_vanishes_through_time_much_faster_than_the_lstms():
    # Untrained, five initialization seeds, delay 60: no training, so no last bit is amplified.
    assert vanishing_claims() == [
        "Elman ‖dL/dh_1‖ / ‖dL/dh_61‖ below 0.05 in all 5 seeds",
        "LSTM ‖dL/dh_1‖ / ‖dL/dh_61‖ above 0.3 in all 5 seeds",
        "the LSTM's share over the Elman's above 100 in all 5 seeds",
    ]


def test_the_forget_bias_decides_whether_the_lstms_gradient_reaches_back():
    assert forget_bias_claims() == [
        "forget bias 0: LSTM ‖dL/dh_1‖ / ‖dL/dh_61‖ below 1e-09 in all 5 seeds",
        "forget bias 5: LSTM ‖dL/dh_1‖ / ‖dL/dh_61‖ above 0.3 in all 5 seeds",
        "forget bias 5: LSTM ‖dL/dh_1‖ / ‖dL/dh_61‖ below 10 in all 5 seeds",
    ]


def test_both_remember_a_short_delay_and_only_the_lstm_a_long_one():
    # Equal hidden size and training budget; the LSTM's cell starts out remembering (forget bias 5). Now and
    # then a seed teaches the Elman RNN to keep the number (one of ten under another CPU's rounding): "most".
    assert recall_claims() == [
        "Elman R² at delay 5 above 0.85 in all 5 seeds",
        "LSTM R² at delay 5 above 0.85 in all 5 seeds",
        "LSTM R² at delay 40 above 0.6 in all 5 seeds",
        "Elman R² at delay 40 below 0.3 in most of the 5 seeds",
    ]


def test_the_trained_forget_gate_stays_where_its_bias_started_it():
    assert gate_claims() == [
        "mean forget gate above 0.95 in all 5 seeds",
        "|mean forget gate − σ(5)| below 0.02 in all 5 seeds",
        "lowest mean input gate of a unit after step 1 above 0.2 in all 5 seeds",
    ]


def test_truncation_that_stops_one_step_short_of_the_number_loses_it():
    assert truncation_claims() == [
        "LSTM R² at delay 20 above 0.85 in all 5 seeds",
        "LSTM R² at delay 20 with truncation 20 below 0.4 in all 5 seeds",
    ]


def test_clipping_rescues_sgd_on_an_exploding_elman_rnn():
    assert clipping_claims() == [
        "untrained, spectral radius 3: Elman ‖dL/dh_1‖ / ‖dL/dh_11‖ above 1 in all 5 seeds "
        "(the gradient grows going back in time)",
        "untrained, spectral radius 0.9: Elman ‖dL/dh_1‖ / ‖dL/dh_11‖ below 1 in all 5 seeds (it shrinks)",
        "largest gradient norm without clipping above 20 in all 5 seeds",
        "R² without clipping below 0.2 in all 5 seeds",
        "R² clipped at 1 above 0.5 in all 5 seeds",
    ]


def test_the_central_claim_holds_for_five_more_seeds_too():
    # Which seed a machine flips cannot be known: the lesson's sentences must not depend on seeds 0 to 4.
    assert recall_claims(seeds=(5, 6, 7, 8, 9)) == [
        "Elman R² at delay 5 above 0.85 in all 5 seeds",
        "LSTM R² at delay 5 above 0.85 in all 5 seeds",
        "LSTM R² at delay 40 above 0.6 in all 5 seeds",
        "Elman R² at delay 40 below 0.3 in most of the 5 seeds",
    ]
