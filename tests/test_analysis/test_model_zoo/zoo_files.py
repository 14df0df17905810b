"""Run outputs as the tools write them, for the model-zoo tests."""
import json

from tests.conftest import repo_path

T6 = repo_path(
    'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
ANN = repo_path('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
GEN1 = repo_path(
    'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py')


def write_json(path, obj, lines=False):
    with open(path, 'w') as f:
        if lines:
            f.write('\n'.join(json.dumps(o) for o in obj) + '\n')
        else:
            json.dump(obj, f, indent=2)
    return str(path)


def energy_json(path, checkpoint, kind):
    """An energy.json as get_energy.py writes it (its typed schema)."""
    from mmsnn.analysis import EnergyReport, EnergyTotals, FiringRates
    return write_json(path, EnergyReport(
        time_steps=6, num_images=4, params=61_600_000,
        constants=dict(e_mac_j=4.6e-12, e_ac_j=0.9e-12), layers=[],
        stages={}, checkpoint=checkpoint,
        images=dict(kind=kind, images=4, input_shapes=[[416, 416]]),
        totals=EnergyTotals(macs_per_step=32.7e9, sops=1.5e8,
                            real_macs=1.5e8, snn_energy_j=8.2e-4,
                            ann_energy_j=0.1505,
                            energy_ratio=0.1505 / 8.2e-4),
        firing_rates=FiringRates(layers={}, stages={}, mean=0.1714)
    ).to_dict())


def gen1_log(path):
    """mmengine's file log: stamped lines, unstamped continuation lines,
    23:58:30 -> 00:10:00 across midnight."""
    path.write_text(
        '2026/12/01 23:58:30 - mmengine - INFO - \n'
        'System environment:\n    sys.platform: linux\n'
        '2026/12/01 23:59:00 - mmengine - INFO - Epoch(train) [1][20/123]\n'
        '2026/12/02 00:10:00 - mmengine - INFO - Saving checkpoint at 10\n'
        'trailing unstamped line\n')
    return str(path)
