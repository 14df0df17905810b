"""Event transforms: per-bin counts, voxel grids, and geometric transforms
that move events and boxes together."""
import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes

from mmsnn.datasets.transforms import (PIPELINE_EVENT_DTYPE,
                                       EventsToHistogram,
                                       EventsToPolarityFrames,
                                       EventsToVoxelGrid,
                                       LoadPropheseeEvents,
                                       PackEventDetInputs, PadEvents,
                                       RandomFlipEvents, ResizeEvents)
from mmsnn.utils import ConfigValueError
from tests.test_datasets.gen1_files import write_dat

H, W, WINDOW = 6, 8, 1000


def _events(rows):
    """rows: (t, pixel x, pixel y, p) -> pipeline events (pixel centres)."""
    ev = np.zeros(len(rows), PIPELINE_EVENT_DTYPE)
    for i, (t, x, y, p) in enumerate(rows):
        ev[i] = (t, x + 0.5, y + 0.5, p)
    return ev


def _results(rows, boxes=None):
    res = dict(events=_events(rows), window_us=WINDOW, img_shape=(H, W),
               ori_shape=(H, W))
    if boxes is not None:
        res['gt_bboxes'] = HorizontalBoxes(torch.tensor(boxes,
                                                        dtype=torch.float32))
        res['gt_bboxes_labels'] = np.zeros(len(boxes), np.int64)
    return res


def _random_rows(n, seed=0):
    rng = np.random.default_rng(seed)
    return list(zip(rng.integers(0, WINDOW, n), rng.integers(0, W, n),
                    rng.integers(0, H, n), rng.integers(0, 2, n)))


def test_histogram_counts_each_bin_and_polarity():
    # 4 bins of 250 us; bin edges: 0, 250, 500, 750.
    rows = [(0, 1, 2, 1), (249, 1, 2, 1), (250, 1, 2, 1),  # ON, bins 0,0,1
            (10, 1, 2, 0),  # OFF at the same pixel, bin 0
            (999, 7, 5, 0), (750, 7, 5, 0),  # bin 3, OFF, corner pixel
            (500, 3, 0, 1)]  # bin 2
    img = EventsToHistogram(num_bins=4).transform(_results(rows))['img']
    assert img.shape == (4, 2, H, W) and img.dtype == np.float32
    expected = np.zeros((4, 2, H, W), np.float32)
    expected[0, 1, 2, 1] = 2
    expected[1, 1, 2, 1] = 1
    expected[0, 0, 2, 1] = 1
    expected[3, 0, 5, 7] = 2
    expected[2, 1, 0, 3] = 1
    np.testing.assert_array_equal(img, expected)


def test_histogram_totals_equal_events_per_bin_and_polarity():
    rows = _random_rows(500)
    img = EventsToHistogram(num_bins=5).transform(_results(rows))['img']
    for k in range(5):
        for p in (0, 1):
            n = sum(1 for t, _, _, q in rows
                    if q == p and k * 200 <= t < (k + 1) * 200)
            assert img[k, p].sum() == n


def test_voxel_grid_splits_each_event_between_two_sub_bins():
    # Zhu et al.: 2 steps x 2 sub-bins, t* = (4 - 1) t / 1000 in [0, 3].
    rows = [(0, 0, 0, 1),  # t* = 0, the window's start: +1 on sub-bin 0
            (500, 1, 0, 0),  # t* = 1.5: -0.5 on sub-bins 1 and 2
            (999, 2, 0, 1),  # t* = 2.997: +0.003 on 2, +0.997 on 3
            (250, 3, 0, 1)]  # t* = 0.75: +0.25 on 0, +0.75 on 1
    img = EventsToVoxelGrid(num_bins=2, bins_per_step=2).transform(
        _results(rows))['img']
    assert img.shape == (2, 2, H, W)
    sub_bins = img.reshape(4, H, W)[:, 0, :4]  # [sub-bin, pixel x]
    expected = [[1, 0, 0, 0.25],
                [0, -0.5, 0, 0.75],
                [0, -0.5, 0.003, 0],
                [0, 0, 0.997, 0]]
    np.testing.assert_allclose(sub_bins, expected, atol=1e-6)
    # Every event weighs 1 in total, at the window's edges too.
    assert np.abs(img).sum() == pytest.approx(len(rows))


def test_voxel_grid_of_one_sub_bin_counts_signed_events():
    rows = [(0, 1, 1, 1), (999, 1, 1, 1), (400, 2, 3, 0)]
    img = EventsToVoxelGrid(num_bins=1, bins_per_step=1).transform(
        _results(rows))['img']
    assert img[0, 0, 1, 1] == 2 and img[0, 0, 3, 2] == -1
    assert np.abs(img).sum() == 3


def test_polarity_frames_paint_the_last_event_of_each_bin():
    # EMS-YOLO's Gen1 frames: grey 127, ON 255, OFF 0, the last event wins
    rows = [(0, 1, 2, 1), (100, 1, 2, 0),  # bin 0: ON then OFF -> 0
            (300, 1, 2, 1),  # bin 1 -> 255
            (10, 4, 4, 0), (20, 4, 4, 1),  # bin 0: OFF then ON -> 255
            (999, 7, 5, 0)]  # bin 3 -> 0
    img = EventsToPolarityFrames(num_bins=4).transform(_results(rows))['img']
    assert img.shape == (4, 3, H, W) and img.dtype == np.float32
    expected = np.full((4, H, W), 127., np.float32)
    expected[0, 2, 1] = 0
    expected[1, 2, 1] = 255
    expected[0, 4, 4] = 255
    expected[3, 5, 7] = 0
    for c in range(3):
        np.testing.assert_array_equal(img[:, c], expected)
    many = _random_rows(500)
    img = EventsToPolarityFrames(num_bins=5, channels=1).transform(
        _results(many))['img']
    last = {}  # the event stream's order is time order: the later wins
    for t, x, y, p in many:
        last[(t * 5 // WINDOW, y, x)] = 255. if p else 0.
    for (k, y, x), value in last.items():
        assert img[k, 0, y, x] == value
    assert (img == 127).sum() == img.size - len(last)


def test_bad_num_bins():
    with pytest.raises(ConfigValueError, match='num_bins'):
        EventsToHistogram(num_bins=0)


def test_flip_moves_events_and_boxes_together():
    rows = _random_rows(300)
    box = [1., 2., 4., 5.]  # pixels 1-3 x 2-4
    res = _results(rows, [box])
    before = EventsToHistogram(2).transform(dict(res))['img']
    flip = RandomFlipEvents(prob=1.0, direction='horizontal')
    out = flip.transform(res)
    after = EventsToHistogram(2).transform(dict(out))['img']
    np.testing.assert_array_equal(after, before[..., ::-1])
    assert out['gt_bboxes'].tensor.tolist() == [[W - 4., 2., W - 1., 5.]]
    assert out['flip'] and out['flip_direction'] == 'horizontal'
    # The events inside the box are the same before and after.
    x1, y1, x2, y2 = out['gt_bboxes'].tensor[0].tolist()
    inside = lambda ev, b: ((ev['x'] > b[0]) & (ev['x'] < b[2]) &  # noqa
                            (ev['y'] > b[1]) & (ev['y'] < b[3]))
    kept = inside(_events(rows), box)
    assert kept.any()
    np.testing.assert_array_equal(kept,
                                  inside(out['events'], [x1, y1, x2, y2]))
    np.testing.assert_array_equal(out['homography_matrix'],
                                  [[-1, 0, W], [0, 1, 0], [0, 0, 1]])


def test_resize_scales_events_boxes_and_records_scale_factor():
    rows = [(0, 7, 5, 1), (10, 0, 0, 0)]
    res = ResizeEvents(scale=(16, 12)).transform(
        _results(rows, [[2., 2., 6., 4.]]))
    assert res['img_shape'] == (12, 16)
    assert res['scale_factor'] == (2.0, 2.0)
    assert res['gt_bboxes'].tensor.tolist() == [[4., 4., 12., 8.]]
    assert res['gt_in_frame']  # the boxes moved with the events
    # Annotations loaded after the resize stay in sensor pixels.
    assert not ResizeEvents(scale=(16, 12)).transform(
        _results(rows))['gt_in_frame']
    img = EventsToHistogram(1).transform(res)['img']
    assert img.shape == (1, 2, 12, 16)
    assert img[0, 1, 11, 15] == 1 and img[0, 0, 1, 1] == 1


def test_pad_enlarges_the_canvas_only():
    rows = [(0, 7, 5, 1)]
    res = PadEvents(size_divisor=4).transform(_results(rows, [[0., 0., 2.,
                                                               2.]]))
    assert res['pad_shape'] == (8, 8) and res['img_shape'] == (8, 8)
    img = EventsToHistogram(1).transform(res)['img']
    assert img.shape == (1, 2, 8, 8) and img[0, 1, 5, 7] == 1
    assert res['gt_bboxes'].tensor.tolist() == [[0., 0., 2., 2.]]


def test_load_reads_the_window_before_the_label(tmp_path):
    path = tmp_path / 'r_td.dat'
    write_dat(path, [(100, 1, 1, 1), (1000, 2, 2, 0), (1999, 3, 3, 1),
                     (2000, 4, 4, 1)])
    res = LoadPropheseeEvents().transform(
        dict(events_path=str(path), timestamp=2000, window_us=1000,
             height=H, width=W))
    ev = res['events']
    assert ev['t'].tolist() == [0, 999]  # [1000, 2000), from the start
    assert ev['x'].tolist() == [2.5, 3.5] and ev['p'].tolist() == [0, 1]
    assert res['img_shape'] == res['ori_shape'] == (H, W)


def test_pack_keeps_t_c_h_w():
    res = EventsToHistogram(3).transform(_results(_random_rows(20),
                                                  [[0., 0., 2., 2.]]))
    res.update(timestamp=5, recording='r', img_id='r@5')
    packed = PackEventDetInputs().transform(res)
    assert packed['inputs'].shape == (3, 2, H, W)
    assert packed['inputs'].dtype == torch.float32
    sample = packed['data_samples']
    assert sample.timestamp == 5 and sample.recording == 'r'
    assert sample.gt_instances.bboxes.tensor.tolist() == [[0., 0., 2., 2.]]
