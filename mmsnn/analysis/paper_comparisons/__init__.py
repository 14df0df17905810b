"""The paper's three comparisons (Fig. 2, Table 1, Fig. 4), run and written
up from real runs (``.dev_scripts/paper_comparisons.py``), one concern a
file:

* :mod:`.presets` - data sets, SG variants, completing the settings;
* :mod:`.configs` - the runs' configs and how their mAP is read;
* :mod:`.runs` - the ANN twin's test and one SG run, with op counts;
* :mod:`.store` - runs as tasks, their results stored with their settings;
* :mod:`.lanes` - tasks in parallel child processes;
* :mod:`.claims` - statistics over seeds and the paper's claims;
* :mod:`.figures` and :mod:`.report` - the figures and the Markdown page;
* :mod:`.results` - all results, as ``results.json`` keeps them.

The conversion baseline runs through :mod:`mmsnn.conversion`, a layer
above this package, from the script.
"""
from .claims import claims, fmt_map, mean_std, sg_summary
from .configs import (MAP_KEYS, PlainConfig, headline, load_cfg, protocol,
                      set_data_root, sg_run_config)
from .figures import plot_fig2, plot_fig4
from .lanes import run_in_lanes
from .presets import (DEFAULT_SWEEP, FIG2, PRESETS, THRESHOLD_DECAY,
                      VARIANTS, complete_settings, config_twin,
                      from_here_or_repo)
from .report import energy_rows, write_report
from .results import collect_results, hardware_string, write_results
from .runs import (count_ops, evaluate_ann_twin, run_sg, run_training,
                   sg_slug, val_curve)
from .store import (result_path, sg_tasks, store_result, stored_result,
                    task_cost, task_settings)

__all__ = [
    'claims', 'fmt_map', 'mean_std', 'sg_summary', 'MAP_KEYS', 'PlainConfig',
    'headline', 'load_cfg', 'protocol', 'set_data_root', 'sg_run_config',
    'plot_fig2', 'plot_fig4', 'run_in_lanes', 'DEFAULT_SWEEP', 'FIG2',
    'PRESETS', 'THRESHOLD_DECAY', 'VARIANTS', 'complete_settings',
    'config_twin', 'from_here_or_repo', 'energy_rows', 'write_report',
    'collect_results', 'hardware_string', 'write_results', 'count_ops',
    'evaluate_ann_twin', 'run_sg', 'run_training', 'sg_slug', 'val_curve',
    'result_path', 'sg_tasks', 'store_result', 'stored_result', 'task_cost',
    'task_settings'
]
