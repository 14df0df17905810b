# Faster R-CNN with a spiking ResNet-50 backbone, on PASCAL VOC07+12 ->
# VOC07 test (mmdet's faster-rcnn_r50_fpn_1x_voc0712.py otherwise).
#
# Spiking: the backbone, made from mmdet's stock ResNet by the generic
#   Spikify (every ReLU module an IF neuron; the image repeated over T on
#   entry, so the stem runs on T copies; SpikingResNet encodes once).
# ANN: the FPN, RPN and RoI head, fed the backbone's firing rates
#   (decode_mode='mean').
# SpikingFasterRCNN is mmdet's FasterRCNN that owns T: `model.time_steps`
# is the one place it is set (`--cfg-options model.time_steps=6`).
_base_ = 'mmdet::pascal_voc/faster-rcnn_r50_fpn_1x_voc0712.py'

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

time_steps = 4
model = dict(
    type='SpikingFasterRCNN',
    time_steps=time_steps,
    backbone=dict(
        _delete_=True,
        type='Spikify',
        encode=True,  # images in
        decode_mode='mean',
        module=dict(
            type='ResNet',
            depth=50,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            # BN statistics of spikes differ from the ANN's: train them all.
            frozen_stages=-1,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            style='pytorch',
            # Names are mmdet's: the ImageNet ANN weights load (a download;
            # None starts from scratch).
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet50'))))
