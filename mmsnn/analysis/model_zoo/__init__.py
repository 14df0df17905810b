"""Model-zoo tables and metafiles from the files of real runs."""
from .comparison import (add_run, comparison_row, comparison_table,
                         load_comparison, main_job_runs, run_record)
from .markdown import END, START, markdown, replace_block, write_block
from .metafile import hardware_of, metafile, row_from_entry, rows_from_metafile
from .rows import ZooRow, is_spiking, neuron_label, table_row
from .run_outputs import RUN_KEYS, parse_run, read_metrics, train_seconds

__all__ = [
    'START', 'END', 'markdown', 'replace_block', 'write_block',
    'hardware_of', 'metafile', 'row_from_entry', 'rows_from_metafile',
    'ZooRow', 'is_spiking', 'neuron_label', 'table_row', 'RUN_KEYS',
    'parse_run', 'read_metrics', 'train_seconds', 'add_run',
    'comparison_row', 'comparison_table', 'load_comparison', 'main_job_runs', 'run_record'
]
