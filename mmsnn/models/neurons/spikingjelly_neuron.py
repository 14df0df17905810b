"""Any spikingjelly 2.0 multi-step neuron in mmsnn's time-folded protocol."""
from typing import Dict, Optional, Tuple

import torch.nn as nn
from spikingjelly.activation_based import base as sj_base
from spikingjelly.activation_based import neuron as sj_neuron
from spikingjelly.activation_based import surrogate as sj_surrogate
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from .base_neuron import BaseSpikingNeuron, check_positive, register_neuron

#: Short names people use for spikingjelly nodes.
NODE_ALIASES = {'PLIFNode': 'ParametricLIFNode'}

#: Node arguments checked here, with their exclusive lower bound.
CHECKED_NODE_ARGS = {'v_threshold': 0., 'tau': 1., 'init_tau': 1.}


def available_nodes() -> Tuple[str, ...]:
    """Names of spikingjelly's neuron classes that run multi-step."""
    names = []
    for name in dir(sj_neuron):
        cls = getattr(sj_neuron, name)
        if isinstance(cls, type) and issubclass(cls, sj_base.MemoryModule) \
                and not name.endswith('BaseNode'):
            names.append(name)
    return tuple(names)


def build_surrogate(cfg) -> nn.Module:
    """A spikingjelly surrogate from ``dict(type='ATan', alpha=2.0)`` (or
    the module itself)."""
    if isinstance(cfg, nn.Module):
        return cfg
    cfg = dict(cfg)
    name = cfg.pop('type', None)
    cls = getattr(sj_surrogate, str(name), None)
    if not (isinstance(cls, type)
            and issubclass(cls, sj_surrogate.SurrogateFunctionBase)):
        raise ConfigValueError(
            f'SpikingJellyNeuron: surrogate_function type {name!r} is not a '
            'surrogate of spikingjelly.activation_based.surrogate (e.g. '
            "'ATan', 'Sigmoid', 'MultiLevelSpikeCount')")
    return cls(**cfg)


@register_neuron
class SpikingJellyNeuron(BaseSpikingNeuron):
    """Wrap a spikingjelly 2.0 neuron node as an mmsnn neuron.

    ``act_cfg=dict(type='SpikingJellyNeuron', node='LIFNode', tau=2.0)``
    builds ``spikingjelly.activation_based.neuron.LIFNode(tau=2.0)`` in
    multi-step mode and runs it in the time-folded protocol: ``[T*B, ...]``
    in, its output (spikes; integer counts for ``'ILIFNode'``, SpikeYOLO's
    I-LIF) out, every call from rest. Its own surrogate gradient is used
    (spikingjelly's defaults unless ``surrogate_function`` says otherwise).
    Nodes: ``'IFNode'``, ``'LIFNode'``, ``'ParametricLIFNode'`` (alias
    ``'PLIFNode'``), ``'ILIFNode'`` and any other of
    :func:`available_nodes`.

    Args:
        node (str): Name of the node class in
            ``spikingjelly.activation_based.neuron``.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` or ``'spikingjelly'`` (the node's own
            code). Defaults to ``'auto'``.
        inplace (bool, optional): Ignored (``ConvModule`` passes it).
        **node_kwargs: The node's arguments. ``surrogate_function`` may be a
            config, ``dict(type='ATan', alpha=2.0)``; ``tau`` / ``init_tau``
            may be integers (spikingjelly asserts floats); ``v_threshold``
            (> 0) and ``tau`` / ``init_tau`` (> 1) are checked.
    """

    backends = ('spikingjelly', )

    def __init__(self,
                 node: str,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 inplace: Optional[bool] = None,
                 **node_kwargs) -> None:
        super().__init__(time_steps, step_mode, backend, 0., inplace)
        name = NODE_ALIASES.get(node, node)
        if name not in available_nodes():
            raise ConfigValueError(
                f'SpikingJellyNeuron: node={node!r} is not a multi-step '
                'neuron of spikingjelly.activation_based.neuron (spikingjelly '
                f'2.0); available: {", ".join(available_nodes())}')
        kwargs: Dict = dict(node_kwargs)
        for key, above in CHECKED_NODE_ARGS.items():
            if key in kwargs:
                kwargs[key] = check_positive(f'SpikingJellyNeuron({node})',
                                             key, kwargs[key], above)
        if 'surrogate_function' in kwargs:
            kwargs['surrogate_function'] = build_surrogate(
                kwargs['surrogate_function'])
        try:
            self.node = getattr(sj_neuron, name)(step_mode='m', **kwargs)
        except (TypeError, ValueError, AssertionError) as e:
            raise ConfigValueError(
                f'SpikingJellyNeuron: spikingjelly {name} rejected the '
                f'arguments {node_kwargs}: {type(e).__name__}: {e}') from e
        self.node_name = name

    def kernel_sequence(self, x_seq: Tensor, backend: str) -> Tensor:
        """The node's own multi-step forward, from rest."""
        self.node.reset()
        self.node.step_mode = 'm'
        try:
            return self.node(x_seq)
        finally:
            self.node.reset()  # no state (nor graph) survives the call

    def initial_state(self) -> Tuple:
        """The node's memories at rest, in its order (``v`` first)."""
        self.node.reset()
        return tuple(self.node._memories.values())

    def detach_state(self, state: Tuple) -> Tuple:
        return tuple(
            s.detach() if isinstance(s, Tensor) else s for s in state)

    def neuronal_step(self, x: Tensor, v: Tuple) -> Tuple[Tensor, Tuple]:
        """One step of the node through its explicit-state API
        (``single_step_functional_forward``): what its multi-step forward
        does at each step, with the memories given instead of kept."""
        states = self.node.materialize_states((x, ), v, 's')
        try:
            outputs, states = self.node.single_step_functional_forward(
                (x, ), states)
        except NotImplementedError as e:
            raise ConfigValueError(
                f'SpikingJellyNeuron(node={self.node_name!r}): spikingjelly '
                'has no explicit-state step for this node ('
                f'{e}), which training by SLTT (model.bptt mode '
                "'sltt') runs; train it with mode='full'") from e
        return outputs[0], states

    def single_step_forward(self, x: Tensor) -> Tensor:
        self.node.step_mode = 's'
        if self.cuts_temporal_grad:
            for name, value in zip(list(self.node._memories),
                                   self.detach_state(tuple(
                                       self.node._memories.values()))):
                setattr(self.node, name, value)
        return self.node(x)

    def reset(self) -> None:
        super().reset()
        self.node.reset()

    def extra_repr(self) -> str:
        return f'node={self.node_name}, ' + super().extra_repr()
