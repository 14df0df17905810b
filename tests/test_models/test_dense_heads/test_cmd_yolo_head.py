import pytest
import torch
import torch.nn.functional as F

from mmsnn.models.dense_heads import CMDYOLOV3Head
from mmsnn.models.neurons import IFNeuron

T, B = 3, 2


def make_head(decode_mode='mean'):
    torch.manual_seed(0)
    head = CMDYOLOV3Head(num_classes=2, in_channels=[16, 8, 4],
                         out_channels=[32, 16, 8], time_steps=T,
                         decode_mode=decode_mode)
    head.init_weights()
    return head.eval()


def spikes():
    return [(torch.rand(T * B, c, s, s) < 0.4).float()
            for c, s in zip([16, 8, 4], [2, 4, 8])]


@pytest.mark.parametrize('mode, factor', [('mean', 1), ('sum', T)])
def test_zero_weights_give_bias_once_or_t_times(mode, factor):
    head = make_head(mode)
    for conv in head.convs_pred:
        conv.weight.data.zero_()
        conv.bias.data.copy_(torch.linspace(-2, 2, conv.bias.numel()))
    for conv, out in zip(head.convs_pred, head(spikes())[0]):
        expected = (factor * conv.bias).view(1, -1, 1, 1).expand_as(out)
        torch.testing.assert_close(out, expected)
        assert out.shape[0] == B


def test_mean_is_mean_over_t_of_per_step_currents():
    # Eq. 6: O = 1/T sum_t (W s[t] + b)
    head = make_head('mean')
    x = spikes()
    outs = head(x)[0]
    for i, out in enumerate(outs):
        bridge = head.convs_bridge[i](x[i])  # spikes, [T*B, C, h, w]
        # the prediction conv decodes when called: its current by hand
        conv = head.convs_pred[i]
        per_step = [F.conv2d(bridge[t * B:(t + 1) * B], conv.weight,
                             conv.bias) for t in range(T)]
        torch.testing.assert_close(out, torch.stack(per_step).mean(0))
        sum_head = make_head('sum')
        torch.testing.assert_close(sum_head(x)[0][i], T * out)


def test_rate_mode_outputs_firing_rates():
    head = make_head('rate')
    assert len(head.pred_neurons) == 3
    assert all(isinstance(n, IFNeuron) for n in head.pred_neurons)
    for out in head(spikes())[0]:
        # multiples of 1/T in [0, 1]
        assert out.min() >= 0 and out.max() <= 1
        torch.testing.assert_close(out * T, (out * T).round())


def test_state_dict_is_mmdet_yolov3_heads():
    from mmdet.models.dense_heads import YOLOV3Head
    ann = YOLOV3Head(num_classes=2, in_channels=[16, 8, 4],
                     out_channels=[32, 16, 8])
    for mode in ('mean', 'sum', 'rate'):
        make_head(mode).load_state_dict(ann.state_dict(), strict=True)


def test_unknown_decode_mode_named():
    with pytest.raises(ValueError, match="'median'"):
        make_head('median')
