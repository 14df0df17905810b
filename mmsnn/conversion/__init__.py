"""Conversions into mmsnn: other projects' checkpoints
(:mod:`.ultralytics`, :mod:`.spikeyolo`), and trained ANNs into spiking
networks (the Spiking-YOLO baseline, :mod:`.spiking_yolo`)."""
from .calibration import (ChannelPercentileRecorder, channel_percentile,
                          normalisation_factors)
from .checkpoint_file import convert_checkpoint_file, converter_arg_parser
from .evaluate import convert_and_evaluate, evaluate_at_steps
from .signed_if_neuron import SignedIFNeuron
from .spikeyolo import (SPIKEYOLO_LAYERS, convert_spikeyolo_checkpoint,
                        convert_spikeyolo_state_dict, spikeyolo_key)
from .spiking_yolo import (ConvOpCounter, SpikingYOLO, calibration_batches,
                           convertible_activations, spiking_yolo_model_cfg)
from .threshold_balance import activation_norms, balance_thresholds
from .ultralytics import (CfgConv, convert_ultralytics_checkpoint,
                          convert_ultralytics_state_dict,
                          load_ultralytics_checkpoint, spp_concat_to_mmdet,
                          ultralytics_layer_map)

__all__ = [
    'activation_norms', 'balance_thresholds', 'ChannelPercentileRecorder',
    'channel_percentile',
    'normalisation_factors', 'convert_and_evaluate', 'SignedIFNeuron',
    'ConvOpCounter', 'SpikingYOLO',
    'calibration_batches', 'convertible_activations', 'evaluate_at_steps',
    'spiking_yolo_model_cfg', 'CfgConv', 'convert_ultralytics_checkpoint',
    'convert_ultralytics_state_dict', 'load_ultralytics_checkpoint',
    'spp_concat_to_mmdet', 'ultralytics_layer_map', 'SPIKEYOLO_LAYERS',
    'convert_spikeyolo_checkpoint', 'convert_spikeyolo_state_dict',
    'spikeyolo_key', 'convert_checkpoint_file', 'converter_arg_parser'
]
