"""The images an energy estimate is measured on: the config's test set, or
synthetic noise images when it is not there (or asked for); event-camera
configs are measured on their test set only."""
from typing import Iterator, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from ..utils.config_tree import iter_transform_cfgs
from ..utils.input_error import InputError

#: Synthetic images' (H, W) when neither a shape nor the test pipeline
#: gives one.
DEFAULT_SHAPE = (416, 416)


def synthetic_shape(cfg: Config, shape: Optional[Sequence[int]] = None
                    ) -> Tuple[List[int], str]:
    """The size of synthetic images and where it comes from.

    Args:
        cfg (Config): The config.
        shape (Sequence[int], optional): ``(H, W)`` asked for
            (``--shape``).

    Returns:
        tuple[list[int], str]: ``[H, W]`` and its origin, for the output:
        ``shape``, else the test pipeline's ``Resize`` scale, else
        :data:`DEFAULT_SHAPE`.
    """
    from mmcv.transforms import Resize
    if shape:
        return list(shape), '--shape'
    for resize in iter_transform_cfgs(cfg, Resize, ('test_dataloader', ),
                                      top_level=False):
        scale = resize.get('scale')
        if isinstance(scale, int):
            scale = (scale, scale)
        if isinstance(scale, (list, tuple)) and len(scale) == 2:
            # mmcv's Resize scale is (w, h)
            return [int(scale[1]), int(scale[0])], \
                "the test pipeline's Resize scale"
    return list(DEFAULT_SHAPE), ('the default: no Resize scale in the '
                                 'test pipeline')


def load_test_set(cfg: Config):
    """The config's test data set, or ``(None, reason)`` when absent.

    Args:
        cfg (Config): The config, default scope entered.

    Returns:
        tuple: The data set (None when it cannot be built or is empty) and
        why not (None when it can).
    """
    from mmdet.registry import DATASETS
    try:
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    except (FileNotFoundError, OSError) as e:
        return None, f'{type(e).__name__}: {e}'
    except InputError as e:
        return None, str(e)
    if not len(dataset):
        return None, 'the test set is empty'
    return dataset, None


def synthetic_batches(num: int, shape: Sequence[int],
                      seed: int) -> Iterator[dict]:
    """Uniform-noise uint8 images as a data loader would give them.

    Args:
        num (int): Number of images (one per batch).
        shape (Sequence[int]): ``(H, W)``.
        seed (int): Seed of the noise.

    Yields:
        dict: ``inputs`` (one ``[3, H, W]`` uint8 tensor) and
        ``data_samples``.
    """
    from mmdet.structures import DetDataSample
    g = torch.Generator().manual_seed(seed)
    h, w = shape
    for _ in range(num):
        sample = DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
        yield dict(
            inputs=[torch.randint(0, 256, (3, h, w), generator=g,
                                  dtype=torch.uint8)],
            data_samples=[sample])


def energy_images(cfg: Config,
                  num_images: int,
                  shape: Optional[Sequence[int]] = None,
                  seed: int = 0,
                  synthetic: bool = False) -> Tuple[Iterator[dict], dict,
                                                    str]:
    """Batches of one image each to measure on, and where they come from.

    Args:
        cfg (Config): The config, default scope entered.
        num_images (int): How many images (at most the test set's size).
        shape (Sequence[int], optional): ``(H, W)`` of synthetic images
            (:func:`synthetic_shape`).
        seed (int): Seed of synthetic images. Defaults to 0.
        synthetic (bool): Synthetic images even when the test set exists.
            Defaults to False.

    Returns:
        tuple: The batches, the source (``kind``: ``'test set'`` or
        ``'synthetic'``, ``images`` and where they come from) and a
        sentence saying so.

    Raises:
        InputError: The model takes event frames (the test pipeline reads
            events) and its test set is not there or ``synthetic`` is
            asked for: noise images cannot stand in for event frames.
    """
    from ..datasets.transforms import LoadPropheseeEvents
    events = next(iter_transform_cfgs(cfg, LoadPropheseeEvents,
                                      ('test_dataloader', ),
                                      top_level=False), None) is not None
    if events and synthetic:
        raise InputError(
            '--synthetic: the model of this config takes event frames (its '
            'test pipeline reads Prophesee events with LoadPropheseeEvents), '
            'for which noise images cannot stand in. Leave out --synthetic '
            'to measure on its test set.')
    if events:
        from ..datasets import check_data
        check_data(cfg, ['test_dataloader'])  # a missing root: how to get it
    dataset, reason = (None, '--synthetic') if synthetic else \
        load_test_set(cfg)
    if events and dataset is None:
        raise InputError(
            f'The model of this config takes event frames (its test pipeline '
            'reads Prophesee events with LoadPropheseeEvents) and is measured '
            f'on its test set only, which cannot be used: {reason}')
    if dataset is not None:
        num = min(num_images, len(dataset))
        source = dict(
            kind='test set', dataset=type(dataset).__name__,
            data_root=getattr(dataset, 'data_root', None),
            ann_file=getattr(dataset, 'ann_file', None), images=num)
        batches = (pseudo_collate([dataset[i]]) for i in range(num))
        return batches, source, (
            f'Images: {num} from the test set ({source["dataset"]}, '
            f'{source["ann_file"]}).')
    shape, origin = synthetic_shape(cfg, shape)
    source = dict(kind='synthetic', images=num_images, shape=shape,
                  shape_from=origin, reason=reason)
    return synthetic_batches(num_images, shape, seed), source, (
        f'Images: {num_images} SYNTHETIC uniform-noise images of '
        f'{shape[0]}x{shape[1]} ({origin}; --shape H W to change) '
        f'(test set not used: {reason}). MACs are exact; firing rates '
        'and SOPs are those of noise, not of real images.')
