"""EventVisualizationHook: one picture per event sample, drawn from the
sample's frames (not its img_path, a .dat recording), named by sample."""
from types import SimpleNamespace

import mmcv
import pytest
import torch
from mmdet.registry import DATASETS, HOOKS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.visualization import Visualizer

from mmsnn.utils import ConfigValueError
from mmsnn.visualization import DET_COLOR, GT_COLOR, sample_name
from tests.test_tools.test_make_mini_gen1 import tiny_gen1_config
from tests.test_visualization.test_event_drawing import (colour_pixels,
                                                         on_off_pixels)


@pytest.fixture(scope='module')
def event_batch(tmp_path_factory):
    """Three test samples of a tiny mini-Gen1 with their gt, moved 8 px
    right, as predictions (score 0.9), as the test loop hands them to the
    hook."""
    init_default_scope('mmdet')
    cfg = Config.fromfile(str(tiny_gen1_config(
        tmp_path_factory.mktemp('gen1'))))
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(3)])
    for sample in batch['data_samples']:
        gt = sample.gt_instances
        sample.pred_instances = gt.new(
            bboxes=gt.bboxes.tensor + torch.tensor([8., 0, 8, 0]),
            labels=gt.labels.clone(),
            scores=torch.full((len(gt), ), 0.9))
    return batch, dataset.metainfo


def build_hook(metainfo, **kwargs):
    visualizer = Visualizer.get_instance('test_event_visualization_hook')
    visualizer.dataset_meta = metainfo
    return HOOKS.build(dict(type='EventVisualizationHook', **kwargs))


def test_test_out_dir_gets_one_picture_per_sample(event_batch, tmp_path):
    batch, metainfo = event_batch
    hook = build_hook(metainfo, draw=True, test_out_dir='show')
    runner = SimpleNamespace(work_dir=str(tmp_path), timestamp='20261201')
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, batch, batch['data_samples'][:2])
    hook.after_test_iter(runner, 1, dict(inputs=batch['inputs'][2:]),
                         batch['data_samples'][2:])
    hook.after_test(runner)
    # under work_dir/timestamp/, once (not nested again per batch)
    out = tmp_path / '20261201' / 'show'
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f'{sample_name(s)}.png'
                           for s in batch['data_samples'])
    assert len(set(names)) == 3  # one recording, three timestamps
    for sample in batch['data_samples']:
        img = mmcv.imread(str(out / f'{sample_name(sample)}.png'))
        height, width = sample.img_shape
        assert img.shape == (2 * height, 2 * width, 3)  # zoom 2
        on, off = on_off_pixels(img)
        assert on > 50 and off > 50, (on, off)  # the events are drawn
        assert colour_pixels(img, GT_COLOR) > 0
        assert colour_pixels(img, DET_COLOR) > 0  # score 0.9 > score_thr


def test_low_scores_are_not_drawn_and_zoom_sets_the_size(event_batch,
                                                         tmp_path):
    batch, metainfo = event_batch
    hook = build_hook(metainfo, draw=True, zoom=1, score_thr=0.95)
    sample = batch['data_samples'][0]
    img = hook.picture(batch['inputs'][0], sample)
    assert img.shape[:2] == tuple(sample.img_shape)
    assert colour_pixels(img, DET_COLOR) == 0
    assert colour_pixels(img, GT_COLOR) > 0


def test_without_out_dir_pictures_go_to_the_visualizer(event_batch,
                                                       monkeypatch):
    batch, metainfo = event_batch
    hook = build_hook(metainfo, draw=True, interval=1)
    added = []
    monkeypatch.setattr(hook._visualizer, 'add_image',
                        lambda name, image, step: added.append(
                            (name, image.shape, step)))
    runner = SimpleNamespace(iter=4)
    hook.after_val_iter(runner, 1, batch, batch['data_samples'])
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, batch, batch['data_samples'])
    height, width = batch['data_samples'][0].img_shape
    shape = (2 * height, 2 * width, 3)
    assert added == [('val_img', shape, 5)] + [('test_img', shape, i)
                                               for i in (1, 2, 3)]
    hook.draw = False  # mmdet's default: nothing
    hook.after_test_iter(runner, 0, batch, batch['data_samples'])
    assert len(added) == 4


def test_images_and_bad_zoom_are_clear_errors(event_batch):
    batch, metainfo = event_batch
    hook = build_hook(metainfo, draw=True)
    with pytest.raises(ValueError, match=r'event frames \[T, C, H, W\].*'
                       r'shape \(3, 152, 192\); for images use '
                       'DetVisualizationHook'):
        hook.picture(torch.zeros(3, 152, 192), batch['data_samples'][0])
    with pytest.raises(ConfigValueError, match='zoom must be a positive'):
        build_hook(metainfo, zoom=0)
