"""The authors' config is the authors' network (ultralytics YOLOv3-SPP)."""
import math

import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.models.dense_heads import CMDYOLOV3Head
from mmsnn.models.layers import IFNeuron
from mmsnn.utils import ConfigValueError
from tests.conftest import load_config

AUTHORS = 'configs/snn_yolov3/snn-yolov3-spp_d53_8xb8-416-100e_voc2012_t6_authors.py'


def test_authors_config_counts_match_their_released_model():
    # their cfg/my_yolov3.cfg: 62,675,649 parameters, 76 convs, 73 IFNodes
    model = MODELS.build(load_config(AUTHORS).model)
    assert sum(p.numel() for p in model.parameters()) == 62_675_649
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) == 76
    assert sum(isinstance(m, IFNeuron) for m in model.modules()) == 73
    spp = model.neck.detect1.conv3  # the SPP sits inside detect1
    assert (spp.conv1.conv.in_channels, spp.conv1.conv.out_channels) == (
        1024, 512)
    assert (spp.conv2.conv.in_channels, spp.conv2.conv.out_channels) == (
        2048, 512)
    assert [p.kernel_size for p in spp.poolings] == [5, 9, 13]
    assert not hasattr(model.backbone, 'spp')


def test_authors_prediction_bias_init():
    head = CMDYOLOV3Head(num_classes=20, in_channels=[8, 4, 2],
                         out_channels=[16, 8, 4], pred_bias_init='authors')
    head.init_weights()
    for conv in head.convs_pred:
        bias = conv.bias.detach().view(3, 25)
        assert torch.all(bias[:, :4] == 0)
        assert torch.all(bias[:, 4] == -4.5)
        torch.testing.assert_close(
            bias[:, 5:], torch.full((3, 20), math.log(0.6 / 19.01)))
    default = CMDYOLOV3Head(num_classes=20, in_channels=[8, 4, 2],
                            out_channels=[16, 8, 4])
    default.init_weights()
    assert default.convs_pred[0].bias.view(3, 25)[0, 4] != -4.5


def test_bad_pred_bias_init_named():
    with pytest.raises(ConfigValueError, match="pred_bias_init.*'ultra'"):
        CMDYOLOV3Head(num_classes=2, in_channels=[8, 4, 2],
                      out_channels=[16, 8, 4], pred_bias_init='ultra')
