# mini-Gen1 (mini_gen1.py) in the 2 bins of gen1_2bins.py. Its numbers are
# synthetic mini-Gen1 numbers, never Gen1 results.
_base_ = './gen1_2bins.py'

# Gen1Dataset that says how to generate the data when it is missing.
dataset_type = 'MiniGen1Dataset'
data_root = 'data/mini_gen1/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
