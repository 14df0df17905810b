"""mmsnn.visualization.event_drawing: ON/OFF colours, boxes on the frame's
pixels, what a sample's boxes become on its frame."""
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData

from mmsnn.visualization import (DET_COLOR, GT_COLOR, draw_event_frame,
                                 event_picture, sample_boxes, sample_name)


def on_off_pixels(img):
    """Numbers of ON-red and OFF-blue pixels of a BGR picture (boxes are
    green and orange, text black: none of them counts)."""
    b, g, r = (img[..., i].astype(int) for i in range(3))
    on = (r > b + 100) & (abs(g - b) < 10)
    off = (b > r + 100) & (g > r)
    return int(on.sum()), int(off.sum())


def colour_pixels(img, bgr):
    return int((img == np.array(bgr, np.uint8)).all(-1).sum())


def test_on_off_colours():
    frame = np.zeros((2, 4, 4), np.float32)
    frame[1, 0, 0] = 3  # ON only
    frame[0, 3, 3] = 3  # OFF only
    img = event_picture(frame, zoom=1)
    assert img.shape == (4, 4, 3)
    assert tuple(img[1, 1]) == (255, 255, 255)  # no events: white
    b, g, r = img[0, 0].astype(int)
    assert r > b + 100  # ON red
    b, g, r = img[3, 3].astype(int)
    assert b > r + 100  # OFF blue
    assert on_off_pixels(img) == (1, 1)


def test_signed_frames_show_positive_red_negative_blue():
    frame = np.zeros((5, 2, 2), np.float32)  # e.g. a voxel grid's bins
    frame[:, 0, 0] = 1
    frame[:, 1, 1] = -1
    assert on_off_pixels(event_picture(frame, zoom=1)) == (1, 1)


def test_boxes_on_the_frame_pixels_at_zoom():
    frame = np.zeros((2, 20, 40), np.float32)
    frame[1, 12, 35] = 2
    gt = (np.array([[10., 5, 30, 15]]), np.array([0]))
    dets = (np.array([[0., 0, 8, 8]]), np.array([1]), np.array([0.9]))
    img = draw_event_frame(frame, gt, dets, ('car', 'pedestrian'), zoom=2,
                           title='window')
    assert img.shape == (40, 80, 3)
    assert tuple(img[20, 20]) == GT_COLOR  # left edge of the gt box, x 2
    assert tuple(img[14, 0]) == DET_COLOR  # left edge of the detection
    assert on_off_pixels(img)[0] == 4  # one ON pixel, zoomed 2 x 2
    # No boxes: just the events.
    assert colour_pixels(draw_event_frame(frame, None, None), GT_COLOR) == 0


def test_sample_boxes_lie_on_the_frame_and_drop_low_scores():
    sample = DetDataSample(metainfo=dict(img_id='rec_0@150000',
                                         scale_factor=(0.5, 0.25)))
    assert sample_boxes(sample) == (None, None)
    sample.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor([[20., 40, 60, 80]])),
        labels=torch.tensor([1]))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[0., 0, 40, 40], [4, 4, 8, 8]]),
        labels=torch.tensor([0, 1]), scores=torch.tensor([0.9, 0.1]))
    (gt_boxes, gt_labels), (boxes, labels, scores) = sample_boxes(sample,
                                                                  0.3)
    np.testing.assert_allclose(gt_boxes, [[10, 10, 30, 20]])  # sensor x s
    assert gt_labels.tolist() == [1]
    np.testing.assert_allclose(boxes, [[0, 0, 20, 10]])
    assert labels.tolist() == [0]
    np.testing.assert_allclose(scores, [0.9])
    assert sample_name(sample) == 'rec_0_t150000'


def test_ground_truth_resized_with_the_events_is_not_scaled_again():
    # A train pipeline loads annotations before ResizeEvents: its ground
    # truth is in frame pixels already; detections stay in sensor pixels.
    sample = DetDataSample(metainfo=dict(scale_factor=(0.5, 0.25),
                                         gt_in_frame=True))
    sample.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor([[10., 10, 30, 20]])),
        labels=torch.tensor([0]))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[20., 40, 60, 80]]), labels=torch.tensor([0]),
        scores=torch.tensor([0.9]))
    (gt_boxes, _), (boxes, _, _) = sample_boxes(sample)
    np.testing.assert_allclose(gt_boxes, [[10, 10, 30, 20]])
    np.testing.assert_allclose(boxes, [[10, 10, 30, 20]])
