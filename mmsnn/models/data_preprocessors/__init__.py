from .event_data_preprocessor import FOLD_MODES, EventDetDataPreprocessor

__all__ = ['FOLD_MODES', 'EventDetDataPreprocessor']
