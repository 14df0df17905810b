"""Detect objects in unlabelled event recordings with a config's model.

What ``tools/infer.py`` does for event-camera configs, where mmdet's
``DetInferencer`` (which reads images) cannot: each recording is cut into
windows (:func:`~mmsnn.datasets.event_windows.recording_windows`), each
window goes through the config's own test pipeline and the model, and the
detections are written per recording as JSON, with a picture per window.
"""
import json
import os
import os.path as osp
from typing import List, Optional

import cv2
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from ..datasets.event_windows import recording_windows
from ..visualization import draw_event_frame, sample_boxes, sample_name


def detect_in_recordings(model,
                         cfg: Config,
                         paths: List[str],
                         out_dir: str,
                         window_us: int,
                         every_us: Optional[int] = None,
                         score_thr: float = 0.3,
                         classes=()) -> List[dict]:
    """Detect objects in every window of each recording and write them.

    For a recording ``NAME.dat`` it writes ``out_dir/preds/NAME.json``
    (``{"recording", "window_us", "windows": [{"timestamp", "bboxes",
    "labels", "scores"}]}``; boxes ``[x1, y1, x2, y2]`` in sensor pixels,
    every detection the model keeps) and ``out_dir/vis/NAME_tT.png`` per
    window (the window's events, detections scoring at least
    ``score_thr`` drawn).

    Args:
        model (nn.Module): The detector, weights loaded, in eval mode.
        cfg (Config): Its config: the test pipeline is
            ``cfg.test_dataloader.dataset.pipeline``.
        paths (list[str]): ``.dat`` recordings.
        out_dir (str): Where ``preds/`` and ``vis/`` go.
        window_us (int): Events before each detection (us).
        every_us (int, optional): From one window's end to the next (us).
            Defaults to ``window_us``.
        score_thr (float): Pictures show detections scoring at least this.
            Defaults to 0.3.
        classes (Sequence[str]): Class names for the pictures.

    Returns:
        list[dict]: Per recording: ``path``, ``windows`` (their number),
        ``detections`` (scoring at least ``score_thr``), ``preds`` (the
        JSON file) and ``vis`` (the pictures' folder).

    Raises:
        InputError: A recording cannot be read or holds no event (before
            any detection is made).
    """
    # Every recording is read before any is detected in: a bad one is
    # named before the work starts.
    recordings = [(path, recording_windows(path, window_us, every_us))
                  for path in paths]
    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    for sub in ('preds', 'vis'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    summaries = []
    for path, infos in recordings:
        windows, shown = [], 0
        for info in infos:
            data = pipeline(dict(info))
            with torch.no_grad():
                sample = model.test_step(pseudo_collate([data]))[0]
            pred = sample.pred_instances.cpu()
            windows.append(dict(
                timestamp=info['timestamp'],
                bboxes=pred.bboxes.double().numpy().round(2).tolist(),
                labels=pred.labels.tolist(),
                scores=pred.scores.double().numpy().round(4).tolist()))
            _, dets = sample_boxes(sample, score_thr)
            shown += len(dets[0])
            frame = data['inputs'].numpy().sum(0)
            picture = draw_event_frame(frame, None, dets, classes,
                                       title=f't = {info["timestamp"]} us')
            cv2.imwrite(osp.join(out_dir, 'vis', sample_name(sample) +
                                 '.png'), picture)
        recording = infos[0]['recording']
        preds = osp.join(out_dir, 'preds', f'{recording}.json')
        with open(preds, 'w') as f:
            json.dump(dict(recording=path, window_us=window_us,
                           windows=windows), f)
        summaries.append(dict(path=path, windows=len(windows),
                              detections=shown, preds=preds,
                              vis=osp.join(out_dir, 'vis')))
    return summaries
