# default_runtime.py for Gen1-format event data: the best checkpoint is the
# best Gen1Metric mAP@[.5:.95], `tools/test.py --show-dir` draws event
# frames (bins summed, ON red, OFF blue) with ground truth and detections,
# one PNG per test sample, and the log is written every 20 iterations (a
# mini-Gen1 epoch is short).
_base_ = './default_runtime.py'

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(save_best='gen1/mAP', rule='greater'),
    visualization=dict(type='EventVisualizationHook'))
