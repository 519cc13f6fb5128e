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
