# Short name of snn_yolov3/yolov3_d53_voc.py, which defines
# everything; work_dirs/yolov3_voc/ is its default work directory.
_base_ = './snn_yolov3/yolov3_d53_voc.py'
