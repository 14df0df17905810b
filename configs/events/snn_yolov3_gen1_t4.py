# snn_yolov3_minigen1_t4.py on the real Prophesee Gen1 Automotive data set:
# only data_root changes (and the dataset type, for the missing-data hint).
# Put (or link) the unpacked data set there:
#   data/gen1/{train,val,test}/NAME_td.dat   events (Gen1 .dat)
#   data/gen1/{train,val,test}/NAME_bbox.npy boxes (either dtype version)
# The first run indexes every recording's labels (read from the _bbox.npy
# files and the .dat headers) and checks that its event timestamps never go
# backwards (one streaming read of each .dat), and caches the index in each
# split folder (.mmsnn_gen1_index.json); events are read per sample from
# memory-mapped files, only the window before the label. See docs/events.md.
#
# This is the small CPU model; for published-scale numbers widen it and
# train far longer (the literature trains Gen1 detectors for ~10^5-10^6
# iterations on GPUs).
_base_ = './snn_yolov3_minigen1_t4.py'

data_root = 'data/gen1/'
# The base's MiniGen1Dataset differs only in its missing-data hint.
dataset_type = 'Gen1Dataset'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
