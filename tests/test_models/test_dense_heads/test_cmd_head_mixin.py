"""CMDHeadMixin on mmdet's RetinaHead and FCOSHead: the towers spike, the
prediction convs decode by Current Mean Decoding (bias once)."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import FCOSHead, RetinaHead

from mmsnn.models.dense_heads import CMDFCOSHead, CMDRetinaHead
from mmsnn.models.time import mark_time_folded
from mmsnn.models.neurons import BaseSpikingNeuron

T, B, C = 3, 2, 8
SIZES = (8, 4)
ANCHORS = dict(type='AnchorGenerator', octave_base_scale=4,
               scales_per_octave=1, ratios=[1.0], strides=[8, 16])
GN = dict(type='GN', num_groups=4, requires_grad=True)


def make_head(cls, decode_mode='mean', **kwargs):
    torch.manual_seed(0)
    if issubclass(cls, RetinaHead):
        kwargs.update(anchor_generator=ANCHORS)
    else:
        kwargs.update(strides=[8, 16], norm_cfg=GN)
    head = cls(num_classes=3, in_channels=C, feat_channels=C,
               stacked_convs=2, time_steps=T, decode_mode=decode_mode,
               **kwargs)
    head.init_weights()
    return head.eval()


def spikes():
    g = torch.Generator().manual_seed(1)
    return mark_time_folded(tuple(
        (torch.rand(T * B, C, s, s, generator=g) < 0.4).float()
        for s in SIZES), T)


def per_step_mean(conv, x):
    """1/T sum_t (W s[t] + b), each step by hand."""
    return torch.stack([
        F.conv2d(x[t * B:(t + 1) * B], conv.weight, conv.bias,
                 padding=conv.padding) for t in range(T)]).mean(0)


@torch.no_grad()
def test_retina_cmd_mean_is_mean_of_per_step_currents():
    head = make_head(CMDRetinaHead)
    x = spikes()
    cls_scores, bbox_preds = head(x)
    for level, feat in enumerate(x):
        cls_feat, reg_feat = feat, feat
        for conv in head.cls_convs:
            cls_feat = conv(cls_feat)  # spikes, [T*B, C, h, w]
        for conv in head.reg_convs:
            reg_feat = conv(reg_feat)
        assert set(cls_feat.unique().tolist()) <= {0., 1.}
        assert cls_scores[level].shape[0] == B
        torch.testing.assert_close(cls_scores[level],
                                   per_step_mean(head.retina_cls, cls_feat))
        torch.testing.assert_close(bbox_preds[level],
                                   per_step_mean(head.retina_reg, reg_feat))
    sum_head = make_head(CMDRetinaHead, 'sum')
    for a, b in zip(sum_head(x)[0], cls_scores):
        torch.testing.assert_close(a, T * b)


@pytest.mark.parametrize('cls', [CMDRetinaHead, CMDFCOSHead])
@pytest.mark.parametrize('mode, factor', [('mean', 1), ('sum', T)])
@torch.no_grad()
def test_bias_counts_once_for_mean(cls, mode, factor):
    head = make_head(cls, mode)
    for conv in head.prediction_layers():
        conv.weight.data.zero_()
        conv.bias.data.copy_(torch.linspace(-1, 1, conv.bias.numel()))
    outs = head(spikes())
    cls_scores = outs[0]
    conv = head.prediction_layers()[0]
    for out in cls_scores:
        expected = (factor * conv.bias).view(1, -1, 1, 1).expand_as(out)
        torch.testing.assert_close(out, expected)


@torch.no_grad()
def test_fcos_decodes_before_scale_and_exp():
    head = make_head(CMDFCOSHead)
    x = spikes()
    cls_scores, bbox_preds, centernesses = head(x)
    for level, feat in enumerate(x):
        cls_feat, reg_feat = feat, feat
        for conv in head.cls_convs:
            cls_feat = conv(cls_feat)
        for conv in head.reg_convs:
            reg_feat = conv(reg_feat)
        torch.testing.assert_close(cls_scores[level],
                                   per_step_mean(head.conv_cls, cls_feat))
        torch.testing.assert_close(
            centernesses[level], per_step_mean(head.conv_centerness,
                                               cls_feat))
        current = per_step_mean(head.conv_reg, reg_feat)
        torch.testing.assert_close(bbox_preds[level],
                                   head.scales[level](current).exp())


@pytest.mark.parametrize('cls, stock', [(CMDRetinaHead, RetinaHead),
                                        (CMDFCOSHead, FCOSHead)])
def test_towers_spike_and_names_are_mmdets(cls, stock):
    head = make_head(cls)
    neurons = [m for m in head.modules() if isinstance(m, BaseSpikingNeuron)]
    assert neurons and not any(
        isinstance(m, torch.nn.ReLU) for m in head.modules())
    kwargs = dict(anchor_generator=ANCHORS) if stock is RetinaHead else \
        dict(strides=[8, 16], norm_cfg=GN)
    ann = stock(num_classes=3, in_channels=C, feat_channels=C,
                stacked_convs=2, **kwargs)
    for mode in ('mean', 'sum', 'rate'):
        make_head(cls, mode).load_state_dict(ann.state_dict(), strict=True)


@torch.no_grad()
def test_rate_mode_outputs_firing_rates():
    head = make_head(CMDRetinaHead, 'rate')
    assert len(head.pred_neurons) == 2
    for out in head(spikes())[0]:
        assert out.min() >= 0 and out.max() <= 1
        torch.testing.assert_close(out * T, (out * T).round())


def test_mismatched_t_and_missing_layers_are_errors():
    head = make_head(CMDRetinaHead)
    with pytest.raises(ValueError, match='time_steps=3.*time_steps=2'):
        head(mark_time_folded(spikes(), 2))

    class NoLayers(CMDRetinaHead):
        cmd_layers = ()

    with pytest.raises(TypeError, match='cmd_layers'):
        NoLayers(num_classes=3, in_channels=C)


def test_docs_worked_example_atss():
    """docs/mixing.md: a head mmsnn does not ship is one short class."""
    from mmdet.models.dense_heads import ATSSHead
    from mmdet.models.detectors import ATSS
    from mmdet.registry import MODELS
    from mmsnn.models.dense_heads import CMDHeadMixin
    from mmsnn.models.detectors import SpikingDetectorMixin, spiking_detector

    class CMDATSSHead(CMDHeadMixin, ATSSHead):
        cmd_layers = ('atss_cls', 'atss_reg', 'atss_centerness')

    SpikingATSS = spiking_detector(ATSS, name='SpikingATSSInTest')
    assert MODELS.get('SpikingATSSInTest') is SpikingATSS
    # Unregister at once: later tests count what `import mmsnn` registers.
    MODELS.module_dict.pop('SpikingATSSInTest')
    assert issubclass(SpikingATSS, (SpikingDetectorMixin, ATSS))
    torch.manual_seed(0)
    head = CMDATSSHead(num_classes=3, in_channels=C, feat_channels=C,
                       stacked_convs=1, time_steps=T, norm_cfg=GN,
                       anchor_generator=ANCHORS).eval()
    assert any(isinstance(m, BaseSpikingNeuron) for m in head.modules())
    x = spikes()
    with torch.no_grad():
        cls_scores, bbox_preds, centernesses = head(x)
        cls_feat = x[0]
        for conv in head.cls_convs:
            cls_feat = conv(cls_feat)
    torch.testing.assert_close(cls_scores[0],
                               per_step_mean(head.atss_cls, cls_feat))
    assert bbox_preds[0].shape[0] == centernesses[0].shape[0] == B
