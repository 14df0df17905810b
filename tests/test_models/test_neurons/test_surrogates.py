"""The rectangular surrogate: its backward is autograd's derivative of the
function it smooths the step into, and its forward fires strictly."""
import pytest
import torch

from mmsnn.models.neurons import (rectangular_primitive, rectangular_spike,
                                  rectangular_surrogate_grad)


@pytest.mark.parametrize('width', [0.5, 0.25, 1.0])
def test_gradient_is_autograds_derivative_of_the_primitive(width):
    torch.manual_seed(0)
    # away from the window's edges, where clamp's derivative is a choice
    u = torch.randn(1000, dtype=torch.float64) * 2 * width
    u = u[((u.abs() - width).abs() > 1e-6)]
    grad_out = torch.randn_like(u)
    a = u.clone().requires_grad_()
    (rectangular_spike(a, width) * grad_out).sum().backward()
    b = u.clone().requires_grad_()
    (rectangular_primitive(b, width) * grad_out).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, rtol=0, atol=0)
    inside = (u.abs() < width).sum()
    assert 0 < inside < len(u)  # both sides of the window were tried
    torch.testing.assert_close(
        rectangular_surrogate_grad(u, width),
        (u.abs() < width).double() / (2 * width))


def test_forward_is_the_strict_step():
    u = torch.tensor([-1., -1e-7, 0., 1e-7, 3.])
    assert rectangular_spike(u, 0.5).tolist() == [0., 0., 0., 1., 1.]
