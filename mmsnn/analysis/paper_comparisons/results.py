"""All of a comparison's results, as ``results.json`` keeps them."""
import argparse
import json
import os
import os.path as osp
import platform
from typing import List, Optional

import torch

from ..energy import CHIP_STEP_TIME, TABLE1_EFFICIENCY
from .presets import VARIANTS
from .store import sg_tasks, stored_result


def hardware_string(hardware: Optional[str] = None) -> str:
    """What the runs ran on: ``hardware`` as the user stated it, else the
    device and torch version, marked as not stated."""
    if hardware:
        return hardware
    dev = (torch.cuda.get_device_name(0) if torch.cuda.is_available() else
           f'{os.cpu_count()}-core CPU ({platform.processor() or "?"})')
    return f'{dev}, torch {torch.__version__} (not stated by the user)'


def collect_results(args: argparse.Namespace, ann: dict,
                    command: str) -> dict:
    """The stored results of every run, with what defines them.

    Args:
        args (argparse.Namespace): The comparison's settings.
        ann (dict): The ANN twin's result.
        command (str): The command line, for the write-up.

    Returns:
        dict: ``meta`` (data set, hardware, seeds, schedule, command, run
        time of the SG runs, the chip model's constants), ``ann``, ``sg``
        (``label -> dict(variant, runs)``) and ``conversion``.
    """
    sg = {label: dict(variant=variant, runs=[])
          for label, variant in VARIANTS.items()}
    for task, (label, _) in sg_tasks(args).items():
        sg[label]['runs'].append(stored_result(args, task))
    return dict(
        meta=dict(dataset=args.dataset_name,
                  hardware=hardware_string(args.hardware),
                  seeds=args.seeds, threshold_seeds=args.threshold_seeds,
                  epochs=args.epochs, ann_checkpoint=args.ann_checkpoint,
                  snn_config=args.snn_config, work_dir=args.work_dir,
                  jobs=args.jobs, command=command,
                  sg_seconds=sum(r['seconds'] for e in sg.values()
                                 for r in e['runs']),
                  chip_step_time_s=CHIP_STEP_TIME,
                  chip_efficiency_flops_per_w=TABLE1_EFFICIENCY),
        ann=ann, sg=sg, conversion=stored_result(args, 'conversion'))


def write_results(results: dict, args: argparse.Namespace) -> List[str]:
    """Write ``results`` to ``WORK_DIR/results.json`` and beside the
    write-up (``--out`` with ``.json``), which may be kept (docs/) where
    the work dir is not.

    Args:
        results (dict): From :func:`collect_results`.
        args (argparse.Namespace): The comparison's settings (``work_dir``,
            ``out``).

    Returns:
        list[str]: The files written.
    """
    paths = [osp.join(args.work_dir, 'results.json'),
             osp.splitext(args.out)[0] + '.json']
    for path in paths:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(results, f, indent=2, default=float)
    return paths
