import torch
from mmdet.models.necks import YOLOV3Neck

from mmsnn.models.neurons import IFNeuron
from mmsnn.models.necks import SpikingYOLOV3Neck

CHANNELS = dict(num_scales=3, in_channels=[32, 16, 8],
                out_channels=[16, 8, 4])


def test_neurons_replace_activations_and_names_match_mmdet():
    snn = SpikingYOLOV3Neck(**CHANNELS)
    ann = YOLOV3Neck(**CHANNELS)
    snn.load_state_dict(ann.state_dict(), strict=True)
    acts = [m.activate for m in snn.modules() if hasattr(m, 'activate')]
    assert acts and all(isinstance(a, IFNeuron) for a in acts)


def test_folded_forward_equals_per_step_forward():
    # Stateless layers serve all T steps at once: running the neck on the
    # folded batch equals running it step by step with stateful neurons.
    torch.manual_seed(0)
    neck = SpikingYOLOV3Neck(time_steps=3, **CHANNELS).eval()
    T, B = 3, 2
    feats = [(torch.rand(T * B, c, s, s) < 0.3).float()
             for c, s in zip([8, 16, 32], [16, 8, 4])]
    folded = neck(feats)
    neck.time_steps = 1
    for m in neck.modules():
        if isinstance(m, IFNeuron):
            m.step_mode = 's'
    steps = [neck([f[t * B:(t + 1) * B] for f in feats]) for t in range(T)]
    for level, out in enumerate(folded):
        torch.testing.assert_close(
            out, torch.cat([step[level] for step in steps]))
