# mini-Gen1, the bundled synthetic event-camera data set
# (tools/misc/make_mini_gen1.py: simulated contrast events in Gen1's file
# format, classes and sensor size), read and scored as Gen1. Its numbers are
# synthetic mini-Gen1 numbers, never Gen1 results.
_base_ = './gen1.py'

# Gen1Dataset that says how to generate the data when it is missing.
dataset_type = 'MiniGen1Dataset'
data_root = 'data/mini_gen1/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
