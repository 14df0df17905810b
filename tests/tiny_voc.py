"""A tiny VOC-format data set and a tiny training config, for runner tests.

Written into a test's ``tmp_path`` so the tests own their data; the real
mini data set generator (tools/misc/make_mini_voc.py) is not needed.
"""
import itertools
import os
import os.path as osp

import numpy as np

CLASSES = ('box', 'bar', 'dot')
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

_XML = """<annotation>
  <filename>{img_id}.jpg</filename>
  <size><width>{w}</width><height>{h}</height><depth>3</depth></size>
{objects}</annotation>
"""
_OBJECT = """  <object>
    <name>{name}</name>
    <difficult>0</difficult>
    <bndbox><xmin>{x1}</xmin><ymin>{y1}</ymin><xmax>{x2}</xmax>\
<ymax>{y2}</ymax></bndbox>
  </object>
"""


def write_tiny_voc(root, num_train=4, num_test=2, size=64, seed=0):
    """Write ``root/VOC2007/{JPEGImages,Annotations,ImageSets/Main}``.

    Each image holds one or two filled rectangles on noise; the XML boxes are
    their exact extents (VOC's 1-based coordinates).

    Returns:
        str: ``root`` (the data_root to use, with a trailing slash).
    """
    import cv2
    rng = np.random.default_rng(seed)
    voc = osp.join(root, 'VOC2007')
    for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
        os.makedirs(osp.join(voc, sub), exist_ok=True)
    ids = [f'{i:06d}' for i in range(num_train + num_test)]
    for img_id in ids:
        img = rng.integers(0, 80, (size, size, 3), dtype=np.uint8)
        objects = []
        for _ in range(rng.integers(1, 3)):
            label = int(rng.integers(len(CLASSES)))
            w, h = rng.integers(size // 4, size // 2, 2)
            x1, y1 = rng.integers(0, size - max(w, h), 2)
            img[y1:y1 + h, x1:x1 + w] = (80 + 80 * label, 200,
                                         255 - 60 * label)
            objects.append(_OBJECT.format(name=CLASSES[label], x1=x1 + 1,
                                          y1=y1 + 1, x2=x1 + w, y2=y1 + h))
        cv2.imwrite(osp.join(voc, 'JPEGImages', f'{img_id}.jpg'), img)
        with open(osp.join(voc, 'Annotations', f'{img_id}.xml'), 'w') as f:
            f.write(_XML.format(img_id=img_id, w=size, h=size,
                                objects=''.join(objects)))
    for split, split_ids in (('trainval', ids[:num_train]),
                             ('test', ids[num_train:])):
        with open(osp.join(voc, 'ImageSets/Main', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(split_ids) + '\n')
    return osp.join(str(root), '')


def tiny_config_text(data_root, max_epochs=2, time_steps=2, val=False,
                     extra=''):
    """A config file (text) training a narrow SNN-YOLOv3 on tiny VOC data.

    It inherits the real VOC config and states only what makes it tiny, as a
    user's config would.
    """
    base = osp.join(REPO_ROOT, 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    val_part = (f"""
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}, metainfo=metainfo,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={max_epochs}, val_interval=1)
""" if val else f"""
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}, metainfo=metainfo,
                 pipeline=test_pipeline))
train_cfg = dict(max_epochs={max_epochs}, val_interval={max_epochs + 1})
""")
    return f"""_base_ = {base!r}
metainfo = dict(classes={CLASSES!r})
widen = 1 / 16
model = dict(
    time_steps={time_steps},
    backbone=dict(widen_factor=widen, stage_blocks=(1, 1, 1, 1, 1)),
    neck=dict(in_channels=[64, 32, 16], out_channels=[32, 16, 8]),
    bbox_head=dict(num_classes=3, in_channels=[32, 16, 8],
                   out_channels=[64, 32, 16]))
img_scale = (64, 64)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='VOCDataset',
        data_root={data_root!r},
        metainfo=metainfo,
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
{val_part}
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=1e-4, begin=0, end={max_epochs},
         T_max={max_epochs}, by_epoch=True, convert_to_iter_based=True)
]
optim_wrapper = dict(optimizer=dict(lr=1e-2))
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=-1, save_best=None))
randomness = dict(seed=0, deterministic=False)
auto_scale_lr = dict(enable=False)
{extra}
"""


def ann_twin_config_text(snn_config):
    """The ANN twin of an SNN config file (text), as
    configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py is of its SNN: inherit it, LeakyReLU
    for every neuron, T=1."""
    return f"""_base_ = {snn_config!r}
leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(time_steps=1, backbone=dict(neuron_cfg=leaky_relu),
             neck=dict(neuron_cfg=leaky_relu),
             bbox_head=dict(neuron_cfg=leaky_relu))
custom_hooks = []
"""


_runner_ids = itertools.count()


def tiny_runner_cfg(tmp_path, max_epochs=2, val=False, **overrides):
    """A Config for mmengine's Runner: 2 images of 32x32, one iteration an
    epoch, work_dir under ``tmp_path``; ``val``: validate on the test image
    every epoch; ``overrides`` set top-level keys (merged)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    data = osp.join(str(tmp_path), 'data')
    if not osp.isdir(data):
        write_tiny_voc(data, num_train=2, num_test=1, size=32)
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:
        f.write(tiny_config_text(osp.join(data, ''), max_epochs=max_epochs,
                                 val=val)
                .replace('img_scale = (64, 64)', 'img_scale = (32, 32)'))
    init_default_scope('mmdet')
    cfg = Config.fromfile(path)
    cfg.work_dir = osp.join(str(tmp_path), 'work_dir')
    # The Runner names its message hub (which holds keep_ckpt_ids and the
    # stop-signal record) after the second it was built in unless named:
    # two runners built in one second would share it.
    cfg.experiment_name = f'tiny_{next(_runner_ids)}'
    cfg.merge_from_dict(overrides)
    return cfg
