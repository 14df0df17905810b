"""A spiking detector against what it is compared with, built and measured
in one process: its ANN twin at batch T x B (or the model of an ANN
config), a changed copy of itself, or its own per-step reference path."""
import copy
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmengine.config import Config

from ...models.neurons import spiking_modules
from ...utils.input_error import InputError
from ..ann_twin import build_ann_twin
from .profile import profile_step
from .report import run_benchmark
from .steps import (build_benchmark_optim_wrapper, make_step,
                    set_module_attrs, synthetic_batch)
from .timing import describe_device
from .training_modes import add_bptt_baseline, add_bptt_ratios

#: ``--amp-dtype`` names and their dtypes.
AMP_DTYPES = dict(float16=torch.float16, bfloat16=torch.bfloat16)


def autocast_dtype(device: str, name: Optional[str] = None) -> torch.dtype:
    """The autocast dtype of a benchmark: ``name`` (a key of
    :data:`AMP_DTYPES`), else float16 on CUDA (with loss scaling) and
    bfloat16 on CPU."""
    return AMP_DTYPES[name or ('float16' if device.startswith('cuda') else
                               'bfloat16')]


@dataclass
class Comparison:
    """What the SNN is benchmarked against: by default its ANN twin (the
    same network with ``ann_act`` for every neuron, run at batch T x B).

    Args:
        per_step (bool): The per-step reference path of the same SNN
            instead (T sequential single-step passes).
        variant_set (dict): A copy of the SNN with these attributes set
            on every module that has them (:func:`set_module_attrs`).
        variant_channels_last (bool): A copy of the SNN whose weights and
            input images are in channels-last memory format.
        variant_compile (bool): A copy of the SNN whose backbone and neck
            are ``torch.compile``'d.
        ann_model (dict, optional): The model config of an ANN to compare
            with instead of the twin.
        ann_name (str, optional): What to call that ANN (its config file).
        ann_act (str): Activation type of the twin (``LeakyReLU`` gets
            ``negative_slope=0.1``). Defaults to ``'LeakyReLU'``.
    """
    per_step: bool = False
    variant_set: Dict[str, object] = field(default_factory=dict)
    variant_channels_last: bool = False
    variant_compile: bool = False
    ann_model: Optional[dict] = None
    ann_name: Optional[str] = None
    ann_act: str = 'LeakyReLU'

    @property
    def has_variant(self) -> bool:
        """Whether the SNN is compared with a changed copy of itself."""
        return bool(self.variant_set or self.variant_channels_last
                    or self.variant_compile)

    def describe(self) -> str:
        """What the SNN is compared with, in words."""
        if self.per_step:
            return 'per-step reference path of the same SNN'
        if self.has_variant:
            changes = [str(dict(self.variant_set))] if self.variant_set \
                else []
            if self.variant_channels_last:
                changes.append('channels-last weights and inputs')
            if self.variant_compile:
                changes.append('torch.compile\'d backbone and neck')
            return 'the same SNN with ' + ', '.join(changes)
        return self.ann_name or (f'ANN twin ({self.ann_act}) at batch T x '
                                 'B')

    def build(self, snn: nn.Module, attrs: Dict[str, object],
              device: str) -> Optional[nn.Module]:
        """Set ``attrs`` on the SNN and build what it is compared with.

        The twin is built before ``attrs`` are set (it keeps the modules'
        defaults); a variant after (it differs only in its own changes).

        Args:
            snn (nn.Module): The spiking detector, moved to ``device``.
            attrs (dict): Attributes set on every SNN module that has them.
            device (str): Where the models run.

        Returns:
            nn.Module or None: The other model, on ``device``; None for the
            per-step comparison.
        """
        if self.per_step or self.has_variant:
            set_module_attrs(snn, attrs)
            snn.to(device)
            if self.per_step:
                return None
            variant = copy.deepcopy(snn)
            if self.variant_set:
                set_module_attrs(variant, self.variant_set)
            variant.to(device)
            if self.variant_channels_last:
                variant.to(memory_format=torch.channels_last)
            if self.variant_compile:
                for name in ('backbone', 'neck'):
                    if getattr(variant, name, None) is not None:
                        setattr(variant, name,
                                torch.compile(getattr(variant, name)))
            return variant
        if self.ann_model is not None:
            ann = MODELS.build(self.ann_model)
        else:
            act = dict(type=self.ann_act, inplace=True)
            if self.ann_act == 'LeakyReLU':
                act['negative_slope'] = 0.1
            ann = build_ann_twin(snn, act_cfg=act)
        set_module_attrs(snn, attrs)  # after the twin: it keeps the defaults
        snn.to(device)
        return ann.to(device)


def benchmark_snn(cfg: Config,
                  comparison: Comparison,
                  attrs: Optional[Dict[str, object]] = None,
                  time_steps: Optional[int] = None,
                  batch: int = 1,
                  shape: Sequence[int] = (416, 416),
                  mode: str = 'train',
                  iters: int = 10,
                  warmup: int = 2,
                  device: str = 'cpu',
                  amp_dtype: Optional[torch.dtype] = None,
                  measure_memory: bool = True,
                  progress: bool = True,
                  seed: int = 0,
                  name: Optional[str] = None,
                  profile_steps: int = 0) -> dict:
    """Step time, throughput and peak memory of the SNN of ``cfg`` against
    ``comparison``, timed in turns after a warm-up (:func:`run_benchmark`).

    Args:
        cfg (Config): The SNN's config (its ``model`` and
            ``optim_wrapper``), default scope entered.
        comparison (Comparison): What the SNN is compared with.
        attrs (dict, optional): Attributes set on every SNN module that has
            them (``backend``, ``with_cp``, ``encode_once``, ...).
        time_steps (int, optional): T; None keeps the config's.
        batch (int): The SNN's batch B (the twin runs T x B images).
            Defaults to 1.
        shape (Sequence[int]): Input ``(H, W)``. Defaults to (416, 416).
        mode (str): ``'train'`` or ``'infer'`` (:func:`make_step`).
            Defaults to ``'train'``.
        iters (int): Timed rounds, each running every model once.
            Defaults to 10.
        warmup (int): Untimed rounds first. Defaults to 2.
        device (str): ``'cpu'`` or a CUDA device. Defaults to ``'cpu'``.
        amp_dtype (torch.dtype, optional): Autocast dtype; None: off.
        measure_memory (bool): Measure the peak memory of each step.
            Defaults to True.
        progress (bool): Show a progress bar. Defaults to True.
        seed (int): Seed of the weights and the synthetic data.
            Defaults to 0.
        name (str, optional): The SNN's config file, for the result and
            messages.
        profile_steps (int): After the timing, profile this many steps of
            the two compared models (:func:`~.profile.profile_step`,
            ``profile`` in the result); 0: none. Defaults to 0.

    Returns:
        dict: :func:`run_benchmark`'s result, with what was compared and
        how (``config``: ``name``, ``compared_with``, ``set``, ``mode``,
        ``time_steps``, ``batch``, ``shape``, ``device``, ``torch``,
        ``amp``, ``neuron_backend``, ``with_cp``, ``encode_once``, ``iters``,
        ``warmup``) and, with ``profile_steps``, ``profile`` (name ->
        profile of the ratio's two models).

    Raises:
        InputError: The model has no spiking neuron.
    """
    attrs = dict(attrs or {})
    torch.manual_seed(seed)
    snn = MODELS.build(cfg.model)
    if not any(True for _ in spiking_modules(snn)):
        raise InputError(f'{name or "the config"}: model {cfg.model.type} '
                         'has no IF neuron; give the config of a spiking '
                         'model')
    if time_steps is not None:
        snn.time_steps = time_steps
    time_steps = snn.time_steps
    other = comparison.build(snn, attrs, device)
    shape = tuple(shape)

    def step_of(model, images, path='folded', channels_last=False):
        data = synthetic_batch(model, images, shape, seed=seed)
        if channels_last:
            data['inputs'] = data['inputs'].contiguous(
                memory_format=torch.channels_last)
        optim = build_benchmark_optim_wrapper(
            model, cfg.optim_wrapper, device, amp_dtype) \
            if mode == 'train' else None
        return make_step(model, data, mode, path, optim, amp_dtype, device)

    steps: Dict[str, Tuple] = dict()
    if comparison.per_step:
        steps['folded'] = (step_of(snn, batch), batch)
        steps['per_step'] = (step_of(snn, batch, 'per_step'), batch)
        ratio = ('per_step', 'folded')
    elif comparison.has_variant:
        steps['snn'] = (step_of(snn, batch), batch)
        steps['variant'] = (step_of(
            other, batch, channels_last=comparison.variant_channels_last),
                            batch)
        ratio = ('snn', 'variant')
    else:
        steps['snn'] = (step_of(snn, batch), batch)
        steps['ann'] = (step_of(other, time_steps * batch),
                        time_steps * batch)
        add_bptt_baseline(steps, snn, lambda m: step_of(m, batch), batch)
        ratio = ('snn', 'ann')
    result = run_benchmark(steps, ratio, iters=iters, warmup=warmup,
                           device=device, measure_memory=measure_memory,
                           progress=progress)
    if profile_steps:
        model_of = dict(ann=other, variant=other)
        result['profile'] = {
            key: profile_step(steps[key][0], profile_steps,
                              model_of.get(key, snn))
            for key in ratio}
    neurons = [n for _, n in spiking_modules(snn)]
    result.update(
        config=name,
        compared_with=comparison.describe(),
        set=attrs,
        mode=mode,
        time_steps=time_steps,
        batch=batch,
        shape=list(shape),
        device=describe_device(device),
        torch=torch.__version__,
        amp=str(amp_dtype).replace('torch.', '') if amp_dtype else None,
        neuron_backend=sorted({n.backend for n in neurons}),
        with_cp=bool(getattr(snn.backbone, 'with_cp', False)),
        encode_once=getattr(snn.backbone, 'encode_once', None),
        iters=iters,
        warmup=warmup)
    return add_bptt_ratios(result, snn)
