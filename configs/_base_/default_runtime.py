# mmdet's runtime (hooks, logger, visualizer, environment), with mmsnn's
# components registered.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)
