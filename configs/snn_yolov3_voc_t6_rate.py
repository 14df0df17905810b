# Short name of snn_yolov3/snn_yolov3_d53_voc_t6_rate.py, which defines
# everything; work_dirs/snn_yolov3_voc_t6_rate/ is its default work directory.
_base_ = './snn_yolov3/snn_yolov3_d53_voc_t6_rate.py'
