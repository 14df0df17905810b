"""The paper's three comparisons, run and written up from real runs.

One command trains and evaluates, from the main job's ANN twin:

* the paper's Fig. 2 runs: SG+CMD T=4, SG+CMD T=6, SG+rate T=6, and the
  learnable threshold (weight decay 5e-3) as an ablation, each over
  ``--seeds`` with the same schedule, validated after every epoch;
* its Table 1 baseline: the Spiking-YOLO conversion of the ANN twin at a
  sweep of T (one simulation, recorded at each T);
* the ANN twin itself (mAP, MACs, 45 nm energy),

and writes ``docs/paper_comparisons.md`` (``--out``) with the Fig. 2
analogue, the Table 1 analogue, the Fig. 4 analogue and each of the
paper's claims stated as holding or not, with the numbers
(:mod:`mmsnn.analysis.paper_comparisons`). Every number in it comes from
runs this script made with the invocation's settings (stored in
``--work-dir``, see below); ``results.json`` there keeps them all.

Mini-VOC (the default; the ANN twin is trained first if its checkpoint is
missing)::

    python .dev_scripts/paper_comparisons.py --jobs 2 \\
        --hardware "2-core CPU"

PASCAL VOC (given the data and a trained ANN YOLOv3 of
configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py; GPU days)::

    python .dev_scripts/paper_comparisons.py --dataset voc \\
        --data-root data/VOCdevkit/ --ann-checkpoint yolov3_voc.pth \\
        --hardware "8x A100" --out docs/paper_comparisons_voc.md

Each run (the ANN twin's test, every SG run, the conversion) writes its
result to ``WORK_DIR/runs/<run>.json`` with the settings that define it; a
later invocation with the same settings reuses it, so an interrupted
comparison resumes where it stopped. ``--jobs N`` runs the SG runs and the
conversion in N processes of ``cpu_count() // N`` threads each; their logs
go to ``WORK_DIR/logs/``.

``--smoke`` runs the whole pipeline on a tiny schedule (1 epoch, 1 seed
unless given, T sweep 2 and 4, few images): for tests, never for numbers.
"""
import argparse
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmengine.registry import init_default_scope  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis import paper_comparisons as pc  # noqa: E402
from mmsnn.conversion import convert_and_evaluate  # noqa: E402
from mmsnn.utils import CfgOptionsAction, report_input_errors  # noqa: E402

SCRIPT = osp.relpath(osp.abspath(__file__), REPO)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Run the paper\'s comparisons (Fig. 2, Table 1, Fig. 4) '
        'and write them up from those runs.')
    p.add_argument('--dataset', choices=sorted(pc.PRESETS),
                   default='mini_voc')
    p.add_argument('--ann-config', help='ANN twin config (preset default)')
    p.add_argument('--ann-checkpoint', help='its trained weights (default:'
                   " --snn-config's load_from); trained with --ann-config "
                   'first when the file is missing')
    p.add_argument('--snn-config', help='SNN config the SG runs start from')
    p.add_argument('--data-root', help='data_root of every data set')
    p.add_argument('--seeds', type=int, nargs='+', help='default 0 1 2')
    p.add_argument('--threshold-seeds', type=int, nargs='+',
                   help='seeds of the learnable-threshold ablation '
                   '(default: --seeds)')
    p.add_argument('--epochs', type=int, help='SG schedule (preset default)')
    p.add_argument('--conversion-steps', type=int, nargs='+',
                   help='T sweep of the conversion (default '
                   f'{pc.DEFAULT_SWEEP})')
    p.add_argument('--calib-images', type=int, default=64)
    p.add_argument('--energy-images', type=int, default=20,
                   help='test images for op counting')
    p.add_argument('--hardware', default=None,
                   help='what it ran on, for the write-up')
    p.add_argument('--work-dir', default='work_dirs/paper_comparisons')
    p.add_argument('--out', default='docs/paper_comparisons.md')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs in parallel, each in its own process')
    p.add_argument('--task', help=argparse.SUPPRESS)  # one run (--jobs)
    p.add_argument('--smoke', action='store_true',
                   help='tiny schedule to exercise the pipeline (tests)')
    p.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                   help='overrides for every config (ANN and SNN runs)')
    return pc.complete_settings(p.parse_args(argv), REPO, p.error)


def run_task(args, task, log):
    """Run ``task`` (``'ann'``, ``'conversion'`` or an SG run) in this
    process and store its result."""
    start = time.time()
    if task == 'ann':
        result = pc.evaluate_ann_twin(args, log)
    elif task == 'conversion':
        log(f'Spiking-YOLO conversion at T = {args.conversion_steps}')
        cfg = pc.load_cfg(args.ann_config, args,
                          osp.join(args.work_dir, 'spiking_yolo'))
        result = convert_and_evaluate(
            cfg, args.ann_checkpoint, args.conversion_steps,
            calib_images=args.calib_images, work_dir=cfg.work_dir)
        for r in result['results']:
            r['map'] = pc.headline(r['metrics'])
    else:
        label, seed = pc.sg_tasks(args)[task]
        log(f'{label}, seed {seed}: {args.epochs} epochs')
        result = pc.run_sg(args, label, seed)
    result['seconds'] = time.time() - start
    pc.store_result(args, task, result)
    return result


def main():
    argv = sys.argv[1:]
    args = parse_args(argv)
    init_default_scope('mmdet')
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()

    def log(msg):
        print(f'[paper_comparisons {time.time() - start:.0f} s] {msg}',
              flush=True)

    with report_input_errors():
        if args.task:  # one run, in a lane of a parent invocation
            run_task(args, args.task, log)
            return
        # first, in this process: the SG runs start from the twin, which
        # may need training
        ann = pc.stored_result(args, 'ann') or run_task(args, 'ann', log)
        tasks = [*pc.sg_tasks(args), 'conversion']
        todo = [t for t in tasks if pc.stored_result(args, t) is None]
        log(f'{len(tasks) - len(todo)} of {len(tasks)} runs stored; '
            f'running {todo}')
        if args.jobs > 1 and len(todo) > 1:
            todo.sort(key=lambda t: -pc.task_cost(t, args))
            pc.run_in_lanes([sys.executable, osp.abspath(__file__), *argv],
                            todo, args.jobs, args.work_dir, log)
        else:
            for task in todo:
                run_task(args, task, log)
    results = pc.collect_results(args, ann,
                                 f'python {SCRIPT} ' + ' '.join(argv))
    written = pc.write_results(results, args)
    pc.write_report(results, args.out, SCRIPT)
    log(f'wrote {args.out}, {written[1]} and {written[0]}')


if __name__ == '__main__':
    main()
