"""mmsnn.analysis.energy_images: the test set's images, or noise images of
the test pipeline's size where it is not there."""
import os.path as osp

import torch

from mmsnn.analysis.energy_images import (DEFAULT_SHAPE, energy_images,
                                          synthetic_shape)
from mmsnn.engine.tool_config import load_tool_config
from tests.tiny_voc import tiny_config_text, write_tiny_voc


def tiny_cfg(tmp_path, data_root, img_scale='(32, 32)'):
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:
        f.write(tiny_config_text(data_root).replace(
            'img_scale = (64, 64)', f'img_scale = {img_scale}'))
    return load_tool_config(path)


def test_noise_images_take_the_test_pipelines_size(tmp_path):
    """Without a shape, noise images have the test pipeline's Resize scale
    ((w, h) = (64, 32) here), not 416x416, and the sentence says so."""
    cfg = tiny_cfg(tmp_path, osp.join(str(tmp_path), 'no_such_data', ''),
                   '(64, 32)')
    batches, source, about = energy_images(cfg, 2, seed=1)
    assert source['kind'] == 'synthetic' and source['images'] == 2
    assert source['shape'] == [32, 64]
    assert source['shape_from'] == "the test pipeline's Resize scale"
    assert source['reason'].startswith('FileNotFoundError')
    assert "SYNTHETIC uniform-noise images of 32x64 (the test pipeline's " \
        'Resize scale; --shape H W to change)' in about
    batches = list(batches)
    assert len(batches) == 2
    image = batches[0]['inputs'][0]
    assert image.shape == (3, 32, 64) and image.dtype == torch.uint8
    assert not torch.equal(image, batches[1]['inputs'][0])
    again = next(energy_images(cfg, 2, seed=1)[0])['inputs'][0]
    assert torch.equal(image, again)  # seeded
    assert synthetic_shape(cfg, (40, 48)) == ([40, 48], '--shape')
    del cfg.test_dataloader.dataset.pipeline[1]  # no Resize left
    assert synthetic_shape(cfg)[0] == list(DEFAULT_SHAPE)


def test_the_test_set_when_it_is_there(tmp_path):
    data = write_tiny_voc(osp.join(str(tmp_path), 'data'), num_train=1,
                          num_test=2, size=48)
    cfg = tiny_cfg(tmp_path, data)
    batches, source, about = energy_images(cfg, 5)
    assert source['kind'] == 'test set' and source['images'] == 2
    assert source['dataset'] == 'VOCDataset'
    assert about.startswith('Images: 2 from the test set (VOCDataset, ')
    batches = list(batches)
    assert [b['inputs'][0].shape for b in batches] == [(3, 32, 32)] * 2
    _, source, _ = energy_images(cfg, 5, synthetic=True)
    assert source['kind'] == 'synthetic' and source['reason'] == \
        '--synthetic'
