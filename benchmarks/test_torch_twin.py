"""The PyTorch twin of each benchmark model: checked in .venv-bench by ``make bench`` (the main suite has no torch)."""

import numpy as np
import pytest
import torch

from benchmarks import models, torch_models


@pytest.mark.parametrize("spec", models.SPECS, ids=lambda spec: spec.key)
def test_pytorch_twin_agrees_on_the_first_step(spec):
    case = models.build_case(spec, "float64", batch_count=2)
    check = torch_models.first_step_check(case, torch_models.translate(case), tolerance=1e-10)

    assert check.passed, check
    assert set(check.details["gradients"]) == {label for label, _, _ in models.parameter_items(case.network)}


def test_first_step_check_fails_when_the_dropout_masks_differ(monkeypatch):
    monkeypatch.setattr(torch_models.DropoutBridge, "share_mask", lambda self, dtype: None)
    case = models.build_case(models.spec_by_key("mlp-64"), batch_count=2)
    check = torch_models.first_step_check(case, torch_models.translate(case), tolerance=1e-10)

    assert not check.passed
    assert check.gradients > 1e-3


def test_pytorch_twin_keeps_training_after_the_check():
    case = models.build_case(models.spec_by_key("lstm-32"), "float64", batch_count=2)
    twin = torch_models.translate(case)
    torch_models.first_step_check(case, twin, tolerance=1e-10)

    losses = [twin.step(index) for index in range(1, 4)]

    assert all(np.isfinite(losses))
    assert all(parameter.dtype == torch.float64 for parameter in twin.model.parameters())
    assert all(bridge.module.scale is None for bridge in twin.bridges if isinstance(bridge, torch_models.DropoutBridge))
