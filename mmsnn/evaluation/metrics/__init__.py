from .gen1_metric import Gen1Metric

__all__ = ['Gen1Metric']
