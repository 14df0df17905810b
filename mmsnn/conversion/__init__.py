"""Conversions into mmsnn: other projects' checkpoints
(:mod:`.ultralytics`, :mod:`.ems_yolo`, :mod:`.spikeyolo`), trained ANNs
into spiking networks (the Spiking-YOLO baseline, :mod:`.spiking_yolo`),
and training checkpoints into published ones (:mod:`.publish`)."""
from .calibration import (ChannelPercentileRecorder, channel_percentile,
                          normalisation_factors)
from .convert_file import convert_checkpoint_file, converter_arg_parser
from .ems_yolo import (YamlLayer, check_anchors, convert_ems_yolo_checkpoint,
                       convert_ems_yolo_state_dict, ems_yolo_layers)
from .evaluate import convert_and_evaluate, evaluate_at_steps
from .publish import check_published, file_sha256, load_weights_only, publish
from .signed_if_neuron import SignedIFNeuron
from .spikeyolo import (SPIKEYOLO_LAYERS, convert_spikeyolo_checkpoint,
                        convert_spikeyolo_state_dict, spikeyolo_key)
from .spiking_yolo import (ConvOpCounter, SpikingYOLO, calibration_batches,
                           convertible_activations, spiking_yolo_model_cfg)
from .threshold_balance import activation_norms, balance_thresholds
from .ultralytics import (CfgConv, TensorPair, convert_ultralytics_checkpoint,
                          convert_ultralytics_state_dict, copy_tensor_pairs,
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
    'spp_concat_to_mmdet', 'ultralytics_layer_map', 'check_published',
    'file_sha256', 'load_weights_only', 'publish', 'TensorPair',
    'copy_tensor_pairs', 'YamlLayer', 'check_anchors',
    'convert_ems_yolo_checkpoint', 'convert_ems_yolo_state_dict',
    'ems_yolo_layers', 'convert_checkpoint_file', 'converter_arg_parser'
    'SPIKEYOLO_LAYERS', 'convert_spikeyolo_checkpoint',
    'convert_spikeyolo_state_dict', 'spikeyolo_key'
]
