"""Draw event samples in validation and testing (``tools/test.py
--show-dir`` for event configs)."""
import os.path as osp
from typing import Optional, Sequence

import mmcv
import numpy as np
from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmengine.utils import mkdir_or_exist

from mmsnn.utils import ConfigValueError
from mmsnn.visualization import draw_event_frame, sample_boxes, sample_name


@HOOKS.register_module()
class EventVisualizationHook(DetVisualizationHook):
    """:class:`DetVisualizationHook` for event samples.

    mmdet's hook reads each sample's ``img_path`` as an image; an event
    sample's ``img_path`` is its recording (``NAME_td.dat``), which no image
    decoder reads, and every sample of a recording shares it. This hook
    draws the sample's own input instead: its event frames from the data
    batch, summed over the T bins, as
    ``tools/analysis_tools/browse_events.py`` draws them (ON red, OFF blue,
    ground truth green, detections above ``score_thr`` orange with scores;
    :mod:`mmsnn.visualization.event_drawing`), at the frame's resolution
    times ``zoom``.

    It is a drop-in replacement, so ``tools/test.py --show`` / ``--show-dir``
    (mmdet's ``trigger_visualization_hook``) work unchanged: with
    ``test_out_dir`` every test sample is written to
    ``work_dir/<timestamp>/<test_out_dir>/<RECORDING>_t<TIMESTAMP>.png``
    (an absolute ``test_out_dir`` is used as it is); without it the
    pictures go to the visualizer's backends, as mmdet's hook sends them.

    Args:
        zoom (int): Picture pixels per frame pixel. Defaults to 2.
        **kwargs: :class:`DetVisualizationHook`'s arguments (``draw``,
            ``interval``, ``score_thr``, ``show``, ``wait_time``,
            ``test_out_dir``, ``backend_args``).

    Shapes:
        ``data_batch['inputs']``: a list of ``[T, C, H, W]`` event frames
        (``PackEventDetInputs``); pictures ``[h*zoom, w*zoom, 3]`` with
        ``(h, w)`` the sample's ``img_shape``.
    """

    def __init__(self, zoom: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(zoom, bool) or not isinstance(zoom, int) or zoom < 1:
            raise ConfigValueError(
                'EventVisualizationHook: zoom must be a positive integer '
                f'(picture pixels per frame pixel), got {zoom!r}')
        self.zoom = zoom
        self._out_dir: Optional[str] = None
        self._written = 0

    def picture(self, frames, data_sample: DetDataSample) -> np.ndarray:
        """One sample's picture.

        Args:
            frames (Tensor | np.ndarray): ``[T, C, H, W]`` event frames.
            data_sample (DetDataSample): The sample with its ground truth
                and (after the model) its predictions.

        Returns:
            np.ndarray: ``[h*zoom, w*zoom, 3]`` uint8 BGR.
        """
        frames = np.asarray(frames.detach().cpu() if hasattr(
            frames, 'detach') else frames, np.float32)
        if frames.ndim != 4:
            raise ValueError(
                'EventVisualizationHook draws event frames [T, C, H, W] '
                '(packed by PackEventDetInputs), but sample '
                f'{data_sample.get("img_id")!r} has inputs of shape '
                f'{frames.shape}; for images use DetVisualizationHook.')
        height, width = data_sample.metainfo.get('img_shape',
                                                 frames.shape[-2:])
        frame = frames[..., :height, :width].sum(0)  # no padding
        gt, dets = sample_boxes(data_sample, self.score_thr)
        classes = (self._visualizer.dataset_meta or {}).get('classes', ())
        return draw_event_frame(frame, gt, dets, classes, self.zoom)

    def _publish(self, name: str, picture: np.ndarray,
                 out_file: Optional[str], step: int) -> None:
        """Show, write or log a picture as mmdet's visualizer does."""
        rgb = np.ascontiguousarray(picture[..., ::-1])
        if self.show:
            self._visualizer.show(rgb, win_name=name,
                                  wait_time=self.wait_time)
        if out_file is not None:
            mmcv.imwrite(picture, out_file)
            self._written += 1
        else:
            self._visualizer.add_image(name, rgb, step)

    def after_val_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence[DetDataSample]) -> None:
        """Every ``interval`` iterations, draw the batch's first sample.

        Args:
            runner (Runner): The runner of the validation.
            batch_idx (int): The batch's index in the loop.
            data_batch (dict): The batch from the data loader.
            outputs (Sequence[DetDataSample]): Its samples with
                predictions.
        """
        if self.draw is False:
            return
        step = runner.iter + batch_idx
        if step % self.interval == 0:
            sample = outputs[0]
            name = sample_name(sample) if self.show else 'val_img'
            self._publish(name, self.picture(data_batch['inputs'][0], sample),
                          None, step)

    def before_test(self, runner: Runner) -> None:
        """Resolve ``test_out_dir`` under ``work_dir/<timestamp>/`` once."""
        self._written = 0
        self._out_dir = None
        if self.draw and self.test_out_dir is not None:
            self._out_dir = osp.join(runner.work_dir, runner.timestamp,
                                     self.test_out_dir)
            mkdir_or_exist(self._out_dir)

    def after_test_iter(self, runner: Runner, batch_idx: int,
                        data_batch: dict,
                        outputs: Sequence[DetDataSample]) -> None:
        """Draw every sample of the batch (arguments as
        :meth:`after_val_iter`'s, from the test loop)."""
        if self.draw is False:
            return
        for frames, sample in zip(data_batch['inputs'], outputs):
            self._test_index += 1
            name = sample_name(sample)
            out_file = None if self._out_dir is None else osp.join(
                self._out_dir, f'{name}.png')
            self._publish(name if self.show else 'test_img',
                          self.picture(frames, sample), out_file,
                          self._test_index)

    def after_test(self, runner: Runner) -> None:
        """Say where the pictures went."""
        if self._written:
            print_log(f'EventVisualizationHook: {self._written} pictures of '
                      f'event samples in {self._out_dir}', logger='current')
