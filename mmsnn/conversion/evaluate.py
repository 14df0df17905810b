"""Convert a trained ANN detector of an mmdet config into Spiking-YOLO,
evaluate it at one or more T and count its operations and energy."""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from ..analysis.energy import (CHIP_STEP_TIME, TABLE1_EFFICIENCY,
                               chip_energy, energy_45nm)
from .spiking_yolo import (SpikingYOLO, calibration_batches,
                           spiking_yolo_model_cfg)


def evaluate_at_steps(model: SpikingYOLO, dataloader, evaluator_cfg,
                      steps: Sequence[int]) -> Dict[int, dict]:
    """Evaluate the converted model after each of ``steps`` from one
    simulation per batch (for a sweep of T at the cost of the largest).

    Args:
        model (SpikingYOLO): Calibrated.
        dataloader: A built test dataloader.
        evaluator_cfg (dict | list): The config's ``test_evaluator``.
        steps (Sequence[int]): The T values.

    Returns:
        dict[int, dict]: T -> metrics.
    """
    from mmengine.evaluator import Evaluator
    evaluators = {}
    for t in steps:
        ev = Evaluator(copy.deepcopy(evaluator_cfg))
        ev.dataset_meta = dataloader.dataset.metainfo
        evaluators[t] = ev
    model.eval()
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        by_step = model.predict_at_steps(data['inputs'], data['data_samples'],
                                         steps)
        for t, samples in by_step.items():
            evaluators[t].process(data_samples=samples, data_batch=batch)
    n = len(dataloader.dataset)
    return {t: ev.evaluate(n) for t, ev in evaluators.items()}


def convert_and_evaluate(cfg: Config,
                         checkpoint: str,
                         time_steps: Sequence[int],
                         percentile: float = 99.9,
                         calib_images: int = 64,
                         work_dir: Optional[str] = None,
                         efficiency: float = TABLE1_EFFICIENCY,
                         step_time: float = CHIP_STEP_TIME) -> dict:
    """Spiking-YOLO of ``cfg``'s (ANN) model with ``checkpoint``'s weights.

    Builds mmengine's ``Runner`` from ``cfg`` with the model replaced by
    :class:`SpikingYOLO`, loads the ANN weights, calibrates on
    ``calib_images`` images of the config's training set, then evaluates
    with the config's test evaluator: through ``Runner.test()`` for one T,
    or from one simulation per batch recorded at every T of a sweep
    (:func:`evaluate_at_steps`; the same metric, the cost of the largest T).

    Args:
        cfg (Config): An mmdet config whose ``model`` is the ANN.
        checkpoint (str): The ANN's trained weights.
        time_steps (Sequence[int]): T values to evaluate.
        percentile (float): Normalisation percentile. Defaults to 99.9.
        calib_images (int): Calibration images. Defaults to 64.
        work_dir (str, optional): The runner's work_dir.
        efficiency, step_time (float): Chip energy model.

    Returns:
        dict: JSON-ready, one entry per T in ``results`` with ``metrics``,
        per-image ops (``macs_per_step``, ``real_macs``, ``sops``) and
        energies (``energy_45nm_j``, ``ann_energy_45nm_j``,
        ``chip_energy_j``).
    """
    from mmengine.runner import Runner
    steps = sorted(set(int(t) for t in time_steps))
    cfg = copy.deepcopy(cfg)
    cfg.model = spiking_yolo_model_cfg(cfg.model, steps[-1], percentile,
                                       count_ops=True)
    cfg.load_from = None
    cfg.resume = False
    cfg.custom_hooks = []  # spiking-model hooks expect mmsnn's neurons
    if work_dir:
        cfg.work_dir = work_dir
    elif not cfg.get('work_dir'):
        cfg.work_dir = osp.join('work_dirs', 'spiking_yolo')
    runner = Runner.from_cfg(cfg)
    model: SpikingYOLO = runner.model
    model.load_ann_checkpoint(checkpoint)
    calib_loader = Runner.build_dataloader(cfg.train_dataloader)
    model.calibrate(calibration_batches(model, calib_loader, calib_images))
    model.op_counter.reset()
    if len(steps) == 1:
        metrics = {steps[0]: runner.test()}
    else:
        metrics = evaluate_at_steps(model, runner.test_dataloader,
                                    cfg.test_evaluator, steps)
    ops = model.op_counter.per_image()
    results: List[Dict] = []
    for t in steps:
        sops = model.op_counter.sops_at(t)
        results.append(dict(
            time_steps=t,
            metrics={k: float(v) for k, v in metrics[t].items()},
            macs_per_step=ops['macs_per_step'],
            real_macs=ops['real_macs'],
            sops=sops,
            energy_45nm_j=energy_45nm(ops['real_macs'], sops),
            ann_energy_45nm_j=energy_45nm(ops['macs_per_step']),
            chip_flops_per_step=sops / t,
            chip_energy_j=chip_energy(sops / t, t, step_time, efficiency)))
    return dict(
        method=f'Spiking-YOLO conversion (channel-wise {percentile:g}th-'
        'percentile normalisation, signed IF with imbalanced threshold)',
        checkpoint=checkpoint,
        percentile=percentile,
        calib_images=calib_images,
        chip_efficiency_flops_per_w=efficiency,
        results=results)
