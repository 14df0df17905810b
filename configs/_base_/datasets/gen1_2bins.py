# gen1.py with the 50 ms of events before each label cut into 2 bins of
# 25 ms instead of 4, for a model at T = 2 (SpikeYOLO's Gen1 setting): time
# step t sees bin t.
_base_ = './gen1.py'

time_steps = 2  # time bins of the representation: the SNN's T
train_pipeline = [
    dict(step, num_bins=time_steps) if step.type == 'EventsToHistogram'
    else step for step in _base_.train_pipeline
]
test_pipeline = [
    dict(step, num_bins=time_steps) if step.type == 'EventsToHistogram'
    else step for step in _base_.test_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
