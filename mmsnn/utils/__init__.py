from .data_check import check_data, iter_dataset_cfgs
from .input_error import ConfigValueError, InputError, report_input_errors
from .tool_config import load_runner_config, load_tool_config
from .work_dir import check_work_dir

__all__ = [
    'ConfigValueError', 'InputError', 'report_input_errors', 'check_data',
    'iter_dataset_cfgs', 'check_work_dir', 'load_tool_config',
    'load_runner_config'
]
