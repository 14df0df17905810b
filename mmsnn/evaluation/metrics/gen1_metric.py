"""The Gen1 detection protocol as an mmengine metric."""
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmdet.registry import METRICS

from ...datasets.gen1_protocol import (GEN1_SENSOR_SIZE, MIN_BOX_DIAG,
                                       MIN_BOX_SIDE, SKIP_FIRST_US,
                                       protocol_box_mask)
from ..functional.gen1_coco import coco_eval_frames


def _to_numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, 'detach') else np.asarray(x)


@METRICS.register_module()
class Gen1Metric(BaseMetric):
    """COCO mAP@0.5:0.95 and mAP@0.5 over Gen1's labelled timestamps.

    Each evaluated sample is one labelled timestamp (``Gen1Dataset``), and
    its detections are the model's output for the window ending there, so
    they fall inside the protocol's 50 ms matching window by construction.
    Ground truth and detections are filtered with the protocol's box filter
    (diagonal >= 30 px, sides >= 10 px, after the first 0.1 s) in sensor
    pixels, then pycocotools' ``COCOeval('bbox')`` runs over all frames,
    as Prophesee's toolbox does.

    The ground truth is read from the data samples' ``gt_instances``: the
    test pipeline must load annotations after any resize (as mmdet's VOC
    configs do), so they are in sensor pixels like the rescaled detections.

    Args:
        min_box_diag, min_box_side (float): Protocol filter (px).
            Defaults to 30 and 10, the toolbox's Gen1 values.
        skip_first_us (int): Boxes at or before this time (us since the
            recording's start) are left out. Defaults to 100000, what the
            toolbox's Gen1 evaluation passes; 500000 compares with RVT's
            and HMNet's evaluators (docs/events.md). Give the data set the
            same value.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'gen1'``.
    """
    default_prefix: Optional[str] = 'gen1'

    def __init__(self,
                 min_box_diag: float = MIN_BOX_DIAG,
                 min_box_side: float = MIN_BOX_SIDE,
                 skip_first_us: int = SKIP_FIRST_US,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.filter_args = dict(min_box_diag=min_box_diag,
                                min_box_side=min_box_side,
                                skip_first_us=skip_first_us)

    def _keep(self, t: int, bboxes: np.ndarray) -> np.ndarray:
        bboxes = bboxes.reshape(-1, 4)
        return protocol_box_mask(np.full(len(bboxes), t),
                                 bboxes[:, 2] - bboxes[:, 0],
                                 bboxes[:, 3] - bboxes[:, 1],
                                 **self.filter_args)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's filtered ground truth and detections."""
        for sample in data_samples:
            t = int(sample['timestamp'])
            gt, pred = sample['gt_instances'], sample['pred_instances']
            gt_boxes = _to_numpy(gt['bboxes']).reshape(-1, 4)
            dt_boxes = _to_numpy(pred['bboxes']).reshape(-1, 4)
            keep_gt, keep_dt = self._keep(t, gt_boxes), self._keep(t, dt_boxes)
            self.results.append(dict(
                t=t,
                shape=tuple(sample['ori_shape'][:2]),
                gt=dict(bboxes=gt_boxes[keep_gt],
                        labels=_to_numpy(gt['labels'])[keep_gt]),
                dt=dict(bboxes=dt_boxes[keep_dt],
                        scores=_to_numpy(pred['scores'])[keep_dt],
                        labels=_to_numpy(pred['labels'])[keep_dt])))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """COCO numbers over frames with at least one ground-truth box.

        Returns:
            dict: ``mAP`` (@0.5:0.95), ``mAP_50``, ``mAP_75``, and the
            small/medium/large APs.
        """
        frames = [r for r in results if len(r['gt']['bboxes'])]
        height, width = frames[0]['shape'] if frames else GEN1_SENSOR_SIZE
        stats, summary = coco_eval_frames(
            [r['gt'] for r in frames], [r['dt'] for r in frames],
            self.dataset_meta['classes'], height, width)
        print_log(f'Gen1 protocol over {len(frames)} labelled frames:\n'
                  f'{summary}', 'current')
        return {k: round(stats[k], 4)
                for k in ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m',
                          'mAP_l')}
