import numpy as np
import pytest

from rnnreg import BatchNormalization, Dropout
from rnnreg.layers.variants import BatchStatisticsAtTestTime, NonInvertedDropout


def test_non_inverted_dropout_keeps_units_unscaled_and_shifts_the_test_mean():
    layer = NonInvertedDropout(0.5)
    train = layer.forward(np.ones((2000, 10)))
    assert set(np.unique(train)) == {0.0, 1.0}
    assert train.mean() == pytest.approx(0.5, abs=0.02)
    np.testing.assert_array_equal(layer.backward(np.ones((2000, 10))), layer.mask.astype(float))
    layer.testing_phase = True
    assert layer.forward(np.ones((3, 10))).mean() == 1.0  # twice the training mean: the mistake


def test_original_non_inverted_dropout_scales_at_test_time():
    layer = NonInvertedDropout(0.25, scale_at_test=True)
    layer.testing_phase = True
    np.testing.assert_allclose(layer.forward(np.ones((2, 3))), 0.25)
    np.testing.assert_allclose(layer.backward(np.ones((2, 3))), 0.25)


def test_inverted_dropout_keeps_the_training_mean_equal_to_the_test_mean():
    layer = Dropout(0.5)
    assert layer.forward(np.ones((4000, 10))).mean() == pytest.approx(1.0, abs=0.03)


def test_batch_statistics_at_test_time_depend_on_the_batch():
    data = np.random.randn(64, 3) * 2 + 5
    correct, variant = BatchNormalization(3), BatchStatisticsAtTestTime(3)
    correct.forward(data)
    variant.forward(data)
    moving = variant.moving_mean.copy()
    correct.testing_phase = variant.testing_phase = True
    single = data[:1]
    np.testing.assert_array_equal(variant.forward(single), 0.0)  # one sample: normalised to beta
    assert np.abs(correct.forward(single)).max() > 0.01
    np.testing.assert_array_equal(variant.moving_mean, moving)  # the moving averages are not touched
    np.testing.assert_allclose(variant.forward(data), correct.forward(data), atol=1e-9)  # the training batch


def test_the_batch_statistics_variant_refuses_to_train():
    layer = BatchStatisticsAtTestTime(2)
    layer.forward(np.random.randn(5, 2))
    with pytest.raises(RuntimeError, match="teaching variant"):
        layer.backward(np.ones((5, 2)))


def test_variants_override_only_public_methods_of_their_parents():
    """No private attribute of Dropout or BatchNormalization is read or set by the variants' own code."""
    import inspect

    from rnnreg.layers import variants

    source = inspect.getsource(variants)
    assert "self._" not in source
    assert set(vars(NonInvertedDropout)) - {"__module__", "__doc__", "__qualname__", "__firstlineno__",
                                            "__static_attributes__"} == {"__init__", "train_scale", "test_scale",
                                                                         "config"}
    assert "uses_batch_statistics" in vars(BatchStatisticsAtTestTime)
    assert "forward" not in vars(BatchStatisticsAtTestTime)


def test_non_inverted_dropout_scales_are_one_in_training_and_p_or_one_at_test():
    assert NonInvertedDropout(0.4).train_scale() == 1
    assert NonInvertedDropout(0.4).test_scale() == 1
    assert NonInvertedDropout(0.4, scale_at_test=True).test_scale() == 0.4


def test_non_inverted_dropout_backward_follows_the_phase_of_its_forward():
    layer = NonInvertedDropout(0.5, scale_at_test=True, rng=1)
    layer.forward(np.ones((50, 4)))
    layer.testing_phase = True
    np.testing.assert_array_equal(layer.backward(np.full((50, 4), 3.0)), 3.0 * layer.mask)
    layer.forward(np.ones((50, 4)))
    np.testing.assert_array_equal(layer.backward(np.full((50, 4), 3.0)), 1.5)


def test_batch_statistics_variant_uses_the_batch_at_test_time_and_trains_like_the_parent():
    rng = np.random.default_rng(2)
    data = rng.standard_normal((16, 3, 4, 4)) * 3 + 1
    correct, variant = BatchNormalization(3), BatchStatisticsAtTestTime(3)
    assert variant.uses_batch_statistics() and correct.uses_batch_statistics()
    np.testing.assert_array_equal(variant.forward(data), correct.forward(data))
    np.testing.assert_array_equal(variant.moving_mean, correct.moving_mean)
    variant.testing_phase = correct.testing_phase = True
    assert variant.uses_batch_statistics() and not correct.uses_batch_statistics()
    test_batch = rng.standard_normal((5, 3, 4, 4))
    output = variant.forward(test_batch)
    np.testing.assert_allclose(output.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)  # γ = 1, β = 0: the batch's own x̂
    np.testing.assert_allclose(variant.batch_mean, test_batch.mean(axis=(0, 2, 3)))
    np.testing.assert_array_equal(variant.moving_mean, correct.moving_mean)  # test phase: not updated
