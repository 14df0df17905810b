# snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py on mini-Gen1, the bundled
# synthetic event-camera data set; trains on a 2-core CPU in minutes:
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py \
#       configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py
_base_ = './snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py'

# mini-Gen1's root, and the Gen1Dataset that says how to generate the data
# when it is missing (../_base_/datasets/mini_gen1.py).
dataset_type = 'MiniGen1Dataset'
data_root = 'data/mini_gen1/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
