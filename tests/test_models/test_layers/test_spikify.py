import copy
import pickle

import pytest
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.models.backbones import ResNet
from mmdet.models.dense_heads import RetinaHead
from mmdet.registry import MODELS
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope

from mmsnn.models.layers import TimeRepeat, replace_activations, spikify
from mmsnn.models.neurons import IFNeuron, set_step_mode, spiking_modules
from mmsnn.models.time import fold_time, folded_time_steps

TINY_RESNET = dict(
    type='ResNet', depth=18, base_channels=8, out_indices=(0, 1, 2, 3),
    norm_eval=False)


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def test_replace_activations_kinds_and_sharing():
    relu = nn.ReLU()
    model = nn.Sequential(
        nn.Conv2d(1, 2, 1), relu, nn.Sequential(nn.LeakyReLU(0.1), relu),
        nn.SiLU(), nn.Sigmoid())
    assert replace_activations(model) == 3  # ReLU (twice), LeakyReLU, SiLU
    assert isinstance(model[1], IFNeuron) and model[1] is model[2][1]
    assert isinstance(model[2][0], IFNeuron)
    assert isinstance(model[3], IFNeuron)
    assert isinstance(model[4], nn.Sigmoid)  # gates are left alone

    model = nn.Sequential(nn.ReLU(), nn.LeakyReLU())
    replace_activations(model, act_types=['LeakyReLU'])
    assert isinstance(model[0], nn.ReLU) and isinstance(model[1], IFNeuron)
    with pytest.raises(ValueError, match="'NoSuchAct'"):
        replace_activations(model, act_types=['NoSuchAct'])


def test_shared_neuron_is_exact_in_multi_step_mode():
    # One neuron called at several places (a ResNet block's relu) equals a
    # fresh neuron at each: every multi-step call starts from rest.
    shared = IFNeuron(time_steps=3)
    a, b = torch.rand(6, 4) * 2, torch.rand(6, 4) * 2
    shared(a)
    assert torch.equal(shared(b), IFNeuron(time_steps=3)(b))


def test_spikify_keeps_type_names_and_methods():
    resnet = MODELS.build(TINY_RESNET)
    keys = list(resnet.state_dict())
    model = spikify(resnet, encode=True, time_steps=3)
    assert model is resnet
    assert isinstance(model, ResNet)
    assert type(model).__name__ == 'SpikifiedResNet'
    assert list(model.state_dict()) == keys  # stock checkpoints load
    # every ReLU, stem and blocks, is now a neuron with the module's T
    assert not any(isinstance(m, nn.ReLU) for m in model.modules())
    neurons = [m for _, m in spiking_modules(model)]
    assert len(neurons) == 9 and {n.time_steps for n in neurons} == {3}
    model.time_steps = 2
    assert {n.time_steps for n in neurons} == {2}


def test_spikify_encode_decode_shapes_and_tags():
    x = torch.randn(2, 3, 32, 32)
    folded = MODELS.build(
        dict(type='Spikify', module=TINY_RESNET, encode=True, time_steps=3))
    outs = folded(x)
    assert [o.shape for o in outs] == [(6, 8, 8, 8), (6, 16, 4, 4),
                                      (6, 32, 2, 2), (6, 64, 1, 1)]
    assert folded_time_steps(outs) == 3
    assert set(torch.cat([o.flatten() for o in outs]).unique().tolist()) \
        <= {0., 1.}  # blocks end in a neuron: binary spikes

    decoded = MODELS.build(
        dict(type='Spikify', module=TINY_RESNET, encode=True,
             decode_mode='sum', time_steps=3))
    decoded.load_state_dict(folded.state_dict())
    sums = decoded(x)
    assert [s.shape[0] for s in sums] == [2] * 4
    for s, o in zip(sums, outs):  # spike counts out of T=3 steps
        assert torch.equal(s, o.view(3, 2, *o.shape[1:]).sum(0))


def test_spikify_bad_configs():
    with pytest.raises(ValueError, match='encode=True'):
        MODELS.build(dict(type='Spikify', module=TINY_RESNET))
    with pytest.raises(ValueError, match='decode'):
        spikify(MODELS.build(TINY_RESNET), encode=True, decode_mode='max')
    fpn = dict(type='FPN', in_channels=[4, 8], out_channels=4, num_outs=2)
    with pytest.raises(ValueError, match='act_cfg'):  # FPN: act_cfg=None
        spikify(fpn, encode=False)
    with pytest.raises(ValueError, match='already spikified'):
        spikify(spikify(MODELS.build(TINY_RESNET), encode=True), encode=True)


def test_spikify_time_mismatch_and_double_encoding():
    backbone = spikify(TINY_RESNET, encode=True, time_steps=2)
    neck = spikify(
        dict(type='FPN', in_channels=[8, 16, 32, 64], out_channels=4,
             num_outs=4, act_cfg=dict(type='IFNeuron')),
        encode=False, decode_mode='mean', time_steps=4)
    feats = backbone(torch.randn(2, 3, 32, 32))  # 4 rows: also 4 x 1 image
    with pytest.raises(ValueError, match='time_steps=4.*time_steps=2'):
        neck(feats)
    neck.time_steps = 2
    assert [f.shape[0] for f in neck(feats)] == [2] * 4
    with pytest.raises(ValueError, match='already time-folded'):
        backbone(TimeRepeat(time_steps=2)(torch.randn(1, 3, 32, 32)))


def test_conv_module_with_if_act_cfg_equals_per_step_reference():
    """``act_cfg=dict(type='IFNeuron')`` handles time right: the folded
    multi-step call equals T single-step calls of the same module."""
    torch.manual_seed(0)
    conv = ConvModule(3, 4, 3, padding=1, act_cfg=dict(type='IFNeuron'))
    conv.eval()
    conv.activate.time_steps = 4
    x_seq = torch.randn(4, 2, 3, 8, 8) * 2  # a different input every step
    with torch.no_grad():
        folded = conv(fold_time(x_seq))
        set_step_mode(conv, 's')
        per_step = torch.cat([conv(x) for x in x_seq])
    assert folded.sum() > 0
    assert torch.equal(folded, per_step)


def test_spikified_fpn_equals_per_step_reference():
    torch.manual_seed(0)
    fpn = spikify(
        dict(type='FPN', in_channels=[4, 8], out_channels=4, num_outs=3,
             add_extra_convs='on_output', act_cfg=dict(type='IFNeuron')),
        encode=False, time_steps=3).eval()
    x_seq = [torch.rand(3, 2, 4, 8, 8).round(), torch.rand(3, 2, 8, 4, 4)]
    with torch.no_grad():
        folded = fpn([fold_time(x) for x in x_seq])
        set_step_mode(fpn, 's')
        fpn.time_steps = 1
        steps = [fpn([x[t] for x in x_seq]) for t in range(3)]
    for level, out in enumerate(folded):
        assert torch.equal(out, torch.cat([s[level] for s in steps]))


def test_spikified_head_decodes_in_loss_predict_and_forward():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    torch.manual_seed(0)
    head_cfg = dict(
        type='RetinaHead', num_classes=3, in_channels=4, feat_channels=4,
        stacked_convs=1,
        anchor_generator=dict(
            type='AnchorGenerator', octave_base_scale=4, scales_per_octave=1,
            ratios=[1.0], strides=[8, 16]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0] * 4,
                        target_stds=[1.0] * 4),
        train_cfg=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                          neg_iou_thr=0.4, min_pos_iou=0),
            sampler=dict(type='PseudoSampler'), allowed_border=-1,
            pos_weight=-1, debug=False),
        test_cfg=dict(nms_pre=50, min_bbox_size=0, score_thr=0.0,
                      nms=dict(type='nms', iou_threshold=0.5), max_per_img=5))
    head = spikify(
        ConfigDict(head_cfg), encode=True, decode_mode='mean', time_steps=2)
    assert isinstance(head, RetinaHead)
    feats = (torch.randn(1, 4, 8, 8), torch.randn(1, 4, 4, 4))
    cls_scores, bbox_preds = head.forward(feats)  # direct call, as mmdet's
    assert [c.shape for c in cls_scores] == [(1, 3, 8, 8), (1, 3, 4, 4)]
    # CMD: the prediction conv is linear, so the mean over T of its output
    # equals the conv applied to the mean of the spikes feeding it.
    spikes = head.cls_convs[0](TimeRepeat(time_steps=2)(feats[0]))
    mean_input = spikes.view(2, 1, 4, 8, 8).mean(0)
    assert torch.allclose(cls_scores[0], head.retina_cls(mean_input),
                          atol=1e-6)

    sample = DetDataSample(metainfo=dict(
        img_shape=(64, 64), pad_shape=(64, 64), scale_factor=(1., 1.)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[8., 8., 40., 40.]]), labels=torch.tensor([1]))
    losses = head.loss(feats, [sample])  # calls self(x): decoded too
    sum(sum(v) for v in losses.values()).backward()
    assert head.cls_convs[0].conv.weight.grad.abs().sum() > 0
    head.eval()
    results = head.predict(feats, [sample])
    assert len(results) == 1 and results[0].bboxes.shape[-1] == 4


def test_spikified_module_deep_copies_and_pickles():
    torch.manual_seed(0)
    model = spikify(TINY_RESNET, encode=True, decode_mode='mean', time_steps=3)
    model.eval()
    x = torch.randn(1, 3, 32, 32) * 2
    expected = model(x)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert type(clone) is type(model)
        assert (clone.time_steps, clone.spike_encode, clone.spike_decode) \
            == (3, True, 'mean')
        for a, b in zip(clone(x), expected):
            assert torch.equal(a, b)
