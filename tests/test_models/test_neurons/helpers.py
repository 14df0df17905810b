"""Shared by the neuron tests: run a neuron on ``[T, B, ...]``."""
from mmsnn.models.time import fold_time


def run(neuron, x_seq):
    """Feed ``[T, B, ...]`` through a multi-step neuron, return [T, B, ...]."""
    neuron.time_steps = x_seq.shape[0]
    return neuron(fold_time(x_seq)).view_as(x_seq)


def run_with_grads(neuron, x_seq, weight):
    """Spikes ``[T, B, ...]``, ``dL/dx`` and the parameters' gradients for
    ``L = sum(spikes * weight)``."""
    x = x_seq.clone().requires_grad_()
    spikes = run(neuron, x)
    (spikes * weight).sum().backward()
    return spikes, x.grad, {n: p.grad for n, p in neuron.named_parameters()}
