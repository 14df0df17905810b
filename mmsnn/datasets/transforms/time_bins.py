"""The base class of event representations cut into the model's T bins."""
from mmcv.transforms import BaseTransform


class TimeBinsTransform(BaseTransform):
    """A transform whose ``num_bins`` argument must equal the model's T
    (one time bin per SNN time step).

    The tools' ``--cfg-options time_steps=N`` sets ``num_bins`` of every
    transform of this type in the data pipelines along with the model's T
    (:func:`mmsnn.engine.time_steps_option.apply_time_steps`), so a
    subclass keeps that tie without being named anywhere.
    """
