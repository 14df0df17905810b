"""Pictures of event samples: ON/OFF event frames with boxes drawn on them.

Shared by ``tools/analysis_tools/browse_events.py`` (strips and GIFs of
chosen samples) and :class:`~mmsnn.engine.hooks.EventVisualizationHook`
(``tools/test.py --show-dir`` for event configs). Pictures are ``uint8``
BGR, as cv2 writes them: white where nothing fired, ON events red, OFF
events blue, ground truth green, detections orange with their scores.

Shapes:
    a frame ``[C, H, W]`` (``C=2``: OFF, ON counts; other ``C``: signed
    values summed over channels) -> picture ``[H*zoom, W*zoom, 3]``.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

GT_COLOR, DET_COLOR = (0, 170, 0), (0, 140, 255)  # BGR
ON_COLOR, OFF_COLOR = np.array([40, 40, 230.]), np.array([230, 90, 20.])

#: ``(boxes [N, 4], labels [N])`` of the ground truth, or ``(boxes,
#: labels, scores [N])`` of detections, in frame pixels (x1, y1, x2, y2).
Boxes = Tuple[np.ndarray, ...]


def event_picture(frame: np.ndarray, zoom: int = 2) -> np.ndarray:
    """Colour one event frame.

    With 2 channels (OFF, ON counts) each pixel is tinted by its polarity
    mix, darker with more events; other representations (voxel grids,
    signed) show positive values red and negative blue.

    Args:
        frame (np.ndarray): ``[C, H, W]`` event counts or values.
        zoom (int): Pixels per frame pixel. Defaults to 2.

    Returns:
        np.ndarray: ``[H*zoom, W*zoom, 3]`` uint8 BGR.
    """
    if frame.shape[0] == 2:
        off, on = frame[0], frame[1]
    else:
        total = frame.sum(0)
        on, off = np.maximum(total, 0), np.maximum(-total, 0)
    count = on + off
    strength = np.clip(count / max(np.percentile(count[count > 0], 95), 1e-6)
                       if (count > 0).any() else count, 0, 1)[..., None]
    share = np.where(count > 0, on / np.maximum(count, 1e-6), 0.5)[..., None]
    color = share * ON_COLOR + (1 - share) * OFF_COLOR
    img = 255 * (1 - strength) + color * strength
    img = img.astype(np.uint8)
    return cv2.resize(img, None, fx=zoom, fy=zoom,
                      interpolation=cv2.INTER_NEAREST)


def draw_boxes(img: np.ndarray,
               boxes: np.ndarray,
               color: Tuple[int, int, int],
               zoom: int,
               labels: Optional[np.ndarray] = None,
               scores: Optional[np.ndarray] = None,
               classes: Sequence[str] = ()) -> np.ndarray:
    """Draw boxes (in frame pixels) on a picture made at ``zoom``, in place.

    Args:
        img (np.ndarray): ``[H*zoom, W*zoom, 3]`` uint8 BGR picture.
        boxes (np.ndarray): ``[N, 4]`` x1, y1, x2, y2 in frame pixels.
        color (tuple[int]): BGR colour.
        zoom (int): The picture's pixels per frame pixel.
        labels (np.ndarray, optional): ``[N]`` class indices, written as
            ``classes[label]``.
        scores (np.ndarray, optional): ``[N]`` scores, written after the
            class.
        classes (Sequence[str]): Class names. Defaults to ().

    Returns:
        np.ndarray: ``img``.
    """
    for i, box in enumerate(boxes):
        x1, y1, x2, y2 = (np.asarray(box) * zoom).round().astype(int)
        cv2.rectangle(img, (x1, y1), (x2, y2), color, 1)
        text = ''
        if labels is not None:
            label = int(labels[i])
            text = classes[label] if label < len(classes) else str(label)
        if scores is not None:
            text += f' {scores[i]:.2f}'
        if text:
            cv2.putText(img, text.strip(), (x1 + 2, max(y1 - 3, 8)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.35, color, 1,
                        cv2.LINE_AA)
    return img


def draw_event_frame(frame: np.ndarray,
                     gt: Optional[Boxes],
                     dets: Optional[Boxes],
                     classes: Sequence[str] = (),
                     zoom: int = 2,
                     title: Optional[str] = None) -> np.ndarray:
    """An event frame with ground truth and detections.

    Args:
        frame (np.ndarray): ``[C, H, W]`` (one bin, or the bins summed).
        gt (Boxes, optional): Ground truth ``(boxes, labels)``.
        dets (Boxes, optional): Detections ``(boxes, labels, scores)``.
        classes (Sequence[str]): Class names. Defaults to ().
        zoom (int): Pixels per frame pixel. Defaults to 2.
        title (str, optional): Written at the top left.

    Returns:
        np.ndarray: ``[H*zoom, W*zoom, 3]`` uint8 BGR.
    """
    img = event_picture(frame, zoom)
    if gt is not None:
        draw_boxes(img, gt[0], GT_COLOR, zoom, gt[1], classes=classes)
    if dets is not None:
        draw_boxes(img, dets[0], DET_COLOR, zoom, dets[1], dets[2], classes)
    if title:
        cv2.putText(img, title, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)
    return img


def _numpy(x) -> np.ndarray:
    x = getattr(x, 'tensor', x)  # mmdet's BaseBoxes
    return x.detach().cpu().numpy() if hasattr(x, 'detach') else \
        np.asarray(x)


def sample_boxes(data_sample, score_thr: float = 0.3
                 ) -> Tuple[Optional[Boxes], Optional[Boxes]]:
    """Ground truth and detections of a sample, in frame pixels.

    Detections (after ``predict``) are in sensor pixels, rescaled back, so
    they are multiplied by the sample's ``scale_factor`` to lie on its
    frame. The ground truth is too, unless the sample's ``gt_in_frame``
    (set by ``ResizeEvents``) says it was resized with the events: the
    train pipelines load annotations before the resize, the test pipelines
    after it.

    Args:
        data_sample (DetDataSample): A packed sample, after the model's
            ``predict`` if it has ``pred_instances``.
        score_thr (float): Detections below it are left out.
            Defaults to 0.3.

    Returns:
        tuple: ``(boxes [N, 4], labels [N])`` of ``gt_instances`` and
        ``(boxes, labels, scores)`` of ``pred_instances``, each None where
        the sample has none.
    """
    scale = np.tile(np.asarray(data_sample.metainfo.get('scale_factor',
                                                        (1., 1.)),
                               np.float32), 2)
    gt_scale = 1. if data_sample.metainfo.get('gt_in_frame') else scale
    gt = dets = None
    if 'gt_instances' in data_sample:
        inst = data_sample.gt_instances
        gt = (_numpy(inst.bboxes) * gt_scale, _numpy(inst.labels))
    if 'pred_instances' in data_sample:
        inst = data_sample.pred_instances
        keep = _numpy(inst.scores) >= score_thr
        dets = (_numpy(inst.bboxes)[keep] * scale, _numpy(inst.labels)[keep],
                _numpy(inst.scores)[keep])
    return gt, dets


def sample_name(data_sample) -> str:
    """A file name stem for a sample: ``RECORDING_tTIMESTAMP`` for Gen1
    (its ``img_id`` is ``RECORDING@TIMESTAMP``)."""
    return str(data_sample.img_id).replace('@', '_t')
