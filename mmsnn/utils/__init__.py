from .config_tree import (iter_dataset_cfgs, iter_sub_configs,
                          iter_transform_cfgs)
from .input_error import ConfigValueError, InputError, report_input_errors
from .stderr_capture import stderr_capture
from .tool_args import (CfgOptionsAction, add_runner_args, check_config_file,
                        non_negative_float, non_negative_int, number_type,
                        parse_runner_args, percentile, positive_float,
                        positive_int, probability)
from .work_dir import check_output_file, check_work_dir, check_writable_dir

__all__ = [
    'ConfigValueError', 'InputError', 'report_input_errors',
    'iter_dataset_cfgs', 'iter_sub_configs', 'iter_transform_cfgs',
    'stderr_capture', 'check_work_dir', 'check_writable_dir',
    'check_output_file', 'check_config_file', 'add_runner_args',
    'parse_runner_args', 'CfgOptionsAction', 'number_type', 'positive_int',
    'non_negative_int', 'positive_float', 'non_negative_float',
    'probability', 'percentile'
]
