"""Operations, firing rates and energy of a (spiking) detector per image.

Runs images of the config's test set (or synthetic noise images when the
data set is not there, and says so; they have the size of the test
pipeline's ``Resize`` unless ``--shape`` is given; event-camera configs
need their test set) through the model and reports per layer and in
total: dense MACs per time step (the ANN cost), what each layer is
fed ('real-valued', or spikes / spike counts with their rate), synaptic
operations (SOPs) over the T steps, energy on the 45 nm model and the
neuromorphic-chip estimate of the paper's Table 1. Writes ``energy.json``,
``firing_rates.png`` and ``energy.png`` to ``--out-dir``.

Example::

    python tools/analysis_tools/get_energy.py \\
        configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py work_dirs/.../epoch_100.pth \\
        --num-images 20

SpikeYOLO-style models: ``--reparameterize`` folds each RepConv /
SepRepConv into the one conv it equals at inference (as the authors count
their layers), ``--spike-driven`` also sends every integer spike as D
binary steps (same SOPs; layers then run T x D steps).

Counting: mmsnn.analysis (spikingjelly's op counters under its
DispatchCounterMode). The chip model's default efficiency, 400 GFLOPs/W,
reproduces Table 1's energies from its FLOPs and T; the paper's text says
300 GFLOPs/W (pass ``--efficiency 300`` for that).
"""
import argparse
import os.path as osp
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmengine.runner import load_checkpoint  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis import (CHIP_STEP_TIME, E_AC_45NM,  # noqa: E402
                            E_MAC_45NM, TABLE1_EFFICIENCY, deployed_form)
from mmsnn.analysis.energy_images import DEFAULT_SHAPE  # noqa: E402
from mmsnn.analysis.energy_images import energy_images  # noqa: E402
from mmsnn.analysis.energy_measure import (measure_energy,  # noqa: E402
                                           write_energy_files)
from mmsnn.analysis.energy_report import (format_layer_table,  # noqa: E402
                                          format_summary)
from mmsnn.engine import check_checkpoint_file  # noqa: E402
from mmsnn.engine.checkpoint import (  # noqa: E402
    check_tool_checkpoint, safe_checkpoint_loading)
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, check_config_file,  # noqa: E402
                         report_input_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Count MACs, SOPs and firing rates of a detector and '
        'estimate its energy (45 nm model and neuromorphic-chip model).')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        'checkpoint', nargs='?', help='checkpoint file (omit: random init; '
        'firing rates and SOPs are then not representative)')
    parser.add_argument(
        '--num-images', type=int, default=10, help='images to average over')
    parser.add_argument(
        '--shape', type=int, nargs=2, metavar=('H', 'W'),
        help='size of synthetic images (used when the test set is absent; '
        'default: the test pipeline\'s Resize scale, else '
        f'{DEFAULT_SHAPE[0]}x{DEFAULT_SHAPE[1]}; real images get the test '
        'pipeline\'s size; the data preprocessor may pad either, e.g. to a '
        'multiple of 32)')
    parser.add_argument(
        '--synthetic', action='store_true',
        help='use synthetic images even when the test set exists')
    parser.add_argument(
        '--out-dir', help='where to write energy.json and the plots '
        '(default: work_dirs/energy/<config name>)')
    parser.add_argument(
        '--e-mac', type=float, default=E_MAC_45NM * 1e12,
        help='energy of one MAC in pJ (45 nm 32-bit float: 4.6)')
    parser.add_argument(
        '--e-ac', type=float, default=E_AC_45NM * 1e12,
        help='energy of one accumulate in pJ (45 nm 32-bit float: 0.9)')
    parser.add_argument(
        '--step-time', type=float, default=CHIP_STEP_TIME * 1e3,
        help='chip model: one time step in ms (TrueNorth: 1)')
    parser.add_argument(
        '--efficiency', type=float, default=TABLE1_EFFICIENCY / 1e9,
        help='chip model: GFLOPs/W (400 reproduces the paper\'s Table 1; '
        'its text says 300)')
    parser.add_argument(
        '--reparameterize', action='store_true',
        help='fold multi-conv blocks (RepConv, SepRepConv) into one conv '
        'each before counting, as deployed')
    parser.add_argument(
        '--spike-driven', action='store_true',
        help='count spike-driven inference: integer spikes (I-LIF) sent as '
        'D binary steps (implies --reparameterize)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of synthetic images')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.time_steps=4')
    args = parser.parse_args(argv)
    if args.num_images < 1:
        parser.error(f'--num-images must be >= 1, got {args.num_images}')
    if args.shape and min(args.shape) < 32:
        parser.error(f'--shape H W must be at least 32 each, got '
                     f'{args.shape}')
    for name in ('e_mac', 'e_ac', 'step_time', 'efficiency'):
        if getattr(args, name) <= 0:
            parser.error(f'--{name.replace("_", "-")} must be positive, got '
                         f'{getattr(args, name)}')
    with report_input_errors():  # as the other tools say it
        check_config_file(args.config)
        check_checkpoint_file(args.checkpoint, 'Checkpoint')
    return args


def main(argv=None):
    args = parse_args(argv)
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
    from mmdet.registry import MODELS

    model = MODELS.build(cfg.model)
    if args.checkpoint:
        with report_input_errors():  # another model's would count nonsense
            check_tool_checkpoint(cfg.model, args.checkpoint, model)
        with safe_checkpoint_loading():  # checked above, weights only
            load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.to(args.device).eval()
    with report_input_errors():
        model_form = deployed_form(model, args.reparameterize,
                                   args.spike_driven)
    with report_input_errors():  # event data missing: say how to get it
        batches, source, about = energy_images(cfg, args.num_images,
                                               args.shape, args.seed,
                                               args.synthetic)
    print(about)
    if not args.checkpoint:
        print('No checkpoint: randomly initialised weights, so firing rates '
              'and SOPs are not representative of a trained model.')
    report = measure_energy(model, batches, source['images'],
                            e_mac=args.e_mac * 1e-12, e_ac=args.e_ac * 1e-12,
                            step_time=args.step_time * 1e-3,
                            efficiency=args.efficiency * 1e9)
    report.model_form = model_form
    report.config = args.config
    report.checkpoint = args.checkpoint
    report.images = dict(source, **report.images)
    print(format_layer_table(report))
    print(format_summary(report))
    out_dir = args.out_dir or osp.join(
        'work_dirs', 'energy',
        osp.splitext(osp.basename(args.config))[0])
    written = write_energy_files(report, out_dir)
    print(f'Wrote {", ".join(written)} to {out_dir}')
    return report


if __name__ == '__main__':
    main()
