from .data_check import check_data, iter_dataset_cfgs
from .input_error import ConfigValueError, InputError, report_input_errors

__all__ = [
    'ConfigValueError', 'InputError', 'report_input_errors', 'check_data', 'iter_dataset_cfgs'
]
