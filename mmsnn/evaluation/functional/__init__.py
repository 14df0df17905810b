from .gen1_coco import COCO_STATS, coco_eval_frames, frames_to_coco

__all__ = ['COCO_STATS', 'coco_eval_frames', 'frames_to_coco']
