"""Operations, firing rates and energy of a (spiking) detector per image.

Runs images of the config's test set (or synthetic noise images when the
data set is not there, and says so; they have the size of the test
pipeline's ``Resize`` unless ``--shape`` is given) through the model and
reports per layer and in total: dense MACs per time step (the ANN cost), what each layer is
fed ('real-valued', or spikes / spike counts with their rate), synaptic
operations (SOPs) over the T steps, energy on the 45 nm model and the
neuromorphic-chip estimate of the paper's Table 1. Writes ``energy.json``,
``firing_rates.png`` and ``energy.png`` to ``--out-dir``.

Example::

    python tools/analysis_tools/get_energy.py \\
        configs/snn_yolov3/snn_yolov3_d53_voc_t6.py work_dirs/.../epoch_100.pth \\
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
import json
import os
import os.path as osp
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import torch  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.runner import load_checkpoint  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.engine import check_checkpoint_file  # noqa: E402
from mmsnn.engine.checkpoint_check import check_tool_checkpoint  # noqa
from mmsnn.utils import (CfgOptionsAction, load_tool_config,  # noqa: E402
                         report_input_errors)
from mmsnn.utils.tool_config import (check_config_file,  # noqa: E402
                                     iter_transform_cfgs)
from mmsnn.analysis import (CHIP_STEP_TIME, E_AC_45NM, E_MAC_45NM,  # noqa
                            PAPER_TABLE1, TABLE1_EFFICIENCY, SpikeOpAnalyzer,
                            chip_efficiency, deployed_form)
from mmsnn.analysis.energy_report import (format_layer_table,  # noqa: E402
                                          format_summary, plot_energy,
                                          plot_firing_rates)


#: Synthetic images' (H, W) when neither --shape nor the test pipeline
#: gives one.
DEFAULT_SHAPE = (416, 416)


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


def synthetic_shape(cfg, shape=None):
    """The size of synthetic images and where it comes from.

    Args:
        cfg (Config): The config.
        shape (list[int], optional): ``--shape`` (H, W).

    Returns:
        tuple[list[int], str]: ``[H, W]`` and its origin, for the output.
    """
    from mmcv.transforms import Resize
    if shape:
        return list(shape), '--shape'
    for resize in iter_transform_cfgs(cfg, Resize, ('test_dataloader', ),
                                      top_level=False):
        scale = resize.get('scale')
        if isinstance(scale, int):
            scale = (scale, scale)
        if isinstance(scale, (list, tuple)) and len(scale) == 2:
            # mmcv's Resize scale is (w, h)
            return [int(scale[1]), int(scale[0])], \
                "the test pipeline's Resize scale"
    return list(DEFAULT_SHAPE), ('the default: no Resize scale in the '
                                 'test pipeline')


def load_test_set(cfg):
    """The config's test data set, or ``(None, reason)`` when absent."""
    from mmdet.registry import DATASETS
    try:
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    except (FileNotFoundError, OSError) as e:
        return None, f'{type(e).__name__}: {e}'
    if not len(dataset):
        return None, 'the test set is empty'
    return dataset, None


def synthetic_batches(num, shape, seed):
    """Uniform-noise uint8 images as a data loader would give them."""
    from mmdet.structures import DetDataSample
    g = torch.Generator().manual_seed(seed)
    h, w = shape
    for _ in range(num):
        sample = DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
        yield dict(
            inputs=[torch.randint(0, 256, (3, h, w), generator=g,
                                  dtype=torch.uint8)],
            data_samples=[sample])


def main(argv=None):
    args = parse_args(argv)
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
    from mmdet.registry import MODELS

    model = MODELS.build(cfg.model)
    if args.checkpoint:
        with report_input_errors():  # another model's would count nonsense
            check_tool_checkpoint(cfg.model, args.checkpoint, model)
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.to(args.device).eval()
    with report_input_errors():
        model_form = deployed_form(model, args.reparameterize,
                                   args.spike_driven)

    dataset, reason = (None, '--synthetic') if args.synthetic else \
        load_test_set(cfg)
    if dataset is not None:
        num = min(args.num_images, len(dataset))
        source = dict(
            kind='test set', dataset=type(dataset).__name__,
            data_root=getattr(dataset, 'data_root', None),
            ann_file=getattr(dataset, 'ann_file', None), images=num)
        batches = (pseudo_collate([dataset[i]]) for i in range(num))
        print(f'Images: {num} from the test set ({source["dataset"]}, '
              f'{source["ann_file"]}).')
    else:
        num = args.num_images
        shape, origin = synthetic_shape(cfg, args.shape)
        source = dict(kind='synthetic', images=num, shape=shape,
                      shape_from=origin, reason=reason)
        batches = synthetic_batches(num, shape, args.seed)
        print(f'Images: {num} SYNTHETIC uniform-noise images of '
              f'{shape[0]}x{shape[1]} ({origin}; --shape H W to change) '
              f'(test set not used: {reason}). MACs are exact; firing rates '
              'and SOPs are those of noise, not of real images.')
    if not args.checkpoint:
        print('No checkpoint: randomly initialised weights, so firing rates '
              'and SOPs are not representative of a trained model.')

    analyzer = SpikeOpAnalyzer(model)
    shapes = set()
    for batch in tqdm(batches, total=num, desc='images', unit='img'):
        data = model.data_preprocessor(batch, False)
        shapes.add(tuple(data['inputs'].shape[2:]))
        analyzer.forward(data['inputs'], data['data_samples'])

    report = analyzer.energy_report(
        e_mac=args.e_mac * 1e-12,
        e_ac=args.e_ac * 1e-12,
        step_time=args.step_time * 1e-3,
        efficiency=args.efficiency * 1e9)
    report.model_form = model_form
    report.config = args.config
    report.checkpoint = args.checkpoint
    report.images = dict(source, input_shapes=sorted(map(list, shapes)))
    report.paper_table1 = {
        name: dict(row, efficiency_reproducing_energy_gflops_per_w=round(
            chip_efficiency(row['flops'], row['time_steps'], row['energy'],
                            args.step_time * 1e-3) / 1e9, 1))
        for name, row in PAPER_TABLE1.items()
    }

    print(format_layer_table(report))
    print(format_summary(report))
    out_dir = args.out_dir or osp.join(
        'work_dirs', 'energy',
        osp.splitext(osp.basename(args.config))[0])
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'energy.json'), 'w') as f:
        json.dump(report.to_dict(), f, indent=2)
    plot_energy(report, osp.join(out_dir, 'energy.png'))
    written = ['energy.json', 'energy.png']
    if report.firing_rates:
        plot_firing_rates(report, osp.join(out_dir, 'firing_rates.png'))
        written.append('firing_rates.png')
    print(f'Wrote {", ".join(written)} to {out_dir}')
    return report


if __name__ == '__main__':
    main()
