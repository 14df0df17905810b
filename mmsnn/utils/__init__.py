from .data_check import check_data, iter_dataset_cfgs
from .input_error import ConfigValueError, InputError, report_input_errors
from .tool_config import (CfgOptionsAction, add_runner_args, load_runner_config,
                          load_tool_config, parse_runner_args)
from .work_dir import (check_output_file, check_work_dir,
                       check_writable_dir)

__all__ = [
    'ConfigValueError', 'InputError', 'report_input_errors', 'check_data',
    'iter_dataset_cfgs', 'check_work_dir', 'check_writable_dir',
    'check_output_file', 'load_tool_config',
    'load_runner_config', 'add_runner_args', 'parse_runner_args',
    'CfgOptionsAction'
]
