"""YOLOv5's box parametrisation: ultralytics' Detect decoding, and the
encoding that inverts it."""
import torch
from mmdet.models.task_modules.prior_generators import YOLOAnchorGenerator

from mmsnn.models.task_modules import YOLOV5BBoxCoder


def test_decode_is_ultralytics_detect():
    # Detect (inference): y = sigmoid(t); xy = (2 y - 0.5 + grid) * stride;
    # wh = (2 y)^2 * anchor (pixels)
    anchors = [(10, 14), (23, 27), (37, 58)]
    gen = YOLOAnchorGenerator(strides=[16], base_sizes=[anchors])
    priors = gen.grid_priors([(3, 4)], device='cpu')[0]  # anchor fastest
    t = torch.randn(len(priors), 4)
    y = t.sigmoid()
    cell = torch.arange(len(priors)) // 3
    grid = torch.stack([cell % 4, cell // 4], 1).float()
    anchor = torch.tensor(anchors).float().repeat(12, 1)
    xy = (y[:, :2] * 2 - 0.5 + grid) * 16
    wh = (y[:, 2:] * 2)**2 * anchor
    theirs = torch.cat([xy - wh / 2, xy + wh / 2], 1)
    given = torch.cat([y[:, :2], t[:, 2:]], 1)  # as YOLOV3Head passes it
    ours = YOLOV5BBoxCoder().decode(priors, given, 16)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-4)


def test_encode_inverts_decode():
    coder = YOLOV5BBoxCoder()
    priors = torch.tensor([[0., 0., 20., 30.], [40., 8., 120., 72.]])
    given = torch.tensor([[0.3, 0.7, -0.4, 1.1], [0.55, 0.2, 0.8, -1.3]])
    boxes = coder.decode(priors, given, 16)
    torch.testing.assert_close(coder.encode(priors, boxes, 16), given,
                               rtol=1e-5, atol=1e-5)
