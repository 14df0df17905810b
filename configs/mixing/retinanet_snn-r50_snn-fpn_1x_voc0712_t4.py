# RetinaNet with a spiking ResNet-50 backbone and a spiking FPN, on PASCAL
# VOC07+12 -> VOC07 test (mmdet's retinanet_r50_fpn_1x_voc0712.py otherwise).
#
# Spiking: the backbone (SpikingResNet: every ReLU an IF neuron, the stem's
#   conv + BN computed once and its current repeated over T) and the FPN
#   (IF neurons as act_cfg of its lateral and output convs).
# ANN: the RetinaNet head, fed the FPN's firing rates (decode_mode='mean').
# SpikingRetinaNet is mmdet's RetinaNet that owns T: `model.time_steps` is
# the one place it is set (`--cfg-options model.time_steps=6`); the parts
# need none of their own.
_base_ = 'mmdet::pascal_voc/retinanet_r50_fpn_1x_voc0712.py'

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

time_steps = 4
model = dict(
    type='SpikingRetinaNet',
    time_steps=time_steps,
    # Parameter names are mmdet's, so the ImageNet ResNet-50 of the base
    # config loads (a download; set init_cfg=None to start from scratch).
    # BN statistics of spikes differ from the ANN's: train them all.
    backbone=dict(type='SpikingResNet', frozen_stages=-1, norm_eval=False),
    neck=dict(
        _delete_=True,
        type='Spikify',
        encode=False,  # its input is already spikes, time-folded
        decode_mode='mean',
        module=dict(
            type='FPN',
            in_channels=[256, 512, 1024, 2048],
            out_channels=256,
            start_level=1,
            add_extra_convs='on_input',
            num_outs=5,
            act_cfg=dict(type='IFNeuron'))))
