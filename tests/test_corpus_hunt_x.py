"""Corpus, hunt X: NumPy utility code from object detection, segmentation, image augmentation
and 3-D point-cloud repositories, written the way those repositories write it.

Boxes (YOLOv5's `xyxy2xywh`/`xywh2xyxy`/`xywhn2xyxy`/`xyxy2xywhn` writing copies column by
column and clipping an argument in place, `segments2boxes` of a list of polygons and
`resample_segments` writing the list back, YOLOv8's `bbox_ioa` with its `iou=` flag, YOLOv3's
`wh_iou`, mmdetection's `bbox_overlaps` with its row loop, legacy `+1` widths and the
`exchange` of the shorter side, DETR's GIoU, YOLOv5's `bbox_iou` with GIoU, DIoU and CIoU from
`np.split` columns, py-faster-rcnn's `bbox_transform`/`bbox_transform_inv` over `0::4` class
columns and `clip_boxes`, Detectron's weighted deltas with `BBOX_XFORM_CLIP`, ssd.pytorch's
`encode`/`decode`/`point_form`/`center_size`, its `match` whose loop writes
`best_truth_idx[best_prior_idx[j]] = j`, and its `PriorBox` of `itertools.product` loops,
py-faster-rcnn's `generate_anchors` (`_ratio_enum`, `_scale_enum`, `_mkanchors`) and shifted
anchors by `np.meshgrid`, keras-retinanet's anchors by `np.tile`/`np.repeat` over pyramid
levels, YOLOv5's `Detect` grid decoding with a sigmoid and keras-yolo3's `yolo_head` and
`yolo_correct_boxes`, YOLOv5's anchor-ratio target mask, soft-NMS by fixed loops with swaps at
traced positions, SOLOv2's Matrix NMS and YOLACT's Fast NMS, AP by VOC's all-point envelope
loop and `np.where` of recall changes, by YOLOv5's `np.maximum.accumulate` on the flipped
precision with 101-point `np.interp` and `np.trapezoid`, 11-point AP by `initial=` maxima,
COCO's 101 recall thresholds by `np.searchsorted`, detection confusion matrices by
`np.add.at` and per-class precision/recall, YOLOv5's `random_perspective` matrix and box warp
with `box_candidates`, CenterNet's vectorized Gaussian radius, HRNet's `get_max_preds` and a
vectorized quarter offset, COCO keypoint OKS, FCOS's centerness and location targets, DOTA's
rotated boxes to polygons and back); segmentation (FCN's `fast_hist` by `np.bincount` of a
selection, pytorch-semseg's `runningScore` scores as a dict, dice from confusion matrices,
mmseg's `intersect_and_union` by `np.histogram` of selections, CSAIL's
`intersectionAndUnion` and pixel accuracy, one-hot masks by palettes and `np.eye`, VOC's
bit-twiddled colour map, Cityscapes id-to-trainId loops and tables, boundaries by erosion,
mask IoU by products, torchvision's `masks_to_boxes` loop over `np.where`, median-frequency
and ENet class weights, Lovasz hinge, RLE decoding by `np.add.at` and `np.cumsum`);
augmentation (albumentations' flips, `rot90` of images and boxes, crops, brightness/contrast
and gamma tables read as `cv2.LUT`, `shift_hsv` tables, kornia's RGB/HSV by
`np.take_along_axis`, YOLOv5's HSV gains, cutout by masks, mixup from given lambdas and a
generator's `beta`, CutMix boxes as masks, normalization with `np.reciprocal(dtype=)`,
YOLOv5's and keras-yolo3's letterboxes by `np.pad` and `np.full`, reflect padding, bilinear
resize with half-pixel centres, affine warps by inverse mapping with nearest and bilinear
sampling, Gaussian blur by separable 1-D convolution and by `np.apply_along_axis` of
`np.convolve`, sharpen, solarize, posterize, autocontrast, equalize by `np.cumsum` of a
histogram, noise from given draws and a generator, channel shuffles, elastic transforms,
mosaics and random erasing); point clouds (PointNet++'s `pc_normalize`, farthest point
sampling with fixed iterations, `square_distance`, `index_points`, `query_ball_point` with its
sort and masked write, DGCNN's `knn` and graph features, kNN by `np.argpartition`, normals by
local PCA with `np.linalg.eigh` oriented to a viewpoint, ICP steps by SVD/Kabsch with a
determinant sign, Umeyama, PointNet's provider rotations, jitter, scale and shift from a
generator, voxel keys by `np.floor(...).astype(int)` and spatial hashes, SemanticKITTI's range
image projection with duplicate pixels written in depth order, BEV height and density by
`np.maximum.at`/`np.add.at`, KITTI projections and 3-D box corners, OpenPCDet's
`boxes_to_corners_3d` and points in rotated boxes, Chamfer distances, statistical outlier
masks, Rodrigues rotations, occupancy grids and oriented bounding boxes).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Draws come in as arguments, or from a generator
argument whose state must end as NumPy's. Functions whose Python needs the value of a Python
scalar argument (a crop start turned into `int`, a radius `min`-ed) are steered: jit makes the
argument static. NMS by a shrinking `while order.size > 0` list and the other forms whose
Python or result shape depends on the data raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_d import best_fit_transform  # ClayFlannigan's icp.py, in hunt D
from test_grad_hunt_r import check_grads
from test_ops import assert_same


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _u8(seed, *shape):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _xyxy(s, n, size=64.0):
    """Boxes in pixels, x1 < x2 and y1 < y2, none degenerate."""
    r = np.random.default_rng(s + 500)
    xy = r.uniform(0, size * 0.7, (n, 2))
    wh = r.uniform(size * 0.05, size * 0.4, (n, 2))
    return np.hstack([xy, xy + wh])


def _xywh(s, n):
    """YOLO labels: normalized centres and sizes."""
    r = np.random.default_rng(s + 600)
    return np.hstack([r.uniform(0.2, 0.8, (n, 2)), r.uniform(0.05, 0.4, (n, 2))])


def _cloud(s, n, d=3):
    return np.random.default_rng(s + 700).standard_normal((n, d))


def check_like_numpy_rng(fn, static: dict, make_args) -> None:
    """`check_like_numpy` with a generator as the last argument: one generator object is
    passed to every call, NumPy's twin draws the same numbers and ends in the same state, and
    arguments written in place hold NumPy's values (each side gets its own copy)."""
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    want_rng, got_rng = np.random.default_rng(7), np.random.default_rng(7)
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make_args(seed, size)
        want_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
        with np.errstate(all="ignore"):
            want = fn(*want_args, want_rng, **static)
        assert_same(jf(*got_args, got_rng, **static), want, rtol=1e-5)
        for got_arg, want_arg in zip(got_args, want_args):
            if isinstance(want_arg, (np.ndarray, dict, list)):
                assert_same(got_arg, want_arg, rtol=1e-5)
    assert got_rng.bit_generator.state == want_rng.bit_generator.state
    assert jf.cache_info().misses <= 2


# ------------------------------------------------------------------ boxes: formats and IoU


def xyxy2xywh(x):
    # YOLOv5 utils/general.py
    y = np.copy(x)
    y[..., 0] = (x[..., 0] + x[..., 2]) / 2  # x center
    y[..., 1] = (x[..., 1] + x[..., 3]) / 2  # y center
    y[..., 2] = x[..., 2] - x[..., 0]  # width
    y[..., 3] = x[..., 3] - x[..., 1]  # height
    return y


def xywh2xyxy(x):
    y = np.copy(x)
    y[..., 0] = x[..., 0] - x[..., 2] / 2  # top left x
    y[..., 1] = x[..., 1] - x[..., 3] / 2  # top left y
    y[..., 2] = x[..., 0] + x[..., 2] / 2  # bottom right x
    y[..., 3] = x[..., 1] + x[..., 3] / 2  # bottom right y
    return y


def xywhn2xyxy(x, w=640, h=640, padw=0, padh=0):
    y = np.copy(x)
    y[..., 0] = w * (x[..., 0] - x[..., 2] / 2) + padw  # top left x
    y[..., 1] = h * (x[..., 1] - x[..., 3] / 2) + padh  # top left y
    y[..., 2] = w * (x[..., 0] + x[..., 2] / 2) + padw  # bottom right x
    y[..., 3] = h * (x[..., 1] + x[..., 3] / 2) + padh  # bottom right y
    return y


def clip_boxes(boxes, shape):
    boxes[..., [0, 2]] = boxes[..., [0, 2]].clip(0, shape[1])  # x1, x2
    boxes[..., [1, 3]] = boxes[..., [1, 3]].clip(0, shape[0])  # y1, y2


def xyxy2xywhn(x, w=640, h=640, clip=False, eps=0.0):
    if clip:
        clip_boxes(x, (h - eps, w - eps))  # warning: inplace clip
    y = np.copy(x)
    y[..., 0] = ((x[..., 0] + x[..., 2]) / 2) / w  # x center
    y[..., 1] = ((x[..., 1] + x[..., 3]) / 2) / h  # y center
    y[..., 2] = (x[..., 2] - x[..., 0]) / w  # width
    y[..., 3] = (x[..., 3] - x[..., 1]) / h  # height
    return y


def segments2boxes(segments):
    boxes = []
    for s in segments:
        x, y = s.T  # segment xy
        boxes.append([x.min(), y.min(), x.max(), y.max()])  # cls, xyxy
    return xyxy2xywh(np.array(boxes))  # cls, xywh


def resample_segments(segments, n=10):
    for i, s in enumerate(segments):
        s = np.concatenate((s, s[0:1, :]), axis=0)
        x = np.linspace(0, len(s) - 1, n)
        xp = np.arange(len(s))
        segments[i] = np.concatenate([np.interp(x, xp, s[:, i]) for i in range(2)]).reshape(
            2, -1).T  # segment xy
    return segments


def bbox_ioa_v8(box1, box2, iou=False, eps=1e-7):
    # ultralytics/utils/metrics.py
    b1_x1, b1_y1, b1_x2, b1_y2 = box1.T
    b2_x1, b2_y1, b2_x2, b2_y2 = box2.T
    inter_area = (np.minimum(b1_x2[:, None], b2_x2) - np.maximum(b1_x1[:, None], b2_x1)).clip(
        0) * (np.minimum(b1_y2[:, None], b2_y2) - np.maximum(b1_y1[:, None], b2_y1)).clip(0)
    area = (b2_x2 - b2_x1) * (b2_y2 - b2_y1)
    if iou:
        box1_area = (b1_x2 - b1_x1) * (b1_y2 - b1_y1)
        area = area + box1_area[:, None] - inter_area
    return inter_area / (area + eps)


def wh_iou(wh1, wh2):
    # YOLOv3: returns the nxm IoU matrix of widths and heights
    wh1 = wh1[:, None]  # [N,1,2]
    wh2 = wh2[None]  # [1,M,2]
    inter = np.minimum(wh1, wh2).prod(2)  # [N,M]
    return inter / (wh1.prod(2) + wh2.prod(2) - inter)


def bbox_overlaps_mmdet(bboxes1, bboxes2, mode="iou", eps=1e-6, use_legacy_coordinate=False):
    # mmdet/core/evaluation/bbox_overlaps.py
    assert mode in ["iou", "iof"]
    if not use_legacy_coordinate:
        extra_length = 0.
    else:
        extra_length = 1.
    bboxes1 = bboxes1.astype(np.float32)
    bboxes2 = bboxes2.astype(np.float32)
    rows = bboxes1.shape[0]
    cols = bboxes2.shape[0]
    ious = np.zeros((rows, cols), dtype=np.float32)
    if rows * cols == 0:
        return ious
    exchange = False
    if bboxes1.shape[0] > bboxes2.shape[0]:
        bboxes1, bboxes2 = bboxes2, bboxes1
        ious = np.zeros((cols, rows), dtype=np.float32)
        exchange = True
    area1 = (bboxes1[:, 2] - bboxes1[:, 0] + extra_length) * (
        bboxes1[:, 3] - bboxes1[:, 1] + extra_length)
    area2 = (bboxes2[:, 2] - bboxes2[:, 0] + extra_length) * (
        bboxes2[:, 3] - bboxes2[:, 1] + extra_length)
    for i in range(bboxes1.shape[0]):
        x_start = np.maximum(bboxes1[i, 0], bboxes2[:, 0])
        y_start = np.maximum(bboxes1[i, 1], bboxes2[:, 1])
        x_end = np.minimum(bboxes1[i, 2], bboxes2[:, 2])
        y_end = np.minimum(bboxes1[i, 3], bboxes2[:, 3])
        overlap = np.maximum(x_end - x_start + extra_length, 0) * np.maximum(
            y_end - y_start + extra_length, 0)
        if mode == "iou":
            union = area1[i] + area2 - overlap
        else:
            union = area1[i] if not exchange else area2
        union = np.maximum(union, eps)
        ious[i, :] = overlap / union
    if exchange:
        ious = ious.T
    return ious


def _box_area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _box_iou_union(boxes1, boxes2):
    # DETR util/box_ops.py, in NumPy
    area1 = _box_area(boxes1)
    area2 = _box_area(boxes2)
    lt = np.maximum(boxes1[:, None, :2], boxes2[:, :2])  # [N,M,2]
    rb = np.minimum(boxes1[:, None, 2:], boxes2[:, 2:])  # [N,M,2]
    wh = (rb - lt).clip(min=0)  # [N,M,2]
    inter = wh[:, :, 0] * wh[:, :, 1]  # [N,M]
    union = area1[:, None] + area2 - inter
    iou = inter / union
    return iou, union


def generalized_box_iou(boxes1, boxes2):
    assert (boxes1[:, 2:] >= boxes1[:, :2]).all()
    iou, union = _box_iou_union(boxes1, boxes2)
    lt = np.minimum(boxes1[:, None, :2], boxes2[:, :2])
    rb = np.maximum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clip(min=0)  # [N,M,2]
    area = wh[:, :, 0] * wh[:, :, 1]
    return iou - (area - union) / area


def generalized_box_iou_np(boxes1, boxes2):
    # DETR's generalized_box_iou without its assert on the values
    iou, union = _box_iou_union(boxes1, boxes2)
    lt = np.minimum(boxes1[:, None, :2], boxes2[:, :2])
    rb = np.maximum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clip(min=0)  # [N,M,2]
    area = wh[:, :, 0] * wh[:, :, 1]
    return iou - (area - union) / area


def bbox_iou_v5(box1, box2, xywh=True, GIoU=False, DIoU=False, CIoU=False, eps=1e-7):
    # YOLOv5 utils/metrics.py, in NumPy: box1 (1, 4) against box2 (n, 4)
    if xywh:  # transform from xywh to xyxy
        (x1, y1, w1, h1), (x2, y2, w2, h2) = np.split(box1, 4, -1), np.split(box2, 4, -1)
        w1_, h1_, w2_, h2_ = w1 / 2, h1 / 2, w2 / 2, h2 / 2
        b1_x1, b1_x2, b1_y1, b1_y2 = x1 - w1_, x1 + w1_, y1 - h1_, y1 + h1_
        b2_x1, b2_x2, b2_y1, b2_y2 = x2 - w2_, x2 + w2_, y2 - h2_, y2 + h2_
    else:  # x1, y1, x2, y2 = box1
        b1_x1, b1_y1, b1_x2, b1_y2 = np.split(box1, 4, -1)
        b2_x1, b2_y1, b2_x2, b2_y2 = np.split(box2, 4, -1)
        w1, h1 = b1_x2 - b1_x1, b1_y2 - b1_y1 + eps
        w2, h2 = b2_x2 - b2_x1, b2_y2 - b2_y1 + eps
    inter = (np.minimum(b1_x2, b2_x2) - np.maximum(b1_x1, b2_x1)).clip(0) * \
            (np.minimum(b1_y2, b2_y2) - np.maximum(b1_y1, b2_y1)).clip(0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    if CIoU or DIoU or GIoU:
        cw = np.maximum(b1_x2, b2_x2) - np.minimum(b1_x1, b2_x1)  # convex width
        ch = np.maximum(b1_y2, b2_y2) - np.minimum(b1_y1, b2_y1)  # convex height
        if CIoU or DIoU:
            c2 = cw ** 2 + ch ** 2 + eps  # convex diagonal squared
            rho2 = ((b2_x1 + b2_x2 - b1_x1 - b1_x2) ** 2
                    + (b2_y1 + b2_y2 - b1_y1 - b1_y2) ** 2) / 4
            if CIoU:
                v = (4 / math.pi ** 2) * (np.arctan(w2 / h2) - np.arctan(w1 / h1)) ** 2
                alpha = v / (v - iou + (1 + eps))
                return iou - (rho2 / c2 + v * alpha)  # CIoU
            return iou - rho2 / c2  # DIoU
        c_area = cw * ch + eps  # convex area
        return iou - (c_area - union) / c_area  # GIoU
    return iou  # IoU


def diou_matrix(boxes1, boxes2):
    # DIoU-NMS's pairwise matrix (Zheng et al.), by broadcasting
    iou, _ = _box_iou_union(boxes1, boxes2)
    c1 = (boxes1[:, None, :2] + boxes1[:, None, 2:]) / 2
    c2 = (boxes2[None, :, :2] + boxes2[None, :, 2:]) / 2
    rho2 = ((c1 - c2) ** 2).sum(-1)
    lt = np.minimum(boxes1[:, None, :2], boxes2[:, :2])
    rb = np.maximum(boxes1[:, None, 2:], boxes2[:, 2:])
    diag2 = ((rb - lt) ** 2).sum(-1)
    return iou - rho2 / diag2


# ------------------------------------------------------------ boxes: deltas, anchors, priors


def bbox_transform(ex_rois, gt_rois):
    # py-faster-rcnn lib/fast_rcnn/bbox_transform.py
    ex_widths = ex_rois[:, 2] - ex_rois[:, 0] + 1.0
    ex_heights = ex_rois[:, 3] - ex_rois[:, 1] + 1.0
    ex_ctr_x = ex_rois[:, 0] + 0.5 * ex_widths
    ex_ctr_y = ex_rois[:, 1] + 0.5 * ex_heights

    gt_widths = gt_rois[:, 2] - gt_rois[:, 0] + 1.0
    gt_heights = gt_rois[:, 3] - gt_rois[:, 1] + 1.0
    gt_ctr_x = gt_rois[:, 0] + 0.5 * gt_widths
    gt_ctr_y = gt_rois[:, 1] + 0.5 * gt_heights

    targets_dx = (gt_ctr_x - ex_ctr_x) / ex_widths
    targets_dy = (gt_ctr_y - ex_ctr_y) / ex_heights
    targets_dw = np.log(gt_widths / ex_widths)
    targets_dh = np.log(gt_heights / ex_heights)

    targets = np.vstack((targets_dx, targets_dy, targets_dw, targets_dh)).transpose()
    return targets


def bbox_transform_inv(boxes, deltas):
    if boxes.shape[0] == 0:
        return np.zeros((0, deltas.shape[1]), dtype=deltas.dtype)

    boxes = boxes.astype(deltas.dtype, copy=False)

    widths = boxes[:, 2] - boxes[:, 0] + 1.0
    heights = boxes[:, 3] - boxes[:, 1] + 1.0
    ctr_x = boxes[:, 0] + 0.5 * widths
    ctr_y = boxes[:, 1] + 0.5 * heights

    dx = deltas[:, 0::4]
    dy = deltas[:, 1::4]
    dw = deltas[:, 2::4]
    dh = deltas[:, 3::4]

    pred_ctr_x = dx * widths[:, np.newaxis] + ctr_x[:, np.newaxis]
    pred_ctr_y = dy * heights[:, np.newaxis] + ctr_y[:, np.newaxis]
    pred_w = np.exp(dw) * widths[:, np.newaxis]
    pred_h = np.exp(dh) * heights[:, np.newaxis]

    pred_boxes = np.zeros(deltas.shape, dtype=deltas.dtype)
    # x1
    pred_boxes[:, 0::4] = pred_ctr_x - 0.5 * pred_w
    # y1
    pred_boxes[:, 1::4] = pred_ctr_y - 0.5 * pred_h
    # x2
    pred_boxes[:, 2::4] = pred_ctr_x + 0.5 * pred_w
    # y2
    pred_boxes[:, 3::4] = pred_ctr_y + 0.5 * pred_h

    return pred_boxes


def clip_boxes_frcnn(boxes, im_shape):
    # x1 >= 0
    boxes[:, 0::4] = np.maximum(np.minimum(boxes[:, 0::4], im_shape[1] - 1), 0)
    # y1 >= 0
    boxes[:, 1::4] = np.maximum(np.minimum(boxes[:, 1::4], im_shape[0] - 1), 0)
    # x2 < im_shape[1]
    boxes[:, 2::4] = np.maximum(np.minimum(boxes[:, 2::4], im_shape[1] - 1), 0)
    # y2 < im_shape[0]
    boxes[:, 3::4] = np.maximum(np.minimum(boxes[:, 3::4], im_shape[0] - 1), 0)
    return boxes


BBOX_XFORM_CLIP = np.log(1000. / 16.)


def detectron_bbox_transform(boxes, deltas, weights=(10., 10., 5., 5.)):
    # Detectron lib/utils/boxes.py: decode with weights and the exp clamp
    if boxes.shape[0] == 0:
        return np.zeros((0, deltas.shape[1]), dtype=deltas.dtype)
    boxes = boxes.astype(deltas.dtype, copy=False)
    widths = boxes[:, 2] - boxes[:, 0] + 1.0
    heights = boxes[:, 3] - boxes[:, 1] + 1.0
    ctr_x = boxes[:, 0] + 0.5 * widths
    ctr_y = boxes[:, 1] + 0.5 * heights
    wx, wy, ww, wh = weights
    dx = deltas[:, 0::4] / wx
    dy = deltas[:, 1::4] / wy
    dw = deltas[:, 2::4] / ww
    dh = deltas[:, 3::4] / wh
    # Prevent sending too large values into np.exp()
    dw = np.minimum(dw, BBOX_XFORM_CLIP)
    dh = np.minimum(dh, BBOX_XFORM_CLIP)
    pred_ctr_x = dx * widths[:, np.newaxis] + ctr_x[:, np.newaxis]
    pred_ctr_y = dy * heights[:, np.newaxis] + ctr_y[:, np.newaxis]
    pred_w = np.exp(dw) * widths[:, np.newaxis]
    pred_h = np.exp(dh) * heights[:, np.newaxis]
    pred_boxes = np.zeros(deltas.shape, dtype=deltas.dtype)
    pred_boxes[:, 0::4] = pred_ctr_x - 0.5 * pred_w
    pred_boxes[:, 1::4] = pred_ctr_y - 0.5 * pred_h
    # x2 (note: "- 1" is correct; don't be fooled by the asymmetry)
    pred_boxes[:, 2::4] = pred_ctr_x + 0.5 * pred_w - 1
    pred_boxes[:, 3::4] = pred_ctr_y + 0.5 * pred_h - 1
    return pred_boxes


def detectron_bbox_transform_inv(boxes, gt_boxes, weights=(1.0, 1.0, 1.0, 1.0)):
    ex_widths = boxes[:, 2] - boxes[:, 0] + 1.0
    ex_heights = boxes[:, 3] - boxes[:, 1] + 1.0
    ex_ctr_x = boxes[:, 0] + 0.5 * ex_widths
    ex_ctr_y = boxes[:, 1] + 0.5 * ex_heights
    gt_widths = gt_boxes[:, 2] - gt_boxes[:, 0] + 1.0
    gt_heights = gt_boxes[:, 3] - gt_boxes[:, 1] + 1.0
    gt_ctr_x = gt_boxes[:, 0] + 0.5 * gt_widths
    gt_ctr_y = gt_boxes[:, 1] + 0.5 * gt_heights
    wx, wy, ww, wh = weights
    targets_dx = wx * (gt_ctr_x - ex_ctr_x) / ex_widths
    targets_dy = wy * (gt_ctr_y - ex_ctr_y) / ex_heights
    targets_dw = ww * np.log(gt_widths / ex_widths)
    targets_dh = wh * np.log(gt_heights / ex_heights)
    targets = np.vstack((targets_dx, targets_dy, targets_dw, targets_dh)).transpose()
    return targets


def point_form(boxes):
    # ssd.pytorch layers/box_utils.py, in NumPy
    return np.concatenate((boxes[:, :2] - boxes[:, 2:] / 2,  # xmin, ymin
                           boxes[:, :2] + boxes[:, 2:] / 2), 1)  # xmax, ymax


def center_size(boxes):
    return np.concatenate(((boxes[:, 2:] + boxes[:, :2]) / 2,  # cx, cy
                           boxes[:, 2:] - boxes[:, :2]), 1)  # w, h


def ssd_forms_roundtrip(priors):
    pf = point_form(priors)
    return pf, center_size(pf)


def intersect(box_a, box_b):
    A = box_a.shape[0]
    B = box_b.shape[0]
    max_xy = np.minimum(np.broadcast_to(box_a[:, None, 2:], (A, B, 2)),
                        np.broadcast_to(box_b[None, :, 2:], (A, B, 2)))
    min_xy = np.maximum(np.broadcast_to(box_a[:, None, :2], (A, B, 2)),
                        np.broadcast_to(box_b[None, :, :2], (A, B, 2)))
    inter = np.clip((max_xy - min_xy), 0, None)
    return inter[:, :, 0] * inter[:, :, 1]


def jaccard(box_a, box_b):
    inter = intersect(box_a, box_b)
    area_a = ((box_a[:, 2] - box_a[:, 0]) * (box_a[:, 3] - box_a[:, 1]))[:, None]  # [A,B]
    area_b = ((box_b[:, 2] - box_b[:, 0]) * (box_b[:, 3] - box_b[:, 1]))[None, :]  # [A,B]
    union = area_a + area_b - inter
    return inter / union  # [A,B]


def ssd_encode(matched, priors, variances):
    g_cxcy = (matched[:, :2] + matched[:, 2:]) / 2 - priors[:, :2]
    g_cxcy /= (variances[0] * priors[:, 2:])
    g_wh = (matched[:, 2:] - matched[:, :2]) / priors[:, 2:]
    g_wh = np.log(g_wh) / variances[1]
    return np.concatenate([g_cxcy, g_wh], 1)  # [num_priors,4]


def ssd_decode(loc, priors, variances):
    boxes = np.concatenate((
        priors[:, :2] + loc[:, :2] * variances[0] * priors[:, 2:],
        priors[:, 2:] * np.exp(loc[:, 2:] * variances[1])), 1)
    boxes[:, :2] -= boxes[:, 2:] / 2
    boxes[:, 2:] += boxes[:, :2]
    return boxes


def ssd_match(threshold, truths, priors, variances, labels):
    overlaps = jaccard(truths, point_form(priors))
    # [1,num_objects] best prior for each ground truth
    best_prior_idx = overlaps.argmax(1)
    # [1,num_priors] best ground truth for each prior
    best_truth_overlap = overlaps.max(0)
    best_truth_idx = overlaps.argmax(0)
    best_truth_overlap[best_prior_idx] = 2  # ensure best prior
    # ensure every gt matches with its prior of max overlap
    for j in range(best_prior_idx.shape[0]):
        best_truth_idx[best_prior_idx[j]] = j
    matches = truths[best_truth_idx]  # Shape: [num_priors,4]
    conf = labels[best_truth_idx] + 1  # Shape: [num_priors]
    conf[best_truth_overlap < threshold] = 0  # label as background
    loc = ssd_encode(matches, priors, variances)
    return loc, conf


def _priors(s, n):
    r = np.random.default_rng(s + 800)
    return np.hstack([r.uniform(0.2, 0.8, (n, 2)), r.uniform(0.1, 0.5, (n, 2))])


def _truths(s, n):
    b = _xyxy(s, n, size=1.0)
    return np.clip(b, 0, 1)


def ssd_prior_box(image_size, feature_maps, steps=(8, 16, 32), min_sizes=(10, 20, 40),
                  max_sizes=(20, 40, 60), aspect_ratios=((2,), (2, 3), (2,)), clip=True):
    # ssd.pytorch layers/functions/prior_box.py, with a traced image size
    mean = []
    for k, f in enumerate(feature_maps):
        for i, j in itertools.product(range(f), repeat=2):
            f_k = image_size / steps[k]
            # unit center x,y
            cx = (j + 0.5) / f_k
            cy = (i + 0.5) / f_k
            # aspect_ratio: 1, rel size: min_size
            s_k = min_sizes[k] / image_size
            mean += [cx, cy, s_k, s_k]
            # aspect_ratio: 1, rel size: sqrt(s_k * s_(k+1))
            s_k_prime = np.sqrt(s_k * (max_sizes[k] / image_size))
            mean += [cx, cy, s_k_prime, s_k_prime]
            # rest of aspect ratios
            for ar in aspect_ratios[k]:
                mean += [cx, cy, s_k * math.sqrt(ar), s_k / math.sqrt(ar)]
                mean += [cx, cy, s_k / math.sqrt(ar), s_k * math.sqrt(ar)]
    output = np.array(mean).reshape(-1, 4)
    if clip:
        output = np.clip(output, 0, 1)
    return output


def _whctrs(anchor):
    w = anchor[2] - anchor[0] + 1
    h = anchor[3] - anchor[1] + 1
    x_ctr = anchor[0] + 0.5 * (w - 1)
    y_ctr = anchor[1] + 0.5 * (h - 1)
    return w, h, x_ctr, y_ctr


def _mkanchors(ws, hs, x_ctr, y_ctr):
    ws = ws[:, np.newaxis]
    hs = hs[:, np.newaxis]
    anchors = np.hstack((x_ctr - 0.5 * (ws - 1),
                         y_ctr - 0.5 * (hs - 1),
                         x_ctr + 0.5 * (ws - 1),
                         y_ctr + 0.5 * (hs - 1)))
    return anchors


def _ratio_enum(anchor, ratios):
    w, h, x_ctr, y_ctr = _whctrs(anchor)
    size = w * h
    size_ratios = size / ratios
    ws = np.round(np.sqrt(size_ratios))
    hs = np.round(ws * ratios)
    anchors = _mkanchors(ws, hs, x_ctr, y_ctr)
    return anchors


def _scale_enum(anchor, scales):
    w, h, x_ctr, y_ctr = _whctrs(anchor)
    ws = w * scales
    hs = h * scales
    anchors = _mkanchors(ws, hs, x_ctr, y_ctr)
    return anchors


def generate_anchors(base_size=16, ratios=np.array([0.5, 1, 2]), scales=2 ** np.arange(3, 6)):
    # py-faster-rcnn lib/rpn/generate_anchors.py
    base_anchor = np.array([1, 1, base_size, base_size]) - 1
    ratio_anchors = _ratio_enum(base_anchor, ratios)
    anchors = np.vstack([_scale_enum(ratio_anchors[i, :], scales)
                         for i in range(ratio_anchors.shape[0])])
    return anchors


def shifted_anchors(anchors, height, width, im_info, feat_stride=16):
    # py-faster-rcnn lib/rpn/anchor_target_layer.py
    shift_x = np.arange(0, width) * feat_stride
    shift_y = np.arange(0, height) * feat_stride
    shift_x, shift_y = np.meshgrid(shift_x, shift_y)
    shifts = np.vstack((shift_x.ravel(), shift_y.ravel(),
                        shift_x.ravel(), shift_y.ravel())).transpose()
    A = anchors.shape[0]
    K = shifts.shape[0]
    all_anchors = (anchors.reshape((1, A, 4)) +
                   shifts.reshape((1, K, 4)).transpose((1, 0, 2)))
    all_anchors = all_anchors.reshape((K * A, 4))
    # only keep anchors inside the image (as a mask: the count depends on the data)
    inside = ((all_anchors[:, 0] >= 0) &
              (all_anchors[:, 1] >= 0) &
              (all_anchors[:, 2] < im_info[1]) &  # width
              (all_anchors[:, 3] < im_info[0]))  # height
    return all_anchors, inside, inside.sum()


def retinanet_generate_anchors(base_size, ratios, scales):
    # keras-retinanet utils/anchors.py
    num_anchors = len(ratios) * len(scales)
    anchors = np.zeros((num_anchors, 4))
    anchors[:, 2:] = base_size * np.tile(scales, (2, len(ratios))).T
    areas = anchors[:, 2] * anchors[:, 3]
    anchors[:, 2] = np.sqrt(areas / np.repeat(ratios, len(scales)))
    anchors[:, 3] = anchors[:, 2] * np.repeat(ratios, len(scales))
    anchors[:, 0::2] -= np.tile(anchors[:, 2] * 0.5, (2, 1)).T
    anchors[:, 1::2] -= np.tile(anchors[:, 3] * 0.5, (2, 1)).T
    return anchors


def retinanet_shift(shape, stride, anchors):
    shift_x = (np.arange(0, shape[1]) + 0.5) * stride
    shift_y = (np.arange(0, shape[0]) + 0.5) * stride
    shift_x, shift_y = np.meshgrid(shift_x, shift_y)
    shifts = np.vstack((shift_x.ravel(), shift_y.ravel(),
                        shift_x.ravel(), shift_y.ravel())).transpose()
    A = anchors.shape[0]
    K = shifts.shape[0]
    all_anchors = (anchors.reshape((1, A, 4)) + shifts.reshape((1, K, 4)).transpose((1, 0, 2)))
    all_anchors = all_anchors.reshape((K * A, 4))
    return all_anchors


def retinanet_anchors_for_shape(image, ratios, scales, pyramid_levels=(3, 4, 5)):
    image_shape = image.shape
    image_shapes = [(np.array(image_shape[:2]) + 2 ** x - 1) // (2 ** x)
                    for x in pyramid_levels]
    all_anchors = np.zeros((0, 4))
    for idx, p in enumerate(pyramid_levels):
        anchors = retinanet_generate_anchors(base_size=2 ** (p + 2), ratios=ratios,
                                             scales=scales)
        shifted = retinanet_shift(image_shapes[idx], 2 ** p, anchors)
        all_anchors = np.append(all_anchors, shifted, axis=0)
    return all_anchors


# ------------------------------------------------------------------ boxes: heads and NMS


def yolov5_detect_decode(p, anchors, stride):
    # YOLOv5 models/yolo.py Detect.forward (inference branch) and _make_grid
    bs, na, ny, nx, no = p.shape
    yv, xv = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    grid = np.stack((xv, yv), 2).reshape(1, 1, ny, nx, 2).astype(np.float32) - 0.5
    anchor_grid = (anchors * stride).reshape((1, na, 1, 1, 2)).astype(np.float32)
    y = 1 / (1 + np.exp(-p))
    xy, wh, conf = np.split(y, [2, 4], 4)
    xy = (xy * 2 + grid) * stride  # xy
    wh = (wh * 2) ** 2 * anchor_grid  # wh
    y = np.concatenate((xy, wh, conf), 4)
    return y.reshape(bs, na * nx * ny, no)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def keras_yolo_head(feats, anchors, num_classes, input_shape):
    # keras-yolo3 yolo3/model.py yolo_head, in NumPy
    num_anchors = len(anchors)
    anchors_tensor = np.reshape(anchors, [1, 1, 1, num_anchors, 2])
    grid_shape = feats.shape[1:3]  # height, width
    grid_y = np.tile(np.reshape(np.arange(0, grid_shape[0]), [-1, 1, 1, 1]),
                     [1, grid_shape[1], 1, 1])
    grid_x = np.tile(np.reshape(np.arange(0, grid_shape[1]), [1, -1, 1, 1]),
                     [grid_shape[0], 1, 1, 1])
    grid = np.concatenate([grid_x, grid_y], axis=-1).astype(feats.dtype)
    feats = np.reshape(feats, [-1, grid_shape[0], grid_shape[1], num_anchors, num_classes + 5])
    box_xy = (_sigmoid(feats[..., :2]) + grid) / np.array(grid_shape[::-1], dtype=feats.dtype)
    box_wh = np.exp(feats[..., 2:4]) * anchors_tensor / input_shape[::-1]
    box_confidence = _sigmoid(feats[..., 4:5])
    box_class_probs = _sigmoid(feats[..., 5:])
    return box_xy, box_wh, box_confidence, box_class_probs


def yolo_correct_boxes(box_xy, box_wh, input_shape, image_shape):
    box_yx = box_xy[..., ::-1]
    box_hw = box_wh[..., ::-1]
    new_shape = np.round(image_shape * np.min(input_shape / image_shape))
    offset = (input_shape - new_shape) / 2. / input_shape
    scale = input_shape / new_shape
    box_yx = (box_yx - offset) * scale
    box_hw *= scale
    box_mins = box_yx - (box_hw / 2.)
    box_maxes = box_yx + (box_hw / 2.)
    boxes = np.concatenate([
        box_mins[..., 0:1],  # y_min
        box_mins[..., 1:2],  # x_min
        box_maxes[..., 0:1],  # y_max
        box_maxes[..., 1:2]  # x_max
    ], axis=-1)
    boxes *= np.concatenate([image_shape, image_shape], axis=-1)
    return boxes


def yolo_head_and_correct(feats, anchors, input_shape, image_shape):
    box_xy, box_wh, conf, probs = keras_yolo_head(feats, anchors, 2, input_shape)
    boxes = yolo_correct_boxes(box_xy, box_wh, input_shape, image_shape)
    return boxes.reshape(-1, 4), (conf * probs).reshape(-1, 2)


def yolo_anchor_ratio_targets(t, anchors, anchor_t=4.0):
    # YOLOv5 utils/loss.py build_targets: match by width-height ratio to the anchors
    na = anchors.shape[0]
    t = np.tile(t[None], (na, 1, 1))  # (na, nt, 6): image, class, x, y, w, h
    r = t[..., 4:6] / anchors[:, None]  # wh ratio
    j = np.maximum(r, 1 / r).max(2) < anchor_t  # compare
    g = 0.5
    gxy = t[..., 2:4]
    gxi = 8 - gxy  # inverse, on an 8x8 grid
    jj, kk = ((gxy % 1 < g) & (gxy > 1)).T
    ll, mm = ((gxi % 1 < g) & (gxi > 1)).T
    return j, j.sum(), np.stack((np.ones_like(jj), jj, kk, ll, mm)) & j.T[None]


def soft_nms_fixed(boxes, scores, sigma=0.5, Nt=0.3, method="gaussian"):
    # soft-NMS (Bodla et al.) as the NumPy ports write it, with the conditional swap of
    # the Cython original made unconditional: the best box is swapped into position i
    boxes = boxes.copy()
    scores = scores.copy()
    N = boxes.shape[0]
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    for i in range(N):
        maxpos = i + np.argmax(scores[i:])
        boxes[[i, maxpos]] = boxes[[maxpos, i]]
        scores[[i, maxpos]] = scores[[maxpos, i]]
        areas[[i, maxpos]] = areas[[maxpos, i]]
        pos = i + 1
        xx1 = np.maximum(boxes[i, 0], boxes[pos:, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[pos:, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[pos:, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[pos:, 3])
        w = np.maximum(0.0, xx2 - xx1 + 1)
        h = np.maximum(0.0, yy2 - yy1 + 1)
        inter = w * h
        ovr = inter / (areas[i] + areas[pos:] - inter)
        if method == "linear":
            weight = np.ones(ovr.shape)
            weight[ovr > Nt] = weight[ovr > Nt] - ovr[ovr > Nt]
        elif method == "gaussian":
            weight = np.exp(-(ovr * ovr) / sigma)
        else:  # original NMS
            weight = np.ones(ovr.shape)
            weight[ovr > Nt] = 0
        scores[pos:] = weight * scores[pos:]
    return boxes, scores


def matrix_nms(seg_masks, cate_labels, cate_scores, kernel="gaussian", sigma=2.0,
               sum_masks=None):
    # SOLOv2 mmdet/core/post_processing/matrix_nms.py, in NumPy
    n_samples = len(cate_labels)
    if n_samples == 0:
        return []
    if sum_masks is None:
        sum_masks = seg_masks.sum((1, 2)).astype(np.float32)
    seg_masks = seg_masks.reshape(n_samples, -1).astype(np.float32)
    # inter.
    inter_matrix = seg_masks @ seg_masks.T
    # union.
    sum_masks_x = np.broadcast_to(sum_masks, (n_samples, n_samples))
    # iou.
    iou_matrix = np.triu(inter_matrix / (sum_masks_x + sum_masks_x.T - inter_matrix), k=1)
    # label_specific matrix.
    cate_labels_x = np.broadcast_to(cate_labels, (n_samples, n_samples))
    label_matrix = np.triu((cate_labels_x == cate_labels_x.T).astype(np.float32), k=1)
    # IoU compensation
    compensate_iou = (iou_matrix * label_matrix).max(0)
    compensate_iou = np.broadcast_to(compensate_iou, (n_samples, n_samples)).T
    # IoU decay
    decay_iou = iou_matrix * label_matrix
    # matrix nms
    if kernel == "gaussian":
        decay_matrix = np.exp(-1 * sigma * (decay_iou ** 2))
        compensate_matrix = np.exp(-1 * sigma * (compensate_iou ** 2))
        decay_coefficient = (decay_matrix / compensate_matrix).min(0)
    elif kernel == "linear":
        decay_matrix = (1 - decay_iou) / (1 - compensate_iou)
        decay_coefficient = decay_matrix.min(0)
    else:
        raise NotImplementedError
    # update the score.
    cate_scores_update = cate_scores * decay_coefficient
    return cate_scores_update


def _masks(s, n, h=6, w=7):
    r = np.random.default_rng(s + 900)
    m = r.random((n, h, w)) < 0.45
    m[:, 0, 0] = True  # never empty
    return m


def fast_nms(boxes, scores, iou_threshold=0.5, top_k=5):
    # YOLACT layers/functions/detection.py fast_nms, per class, in NumPy
    idx = np.argsort(-scores, axis=1, kind="stable")[:, :top_k]
    scores = np.take_along_axis(scores, idx, axis=1)
    num_classes, num_dets = idx.shape
    boxes = boxes[idx.reshape(-1), :].reshape(num_classes, num_dets, 4)
    iou = np.stack([jaccard(b, b) for b in boxes])
    iou = np.triu(iou, k=1)
    iou_max = iou.max(axis=1)
    # Now just filter out the ones higher than the threshold
    keep = (iou_max <= iou_threshold)
    classes = np.broadcast_to(np.arange(num_classes)[:, None], keep.shape)
    return idx, keep, np.where(keep, scores, 0.0), classes[keep].sum()


# ------------------------------------------------------------------ boxes: metrics


def voc_ap(rec, prec, use_07_metric=False):
    # py-faster-rcnn lib/datasets/voc_eval.py
    if use_07_metric:
        # 11 point metric
        ap = 0.
        for t in np.arange(0., 1.1, 0.1):
            if np.sum(rec >= t) == 0:
                p = 0
            else:
                p = np.max(prec[rec >= t])
            ap = ap + p / 11.
    else:
        # correct AP calculation
        # first append sentinel values at the end
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))

        # compute the precision envelope
        for i in range(mpre.size - 1, 0, -1):
            mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])

        # to calculate area under PR curve, look for points
        # where X axis (recall) changes value
        i = np.where(mrec[1:] != mrec[:-1])[0]

        # and sum (\Delta recall) * prec
        ap = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])
    return ap


def _pr_curve(s, n, npos=None):
    """Recall and precision of detections sorted by confidence: tp are 0/1, so recall repeats."""
    tp = (_u(s + 40, 3 * n) < 0.6).astype(np.float64)
    tp[0] = 1.0
    fp = 1.0 - tp
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    npos = npos or 3 * n
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return rec, prec


def voc_eval_tail(tp, fp, npos):
    # voc_eval: compute precision recall from the per-detection flags, then AP
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    rec = tp / float(npos)
    # avoid divide by zero in case the first detection matches a difficult ground truth
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    ap = voc_ap(rec, prec, False)
    return rec, prec, ap


def compute_ap_v5(recall, precision, method="interp"):
    # YOLOv5 utils/metrics.py compute_ap
    # Append sentinel values to beginning and end
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([1.0], precision, [0.0]))

    # Compute the precision envelope
    mpre = np.flip(np.maximum.accumulate(np.flip(mpre)))

    # Integrate area under curve
    if method == "interp":
        x = np.linspace(0, 1, 101)  # 101-point interp (COCO)
        func = np.trapezoid if np.__version__ >= "2" else np.trapz  # noqa: NPY201
        ap = func(np.interp(x, mrec, mpre), x)  # integrate
    else:  # 'continuous'
        i = np.where(mrec[1:] != mrec[:-1])[0]  # points where x axis (recall) changes
        ap = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])  # area under curve

    return ap, mpre, mrec


def ap_11_point_initial(rec, prec):
    # 11-point interpolated AP as the NumPy ports write it without the `if`
    ap = 0.0
    for t in np.linspace(0, 1, 11):
        p = np.max(prec, where=rec >= t, initial=0.0)
        ap += p / 11.0
    return ap


def ap_11_point_where(rec, prec):
    thresholds = np.linspace(0, 1, 11)
    mask = rec[None, :] >= thresholds[:, None]
    p = np.where(mask, prec[None, :], 0).max(axis=1)
    return p.mean(), p


def coco_interp_precision(tps, fps, npig, rec_thrs):
    # pycocotools COCOeval.accumulate, vectorized over IoU thresholds (the detectron2 port)
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    rc = tp_sum / npig
    pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
    pr = np.flip(np.maximum.accumulate(np.flip(pr, axis=1), axis=1), axis=1)
    inds = np.stack([np.searchsorted(r, rec_thrs, side="left") for r in rc])
    nd = pr.shape[1]
    q = np.where(inds < nd, np.take_along_axis(pr, np.minimum(inds, nd - 1), axis=1), 0)
    return rc[:, -1], q, q.mean(axis=1)


def detection_confusion(det_boxes, det_cls, gt_boxes, gt_cls, nc=3, iou_thres=0.45):
    # YOLOv5's ConfusionMatrix.process_batch with one best detection per label
    iou = _box_iou_union(gt_boxes, det_boxes)[0]
    j = iou.argmax(1)
    matched = iou[np.arange(len(gt_boxes)), j] > iou_thres
    matrix = np.zeros((nc + 1, nc + 1))
    dc = np.where(matched, det_cls[j], nc)  # background where unmatched
    np.add.at(matrix, (dc, gt_cls), 1)
    tp = matrix.diagonal()  # true positives
    fp = matrix.sum(1) - tp  # false positives
    return matrix, tp[:-1], fp[:-1]


def precision_recall_f1(matrix, eps=1e-16):
    tp = np.diag(matrix)
    fp = matrix.sum(1) - tp
    fn = matrix.sum(0) - tp
    p = tp / (tp + fp + eps)
    r = tp / (tp + fn + eps)
    f1 = 2 * p * r / (p + r + eps)
    return p, r, f1, f1.argmax()


# ------------------------------------------------------------ boxes: augmentation, heads


def yolo_perspective_matrix(img_size, degrees, translate, scale, shear, perspective,
                            draws):
    # YOLOv5 utils/augmentations.py random_perspective, with the draws given
    height, width = img_size
    # Center
    C = np.eye(3)
    C[0, 2] = -width / 2  # x translation (pixels)
    C[1, 2] = -height / 2  # y translation (pixels)
    # Perspective
    P = np.eye(3)
    P[2, 0] = draws[0] * perspective  # x perspective (about y)
    P[2, 1] = draws[1] * perspective  # y perspective (about x)
    # Rotation and Scale (cv2.getRotationMatrix2D(angle=a, center=(0, 0), scale=s))
    a = draws[2] * degrees
    s = 1 + draws[3] * scale
    alpha, beta = s * np.cos(np.deg2rad(a)), s * np.sin(np.deg2rad(a))
    R = np.eye(3)
    R[:2] = np.array([[alpha, beta, 0.0], [-beta, alpha, 0.0]])
    # Shear
    S = np.eye(3)
    S[0, 1] = math.tan(draws[4] * shear * math.pi / 180)  # x shear (deg)
    S[1, 0] = math.tan(draws[5] * shear * math.pi / 180)  # y shear (deg)
    # Translation
    T = np.eye(3)
    T[0, 2] = (0.5 + draws[6] * translate) * width  # x translation (pixels)
    T[1, 2] = (0.5 + draws[7] * translate) * height  # y translation (pixels)
    # Combined rotation matrix
    M = T @ S @ R @ P @ C  # order of operations (right to left) is IMPORTANT
    return M, s


def box_candidates(box1, box2, wh_thr=2, ar_thr=100, area_thr=0.1, eps=1e-16):
    # box1(4,n), box2(4,n)
    w1, h1 = box1[2] - box1[0], box1[3] - box1[1]
    w2, h2 = box2[2] - box2[0], box2[3] - box2[1]
    ar = np.maximum(w2 / (h2 + eps), h2 / (w2 + eps))  # aspect ratio
    return (w2 > wh_thr) & (h2 > wh_thr) & (w2 * h2 / (w1 * h1 + eps) > area_thr) & (ar < ar_thr)


def yolo_warp_targets(targets, draws, width=64, height=48):
    M, s = yolo_perspective_matrix((height, width), 10.0, 0.1, 0.5, 2.0, 0.0005, draws)
    n = len(targets)
    xy = np.ones((n * 4, 3))
    xy[:, :2] = targets[:, [1, 2, 3, 4, 1, 4, 3, 2]].reshape(n * 4, 2)  # x1y1, x2y2, x1y2, x2y1
    xy = xy @ M.T  # transform
    xy = (xy[:, :2] / xy[:, 2:3]).reshape(n, 8)  # perspective rescale or affine
    # create new boxes
    x = xy[:, [0, 2, 4, 6]]
    y = xy[:, [1, 3, 5, 7]]
    new = np.concatenate((x.min(1), y.min(1), x.max(1), y.max(1))).reshape(4, n).T
    # clip
    new[:, [0, 2]] = new[:, [0, 2]].clip(0, width)
    new[:, [1, 3]] = new[:, [1, 3]].clip(0, height)
    # filter candidates
    i = box_candidates(box1=targets[:, 1:5].T * s, box2=new.T, area_thr=0.10)
    targets = targets.copy()
    targets[:, 1:5] = new
    return targets, i


def _targets(s, n):
    b = _xyxy(s, n, size=48.0)
    return np.hstack([_i(3, n, 1, seed=s).astype(np.float64), b])


def albu_bbox_hflip_vflip(bboxes):
    # albumentations: normalized (x_min, y_min, x_max, y_max) boxes
    h = bboxes.copy()
    h[:, [0, 2]] = 1 - bboxes[:, [2, 0]]
    v = bboxes.copy()
    v[:, [1, 3]] = 1 - bboxes[:, [3, 1]]
    return h, v


def bbox_rot90(bbox, factor):
    # albumentations bbox_rot90 of one normalized box
    x_min, y_min, x_max, y_max = bbox[:4]
    if factor == 1:
        bbox = y_min, 1 - x_max, y_max, 1 - x_min
    elif factor == 2:
        bbox = 1 - x_max, 1 - y_max, 1 - x_min, 1 - y_min
    elif factor == 3:
        bbox = 1 - y_max, x_min, 1 - y_min, x_max
    return bbox


def gaussian_radius_vec(det_size, min_overlap=0.7):
    # CenterNet utils/image.py gaussian_radius, over arrays of heights and widths
    height, width = det_size
    a1 = 1
    b1 = (height + width)
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    sq1 = np.sqrt(b1 ** 2 - 4 * a1 * c1)
    r1 = (b1 + sq1) / 2
    a2 = 4
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    sq2 = np.sqrt(b2 ** 2 - 4 * a2 * c2)
    r2 = (b2 + sq2) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    sq3 = np.sqrt(b3 ** 2 - 4 * a3 * c3)
    r3 = (b3 + sq3) / 2
    return np.minimum(np.minimum(r1, r2), r3)


def gaussian_radius(det_size, min_overlap=0.7):
    # the scalar original, with builtin min
    height, width = det_size
    a1 = 1
    b1 = (height + width)
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + np.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + np.sqrt(b2 ** 2 - 16 * c2)) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + np.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def centernet_heatmap(centers, sigmas, h=12, w=14):
    # CenterNet's heads drawn over the whole map: the max of Gaussians at each center
    ys, xs = np.ogrid[:h, :w]
    hm = np.zeros((h, w))
    for k in range(centers.shape[0]):
        cx, cy = centers[k]
        g = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigmas[k] ** 2))
        g[g < np.finfo(g.dtype).eps * g.max()] = 0
        np.maximum(hm, g, out=hm)
    return hm


def get_max_preds(batch_heatmaps):
    # HRNet lib/core/inference.py
    assert isinstance(batch_heatmaps, np.ndarray), "batch_heatmaps should be numpy.ndarray"
    assert batch_heatmaps.ndim == 4, "batch_images should be 4-ndim"

    batch_size = batch_heatmaps.shape[0]
    num_joints = batch_heatmaps.shape[1]
    width = batch_heatmaps.shape[3]
    heatmaps_reshaped = batch_heatmaps.reshape((batch_size, num_joints, -1))
    idx = np.argmax(heatmaps_reshaped, 2)
    maxvals = np.amax(heatmaps_reshaped, 2)

    maxvals = maxvals.reshape((batch_size, num_joints, 1))
    idx = idx.reshape((batch_size, num_joints, 1))

    preds = np.tile(idx, (1, 1, 2)).astype(np.float32)

    preds[:, :, 0] = (preds[:, :, 0]) % width
    preds[:, :, 1] = np.floor((preds[:, :, 1]) / width)

    pred_mask = np.tile(np.greater(maxvals, 0.0), (1, 1, 2))
    pred_mask = pred_mask.astype(np.float32)

    preds *= pred_mask
    return preds, maxvals


def quarter_offset_vectorized(batch_heatmaps):
    # HRNet get_final_preds' quarter offset toward the higher neighbour, without the `if`
    coords, maxvals = get_max_preds(batch_heatmaps)
    b, j, h, w = batch_heatmaps.shape
    px = coords[..., 0].astype(np.int64)
    py = coords[..., 1].astype(np.int64)
    inside = (px > 1) & (px < w - 1) & (py > 1) & (py < h - 1)
    pxc, pyc = np.clip(px, 1, w - 2), np.clip(py, 1, h - 2)
    bi, ji = np.meshgrid(np.arange(b), np.arange(j), indexing="ij")
    dx = batch_heatmaps[bi, ji, pyc, pxc + 1] - batch_heatmaps[bi, ji, pyc, pxc - 1]
    dy = batch_heatmaps[bi, ji, pyc + 1, pxc] - batch_heatmaps[bi, ji, pyc - 1, pxc]
    diff = np.stack([dx, dy], axis=-1)
    coords = coords + np.where(inside[..., None], np.sign(diff) * .25, 0).astype(np.float32)
    return coords, maxvals


def compute_oks(dts, gts, areas, sigmas):
    # pycocotools computeOks, vectorized over detections and ground truths
    vars = (sigmas * 2) ** 2
    xg, yg, vg = gts[..., 0], gts[..., 1], gts[..., 2]
    xd, yd = dts[..., 0], dts[..., 1]
    dx = xd[:, None, :] - xg[None, :, :]
    dy = yd[:, None, :] - yg[None, :, :]
    e = (dx ** 2 + dy ** 2) / vars / (areas[None, :, None] + np.spacing(1)) / 2
    vis = vg > 0
    k1 = np.count_nonzero(vis, axis=1)
    ious = np.sum(np.exp(-e) * vis[None], axis=2) / np.maximum(k1, 1)[None]
    return ious


def _keypoints(s, n, k=5):
    r = np.random.default_rng(s + 300)
    xy = r.uniform(0, 50, (n, k, 2))
    v = r.integers(0, 3, (n, k, 1)).astype(np.float64)
    return np.concatenate([xy, v], axis=-1)


def fcos_centerness(reg_targets):
    # FCOS fcos_core/modeling/rpn/fcos/loss.py compute_centerness_targets
    left_right = reg_targets[:, [0, 2]]
    top_bottom = reg_targets[:, [1, 3]]
    centerness = (left_right.min(axis=-1) / left_right.max(axis=-1)) * \
                 (top_bottom.min(axis=-1) / top_bottom.max(axis=-1))
    return np.sqrt(centerness)


INF = 100000000


def fcos_targets(locations, boxes, labels, size_range=(0, 32)):
    # FCOS compute_targets_for_locations for one image
    xs, ys = locations[:, 0], locations[:, 1]
    area = (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)
    l = xs[:, None] - boxes[:, 0][None]  # noqa: E741
    t = ys[:, None] - boxes[:, 1][None]
    r = boxes[:, 2][None] - xs[:, None]
    b = boxes[:, 3][None] - ys[:, None]
    reg_targets_per_im = np.stack([l, t, r, b], axis=2)
    is_in_boxes = reg_targets_per_im.min(axis=2) > 0
    max_reg_targets_per_im = reg_targets_per_im.max(axis=2)
    # limit the regression range for each location
    is_cared_in_the_level = (max_reg_targets_per_im >= size_range[0]) & \
                            (max_reg_targets_per_im <= size_range[1])
    locations_to_gt_area = np.repeat(area[None], len(locations), axis=0)
    locations_to_gt_area[is_in_boxes == 0] = INF
    locations_to_gt_area[is_cared_in_the_level == 0] = INF
    # if there are still more than one objects for a location, choose the one with min area
    locations_to_min_area = locations_to_gt_area.min(axis=1)
    locations_to_gt_inds = locations_to_gt_area.argmin(axis=1)
    reg_targets_per_im = reg_targets_per_im[range(len(locations)), locations_to_gt_inds]
    labels_per_im = labels[locations_to_gt_inds]
    labels_per_im[locations_to_min_area == INF] = 0
    return labels_per_im, reg_targets_per_im


def _locations(n, stride=8):
    xs, ys = np.meshgrid(np.arange(n) * stride + stride // 2, np.arange(4) * stride + stride // 2)
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)


def obb2poly_np(rbboxes):
    # mmrotate core/bbox/transforms.py obb2poly_np_le90
    x, y, w, h, a = (rbboxes[:, i] for i in range(5))
    cosa = np.cos(a)
    sina = np.sin(a)
    wx, wy = w / 2 * cosa, w / 2 * sina
    hx, hy = -h / 2 * sina, h / 2 * cosa
    p1x, p1y = x - wx - hx, y - wy - hy
    p2x, p2y = x + wx - hx, y + wy - hy
    p3x, p3y = x + wx + hx, y + wy + hy
    p4x, p4y = x - wx + hx, y - wy + hy
    return np.stack([p1x, p1y, p2x, p2y, p3x, p3y, p4x, p4y], axis=-1)


def poly2hbb_and_obb(polys):
    # DOTA_devkit: polygons to horizontal boxes, and back to (cx, cy, w, h, angle) in le90
    pts = polys.reshape(-1, 4, 2)
    lt = pts.min(axis=1)
    rb = pts.max(axis=1)
    hbb = np.concatenate([lt, rb], axis=1)
    edge1 = np.linalg.norm(pts[:, 1] - pts[:, 0], axis=1)
    edge2 = np.linalg.norm(pts[:, 2] - pts[:, 1], axis=1)
    angle = np.arctan2(pts[:, 1, 1] - pts[:, 0, 1], pts[:, 1, 0] - pts[:, 0, 0])
    angle = (angle + np.pi / 2) % np.pi - np.pi / 2  # norm_angle le90
    ctr = pts.mean(axis=1)
    return hbb, np.column_stack([ctr, edge1, edge2, angle])


def _rboxes(s, n):
    r = np.random.default_rng(s + 950)
    return np.column_stack([r.uniform(10, 50, (n, 2)), r.uniform(4, 20, (n, 2)),
                            r.uniform(-1.2, 1.2, n)])


def simota_topk(cost, ious, n_candidate_k=3):
    # YOLOX yolox/models/yolo_head.py dynamic_k_matching, torch.topk by np.argsort
    matching_matrix = np.zeros_like(cost)
    topk_ious = -np.sort(-ious, axis=1)[:, :n_candidate_k]
    dynamic_ks = np.clip(topk_ious.sum(1).astype(int), 1, None)
    for gt_idx in range(cost.shape[0]):
        pos_idx = np.argsort(cost[gt_idx])[:dynamic_ks[gt_idx]]
        matching_matrix[gt_idx][pos_idx] = 1
    return matching_matrix


BOXES = {
    "xyxy2xywh": (xyxy2xywh, {}, lambda s, n: (_xyxy(s, n),)),
    "xywh2xyxy": (xywh2xyxy, {}, lambda s, n: (_xywh(s, n).astype(np.float32),)),
    "xywhn2xyxy_pad": (xywhn2xyxy, {}, lambda s, n: (_xywh(s, n), 320, 256, 8.0, 4)),
    "xyxy2xywhn_clip_in_place": (xyxy2xywhn, {"clip": True}, lambda s, n: (
        _xyxy(s, n, size=96.0), 64, 48)),
    "segments2boxes": (segments2boxes, {}, lambda s, n: (
        [_u(s, n + k, 2) * 30 for k in range(3)],)),
    "resample_segments_list": (resample_segments, {}, lambda s, n: (
        [_u(s + k, n + k, 2) * 30 for k in range(2)],)),
    "bbox_ioa_v8": (bbox_ioa_v8, {}, lambda s, n: (_xyxy(s, n), _xyxy(s + 1, 5))),
    "bbox_ioa_v8_iou": (bbox_ioa_v8, {"iou": True}, lambda s, n: (_xyxy(s, n),
                                                                   _xyxy(s + 1, 5))),
    "wh_iou": (wh_iou, {}, lambda s, n: (_xywh(s, n)[:, 2:] * 30, _xywh(9, 3)[:, 2:] * 30)),
    "bbox_overlaps_mmdet": (bbox_overlaps_mmdet, {}, lambda s, n: (
        _xyxy(s, n), _xyxy(s + 1, 5))),
    "bbox_overlaps_mmdet_iof_legacy": (bbox_overlaps_mmdet, {
        "mode": "iof", "use_legacy_coordinate": True}, lambda s, n: (
        _xyxy(s, n), _xyxy(s + 1, 5))),
    "generalized_box_iou": (generalized_box_iou_np, {}, lambda s, n: (
        _xyxy(s, n), _xyxy(s + 1, 3))),
    "bbox_iou_v5_ciou": (bbox_iou_v5, {"CIoU": True}, lambda s, n: (
        _xywh(s, 1) * 64, _xywh(s + 1, n) * 64)),
    "bbox_iou_v5_diou": (bbox_iou_v5, {"DIoU": True}, lambda s, n: (
        _xywh(s, 1) * 64, _xywh(s + 1, n) * 64)),
    "bbox_iou_v5_giou_xyxy": (bbox_iou_v5, {"xywh": False, "GIoU": True}, lambda s, n: (
        _xyxy(s, 1), _xyxy(s + 1, n))),
    "diou_matrix": (diou_matrix, {}, lambda s, n: (_xyxy(s, n), _xyxy(s + 1, 3))),
    "bbox_transform": (bbox_transform, {}, lambda s, n: (_xyxy(s, n), _xyxy(s + 1, n))),
    "bbox_transform_inv_classes": (bbox_transform_inv, {}, lambda s, n: (
        _xyxy(s, n), (_f(n, 12, seed=s) * 0.3).astype(np.float32))),
    "clip_boxes_frcnn": (clip_boxes_frcnn, {}, lambda s, n: (
        _xyxy(s, n, size=90.0) - 10, (48, 64))),
    "detectron_bbox_transform_clamp": (detectron_bbox_transform, {}, lambda s, n: (
        _xyxy(s, n), _f(n, 8, seed=s) * np.array([1, 1, 30, 30] * 2))),
    "detectron_bbox_transform_inv": (detectron_bbox_transform_inv, {}, lambda s, n: (
        _xyxy(s, n), _xyxy(s + 1, n), (10., 10., 5., 5.))),
    "ssd_encode": (ssd_encode, {}, lambda s, n: (_truths(s, n), _priors(s, n), [0.1, 0.2])),
    "ssd_decode": (ssd_decode, {}, lambda s, n: (_f(n, 4, seed=s), _priors(s, n), [0.1, 0.2])),
    "ssd_point_center_forms": (ssd_forms_roundtrip, {}, lambda s, n: (_priors(s, n),)),
    "ssd_match": (ssd_match, {}, lambda s, n: (0.3, _truths(s, 3), _priors(s, 4 * n),
                                               [0.1, 0.2], _i(5, 3, seed=s))),
    "ssd_prior_box_traced_size": (ssd_prior_box, {}, lambda s, n: (
        60.0 + s, (n // 2, 2, 1))),
    "generate_anchors": (generate_anchors, {}, lambda s, n: (
        16, np.array([0.5, 1, 2]) * (1 + 0.1 * s), 2.0 ** np.arange(3, 3 + n // 2))),
    "shifted_anchors": (shifted_anchors, {}, lambda s, n: (
        _xyxy(s, 3) - 30, n, 5, (60.0 + s, 70.0))),
    "retinanet_anchors_for_shape": (retinanet_anchors_for_shape, {}, lambda s, n: (
        np.zeros((16 * n, 64, 3), np.uint8), np.array([0.5, 1, 2.0]),
        np.array([2 ** 0, 2 ** (1.0 / 3.0), 2 ** (2.0 / 3.0)]) * (1 + 0.01 * s))),
    "yolov5_detect_decode": (yolov5_detect_decode, {}, lambda s, n: (
        _f(1, 3, n, 5, 7, seed=s).astype(np.float32),
        np.array([[1.25, 1.625], [2.0, 3.75], [4.125, 2.875]]), 8)),
    "keras_yolo_head_correct": (yolo_head_and_correct, {}, lambda s, n: (
        _f(1, n, 3, 2 * 7, seed=s), np.array([[10., 13.], [16., 30.]]),
        np.array([96.0, 96.0]), np.array([120.0 + s, 80.0]))),
    "yolo_anchor_ratio_targets": (yolo_anchor_ratio_targets, {}, lambda s, n: (
        np.column_stack([np.zeros(n), _i(3, n, seed=s), _u(s, n, 2) * 8,
                         _u(s + 1, n, 2) * 6 + 0.2]), np.array([[1.25, 1.6], [2., 3.7]]))),
    "soft_nms_gaussian": (soft_nms_fixed, {}, lambda s, n: (
        _xyxy(s, n + 2, size=32.0), _u(s, n + 2))),
    "soft_nms_linear": (soft_nms_fixed, {"method": "linear"}, lambda s, n: (
        _xyxy(s, n + 2, size=32.0), _u(s, n + 2))),
    "soft_nms_hard": (soft_nms_fixed, {"method": "nms"}, lambda s, n: (
        _xyxy(s, n + 2, size=32.0), _u(s, n + 2))),
    "matrix_nms_gaussian": (matrix_nms, {}, lambda s, n: (
        _masks(s, n), _i(2, n, seed=s), _u(s, n).astype(np.float32))),
    "matrix_nms_linear": (matrix_nms, {"kernel": "linear"}, lambda s, n: (
        _masks(s, n), _i(2, n, seed=s), _u(s, n).astype(np.float32))),
    "fast_nms_yolact": (fast_nms, {}, lambda s, n: (
        _xyxy(s, n + 3, size=24.0), _u(s, 3, n + 3))),
    "yolox_simota_topk": (simota_topk, {}, lambda s, n: (_u(s, 3, 2 * n) * 5,
                                                         _u(s + 1, 3, 2 * n))),
    "voc_ap_all_points": (voc_ap, {}, lambda s, n: _pr_curve(s, n)),
    "voc_eval_tail": (voc_eval_tail, {}, lambda s, n: (
        (_u(s, 3 * n) < 0.6).astype(float), (_u(s, 3 * n) >= 0.6).astype(float), 2 * n)),
    "compute_ap_v5_interp": (compute_ap_v5, {}, lambda s, n: _pr_curve(s, n, 4 * n)),
    "compute_ap_v5_continuous": (compute_ap_v5, {"method": "continuous"},
                                 lambda s, n: _pr_curve(s, n, 4 * n)),
    "ap_11_point_initial": (ap_11_point_initial, {}, lambda s, n: _pr_curve(s, n, 4 * n)),
    "ap_11_point_where": (ap_11_point_where, {}, lambda s, n: _pr_curve(s, n, 4 * n)),
    "coco_interp_precision": (coco_interp_precision, {}, lambda s, n: (
        _u(s, 3, 2 * n) < 0.6, _u(s, 3, 2 * n) >= 0.6, 3 * n, np.linspace(0, 1, 101))),
    "detection_confusion": (detection_confusion, {}, lambda s, n: (
        _xyxy(s, n + 2), _i(3, n + 2, seed=s), _xyxy(s, n) + _f(n, 4, seed=s),
        _i(3, n, seed=s + 1))),
    "precision_recall_f1": (precision_recall_f1, {}, lambda s, n: (
        _i(9, n, n, seed=s).astype(np.float64) + np.eye(n) * 10,)),
    "yolo_warp_targets": (yolo_warp_targets, {}, lambda s, n: (
        _targets(s, n), _u(s, 8) * 2 - 1)),
    "albu_bbox_hflip_vflip": (albu_bbox_hflip_vflip, {}, lambda s, n: (_xyxy(s, n, 1.0),)),
    "bbox_rot90_factor1": (bbox_rot90, {"factor": 1}, lambda s, n: (_xyxy(s, 1, 1.0)[0],)),
    "bbox_rot90_factor3": (bbox_rot90, {"factor": 3}, lambda s, n: (_xyxy(s, 1, 1.0)[0],)),
    "gaussian_radius_vec": (gaussian_radius_vec, {}, lambda s, n: (
        (_u(s, n) * 30 + 4, _u(s + 1, n) * 30 + 4),)),
    "centernet_heatmap": (centernet_heatmap, {}, lambda s, n: (
        _u(s, n, 2) * 12, _u(s + 1, n) + 0.5)),
    "hrnet_get_max_preds": (get_max_preds, {}, lambda s, n: (_f(2, 3, n + 2, 7, seed=s),)),
    "hrnet_quarter_offset": (quarter_offset_vectorized, {}, lambda s, n: (
        _f(2, 3, n + 2, 7, seed=s),)),
    "compute_oks": (compute_oks, {}, lambda s, n: (
        _keypoints(s, n)[..., :2], _keypoints(s + 1, 3), _u(s, 3) * 900 + 100,
        np.array([.26, .25, .25, .35, .35]) / 10.0)),
    "fcos_centerness": (fcos_centerness, {}, lambda s, n: (_u(s, n, 4) * 20 + 0.5,)),
    "fcos_targets": (fcos_targets, {}, lambda s, n: (
        _locations(n), _xyxy(s, 3, size=32.0), _i(5, 3, seed=s) + 1)),
    "obb2poly_np": (obb2poly_np, {}, lambda s, n: (_rboxes(s, n),)),
    "poly2hbb_and_obb": (poly2hbb_and_obb, {}, lambda s, n: (obb2poly_np(_rboxes(s, n)),)),
}


def test_onehot_to_mask_by_np_uint8_traces():
    """`np.uint8(...)` of a traced array, refused until stop 27 made NumPy's scalar types
    casts."""
    check_like_numpy(onehot_to_mask, {}, lambda s, n: (
        mask_to_onehot(np.array(PALETTE, dtype=np.uint8)[_i(5, n, 5, seed=s)]),))


@pytest.mark.parametrize("name", list(BOXES))
def test_box_utilities_match_numpy(name):
    check_like_numpy(*BOXES[name])


# ------------------------------------------------------------------------- segmentation


def fast_hist(a, b, n):
    # FCN / DeepLab score.py
    k = (a >= 0) & (a < n)
    return np.bincount(n * a[k].astype(int) + b[k], minlength=n ** 2).reshape(n, n)


def compute_miou(labels, preds, n=4):
    hist = np.zeros((n, n))
    for label, pred in zip(labels, preds):
        hist += fast_hist(label.flatten(), pred.flatten(), n)
    iu = np.diag(hist) / (hist.sum(1) + hist.sum(0) - np.diag(hist))
    return hist, iu, np.nanmean(iu)


class RunningScore:
    # pytorch-semseg ptsemseg/metrics.py runningScore, the update and get_scores bodies
    def __init__(self, n_classes):
        self.n_classes = n_classes
        self.confusion_matrix = np.zeros((n_classes, n_classes))

    def _fast_hist(self, label_true, label_pred, n_class):
        mask = (label_true >= 0) & (label_true < n_class)
        hist = np.bincount(
            n_class * label_true[mask].astype(int) + label_pred[mask], minlength=n_class ** 2
        ).reshape(n_class, n_class)
        return hist

    def update(self, label_trues, label_preds):
        for lt, lp in zip(label_trues, label_preds):
            self.confusion_matrix += self._fast_hist(lt.flatten(), lp.flatten(), self.n_classes)

    def get_scores(self):
        hist = self.confusion_matrix
        acc = np.diag(hist).sum() / hist.sum()
        acc_cls = np.diag(hist) / hist.sum(axis=1)
        acc_cls = np.nanmean(acc_cls)
        iu = np.diag(hist) / (hist.sum(axis=1) + hist.sum(axis=0) - np.diag(hist))
        mean_iu = np.nanmean(iu)
        freq = hist.sum(axis=1) / hist.sum()
        fwavacc = (freq[freq > 0] * iu[freq > 0]).sum()
        cls_iu = dict(zip(range(self.n_classes), iu))
        return ({"Overall Acc: \t": acc, "Mean Acc : \t": acc_cls, "FreqW Acc : \t": fwavacc,
                 "Mean IoU : \t": mean_iu}, cls_iu)


def semseg_scores(label_trues, label_preds, n_classes=4):
    score = RunningScore(n_classes)
    score.update(label_trues, label_preds)
    return score.get_scores()


def _labels(s, n, k=4, ignore=True):
    lab = _i(k, 2, n, 5, seed=s)
    if ignore:
        lab[:, 0, :2] = -1  # unlabelled pixels
    return lab


def dice_from_confusion(hist, smooth=1e-5):
    tp = np.diag(hist)
    fp = hist.sum(axis=0) - tp
    fn = hist.sum(axis=1) - tp
    dice = (2 * tp + smooth) / (2 * tp + fp + fn + smooth)
    return dice, dice[1:].mean()


def intersect_and_union(pred_label, label, num_classes, ignore_index=255):
    # mmseg core/evaluation/metrics.py (NumPy version)
    mask = (label != ignore_index)
    pred_label = pred_label[mask]
    label = label[mask]

    intersect = pred_label[pred_label == label]
    area_intersect, _ = np.histogram(intersect, bins=np.arange(num_classes + 1))
    area_pred_label, _ = np.histogram(pred_label, bins=np.arange(num_classes + 1))
    area_label, _ = np.histogram(label, bins=np.arange(num_classes + 1))
    area_union = area_pred_label + area_label - area_intersect
    return area_intersect, area_union, area_pred_label, area_label


def _seg_ignore(s, n, k=4):
    lab = _i(k, n, 6, seed=s)
    lab[_u(s, n, 6) < 0.2] = 255
    return lab


def intersection_and_union_csail(imPred, imLab, numClass):
    # CSAIL semantic-segmentation-pytorch utils.py
    imPred = np.asarray(imPred).copy()
    imLab = np.asarray(imLab).copy()

    imPred += 1
    imLab += 1
    # Remove classes from unlabeled pixels in gt image.
    # We should not penalize detections in unlabeled portions of the image.
    imPred = imPred * (imLab > 0)

    # Compute area intersection:
    intersection = imPred * (imPred == imLab)
    (area_intersection, _) = np.histogram(intersection, bins=numClass, range=(1, numClass))

    # Compute area union:
    (area_pred, _) = np.histogram(imPred, bins=numClass, range=(1, numClass))
    (area_lab, _) = np.histogram(imLab, bins=numClass, range=(1, numClass))
    area_union = area_pred + area_lab - area_intersection

    return (area_intersection, area_union)


def pixel_accuracy_csail(preds, label):
    valid = (label >= 0)
    acc_sum = (valid * (preds == label)).sum()
    valid_sum = valid.sum()
    acc = float(acc_sum) / (valid_sum + 1e-10)
    return acc, valid_sum


PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128]]


def mask_to_onehot(mask, palette=PALETTE):
    # "Converts a segmentation mask (H, W, C) to (H, W, K) where the last dim is a one
    # hot encoding vector, C is usually 1 or 3, and K is the number of class."
    semantic_map = []
    for colour in palette:
        equality = np.equal(mask, colour)
        class_map = np.all(equality, axis=-1)
        semantic_map.append(class_map)
    semantic_map = np.stack(semantic_map, axis=-1).astype(np.float32)
    return semantic_map


def onehot_to_mask(mask, palette=PALETTE):
    x = np.argmax(mask, axis=-1)
    colour_codes = np.array(palette)
    x = np.uint8(colour_codes[x.astype(np.uint8)])
    return x


def palette_roundtrip(label):
    rgb = np.array(PALETTE, dtype=np.uint8)[label]
    onehot = mask_to_onehot(rgb)
    x = np.argmax(onehot, axis=-1)
    colour_codes = np.array(PALETTE)
    return onehot, colour_codes[x.astype(np.uint8)].astype(np.uint8)  # onehot_to_mask, astype


def onehot_eye(mask, num_classes=5):
    oh = np.eye(num_classes, dtype=np.uint8)[mask]
    return oh, np.moveaxis(oh, -1, 0), oh.sum(axis=(0, 1))


def voc_color_map(N=256, normalized=False):
    # the PASCAL VOC devkit's colour map, as the segmentation repos copy it
    def bitget(byteval, idx):
        return ((byteval & (1 << idx)) != 0)

    dtype = "float32" if normalized else "uint8"
    cmap = np.zeros((N, 3), dtype=dtype)
    for i in range(N):
        r = g = b = 0
        c = i
        for j in range(8):
            r = r | (bitget(c, 0) << 7 - j)
            g = g | (bitget(c, 1) << 7 - j)
            b = b | (bitget(c, 2) << 7 - j)
            c = c >> 3

        cmap[i] = np.array([r, g, b])

    cmap = cmap / 255 if normalized else cmap
    return cmap


def colorize_voc(label, image, alpha=0.5):
    cmap = voc_color_map(21)
    color = cmap[label]
    blend = (image.astype(np.float32) * (1 - alpha) + color * alpha).astype(np.uint8)
    return color, blend, voc_color_map(21, normalized=True)[label]


ID_TO_TRAINID = {-1: 255, 0: 255, 1: 255, 2: 0, 3: 1, 4: 255, 5: 2, 6: 3, 7: 4, 8: 5}


def cityscapes_id_to_trainid(label, reverse=False):
    # the Cityscapes dataset classes of the segmentation repos
    label_copy = label.copy()
    if reverse:
        for v, k in ID_TO_TRAINID.items():
            label_copy[label == k] = v
    else:
        for k, v in ID_TO_TRAINID.items():
            label_copy[label == k] = v
    return label_copy


def cityscapes_lut(label):
    lut = np.full(256, 255, dtype=np.uint8)
    for k, v in ID_TO_TRAINID.items():
        if k >= 0:
            lut[k] = v
    return lut[label]


def mask_to_boundary(mask, dilation=1):
    # boundary IoU's mask_to_boundary with the cv2 erosion written by shifts
    h, w = mask.shape
    padded = np.pad(mask, dilation, mode="constant", constant_values=0)
    eroded = mask.copy()
    for dy in range(-dilation, dilation + 1):
        for dx in range(-dilation, dilation + 1):
            eroded &= padded[dilation + dy:dilation + dy + h, dilation + dx:dilation + dx + w]
    return mask ^ eroded


def boundary_iou(gt, dt):
    gb = mask_to_boundary(gt)
    db = mask_to_boundary(dt)
    inter = ((gb * db) > 0).sum()
    union = ((gb + db) > 0).sum()
    return inter / union, gb.astype(np.uint8)


def mask_iou_matrix(masks_a, masks_b):
    # pycocotools' maskUtils.iou for binary masks, by a product of flattened masks
    a = masks_a.reshape(masks_a.shape[0], -1).astype(np.float64)
    b = masks_b.reshape(masks_b.shape[0], -1).astype(np.float64)
    inter = a @ b.T
    area_a = a.sum(1)
    area_b = b.sum(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def masks_to_boxes(masks):
    # torchvision ops/boxes.py masks_to_boxes, in NumPy
    if masks.size == 0:
        return np.zeros((0, 4), dtype=np.float32)
    n = masks.shape[0]
    bounding_boxes = np.zeros((n, 4), dtype=np.float32)
    for index, mask in enumerate(masks):
        y, x = np.where(mask != 0)
        bounding_boxes[index, 0] = np.min(x)
        bounding_boxes[index, 1] = np.min(y)
        bounding_boxes[index, 2] = np.max(x)
        bounding_boxes[index, 3] = np.max(y)
    return bounding_boxes


def masks_to_boxes_any_argmax(masks):
    # the vectorized form: first and last rows and columns with any pixel set
    rows = np.any(masks, axis=2)
    cols = np.any(masks, axis=1)
    h, w = masks.shape[1:]
    y1 = rows.argmax(1)
    y2 = h - 1 - rows[:, ::-1].argmax(1)
    x1 = cols.argmax(1)
    x2 = w - 1 - cols[:, ::-1].argmax(1)
    return np.stack([x1, y1, x2, y2], axis=1)


def instance_masks(inst_map, n_inst=4):
    ids = np.arange(1, n_inst + 1)
    masks = inst_map[None] == ids[:, None, None]
    areas = masks.sum(axis=(1, 2))
    ys, xs = np.mgrid[:inst_map.shape[0], :inst_map.shape[1]]
    cy = (masks * ys).sum(axis=(1, 2)) / np.maximum(areas, 1)
    cx = (masks * xs).sum(axis=(1, 2)) / np.maximum(areas, 1)
    return masks, areas, np.stack([cx, cy], axis=1)


def median_frequency_weights(labels, num_classes=5):
    # SegNet's median frequency balancing
    counts = np.bincount(labels.ravel(), minlength=num_classes).astype(np.float64)
    freq = counts / counts.sum()
    return np.median(freq[freq > 0]) / np.maximum(freq, 1e-12)


def enet_weighing(labels, num_classes=5, c=1.02):
    # ENet's class weighing: w_class = 1 / ln(c + p_class)
    class_count = np.bincount(labels.flatten(), minlength=num_classes)
    total = labels.size
    propensity_score = class_count / total
    class_weights = 1 / (np.log(c + propensity_score))
    return class_weights


def lovasz_grad(gt_sorted):
    # Berman et al., lovasz_losses.py, in NumPy
    p = len(gt_sorted)
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1. - intersection / union
    if p > 1:  # cover 1-pixel case
        jaccard[1:p] = jaccard[1:p] - jaccard[0:-1]
    return jaccard


def lovasz_hinge_flat(logits, labels):
    signs = 2. * labels - 1.
    errors = (1. - logits * signs)
    perm = np.argsort(-errors, kind="stable")
    errors_sorted = errors[perm]
    gt_sorted = labels[perm]
    grad = lovasz_grad(gt_sorted)
    loss = np.dot(np.maximum(errors_sorted, 0), grad)
    return loss


def lovasz_hinge_per_image(logits, labels):
    return np.mean([lovasz_hinge_flat(lg.ravel(), lb.ravel()) for lg, lb in zip(logits, labels)])


def rle_decode_add_at(starts, lengths, shape):
    # Kaggle's RLE (1-indexed starts, column-major), decoded without a loop over runs
    h, w = shape
    img = np.zeros(h * w + 1, dtype=np.int32)
    np.add.at(img, starts - 1, 1)
    np.add.at(img, starts - 1 + lengths, -1)
    return (np.cumsum(img[:-1]) > 0).astype(np.uint8).reshape(shape, order="F")


def rle_decode_compare(starts, lengths, shape):
    s = np.asarray(starts) - 1
    e = s + np.asarray(lengths)
    idx = np.arange(shape[0] * shape[1])
    img = ((idx[:, None] >= s[None]) & (idx[:, None] < e[None])).any(axis=1)
    return img.astype(np.uint8).reshape(shape).T  # Needed to align to RLE direction


def _runs(s, n):
    """Disjoint runs (1-indexed starts) inside an (n, 8) mask, a fixed count of them."""
    r = np.random.default_rng(s + 123)
    k = 4
    total = n * 8
    cuts = np.sort(r.choice(np.arange(1, total), 2 * k, replace=False))
    starts, ends = cuts[0::2], cuts[1::2]
    return starts + 1, ends - starts


def rle_decode_slices(starts, lengths, shape):
    # Kaggle's rle_decode after `s = mask_rle.split()`
    starts = starts - 1
    ends = starts + lengths
    img = np.zeros(shape[0] * shape[1], dtype=np.uint8)
    for lo, hi in zip(starts, ends):
        img[lo:hi] = 1
    return img.reshape(shape).T


SEGMENTATION = {
    "fast_hist_miou": (compute_miou, {}, lambda s, n: (
        _labels(s, n), _labels(s + 1, n, ignore=False))),
    "semseg_running_score": (semseg_scores, {}, lambda s, n: (
        _labels(s, n), _labels(s + 1, n, ignore=False))),
    "dice_from_confusion": (dice_from_confusion, {}, lambda s, n: (
        _i(20, n, n, seed=s).astype(np.float64),)),
    "mmseg_intersect_and_union": (intersect_and_union, {"num_classes": 4}, lambda s, n: (
        _i(4, n, 6, seed=s + 1), _seg_ignore(s, n))),
    "csail_intersection_and_union": (intersection_and_union_csail, {"numClass": 4},
                                     lambda s, n: (_i(4, n, 5, seed=s), _labels(s, n)[0])),
    "csail_pixel_accuracy": (pixel_accuracy_csail, {}, lambda s, n: (
        _i(4, n, 5, seed=s), _labels(s, n)[0])),
    "palette_onehot_roundtrip": (palette_roundtrip, {}, lambda s, n: (
        _i(5, n, 6, seed=s),)),
    "onehot_eye": (onehot_eye, {}, lambda s, n: (_i(5, n, 6, seed=s),)),
    "colorize_voc": (colorize_voc, {}, lambda s, n: (_i(21, n, 5, seed=s), _u8(s, n, 5, 3))),
    "cityscapes_id_to_trainid": (cityscapes_id_to_trainid, {}, lambda s, n: (
        _i(10, n, 7, seed=s) - 1,)),
    "cityscapes_trainid_to_id": (cityscapes_id_to_trainid, {"reverse": True}, lambda s, n: (
        _i(7, n, 7, seed=s),)),
    "cityscapes_lut": (cityscapes_lut, {}, lambda s, n: (_i(12, n, 7, seed=s).astype(np.uint8),)),
    "boundary_iou": (boundary_iou, {}, lambda s, n: (
        _u(s, n + 3, 8) < 0.6, _u(s + 1, n + 3, 8) < 0.6)),
    "mask_iou_matrix": (mask_iou_matrix, {}, lambda s, n: (_masks(s, n), _masks(s + 1, 3))),
    "masks_to_boxes_where_loop": (masks_to_boxes, {}, lambda s, n: (_masks(s, n),)),
    "masks_to_boxes_any_argmax": (masks_to_boxes_any_argmax, {}, lambda s, n: (_masks(s, n),)),
    "instance_masks": (instance_masks, {}, lambda s, n: (_i(5, n, 6, seed=s),)),
    "median_frequency_weights": (median_frequency_weights, {}, lambda s, n: (
        np.minimum(_i(5, n, 6, seed=s), 3),)),
    "enet_weighing": (enet_weighing, {}, lambda s, n: (_i(5, n, 6, seed=s),)),
    "lovasz_hinge_flat": (lovasz_hinge_flat, {}, lambda s, n: (
        _f(4 * n, seed=s), _i(2, 4 * n, seed=s).astype(np.float64))),
    "lovasz_hinge_per_image": (lovasz_hinge_per_image, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _i(2, 2, n, 3, seed=s).astype(np.float64))),
    "kaggle_rle_decode_slices": (rle_decode_slices, {}, lambda s, n: _runs(s, n) + ((8, n),)),
    "rle_decode_add_at": (rle_decode_add_at, {}, lambda s, n: _runs(s, n) + ((n, 8),)),
    "rle_decode_compare": (rle_decode_compare, {}, lambda s, n: _runs(s, n) + ((8, n),)),
}


@pytest.mark.parametrize("name", list(SEGMENTATION))
def test_segmentation_utilities_match_numpy(name):
    check_like_numpy(*SEGMENTATION[name])


# ------------------------------------------------------------------------- augmentation


def albu_flips(img):
    # albumentations functional: hflip, vflip, hflip_cv2's twin, transpose, d4 elements
    return (np.ascontiguousarray(img[:, ::-1, ...]), np.ascontiguousarray(img[::-1, ...]),
            img.transpose(1, 0, 2), np.ascontiguousarray(np.rot90(img, 3)),
            np.ascontiguousarray(img[::-1, ::-1, ...]))


def albu_rot90(img, factor):
    img = np.rot90(img, factor)
    return np.ascontiguousarray(img)


def crop_by_index_arrays(img, y1, x1, crop_height=4, crop_width=5):
    # a crop at traced offsets, as torch-style code gathers it
    rows = y1 + np.arange(crop_height)
    cols = x1 + np.arange(crop_width)
    return img[rows[:, None], cols[None, :]]


def center_crop(img, crop_height, crop_width):
    height, width = img.shape[:2]
    y1 = (height - crop_height) // 2
    y2 = y1 + crop_height
    x1 = (width - crop_width) // 2
    x2 = x1 + crop_width
    img = img[y1:y2, x1:x2]
    return img


MAX_VALUES_BY_DTYPE = {np.dtype("uint8"): 255, np.dtype("uint16"): 65535,
                       np.dtype("uint32"): 4294967295, np.dtype("float32"): 1.0}


def brightness_contrast_adjust_uint(img, alpha=1, beta=0, beta_by_max=False):
    # albumentations _brightness_contrast_adjust_uint, cv2.LUT read as lut[img]
    dtype = np.dtype("uint8")

    max_value = MAX_VALUES_BY_DTYPE[dtype]

    lut = np.arange(0, max_value + 1).astype("float32")

    if alpha != 1:
        lut *= alpha
    if beta != 0:
        if beta_by_max:
            lut += beta * max_value
        else:
            lut += (alpha * beta) * np.mean(img)

    lut = np.clip(lut, 0, max_value).astype(dtype)
    img = lut[img]
    return img


def brightness_contrast_adjust_non_uint(img, alpha=1, beta=0, beta_by_max=False):
    dtype = img.dtype
    img = img.astype("float32")

    if alpha != 1:
        img *= alpha
    if beta != 0:
        if beta_by_max:
            max_value = MAX_VALUES_BY_DTYPE[dtype]
            img += beta * max_value
        else:
            img += beta * np.mean(img)
    return img


def gamma_transform(img, gamma):
    # albumentations gamma_transform
    if img.dtype == np.uint8:
        table = (np.arange(0, 256.0 / 255, 1.0 / 255) ** gamma) * 255
        img = table.astype(np.uint8)[img]
    else:
        img = np.power(img, gamma)
    return img


def shift_hsv_uint8(img, hue_shift, sat_shift, val_shift):
    # albumentations _shift_hsv_uint8 on an OpenCV HSV image (H in [0, 180))
    dtype = img.dtype
    hue, sat, val = img[..., 0], img[..., 1], img[..., 2]

    if hue_shift != 0:
        lut_hue = np.arange(0, 256, dtype=np.int16)
        lut_hue = np.mod(lut_hue + hue_shift, 180).astype(dtype)
        hue = lut_hue[hue]

    if sat_shift != 0:
        lut_sat = np.arange(0, 256, dtype=np.int16)
        lut_sat = np.clip(lut_sat + sat_shift, 0, 255).astype(dtype)
        sat = lut_sat[sat]

    if val_shift != 0:
        lut_val = np.arange(0, 256, dtype=np.int16)
        lut_val = np.clip(lut_val + val_shift, 0, 255).astype(dtype)
        val = lut_val[val]

    img = np.stack((hue, sat, val), axis=-1)
    return img


def _hsv_cv(s, *shape):
    r = np.random.default_rng(s + 44)
    return np.stack([r.integers(0, 180, shape), r.integers(0, 256, shape),
                     r.integers(0, 256, shape)], axis=-1).astype(np.uint8)


def augment_hsv_gains(im_hsv, r):
    # YOLOv5 utils/augmentations.py augment_hsv, with the gains r drawn outside
    hue, sat, val = im_hsv[..., 0], im_hsv[..., 1], im_hsv[..., 2]
    dtype = im_hsv.dtype  # uint8

    x = np.arange(0, 256, dtype=r.dtype)
    lut_hue = ((x * r[0]) % 180).astype(dtype)
    lut_sat = np.clip(x * r[1], 0, 255).astype(dtype)
    lut_val = np.clip(x * r[2], 0, 255).astype(dtype)

    return np.stack((lut_hue[hue], lut_sat[sat], lut_val[val]), axis=-1)


def augment_hsv_rng(im_hsv, rng, hgain=0.5, sgain=0.5, vgain=0.5):
    r = rng.uniform(-1, 1, 3) * [hgain, sgain, vgain] + 1  # random gains
    return augment_hsv_gains(im_hsv, r)


def rgb_to_hsv_kornia(image, eps=1e-8):
    # kornia/color/hsv.py rgb_to_hsv, in NumPy, on (..., 3, H, W)
    max_rgb, argmax_rgb = image.max(-3), image.argmax(-3)
    min_rgb = image.min(-3)
    deltac = max_rgb - min_rgb

    v = max_rgb
    s = deltac / (max_rgb + eps)

    deltac = np.where(deltac == 0, np.ones_like(deltac), deltac)
    rc, gc, bc = np.moveaxis(np.expand_dims(max_rgb, -3) - image, -3, 0)

    h1 = bc - gc
    h2 = (rc - bc) + 2.0 * deltac
    h3 = (gc - rc) + 4.0 * deltac

    h = np.stack((h1, h2, h3), axis=-3)
    h = np.take_along_axis(h, np.expand_dims(argmax_rgb, -3), axis=-3)[..., 0, :, :]
    h = h / deltac
    h = (h / 6.0) % 1.0
    h = 2 * math.pi * h
    return np.stack((h, s, v), axis=-3)


def hsv_to_rgb_kornia(image):
    h = image[..., 0, :, :] / (2 * math.pi)
    s = image[..., 1, :, :]
    v = image[..., 2, :, :]

    hi = np.floor(h * 6) % 6
    f = ((h * 6) % 6) - hi
    one = 1.0
    p = v * (one - s)
    q = v * (one - f * s)
    t = v * (one - (one - f) * s)

    hi = hi.astype(np.int64)
    indices = np.stack([hi, hi + 6, hi + 12], axis=-3)
    out = np.stack((v, q, p, p, t, v, t, v, v, q, p, p, p, p, t, v, v, q), axis=-3)
    out = np.take_along_axis(out, indices, axis=-3)
    return out


def hsv_jitter_kornia(image, hue_shift, sat_gain):
    hsv = rgb_to_hsv_kornia(image)
    h = (hsv[0] + hue_shift) % (2 * math.pi)
    s = np.clip(hsv[1] * sat_gain, 0, 1)
    return hsv, hsv_to_rgb_kornia(np.stack([h, s, hsv[2]]))


def cutout_holes(img, holes, fill_value=0):
    # albumentations cutout with the holes drawn outside
    img = img.copy()
    for x1, y1, x2, y2 in holes:
        img[y1:y2, x1:x2] = fill_value
    return img


def cutout_mask_traced(img, centers, length=3):
    # DeVries' Cutout with the holes as masks, so the centres may be traced
    h, w = img.shape[:2]
    mask = np.ones((h, w), np.float32)
    yy, xx = np.ogrid[:h, :w]
    for y, x in centers:
        y1 = np.clip(y - length // 2, 0, h)
        y2 = np.clip(y + length // 2, 0, h)
        x1 = np.clip(x - length // 2, 0, w)
        x2 = np.clip(x + length // 2, 0, w)
        mask[(yy >= y1) & (yy < y2) & (xx >= x1) & (xx < x2)] = 0.
    mask = np.broadcast_to(mask[..., None], img.shape)
    return (img * mask).astype(img.dtype)


def mixup_given(x, y, perm, lam):
    # mixup (Zhang et al.) with the permutation and lambda drawn outside
    mixed_x = lam * x + (1 - lam) * x[perm, :]
    y_a, y_b = y, y[perm]
    return mixed_x, lam * y_a + (1 - lam) * y_b


def mixup_yolo_rng(im, labels, im2, labels2, rng):
    # YOLOv5 utils/augmentations.py mixup
    r = rng.beta(32.0, 32.0)  # mixup ratio, alpha=beta=32.0
    im = (im * r + im2 * (1 - r)).astype(np.uint8)
    labels = np.concatenate((labels, labels2), 0)
    return im, labels


def cutmix_mask(x, y_onehot, perm, lam, cx, cy):
    # CutMix's rand_bbox with the box applied as a mask (the centre is traced)
    W = x.shape[2]
    H = x.shape[3]
    cut_rat = np.sqrt(1. - lam)
    cut_w = (W * cut_rat).astype(int)
    cut_h = (H * cut_rat).astype(int)
    bbx1 = np.clip(cx - cut_w // 2, 0, W)
    bby1 = np.clip(cy - cut_h // 2, 0, H)
    bbx2 = np.clip(cx + cut_w // 2, 0, W)
    bby2 = np.clip(cy + cut_h // 2, 0, H)
    ii = np.arange(W)[:, None]
    jj = np.arange(H)[None, :]
    box = (ii >= bbx1) & (ii < bbx2) & (jj >= bby1) & (jj < bby2)
    x = np.where(box, x[perm], x)
    # adjust lambda to exactly match pixel ratio
    lam = 1 - ((bbx2 - bbx1) * (bby2 - bby1) / (W * H))
    return x, lam * y_onehot + (1 - lam) * y_onehot[perm], lam


def albu_normalize(img, mean, std, max_pixel_value=255.0):
    # albumentations normalize
    mean = np.array(mean, dtype=np.float32)
    mean *= max_pixel_value

    std = np.array(std, dtype=np.float32)
    std *= max_pixel_value

    denominator = np.reciprocal(std, dtype=np.float32)

    img = img.astype(np.float32)
    img -= mean
    img *= denominator
    return img


def to_chw_batch(img, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)):
    x = albu_normalize(img, mean, std)
    x = np.transpose(x, (2, 0, 1))[None]
    denorm = (x[0].transpose(1, 2, 0) * np.array(std) + np.array(mean)) * 255.0
    return np.ascontiguousarray(x), np.clip(denorm, 0, 255).round().astype(np.uint8)


def _resize_nearest(im, new_wh):
    # cv2.resize(..., interpolation=cv2.INTER_NEAREST) by index arithmetic
    h, w = im.shape[:2]
    nw, nh = new_wh
    ys = np.minimum((np.arange(nh) * (h / nh)).astype(int), h - 1)
    xs = np.minimum((np.arange(nw) * (w / nw)).astype(int), w - 1)
    return im[ys[:, None], xs[None, :]]


def letterbox_v5(im, new_shape=(16, 16), color=(114, 114, 114), auto=False, scaleFill=False,
                 scaleup=True, stride=8):
    # YOLOv5 utils/augmentations.py letterbox, cv2.resize/copyMakeBorder by NumPy
    shape = im.shape[:2]  # current shape [height, width]
    if isinstance(new_shape, int):
        new_shape = (new_shape, new_shape)

    # Scale ratio (new / old)
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    if not scaleup:  # only scale down, do not scale up (for better val mAP)
        r = min(r, 1.0)

    # Compute padding
    ratio = r, r  # width, height ratios
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]  # wh padding
    if auto:  # minimum rectangle
        dw, dh = np.mod(dw, stride), np.mod(dh, stride)  # wh padding
    elif scaleFill:  # stretch
        dw, dh = 0.0, 0.0
        new_unpad = (new_shape[1], new_shape[0])
        ratio = new_shape[1] / shape[1], new_shape[0] / shape[0]  # width, height ratios

    dw /= 2  # divide padding into 2 sides
    dh /= 2

    if shape[::-1] != new_unpad:  # resize
        im = _resize_nearest(im, new_unpad)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    im = np.stack([np.pad(im[..., c], ((top, bottom), (left, right)), constant_values=color[c])
                   for c in range(3)], axis=-1)  # add border
    return im, ratio, (dw, dh)


def letterbox_image_keras(image, size=(16, 16)):
    # keras-yolo3 yolo3/utils.py letterbox_image, PIL paste by NumPy
    ih, iw = image.shape[:2]
    w, h = size
    scale = min(w / iw, h / ih)
    nw = int(iw * scale)
    nh = int(ih * scale)
    resized = _resize_nearest(image, (nw, nh))
    new_image = np.full((h, w, 3), 128, np.uint8)
    dy, dx = (h - nh) // 2, (w - nw) // 2
    new_image[dy:dy + nh, dx:dx + nw] = resized
    return new_image


def pad_if_needed(img, min_height=9, min_width=11, border_mode="reflect_101", value=0):
    # albumentations PadIfNeeded by np.pad
    rows, cols = img.shape[:2]
    h_pad_top = max((min_height - rows) // 2, 0)
    h_pad_bottom = max(min_height - rows - h_pad_top, 0)
    w_pad_left = max((min_width - cols) // 2, 0)
    w_pad_right = max(min_width - cols - w_pad_left, 0)
    pads = ((h_pad_top, h_pad_bottom), (w_pad_left, w_pad_right), (0, 0))
    if border_mode == "reflect_101":
        return np.pad(img, pads, mode="reflect")
    if border_mode == "reflect":
        return np.pad(img, pads, mode="symmetric")
    if border_mode == "replicate":
        return np.pad(img, pads, mode="edge")
    return np.pad(img, pads, mode="constant", constant_values=value)


def resize_bilinear_half_pixel(img, out_h, out_w):
    # cv2.INTER_LINEAR's sampling grid (half-pixel centres), by index arithmetic
    in_h, in_w = img.shape[:2]
    sy, sx = in_h / out_h, in_w / out_w
    y = np.clip((np.arange(out_h) + 0.5) * sy - 0.5, 0, in_h - 1)
    x = np.clip((np.arange(out_w) + 0.5) * sx - 0.5, 0, in_w - 1)
    y0 = np.floor(y).astype(int)
    x0 = np.floor(x).astype(int)
    y1 = np.minimum(y0 + 1, in_h - 1)
    x1 = np.minimum(x0 + 1, in_w - 1)
    wy = (y - y0)[:, None, None]
    wx = (x - x0)[None, :, None]
    img = img.astype(np.float32)
    top = img[y0][:, x0] * (1 - wx) + img[y0][:, x1] * wx
    bot = img[y1][:, x0] * (1 - wx) + img[y1][:, x1] * wx
    return top * (1 - wy) + bot * wy


def get_rotation_matrix_2d(center, angle, scale):
    # cv2.getRotationMatrix2D
    a = scale * np.cos(np.deg2rad(angle))
    b = scale * np.sin(np.deg2rad(angle))
    return np.array([[a, b, (1 - a) * center[0] - b * center[1]],
                     [-b, a, b * center[0] + (1 - a) * center[1]]])


def warp_affine_nearest(img, angle, scale, border_value=0):
    # cv2.warpAffine(img, M, (w, h), flags=INTER_NEAREST) by inverse mapping
    h, w = img.shape[:2]
    M = get_rotation_matrix_2d((w / 2, h / 2), angle, scale)
    Minv = np.linalg.inv(np.vstack([M, [0, 0, 1]]))
    ys, xs = np.indices((h, w))
    coords = np.stack([xs.ravel(), ys.ravel(), np.ones(h * w)])
    src = Minv @ coords
    sx = np.floor(src[0] + 0.5).astype(int)
    sy = np.floor(src[1] + 0.5).astype(int)
    valid = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    sampled = img[np.clip(sy, 0, h - 1), np.clip(sx, 0, w - 1)]
    out = np.where(valid[:, None], sampled.reshape(h * w, -1), border_value)
    return out.reshape(img.shape).astype(img.dtype)


def bilinear_sample(img, x, y):
    h, w = img.shape[:2]
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    x1 = x0 + 1
    y1 = y0 + 1
    x0c, x1c = np.clip(x0, 0, w - 1), np.clip(x1, 0, w - 1)
    y0c, y1c = np.clip(y0, 0, h - 1), np.clip(y1, 0, h - 1)
    Ia, Ib = img[y0c, x0c], img[y1c, x0c]
    Ic, Id = img[y0c, x1c], img[y1c, x1c]
    wa = (x1 - x) * (y1 - y)
    wb = (x1 - x) * (y - y0)
    wc = (x - x0) * (y1 - y)
    wd = (x - x0) * (y - y0)
    return (wa[..., None] * Ia + wb[..., None] * Ib + wc[..., None] * Ic
            + wd[..., None] * Id)


def warp_affine_bilinear(img, angle, scale, tx, ty):
    h, w = img.shape[:2]
    M = get_rotation_matrix_2d((w / 2, h / 2), angle, scale)
    M[:, 2] += (tx, ty)
    A, t = M[:, :2], M[:, 2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    dst = np.stack([xs - t[0], ys - t[1]], axis=-1)
    src = dst @ np.linalg.inv(A).T
    inside = (src[..., 0] >= 0) & (src[..., 0] <= w - 1) & (src[..., 1] >= 0) & \
             (src[..., 1] <= h - 1)
    out = bilinear_sample(img.astype(np.float64), src[..., 0], src[..., 1])
    return np.where(inside[..., None], out, 0.0)


def gaussian_kernel1d(sigma, radius):
    x = np.arange(-radius, radius + 1)
    phi_x = np.exp(-0.5 / sigma ** 2 * x ** 2)
    phi_x = phi_x / phi_x.sum()
    return phi_x


def gaussian_blur_separable_reflect(img, sigma=1.0, radius=2):
    k = gaussian_kernel1d(sigma, radius)
    h, w = img.shape[:2]
    pad = np.pad(img.astype(np.float32), ((radius, radius), (radius, radius), (0, 0)),
                 mode="reflect")
    tmp = sum(k[i] * pad[i:i + h] for i in range(2 * radius + 1))
    out = sum(k[i] * tmp[:, i:i + w] for i in range(2 * radius + 1))
    return out


def gaussian_blur_apply_along_axis(gray, sigma=1.2):
    k = gaussian_kernel1d(sigma, 2)
    rows = np.apply_along_axis(lambda r: np.convolve(r, k, mode="same"), 1, gray)
    return np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, rows)


def albu_sharpen(img, alpha, lightness):
    # albumentations Sharpen: kernel = (1 - alpha) * identity + alpha * sharpen(lightness)
    matrix_nochange = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float32)
    matrix_effect = np.array([[-1, -1, -1], [-1, 8 + lightness, -1], [-1, -1, -1]],
                             dtype=np.float32)
    matrix = (1 - alpha) * matrix_nochange + alpha * matrix_effect
    h, w = img.shape[:2]
    pad = np.pad(img.astype(np.float32), ((1, 1), (1, 1), (0, 0)), mode="edge")
    out = np.zeros(img.shape, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            out += matrix[dy, dx] * pad[dy:dy + h, dx:dx + w]
    return np.clip(out, 0, 255).astype(np.uint8)


def solarize(img, threshold=128):
    # albumentations solarize for uint8: a table of Python ints
    dtype = img.dtype
    max_val = MAX_VALUES_BY_DTYPE[dtype]
    lut = [(i if i < threshold else max_val - i) for i in range(max_val + 1)]
    prev_shape = img.shape
    img = np.array(lut, dtype=dtype)[img]
    if len(prev_shape) != len(img.shape):
        img = np.expand_dims(img, -1)
    return img


def solarize_where_posterize(img, threshold=128, bits=3):
    sol = np.where(img >= threshold, 255 - img, img)
    mask = ~np.uint8(2 ** (8 - bits) - 1)
    return sol, img & mask, 255 - img


def autocontrast(img):
    # PIL ImageOps.autocontrast (cutoff=0) per channel
    lo = img.min(axis=(0, 1))
    hi = img.max(axis=(0, 1))
    scale = 255.0 / np.maximum(hi - lo, 1)
    out = (img.astype(np.float32) - lo) * scale
    return np.where(hi > lo, np.clip(out, 0, 255), img).astype(np.uint8)


def equalize_channel_cumsum(ch):
    # torchvision's _scale_channel with the last non-zero bin found as the channel's max
    hist = np.bincount(ch.ravel(), minlength=256)
    step = (hist.sum() - hist[ch.max()]) // 255
    lut = (np.cumsum(hist) + step // 2) // np.maximum(step, 1)
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
    return np.where(step == 0, ch, lut[ch]).astype(np.uint8)


def equalize_rgb(img):
    return np.stack([equalize_channel_cumsum(img[..., c]) for c in range(3)], axis=-1)


def gauss_noise_given(img, gauss):
    # albumentations gauss_noise: the noise drawn outside
    img = img.astype("float32")
    return np.clip(img + gauss, 0, 255).astype(np.uint8)


def gauss_noise_rng(img, rng, var_limit=(10.0, 50.0), mean=0):
    var = rng.uniform(var_limit[0], var_limit[1])
    sigma = var ** 0.5
    gauss = rng.normal(mean, sigma, img.shape)
    return gauss_noise_given(img, gauss)


def channel_shuffle_rng(img, rng):
    # albumentations ChannelShuffle with the order drawn as an array
    ch_arr = np.arange(img.shape[2])
    rng.shuffle(ch_arr)
    img = img[..., ch_arr]
    return img, img[..., rng.permutation(3)]


def to_gray_rgb_shift(img, r_shift, g_shift, b_shift):
    # albumentations to_gray (cv2.COLOR_RGB2GRAY weights) and shift_rgb for uint8
    gray = np.round(img @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    gray3 = np.stack([gray] * 3, axis=-1)
    out = np.empty_like(img)
    for i, shift in enumerate((r_shift, g_shift, b_shift)):
        lut = np.clip(np.arange(0, 256) + shift, 0, 255).astype(np.uint8)
        out[..., i] = lut[img[..., i]]
    return gray3, out


def elastic_transform_given(image, dx, dy, alpha=3.0, sigma=1.5):
    # Simard et al.: smooth the displacement fields, then sample bilinearly
    dx = gaussian_blur_apply_along_axis(dx, sigma) * alpha
    dy = gaussian_blur_apply_along_axis(dy, sigma) * alpha
    h, w = image.shape[:2]
    x, y = np.meshgrid(np.arange(w), np.arange(h))
    xs = np.clip(x + dx, 0, w - 1)
    ys = np.clip(y + dy, 0, h - 1)
    return bilinear_sample(image.astype(np.float64), xs, ys)


def mosaic4(imgs, xc, yc, s=8):
    # YOLOv5's load_mosaic placement with the centre given (static)
    img4 = np.full((s * 2, s * 2, imgs[0].shape[2]), 114, dtype=np.uint8)
    for i, img in enumerate(imgs):
        h, w = img.shape[:2]
        if i == 0:  # top left
            x1a, y1a, x2a, y2a = max(xc - w, 0), max(yc - h, 0), xc, yc
            x1b, y1b, x2b, y2b = w - (x2a - x1a), h - (y2a - y1a), w, h
        elif i == 1:  # top right
            x1a, y1a, x2a, y2a = xc, max(yc - h, 0), min(xc + w, s * 2), yc
            x1b, y1b, x2b, y2b = 0, h - (y2a - y1a), min(w, x2a - x1a), h
        elif i == 2:  # bottom left
            x1a, y1a, x2a, y2a = max(xc - w, 0), yc, xc, min(s * 2, yc + h)
            x1b, y1b, x2b, y2b = w - (x2a - x1a), 0, w, min(y2a - y1a, h)
        elif i == 3:  # bottom right
            x1a, y1a, x2a, y2a = xc, yc, min(xc + w, s * 2), min(s * 2, yc + h)
            x1b, y1b, x2b, y2b = 0, 0, min(w, x2a - x1a), min(y2a - y1a, h)
        img4[y1a:y2a, x1a:x2a] = img[y1b:y2b, x1b:x2b]
    return img4


def random_erasing(img, v, i=1, j=2, h=3, w=2):
    # torchvision F.erase: the region drawn outside, the values given
    img = img.copy()
    img[..., i:i + h, j:j + w] = v
    return img


def multiply_unsafe(img, alpha, beta):
    # albumentations' in-place uint8 arithmetic: ufuncs with out= and casting="unsafe"
    img = img.copy()
    np.multiply(img, alpha, out=img, casting="unsafe")
    np.add(img, beta, out=img, casting="unsafe")
    return img


def equalize_hist_lut(img):
    # OpenCV's tutorial equalization: the first non-zero cdf value by argmax of a mask
    hist = np.bincount(img.ravel(), minlength=256)
    cdf = hist.cumsum()
    cdf_min = cdf[np.argmax(cdf > 0)]
    lut = np.round((cdf - cdf_min) / (img.size - cdf_min) * 255).clip(0, 255).astype(np.uint8)
    return lut[img]


def random_flip_where(img, rng, p=0.5):
    # a Compose step without the Python `if`: the draw selects by np.where
    flip = rng.random() < p
    return np.where(flip, img[:, ::-1], img), flip


def downscale_nearest(img, scale=2):
    small = img[::scale, ::scale]
    return small.repeat(scale, axis=0).repeat(scale, axis=1)[:img.shape[0], :img.shape[1]]


def get_random_crop_coords(height, width, crop_height, crop_width, h_start, w_start):
    # albumentations: h_start, w_start are uniform draws in [0, 1)
    y1 = int((height - crop_height + 1) * h_start)
    y2 = y1 + crop_height
    x1 = int((width - crop_width + 1) * w_start)
    x2 = x1 + crop_width
    return x1, y1, x2, y2


def albu_random_crop(img, crop_height, crop_width, h_start, w_start):
    height, width = img.shape[:2]
    if height < crop_height or width < crop_width:
        raise ValueError(
            "Requested crop size ({crop_height}, {crop_width}) is "
            "larger than the image size ({height}, {width})".format(
                crop_height=crop_height, crop_width=crop_width, height=height, width=width))
    x1, y1, x2, y2 = get_random_crop_coords(height, width, crop_height, crop_width, h_start,
                                            w_start)
    img = img[y1:y2, x1:x2]
    return img


AUGMENTATION = {
    "albu_flips": (albu_flips, {}, lambda s, n: (_u8(s, n, 5, 3),)),
    "albu_rot90_1": (albu_rot90, {"factor": 1}, lambda s, n: (_u8(s, n, 5, 3),)),
    "albu_rot90_2": (albu_rot90, {"factor": 2}, lambda s, n: (_u8(s, n, 5, 3),)),
    "crop_by_index_arrays": (crop_by_index_arrays, {}, lambda s, n: (
        _u8(s, n + 4, 9, 3), np.int64(s % 3), np.int64(s + 1))),
    "center_crop": (center_crop, {"crop_height": 3, "crop_width": 4}, lambda s, n: (
        _u8(s, n + 1, 7, 3),)),
    "brightness_contrast_uint8": (brightness_contrast_adjust_uint, {"alpha": 1.3, "beta": 0.1},
                                  lambda s, n: (_u8(s, n, 5, 3),)),
    "brightness_contrast_by_max": (brightness_contrast_adjust_uint, {
        "alpha": 0.8, "beta": -0.1, "beta_by_max": True}, lambda s, n: (_u8(s, n, 5, 3),)),
    "brightness_contrast_float": (brightness_contrast_adjust_non_uint, {
        "alpha": 1.2, "beta": 0.05}, lambda s, n: (_u(s, n, 5, 3).astype(np.float32),)),
    "gamma_transform_uint8": (gamma_transform, {}, lambda s, n: (_u8(s, n, 5, 3), 0.7 + 0.1 * s)),
    "gamma_transform_float": (gamma_transform, {}, lambda s, n: (
        _u(s, n, 5, 3).astype(np.float32), 1.5)),
    "shift_hsv_uint8": (shift_hsv_uint8, {"hue_shift": 20, "sat_shift": -30, "val_shift": 15},
                        lambda s, n: (_hsv_cv(s, n, 5),)),
    "augment_hsv_gains": (augment_hsv_gains, {}, lambda s, n: (
        _hsv_cv(s, n, 5), _u(s, 3) + 0.5)),
    "rgb_hsv_kornia_jitter": (hsv_jitter_kornia, {}, lambda s, n: (
        _u(s, 3, n, 5), 0.3 * s, 1.2)),
    "cutout_holes_static": (cutout_holes, {"holes": ((0, 0, 2, 2), (3, 1, 5, 4))},
                            lambda s, n: (_u8(s, n, 6, 3),)),
    "cutout_mask_traced": (cutout_mask_traced, {}, lambda s, n: (
        _u8(s, n + 2, 6, 3), _i(5, 2, 2, seed=s))),
    "mixup_given": (mixup_given, {}, lambda s, n: (
        _f(n, 3, 4, seed=s), np.eye(3)[_i(3, n, seed=s)], np.random.default_rng(s).permutation(n),
        0.3 + 0.1 * s)),
    "cutmix_mask": (cutmix_mask, {}, lambda s, n: (
        _f(n, 3, 6, 5, seed=s), np.eye(3)[_i(3, n, seed=s)],
        np.random.default_rng(s).permutation(n), 0.4 + 0.1 * s, np.int64(s + 1), np.int64(2))),
    "albu_normalize": (albu_normalize, {}, lambda s, n: (
        _u8(s, n, 5, 3), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))),
    "to_chw_batch": (to_chw_batch, {}, lambda s, n: (_u8(s, n, 5, 3),)),
    "letterbox_v5": (letterbox_v5, {}, lambda s, n: (_u8(s, n + 6, 12, 3),)),
    "letterbox_v5_auto": (letterbox_v5, {"new_shape": 20, "auto": True}, lambda s, n: (
        _u8(s, n + 6, 12, 3),)),
    "letterbox_v5_scale_fill": (letterbox_v5, {"scaleFill": True}, lambda s, n: (
        _u8(s, n + 6, 12, 3),)),
    "letterbox_image_keras": (letterbox_image_keras, {}, lambda s, n: (_u8(s, n + 6, 12, 3),)),
    "pad_if_needed_reflect_101": (pad_if_needed, {}, lambda s, n: (_u8(s, n, 5, 3),)),
    "pad_if_needed_constant": (pad_if_needed, {"border_mode": "constant", "value": 7},
                               lambda s, n: (_u(s, n, 5, 3),)),
    "pad_if_needed_replicate": (pad_if_needed, {"border_mode": "replicate"}, lambda s, n: (
        _u(s, n, 5, 1).astype(np.float32),)),
    "resize_bilinear_half_pixel": (resize_bilinear_half_pixel, {"out_h": 7, "out_w": 9},
                                   lambda s, n: (_u8(s, n, 5, 3),)),
    "warp_affine_nearest": (warp_affine_nearest, {}, lambda s, n: (
        _u8(s, n + 3, 7, 3), 17.0 + s, 1.1)),
    "warp_affine_bilinear": (warp_affine_bilinear, {}, lambda s, n: (
        _u(s, n + 3, 7, 3), 23.0 * s, 0.9, 0.7, -0.4)),
    "gaussian_blur_separable_reflect": (gaussian_blur_separable_reflect, {}, lambda s, n: (
        _u8(s, n + 2, 7, 3),)),
    "gaussian_blur_apply_along_axis": (gaussian_blur_apply_along_axis, {}, lambda s, n: (
        _u(s, n + 2, 7),)),
    "albu_sharpen": (albu_sharpen, {}, lambda s, n: (_u8(s, n, 6, 3), 0.3, 0.8 + 0.1 * s)),
    "solarize_lut": (solarize, {}, lambda s, n: (_u8(s, n, 6, 3),)),
    "solarize_where_posterize": (solarize_where_posterize, {}, lambda s, n: (
        _u8(s, n, 6, 3),)),
    "autocontrast": (autocontrast, {}, lambda s, n: (
        (_u8(s, n, 6, 3) // 2 + 40).astype(np.uint8),)),
    "equalize_cumsum": (equalize_rgb, {}, lambda s, n: ((_u8(s, n, 6, 3) // 4 + 60),)),
    "gauss_noise_given": (gauss_noise_given, {}, lambda s, n: (
        _u8(s, n, 6, 3), _f(n, 6, 3, seed=s) * 20)),
    "to_gray_rgb_shift": (to_gray_rgb_shift, {}, lambda s, n: (_u8(s, n, 6, 3), 20, -30, 5)),
    "elastic_transform_given": (elastic_transform_given, {}, lambda s, n: (
        _u(s, n + 3, 7, 2), _f(n + 3, 7, seed=s), _f(n + 3, 7, seed=s + 1))),
    "mosaic4_static_centre": (mosaic4, {"xc": 7, "yc": 9}, lambda s, n: (
        [_u8(s + k, n + k, 6, 3) for k in range(4)],)),
    "random_erasing": (random_erasing, {}, lambda s, n: (
        _f(3, n + 2, 6, seed=s), _f(3, 1, 1, seed=s + 1))),
    "downscale_nearest": (downscale_nearest, {}, lambda s, n: (_u8(s, n + 1, 7, 3),)),
    "multiply_unsafe_out": (multiply_unsafe, {}, lambda s, n: (_u8(s, n, 5, 3), 0.6 + 0.3 * s,
                                                         3.7)),
    "equalize_hist_lut": (equalize_hist_lut, {}, lambda s, n: (_u8(s, n, 7) // 3 + 30,)),
    "albu_random_crop_traced_start": (albu_random_crop, {}, lambda s, n: (
        _u8(s, n + 5, 11, 3), 4, 5, np.array(0.3 * s), np.array(0.5))),  # 0-d: traced
}

AUGMENTATION_DRAWS = {
    "augment_hsv_rng": (augment_hsv_rng, {}, lambda s, n: (_hsv_cv(s, n, 5),)),
    "mixup_yolo_rng": (mixup_yolo_rng, {}, lambda s, n: (
        _u8(s, n, 5, 3), _targets(s, 2), _u8(s + 1, n, 5, 3), _targets(s + 1, n))),
    "gauss_noise_rng": (gauss_noise_rng, {}, lambda s, n: (_u8(s, n, 5, 3),)),
    "channel_shuffle_rng": (channel_shuffle_rng, {}, lambda s, n: (_u8(s, n, 5, 3),)),
    "random_flip_where": (random_flip_where, {}, lambda s, n: (_u8(s, n, 5, 3),)),
}


@pytest.mark.parametrize("name", list(AUGMENTATION))
def test_augmentations_match_numpy(name):
    check_like_numpy(*AUGMENTATION[name])


@pytest.mark.parametrize("name", list(AUGMENTATION_DRAWS))
def test_augmentations_drawing_from_a_generator_argument(name):
    check_like_numpy_rng(*AUGMENTATION_DRAWS[name])


# ------------------------------------------------------------------------- point clouds


def pc_normalize(pc):
    # PointNet++ data_utils/ModelNetDataLoader.py
    centroid = np.mean(pc, axis=0)
    pc = pc - centroid
    m = np.max(np.sqrt(np.sum(pc ** 2, axis=1)))
    pc = pc / m
    return pc


def farthest_point_sample(point, npoint):
    # PointNet++ ModelNetDataLoader.py, starting from point 0 instead of np.random.randint
    N, D = point.shape
    xyz = point[:, :3]
    centroids = np.zeros((npoint,))
    distance = np.ones((N,)) * 1e10
    farthest = 0
    for i in range(npoint):
        centroids[i] = farthest
        centroid = xyz[farthest, :]
        dist = np.sum((xyz - centroid) ** 2, -1)
        mask = dist < distance
        distance[mask] = dist[mask]
        farthest = np.argmax(distance, -1)
    point = point[centroids.astype(np.int32)]
    return point


def farthest_point_sample_rng(point, rng, npoint=5):
    N, D = point.shape
    xyz = point[:, :3]
    centroids = np.zeros((npoint,))
    distance = np.ones((N,)) * 1e10
    farthest = rng.integers(0, N)
    for i in range(npoint):
        centroids[i] = farthest
        centroid = xyz[farthest, :]
        dist = np.sum((xyz - centroid) ** 2, -1)
        mask = dist < distance
        distance[mask] = dist[mask]
        farthest = np.argmax(distance, -1)
    return point[centroids.astype(np.int32)], centroids


def farthest_point_sample_batched(xyz, npoint, farthest):
    # PointNet++ models/pointnet2_utils.py farthest_point_sample, torch ops by NumPy
    B, N, C = xyz.shape
    centroids = np.zeros((B, npoint), dtype=np.int64)
    distance = np.ones((B, N)) * 1e10
    batch_indices = np.arange(B, dtype=np.int64)
    for i in range(npoint):
        centroids[:, i] = farthest
        centroid = xyz[batch_indices, farthest, :].reshape(B, 1, 3)
        dist = np.sum((xyz - centroid) ** 2, -1)
        distance = np.minimum(distance, dist)
        farthest = np.argmax(distance, -1)
    return centroids


def square_distance(src, dst):
    B, N, _ = src.shape
    _, M, _ = dst.shape
    dist = -2 * np.matmul(src, dst.transpose(0, 2, 1))
    dist += np.sum(src ** 2, -1).reshape(B, N, 1)
    dist += np.sum(dst ** 2, -1).reshape(B, 1, M)
    return dist


def index_points(points, idx):
    B = points.shape[0]
    view_shape = list(idx.shape)
    view_shape[1:] = [1] * (len(view_shape) - 1)
    repeat_shape = list(idx.shape)
    repeat_shape[0] = 1
    batch_indices = np.tile(np.arange(B, dtype=np.int64).reshape(view_shape), repeat_shape)
    new_points = points[batch_indices, idx, :]
    return new_points


def query_ball_point(radius, nsample, xyz, new_xyz):
    B, N, C = xyz.shape
    _, S, _ = new_xyz.shape
    group_idx = np.tile(np.arange(N, dtype=np.int64).reshape(1, 1, N), [B, S, 1])
    sqrdists = square_distance(new_xyz, xyz)
    group_idx[sqrdists > radius ** 2] = N
    group_idx = np.sort(group_idx, axis=-1)[:, :, :nsample]
    group_first = np.tile(group_idx[:, :, 0].reshape(B, S, 1), [1, 1, nsample])
    mask = group_idx == N
    group_idx[mask] = group_first[mask]
    return group_idx


def sample_and_group(npoint, radius, nsample, xyz, points):
    B, N, C = xyz.shape
    S = npoint
    fps_idx = farthest_point_sample_batched(xyz, npoint, np.zeros(B, dtype=np.int64))
    new_xyz = index_points(xyz, fps_idx)
    idx = query_ball_point(radius, nsample, xyz, new_xyz)
    grouped_xyz = index_points(xyz, idx)  # [B, npoint, nsample, C]
    grouped_xyz_norm = grouped_xyz - new_xyz.reshape(B, S, 1, C)
    grouped_points = index_points(points, idx)
    new_points = np.concatenate([grouped_xyz_norm, grouped_points], axis=-1)
    return new_xyz, new_points


def knn_argpartition(points, k=3):
    d = np.sum((points[:, None, :] - points[None, :, :]) ** 2, axis=-1)
    idx = np.argpartition(d, k, axis=1)[:, :k + 1]  # k nearest and the point itself
    dk = np.take_along_axis(d, idx, axis=1)
    order = np.argsort(dk, axis=1)
    return np.take_along_axis(idx, order, axis=1)[:, 1:], np.sort(dk, axis=1)[:, 1:]


def knn_dgcnn(x, k):
    # DGCNN model.py knn and get_graph_feature, in NumPy: x is (B, C, N)
    inner = -2 * np.matmul(x.transpose(0, 2, 1), x)
    xx = np.sum(x ** 2, axis=1, keepdims=True)
    pairwise_distance = -xx - inner - xx.transpose(0, 2, 1)
    idx = np.argsort(-pairwise_distance, axis=-1, kind="stable")[..., :k]  # (B, N, k)
    return idx


def get_graph_feature(x, k=3):
    batch_size, num_dims, num_points = x.shape
    idx = knn_dgcnn(x, k=k)
    idx_base = np.arange(0, batch_size).reshape(-1, 1, 1) * num_points
    idx = idx + idx_base
    idx = idx.reshape(-1)
    x = x.transpose(0, 2, 1)
    feature = x.reshape(batch_size * num_points, -1)[idx, :]
    feature = feature.reshape(batch_size, num_points, k, num_dims)
    x = np.tile(x.reshape(batch_size, num_points, 1, num_dims), (1, 1, k, 1))
    feature = np.concatenate((feature - x, x), axis=3).transpose(0, 3, 1, 2)
    return feature


VIEWPOINT = np.array([0.0, 0.0, 10.0])


def estimate_normals(points, k=6):
    # normals and curvature by local PCA, oriented toward the sensor
    d = ((points[:, None] - points[None]) ** 2).sum(-1)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    nbrs = points[idx]
    centered = nbrs - nbrs.mean(axis=1, keepdims=True)
    cov = np.einsum("nki,nkj->nij", centered, centered) / k
    w, v = np.linalg.eigh(cov)
    normals = v[:, :, 0]
    flip = np.sum(normals * (VIEWPOINT - points), axis=1) < 0
    normals[flip] *= -1
    curvature = w[:, 0] / w.sum(axis=1)
    return normals, curvature


def best_fit_transform_sign(A, B):
    # ClayFlannigan's icp.py best_fit_transform, the reflection fixed by a sign
    m = A.shape[1]
    centroid_A = np.mean(A, axis=0)
    centroid_B = np.mean(B, axis=0)
    AA = A - centroid_A
    BB = B - centroid_B
    H = np.dot(AA.T, BB)
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(np.dot(Vt.T, U.T)))
    D = np.diag([1.0] * (m - 1) + [d])
    R = Vt.T @ D @ U.T
    t = centroid_B.T - np.dot(R, centroid_A.T)
    T = np.identity(m + 1)
    T[:m, :m] = R
    T[:m, m] = t
    return T, R, t


def nearest_neighbor(src, dst):
    d = np.sqrt(((src[:, None, :] - dst[None, :, :]) ** 2).sum(-1))
    indices = d.argmin(axis=1)
    return d[np.arange(len(src)), indices], indices


def icp_fixed_iterations(A, B, max_iterations=4):
    m = A.shape[1]
    src = np.ones((m + 1, A.shape[0]))
    dst = np.ones((m + 1, B.shape[0]))
    src[:m, :] = np.copy(A.T)
    dst[:m, :] = np.copy(B.T)
    errors = []
    for i in range(max_iterations):
        distances, indices = nearest_neighbor(src[:m, :].T, dst[:m, :].T)
        T, _, _ = best_fit_transform_sign(src[:m, :].T, dst[:m, indices].T)
        src = np.dot(T, src)
        errors.append(np.mean(distances))
    T, _, _ = best_fit_transform_sign(A, src[:m, :].T)
    return T, np.array(errors)


def umeyama_where(src, dst, estimate_scale=True):
    # skimage.transform._geometric._umeyama without the rank branches
    num, dim = src.shape
    src_mean = src.mean(axis=0)
    dst_mean = dst.mean(axis=0)
    src_demean = src - src_mean
    dst_demean = dst - dst_mean
    A = dst_demean.T @ src_demean / num
    d = np.ones((dim,), dtype=np.float64)
    d[dim - 1] = np.where(np.linalg.det(A) < 0, -1, 1)
    T = np.eye(dim + 1, dtype=np.float64)
    U, S, V = np.linalg.svd(A)
    T[:dim, :dim] = U @ np.diag(d) @ V
    if estimate_scale:
        scale = 1.0 / src_demean.var(axis=0).sum() * (S @ d)
    else:
        scale = 1.0
    T[:dim, dim] = dst_mean - scale * (T[:dim, :dim] @ src_mean.T)
    T[:dim, :dim] *= scale
    return T


def _rigid_pair(s, n):
    A = _cloud(s, n + 3)
    th = 0.3 + 0.1 * s
    R = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    return A, 1.3 * A @ R.T + np.array([0.5, -0.2, 0.1]) + 0.01 * _cloud(s + 1, n + 3)


def rotate_point_cloud_by_angle(batch_data, rotation_angle):
    # PointNet utils/provider.py
    rotated_data = np.zeros(batch_data.shape, dtype=np.float32)
    for k in range(batch_data.shape[0]):
        cosval = np.cos(rotation_angle)
        sinval = np.sin(rotation_angle)
        rotation_matrix = np.array([[cosval, 0, sinval],
                                    [0, 1, 0],
                                    [-sinval, 0, cosval]])
        shape_pc = batch_data[k, ...]
        rotated_data[k, ...] = np.dot(shape_pc.reshape((-1, 3)), rotation_matrix)
    return rotated_data


def rotate_point_cloud_rng(batch_data, rng):
    rotated_data = np.zeros(batch_data.shape, dtype=np.float32)
    for k in range(batch_data.shape[0]):
        rotation_angle = rng.uniform() * 2 * np.pi
        cosval = np.cos(rotation_angle)
        sinval = np.sin(rotation_angle)
        rotation_matrix = np.array([[cosval, 0, sinval],
                                    [0, 1, 0],
                                    [-sinval, 0, cosval]])
        shape_pc = batch_data[k, ...]
        rotated_data[k, ...] = np.dot(shape_pc.reshape((-1, 3)), rotation_matrix)
    return rotated_data


def rotate_perturbation_point_cloud_rng(batch_data, rng, angle_sigma=0.06, angle_clip=0.18):
    rotated_data = np.zeros(batch_data.shape, dtype=np.float32)
    for k in range(batch_data.shape[0]):
        angles = np.clip(angle_sigma * rng.standard_normal(3), -angle_clip, angle_clip)
        Rx = np.array([[1, 0, 0],
                       [0, np.cos(angles[0]), -np.sin(angles[0])],
                       [0, np.sin(angles[0]), np.cos(angles[0])]])
        Ry = np.array([[np.cos(angles[1]), 0, np.sin(angles[1])],
                       [0, 1, 0],
                       [-np.sin(angles[1]), 0, np.cos(angles[1])]])
        Rz = np.array([[np.cos(angles[2]), -np.sin(angles[2]), 0],
                       [np.sin(angles[2]), np.cos(angles[2]), 0],
                       [0, 0, 1]])
        R = np.dot(Rz, np.dot(Ry, Rx))
        shape_pc = batch_data[k, ...]
        rotated_data[k, ...] = np.dot(shape_pc.reshape((-1, 3)), R)
    return rotated_data


def jitter_point_cloud_rng(batch_data, rng, sigma=0.01, clip=0.05):
    B, N, C = batch_data.shape
    assert (clip > 0)
    jittered_data = np.clip(sigma * rng.standard_normal((B, N, C)), -1 * clip, clip)
    jittered_data += batch_data
    return jittered_data


def scale_and_shift_point_cloud_rng(batch_data, rng, scale_low=0.8, scale_high=1.25,
                                    shift_range=0.1):
    # provider.random_scale_point_cloud and shift_point_cloud, in place as written
    B, N, C = batch_data.shape
    scales = rng.uniform(scale_low, scale_high, B)
    for batch_index in range(B):
        batch_data[batch_index, :, :] *= scales[batch_index]
    shifts = rng.uniform(-shift_range, shift_range, (B, 3))
    for batch_index in range(B):
        batch_data[batch_index, :, :] += shifts[batch_index, :]
    return batch_data


def translate_pointcloud_rng(pointcloud, rng):
    # DGCNN data.py translate_pointcloud and rotate_pointcloud (in place on x, z)
    xyz1 = rng.uniform(low=2. / 3., high=3. / 2., size=[3])
    xyz2 = rng.uniform(low=-0.2, high=0.2, size=[3])
    translated_pointcloud = np.add(np.multiply(pointcloud, xyz1), xyz2).astype("float32")
    theta = np.pi * 2 * rng.uniform()
    rotation_matrix = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    pointcloud[:, [0, 2]] = pointcloud[:, [0, 2]].dot(rotation_matrix)  # random rotation
    return translated_pointcloud, pointcloud


def random_point_dropout_no_if(pc, rng, max_dropout_ratio=0.875):
    # PointNet++ provider.random_point_dropout without its `if len(drop_idx) > 0`
    dropout_ratio = rng.random() * max_dropout_ratio  # 0~0.875
    drop_idx = np.where(rng.random((pc.shape[0])) <= dropout_ratio)[0]
    pc[drop_idx, :] = pc[0, :]  # set to the first point
    return pc


def resample_points_rng(points, rng, npoints=6):
    # ShapeNet/ModelNet loaders: a fixed number of points, with and without replacement
    choice = rng.choice(len(points), npoints, replace=True)
    perm = rng.choice(len(points), 3, replace=False)
    return points[choice, :], points[perm]


def voxel_keys_hash(points, voxel_size):
    # voxel-grid downsampling keys: integer coordinates, a dense key and a spatial hash
    coords = np.floor((points - points.min(0)) / voxel_size).astype(np.int64)
    dims = coords.max(0) + 1
    keys = coords[:, 0] + coords[:, 1] * dims[0] + coords[:, 2] * dims[0] * dims[1]
    hashed = ((coords[:, 0] * 73856093) ^ (coords[:, 1] * 19349663)
              ^ (coords[:, 2] * 83492791)) % 1024
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return coords, keys, hashed, order, first, first.sum()


def voxel_centroids_fixed_grid(points, voxel_size=0.75, grid=(6, 6, 6)):
    # the voxel means over a fixed grid: bincount of clipped keys with minlength
    coords = np.floor((points + 2.25) / voxel_size).astype(int)
    coords = np.clip(coords, 0, np.array(grid) - 1)
    keys = np.ravel_multi_index(coords.T, grid)
    n = np.prod(grid)
    counts = np.bincount(keys, minlength=n)
    sums = np.stack([np.bincount(keys, weights=points[:, d], minlength=n) for d in range(3)], 1)
    means = sums / np.maximum(counts, 1)[:, None]
    return means[counts > 0].sum(0), counts.reshape(grid), (counts > 0).sum()


def range_projection(points, remissions, proj_H=8, proj_W=16, fov_up=3.0, fov_down=-25.0):
    # SemanticKITTI api auxiliary/laserscan.py LaserScan.do_range_projection
    # laser parameters
    fov_up = fov_up / 180.0 * np.pi  # field of view up in rad
    fov_down = fov_down / 180.0 * np.pi  # field of view down in rad
    fov = abs(fov_down) + abs(fov_up)  # get field of view total in rad

    # get depth of all points
    depth = np.linalg.norm(points, 2, axis=1)

    # get scan components
    scan_x = points[:, 0]
    scan_y = points[:, 1]
    scan_z = points[:, 2]

    # get angles of all points
    yaw = -np.arctan2(scan_y, scan_x)
    pitch = np.arcsin(scan_z / depth)

    # get projections in image coords
    proj_x = 0.5 * (yaw / np.pi + 1.0)  # in [0.0, 1.0]
    proj_y = 1.0 - (pitch + abs(fov_down)) / fov  # in [0.0, 1.0]

    # scale to image size using angular resolution
    proj_x *= proj_W  # in [0.0, W]
    proj_y *= proj_H  # in [0.0, H]

    # round and clamp for use as index
    proj_x = np.floor(proj_x)
    proj_x = np.minimum(proj_W - 1, proj_x)
    proj_x = np.maximum(0, proj_x).astype(np.int32)  # in [0,W-1]

    proj_y = np.floor(proj_y)
    proj_y = np.minimum(proj_H - 1, proj_y)
    proj_y = np.maximum(0, proj_y).astype(np.int32)  # in [0,H-1]

    # copy of depth in original order
    unproj_range = np.copy(depth)

    # order in decreasing depth
    indices = np.arange(depth.shape[0])
    order = np.argsort(depth)[::-1]
    depth = depth[order]
    indices = indices[order]
    points = points[order]
    remission = remissions[order]
    proj_y = proj_y[order]
    proj_x = proj_x[order]

    # assing to images
    proj_range = np.full((proj_H, proj_W), -1, dtype=np.float32)
    proj_xyz = np.full((proj_H, proj_W, 3), -1, dtype=np.float32)
    proj_remission = np.full((proj_H, proj_W), -1, dtype=np.float32)
    proj_idx = np.full((proj_H, proj_W), -1, dtype=np.int32)
    proj_range[proj_y, proj_x] = depth
    proj_xyz[proj_y, proj_x] = points
    proj_remission[proj_y, proj_x] = remission
    proj_idx[proj_y, proj_x] = indices
    proj_mask = (proj_idx > 0).astype(np.int32)
    return proj_range, proj_xyz, proj_remission, proj_idx, proj_mask, unproj_range


def _scan(s, n):
    r = np.random.default_rng(s + 31)
    m = 12 * n
    az = r.uniform(-np.pi, np.pi, m)
    el = r.uniform(-0.4, 0.04, m)
    rng_ = r.uniform(2, 30, m)
    pts = np.stack([rng_ * np.cos(el) * np.cos(az), rng_ * np.cos(el) * np.sin(az),
                    rng_ * np.sin(el)], axis=1)
    return pts.astype(np.float32), r.random(m).astype(np.float32)


def bev_maps(points, intensity, res=0.5, H=8, W=8, x_min=0.0, y_min=-2.0, z_min=-2.0):
    # Complex-YOLO/PIXOR-style BEV: height by np.maximum.at, density by np.add.at
    ix = np.clip(((points[:, 0] - x_min) / res).astype(np.int64), 0, H - 1)
    iy = np.clip(((points[:, 1] - y_min) / res).astype(np.int64), 0, W - 1)
    height = np.zeros((H, W))
    np.maximum.at(height, (ix, iy), points[:, 2] - z_min)
    inten = np.zeros((H, W))
    np.maximum.at(inten, (ix, iy), intensity)
    density = np.zeros((H, W))
    np.add.at(density, (ix, iy), 1)
    density = np.minimum(1.0, np.log(density + 1) / np.log(64))
    return np.stack([inten, height, density])


def project_velo_to_image(pts_3d, P, img_w=64, img_h=48):
    # KITTI object devkit (kitti_util.py) project_to_image and the FOV filter
    n = pts_3d.shape[0]
    pts_3d_extend = np.hstack((pts_3d, np.ones((n, 1))))
    pts_2d = np.dot(pts_3d_extend, np.transpose(P))  # nx3
    pts_2d[:, 0] /= pts_2d[:, 2]
    pts_2d[:, 1] /= pts_2d[:, 2]
    fov_inds = (pts_2d[:, 0] < img_w) & (pts_2d[:, 0] >= 0) & \
               (pts_2d[:, 1] < img_h) & (pts_2d[:, 1] >= 0) & (pts_3d[:, 2] > 0.1)
    return pts_2d[:, 0:2], fov_inds, np.count_nonzero(fov_inds)


P2 = np.array([[30.0, 0.0, 32.0, 0.1], [0.0, 30.0, 24.0, 0.0], [0.0, 0.0, 1.0, 0.005]])


def roty(t):
    # Rotation about the y-axis.
    c = np.cos(t)
    s = np.sin(t)
    return np.array([[c, 0, s],
                     [0, 1, 0],
                     [-s, 0, c]])


def compute_box_3d(h, w, l, ry, t):  # noqa: E741
    # kitti_util.compute_box_3d of one object's dimensions, heading and location
    R = roty(ry)
    x_corners = [l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2]
    y_corners = [0, 0, 0, 0, -h, -h, -h, -h]
    z_corners = [w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2]
    corners_3d = np.dot(R, np.vstack([x_corners, y_corners, z_corners]))
    corners_3d[0, :] = corners_3d[0, :] + t[0]
    corners_3d[1, :] = corners_3d[1, :] + t[1]
    corners_3d[2, :] = corners_3d[2, :] + t[2]
    return np.transpose(corners_3d)


def rotate_points_along_z(points, angle):
    # OpenPCDet pcdet/utils/common_utils.py, NumPy branch
    cosa = np.cos(angle)
    sina = np.sin(angle)
    zeros = np.zeros(points.shape[0])
    ones = np.ones(points.shape[0])
    rot_matrix = np.stack((
        cosa, sina, zeros,
        -sina, cosa, zeros,
        zeros, zeros, ones
    ), axis=1).reshape(-1, 3, 3)
    points_rot = np.matmul(points[:, :, 0:3], rot_matrix)
    points_rot = np.concatenate((points_rot, points[:, :, 3:]), axis=-1)
    return points_rot


def boxes_to_corners_3d(boxes3d):
    template = np.array((
        [1, 1, -1], [1, -1, -1], [-1, -1, -1], [-1, 1, -1],
        [1, 1, 1], [1, -1, 1], [-1, -1, 1], [-1, 1, 1],
    )) / 2
    corners3d = np.tile(boxes3d[:, None, 3:6], (1, 8, 1)) * template[None, :, :]
    corners3d = rotate_points_along_z(corners3d.reshape(-1, 8, 3), boxes3d[:, 6]).reshape(
        -1, 8, 3)
    corners3d += boxes3d[:, None, 0:3]
    return corners3d


def points_in_boxes_3d(points, boxes3d):
    # the local frame test of OpenPCDet's points_in_boxes_cpu, in NumPy
    local = points[None, :, :3] - boxes3d[:, None, 0:3]
    local = rotate_points_along_z(local, -boxes3d[:, 6])
    half = boxes3d[:, None, 3:6] / 2
    inside = np.all(np.abs(local) <= half, axis=-1)
    return inside.astype(np.int32), inside.sum(axis=1)


def _boxes3d(s, n):
    r = np.random.default_rng(s + 77)
    return np.column_stack([r.uniform(-2, 2, (n, 3)), r.uniform(1, 3, (n, 3)),
                            r.uniform(-np.pi, np.pi, n)])


def chamfer_distance(a, b):
    d = np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)
    return d.min(1).mean() + d.min(0).mean(), d.argmin(1)


def statistical_outlier_mask(points, nb_neighbors=3, std_ratio=1.0):
    # Open3D's remove_statistical_outlier, as a mask
    d = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    d_sorted = np.sort(d, axis=1)[:, 1:nb_neighbors + 1]
    avg = d_sorted.mean(axis=1)
    mu, sigma = avg.mean(), avg.std(ddof=1)
    return avg <= mu + std_ratio * sigma, avg


def radius_neighbor_counts(points, radius=0.8):
    d2 = ((points[:, None] - points[None]) ** 2).sum(-1)
    within = (d2 < radius ** 2) & ~np.eye(len(points), dtype=bool)
    return within.sum(1), np.where(within, d2, np.inf).min(1)


def rodrigues(rvec):
    # cv2.Rodrigues (vector to matrix), as the pose repositories write it
    theta = np.linalg.norm(rvec)
    k = rvec / theta
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K


def rodrigues_apply(points, rvec, tvec):
    R = rodrigues(rvec)
    return (R @ points.T).T + tvec, R


def occupancy_grid(points, res=0.5, size=8):
    ijk = np.floor((points + size * res / 2) / res).astype(np.int64)
    valid = np.all((ijk >= 0) & (ijk < size), axis=1)
    ijk = np.clip(ijk, 0, size - 1)
    grid = np.zeros((size, size, size), dtype=np.uint8)
    grid[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = valid
    return grid, grid.sum()


def pca_obb(points):
    # an oriented bounding box from the eigenvectors of the covariance
    centroid = points.mean(axis=0)
    cov = np.cov((points - centroid).T)
    w, v = np.linalg.eigh(cov)
    v = v * np.sign(v[np.abs(v).argmax(axis=0), np.arange(3)])  # a sign convention
    local = (points - centroid) @ v
    lo, hi = local.min(axis=0), local.max(axis=0)
    center = centroid + v @ ((lo + hi) / 2)
    return center, hi - lo, v, w


POINT_CLOUDS = {
    "pc_normalize": (pc_normalize, {}, lambda s, n: (_cloud(s, 3 * n),)),
    "farthest_point_sample": (farthest_point_sample, {"npoint": 4}, lambda s, n: (
        _cloud(s, 3 * n, 6),)),
    "farthest_point_sample_batched": (farthest_point_sample_batched, {}, lambda s, n: (
        _cloud(s, 2 * 3 * n).reshape(2, 3 * n, 3), 4, np.array([1, 2]))),
    "square_distance": (square_distance, {}, lambda s, n: (
        _cloud(s, 2 * n).reshape(2, n, 3), _cloud(s + 1, 10).reshape(2, 5, 3))),
    "query_ball_point": (query_ball_point, {}, lambda s, n: (
        1.2, 3, _cloud(s, 2 * 3 * n).reshape(2, 3 * n, 3), _cloud(s + 1, 6).reshape(2, 3, 3))),
    "sample_and_group": (sample_and_group, {}, lambda s, n: (
        3, 1.0 + 0.1 * s, 4, _cloud(s, 2 * 3 * n).reshape(2, 3 * n, 3),
        _cloud(s + 2, 2 * 3 * n, 2).reshape(2, 3 * n, 2))),
    "knn_argpartition": (knn_argpartition, {}, lambda s, n: (_cloud(s, 2 * n),)),
    "dgcnn_graph_feature": (get_graph_feature, {}, lambda s, n: (
        _cloud(s, 2 * 3 * n).reshape(2, 3, 3 * n),)),
    "estimate_normals": (estimate_normals, {}, lambda s, n: (
        _cloud(s, 3 * n) * np.array([2.0, 2.0, 0.2]),)),
    "icp_fixed_iterations": (icp_fixed_iterations, {}, lambda s, n: _rigid_pair(s, n)),
    "umeyama_where": (umeyama_where, {}, lambda s, n: _rigid_pair(s, n)),
    "rotate_point_cloud_by_angle": (rotate_point_cloud_by_angle, {}, lambda s, n: (
        _cloud(s, 2 * n).reshape(2, n, 3).astype(np.float32), 0.4 * s)),
    "voxel_keys_hash": (voxel_keys_hash, {}, lambda s, n: (_cloud(s, 4 * n), 0.6)),
    "voxel_centroids_fixed_grid": (voxel_centroids_fixed_grid, {}, lambda s, n: (
        _cloud(s, 4 * n),)),
    "range_projection": (range_projection, {}, lambda s, n: _scan(s, n)),
    "bev_maps": (bev_maps, {}, lambda s, n: (
        _cloud(s, 6 * n) + np.array([2.0, 0, 0]), _u(s, 6 * n))),
    "project_velo_to_image": (project_velo_to_image, {}, lambda s, n: (
        _cloud(s, 5 * n) * 3 + np.array([0, 0, 4.0]), P2)),
    "kitti_compute_box_3d": (compute_box_3d, {}, lambda s, n: (
        1.5, 1.6, 3.9 + 0.1 * s, 0.3 * s, _f(3, seed=s))),
    "boxes_to_corners_3d": (boxes_to_corners_3d, {}, lambda s, n: (_boxes3d(s, n),)),
    "points_in_boxes_3d": (points_in_boxes_3d, {}, lambda s, n: (
        _cloud(s, 5 * n) * 2, _boxes3d(s, 3))),
    "chamfer_distance": (chamfer_distance, {}, lambda s, n: (_cloud(s, 2 * n), _cloud(s + 1, 5))),
    "statistical_outlier_mask": (statistical_outlier_mask, {}, lambda s, n: (
        _cloud(s, 3 * n),)),
    "radius_neighbor_counts": (radius_neighbor_counts, {}, lambda s, n: (_cloud(s, 3 * n),)),
    "rodrigues_apply": (rodrigues_apply, {}, lambda s, n: (
        _cloud(s, n), _f(3, seed=s), _f(3, seed=s + 1))),
    "occupancy_grid": (occupancy_grid, {}, lambda s, n: (_cloud(s, 5 * n) * 1.5,)),
    "pca_obb": (pca_obb, {}, lambda s, n: (_cloud(s, 3 * n) * np.array([3.0, 1.0, 0.3]),)),
}

POINT_CLOUD_DRAWS = {
    "farthest_point_sample_rng": (farthest_point_sample_rng, {}, lambda s, n: (
        _cloud(s, 3 * n),)),
    "rotate_point_cloud_rng": (rotate_point_cloud_rng, {}, lambda s, n: (
        _cloud(s, 2 * n).reshape(2, n, 3).astype(np.float32),)),
    "rotate_perturbation_point_cloud_rng": (rotate_perturbation_point_cloud_rng, {},
                                            lambda s, n: (_cloud(s, 2 * n).reshape(2, n, 3),)),
    "jitter_point_cloud_rng": (jitter_point_cloud_rng, {}, lambda s, n: (
        _cloud(s, 2 * n).reshape(2, n, 3),)),
    "scale_and_shift_in_place_rng": (scale_and_shift_point_cloud_rng, {}, lambda s, n: (
        _cloud(s, 2 * n).reshape(2, n, 3),)),
    "dgcnn_translate_rotate_rng": (translate_pointcloud_rng, {}, lambda s, n: (
        _cloud(s, 2 * n),)),
    "random_point_dropout_no_if": (random_point_dropout_no_if, {}, lambda s, n: (
        _cloud(s, 3 * n),)),
    "resample_points_rng": (resample_points_rng, {}, lambda s, n: (_cloud(s, 3 * n),)),
}


@pytest.mark.parametrize("name", list(POINT_CLOUDS))
def test_point_cloud_utilities_match_numpy(name):
    check_like_numpy(*POINT_CLOUDS[name])


@pytest.mark.parametrize("name", list(POINT_CLOUD_DRAWS))
def test_point_cloud_augmentations_drawing_from_a_generator_argument(name):
    check_like_numpy_rng(*POINT_CLOUD_DRAWS[name])


# ------------------------------------------------------------------------ tracenp's bugs


def icp_point_to_plane_error(src, dst, normals):
    # point-to-plane ICP residuals; the total by an optimized einsum contraction
    diff = src - dst
    residuals = np.einsum("ij,ij->i", diff, normals, optimize=True)
    return residuals, np.einsum("ij,ij->", diff, normals, optimize=True)


def kabsch_rmsd_einsum(P, Q):
    # RMSD after alignment, the squared norms by `np.einsum(..., optimize="greedy")`
    P = P - P.mean(0)
    Q = Q - Q.mean(0)
    H = P.T @ Q
    _, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(H))
    ep = np.einsum("ij,ij->", P, P, optimize="greedy")
    eq = np.einsum("ij,ij->", Q, Q, optimize="greedy")
    e0 = ep + eq
    return np.sqrt(max(0.0, (e0 - 2 * (S[0] + S[1] + d * S[2])) / len(P))), ep, eq


def _big_endian(a, dtype=">f4"):
    """What `np.frombuffer` gives for a `binary_big_endian` PLY or a PCD written on SPARC."""
    return np.frombuffer(np.asarray(a, dtype=dtype).tobytes(), dtype=dtype).reshape(
        np.shape(a)).copy()


def ply_big_endian_stats(pc):
    # statistics of a cloud read from a binary_big_endian PLY
    centroid = pc.mean(axis=0)
    spread = pc.var(axis=0)
    return centroid, spread, np.median(pc, axis=0)


EINSUM_AND_BYTE_ORDER = {  # a 0-d einsum of optimize= is NumPy's 0-d array (its tensordot
    # path); big-endian clouds (binary PLY files) are swapped into native copies
    "einsum_optimize_scalar": (icp_point_to_plane_error, {}, lambda s, n: (
        _cloud(s, n), _cloud(s + 1, n), _cloud(s + 2, n))),
    "einsum_optimize_greedy_scalar": (kabsch_rmsd_einsum, {}, lambda s, n: _rigid_pair(s, n)),
    "pc_normalize_big_endian": (pc_normalize, {}, lambda s, n: (
        _big_endian(_cloud(s, 3 * n)),)),
    "ply_big_endian_stats": (ply_big_endian_stats, {}, lambda s, n: (
        _big_endian(_cloud(s, 3 * n)),)),
}


@pytest.mark.parametrize("name", list(EINSUM_AND_BYTE_ORDER))
def test_einsum_paths_and_big_endian_clouds_match_numpy(name):
    check_like_numpy(*EINSUM_AND_BYTE_ORDER[name])


PLY_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("intensity", "<u1")])


def _ply_vertices(s):
    v = np.zeros(6, dtype=PLY_DTYPE)
    for k, name in enumerate("xyz"):
        v[name] = _cloud(s, 6)[:, k]
    v["intensity"] = _i(256, 6, seed=s)
    return v


def ply_fields_to_xyz(vertex):
    # plyfile / pypcd users: one field at a time
    return np.vstack([vertex["x"], vertex["y"], vertex["z"]]).T, vertex["intensity"] / 255.0


def ply_fields_unstructured(vertex):
    # ros_numpy / pypcd: several fields at once, then structured_to_unstructured
    import numpy.lib.recfunctions as rfn
    return rfn.structured_to_unstructured(vertex[["x", "y", "z"]])


def test_structured_fields_by_a_list_of_names_are_refused():
    """Several fields at once (`vertex[['x', 'y', 'z']]`) raised a bare IndexError, also under
    fallback=True; refused by name now, as one field is."""
    check_refused(tracenp.errors.UnsupportedFunctionError, ply_fields_unstructured,
                  lambda s: (_ply_vertices(s),))


# --------------------------------------------------------------- steered by Python scalars


def draw_umich_gaussian(heatmap, center, radius, k=1):
    # CenterNet utils/image.py, drawing into a view of the heatmap with out=
    diameter = 2 * radius + 1
    m = n = (diameter - 1.) / 2.
    y, x = np.ogrid[-m:m + 1, -n:n + 1]
    sigma = diameter / 6
    gaussian = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    gaussian[gaussian < np.finfo(gaussian.dtype).eps * gaussian.max()] = 0

    x, y = int(center[0]), int(center[1])

    height, width = heatmap.shape[0:2]

    left, right = min(x, radius), min(width - x, radius + 1)
    top, bottom = min(y, radius), min(height - y, radius + 1)

    masked_heatmap = heatmap[y - top:y + bottom, x - left:x + right]
    masked_gaussian = gaussian[radius - top:radius + bottom, radius - left:radius + right]
    if min(masked_gaussian.shape) > 0 and min(masked_heatmap.shape) > 0:  # TODO debug
        np.maximum(masked_heatmap, masked_gaussian * k, out=masked_heatmap)
    return heatmap


STEERED = {
    "centernet_gaussian_radius_min": (gaussian_radius, lambda s: ((18.0 + s, 31.0),)),
    "centernet_draw_umich_gaussian": (draw_umich_gaussian, lambda s: (
        _u(s, 12, 14) * 0.5, (3 + 4 * s, 10 - s), 2 + s)),
    "albu_random_crop": (albu_random_crop, lambda s: (_u8(s, 9, 11, 3), 4, 5, 0.3 * s,
                                                      0.9 - 0.2 * s)),
    "brightness_contrast_positional": (brightness_contrast_adjust_uint, lambda s: (
        _u8(s, 5, 6, 3), 1.0 + 0.2 * s, 0.1 * (s - 1))),
    "cutout_holes_list": (cutout_holes, lambda s: (
        _u8(s, 6, 7, 3), [(s, 0, s + 2, 3), (4, s, 6, s + 2)])),
    "mosaic4_centre_ints": (mosaic4, lambda s: ([_u8(s + k, 5, 6, 3) for k in range(4)],
                                                5 + s, 9 - s)),
}


@pytest.mark.parametrize("name", list(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """CenterNet's radius by builtin `min` of three floats and its `draw_umich_gaussian` that
    slices a view at `int(center)` and writes it with `np.maximum(..., out=)`,
    albumentations' random crop at `int((height - crop_height + 1) * h_start)` and its
    `if alpha != 1` tables, cutout holes given as a list of int tuples and a mosaic centre:
    jit makes the Python scalars static and gives NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def py_cpu_nms(dets, thresh=0.3):
    # py-faster-rcnn lib/nms/py_cpu_nms.py
    x1 = dets[:, 0]
    y1 = dets[:, 1]
    x2 = dets[:, 2]
    y2 = dets[:, 3]
    scores = dets[:, 4]

    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = scores.argsort()[::-1]

    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(i)
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])

        w = np.maximum(0.0, xx2 - xx1 + 1)
        h = np.maximum(0.0, yy2 - yy1 + 1)
        inter = w * h
        ovr = inter / (areas[i] + areas[order[1:]] - inter)

        inds = np.where(ovr <= thresh)[0]
        order = order[inds + 1]

    return keep


def _dets(s):
    return np.hstack([_xyxy(s, 7, size=24.0), _u(s, 7, 1)])


def compute_iou_mrcnn(box, boxes, box_area, boxes_area):
    # Mask R-CNN mrcnn/utils.py (y1, x1, y2, x2)
    y1 = np.maximum(box[0], boxes[:, 0])
    y2 = np.minimum(box[2], boxes[:, 2])
    x1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[3], boxes[:, 3])
    intersection = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    union = box_area + boxes_area[:] - intersection[:]
    iou = intersection / union
    return iou


def non_max_suppression_mrcnn(boxes, scores, threshold=0.3):
    assert boxes.shape[0] > 0
    if boxes.dtype.kind != "f":
        boxes = boxes.astype(np.float32)

    # Compute box areas
    y1 = boxes[:, 0]
    x1 = boxes[:, 1]
    y2 = boxes[:, 2]
    x2 = boxes[:, 3]
    area = (y2 - y1) * (x2 - x1)

    # Get indicies of boxes sorted by scores (highest first)
    ixs = scores.argsort()[::-1]

    pick = []
    while len(ixs) > 0:
        # Pick top box and add its index to the list
        i = ixs[0]
        pick.append(i)
        # Compute IoU of the picked box with the rest
        iou = compute_iou_mrcnn(boxes[i], boxes[ixs[1:]], area[i], area[ixs[1:]])
        # Identify boxes with IoU over the threshold. This
        # returns indices into ixs[1:], so add 1 to get
        # indices into ixs.
        remove_ixs = np.where(iou > threshold)[0] + 1
        # Remove indices of the picked and overlapped boxes.
        ixs = np.delete(ixs, remove_ixs)
        ixs = np.delete(ixs, 0)
    return np.array(pick, dtype=np.int32)


def voc_ap_07(rec, prec):
    return voc_ap(rec, prec, use_07_metric=True)


def cpu_soft_nms(boxes, sigma=0.5, Nt=0.3, threshold=0.001, method=0):
    # the Cython soft-NMS of Bodla et al., as its Python ports keep it
    boxes = boxes.copy()
    N = boxes.shape[0]
    for i in range(N):
        maxscore = boxes[i, 4]
        maxpos = i
        tx1, ty1, tx2, ty2, ts = boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3], boxes[i, 4]
        pos = i + 1
        # get max box
        while pos < N:
            if maxscore < boxes[pos, 4]:
                maxscore = boxes[pos, 4]
                maxpos = pos
            pos = pos + 1
        boxes[i, :] = boxes[maxpos, :]
        boxes[maxpos, :] = tx1, ty1, tx2, ty2, ts
    return boxes


def bbox_overlaps_cython_style(boxes, query_boxes):
    # py-faster-rcnn lib/utils/bbox.pyx written in Python
    N = boxes.shape[0]
    K = query_boxes.shape[0]
    overlaps = np.zeros((N, K), dtype=np.float64)
    for k in range(K):
        box_area = ((query_boxes[k, 2] - query_boxes[k, 0] + 1)
                    * (query_boxes[k, 3] - query_boxes[k, 1] + 1))
        for n in range(N):
            iw = (min(boxes[n, 2], query_boxes[k, 2]) - max(boxes[n, 0], query_boxes[k, 0]) + 1)
            if iw > 0:
                ih = (min(boxes[n, 3], query_boxes[k, 3])
                      - max(boxes[n, 1], query_boxes[k, 1]) + 1)
                if ih > 0:
                    ua = float((boxes[n, 2] - boxes[n, 0] + 1) * (boxes[n, 3] - boxes[n, 1] + 1)
                               + box_area - iw * ih)
                    overlaps[n, k] = iw * ih / ua
    return overlaps


def coco_precision_envelope(tps, fps, npig, rec_thrs):
    # pycocotools COCOeval.accumulate's inner loop, as written
    tp_sum = np.cumsum(tps).astype(dtype=float)
    fp_sum = np.cumsum(fps).astype(dtype=float)
    nd = len(tp_sum)
    rc = tp_sum / npig
    pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
    q = np.zeros((len(rec_thrs),))
    pr = pr.tolist()
    q = q.tolist()
    # numpy is slow without cython optimization for accessing elements
    # use python array gets significant speed improvement
    for i in range(nd - 1, 0, -1):
        if pr[i] > pr[i - 1]:
            pr[i - 1] = pr[i]
    inds = np.searchsorted(rc, rec_thrs, side="left")
    try:
        for ri, pi in enumerate(inds):
            q[ri] = pr[pi]
    except Exception:
        pass
    return np.array(q)


def hrnet_taylor_offsets(batch_heatmaps):
    # HRNet get_final_preds' post-processing loop
    coords, maxvals = get_max_preds(batch_heatmaps)
    heatmap_height = batch_heatmaps.shape[2]
    heatmap_width = batch_heatmaps.shape[3]
    for n in range(coords.shape[0]):
        for p in range(coords.shape[1]):
            hm = batch_heatmaps[n][p]
            px = int(math.floor(coords[n][p][0] + 0.5))
            py = int(math.floor(coords[n][p][1] + 0.5))
            if 1 < px < heatmap_width - 1 and 1 < py < heatmap_height - 1:
                diff = np.array([hm[py][px + 1] - hm[py][px - 1],
                                 hm[py + 1][px] - hm[py - 1][px]])
                coords[n][p] += np.sign(diff) * .25
    return coords, maxvals


def segment2box(segment, width=640, height=640):
    # YOLOv5 utils/general.py
    x, y = segment.T  # segment xy
    inside = (x >= 0) & (y >= 0) & (x <= width) & (y <= height)
    x, y, = x[inside], y[inside]
    return np.array([x.min(), y.min(), x.max(), y.max()]) if any(x) else np.zeros((1, 4))


def rle_encode(img):
    # Kaggle's rle_encode: img is 1 for the mask, 0 for the background
    pixels = img.flatten()
    pixels = np.concatenate([[0], pixels, [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return runs


def extract_bboxes_mrcnn(mask):
    # Mask R-CNN mrcnn/utils.py extract_bboxes
    boxes = np.zeros([mask.shape[-1], 4], dtype=np.int32)
    for i in range(mask.shape[-1]):
        m = mask[:, :, i]
        # Bounding box.
        horizontal_indicies = np.where(np.any(m, axis=0))[0]
        vertical_indicies = np.where(np.any(m, axis=1))[0]
        if horizontal_indicies.shape[0]:
            x1, x2 = horizontal_indicies[[0, -1]]
            y1, y2 = vertical_indicies[[0, -1]]
            # x2 and y2 should not be part of the box. Increment by 1.
            x2 += 1
            y2 += 1
        else:
            # No mask for this instance. Might happen due to
            # resizing or cropping. Set bbox to zeros
            x1, x2, y1, y2 = 0, 0, 0, 0
        boxes[i] = np.array([y1, x1, y2, x2])
    return boxes.astype(np.int32)


def trim_zeros_mrcnn(x):
    assert len(x.shape) == 2
    return x[~np.all(x == 0, axis=1)]


def random_point_dropout(batch_pc, max_dropout_ratio=0.875):
    # PointNet++ provider.random_point_dropout (np.random: the global generator)
    for b in range(batch_pc.shape[0]):
        dropout_ratio = np.random.random() * max_dropout_ratio  # 0~0.875
        drop_idx = np.where(np.random.random((batch_pc.shape[1])) <= dropout_ratio)[0]
        if len(drop_idx) > 0:
            batch_pc[b, drop_idx, :] = batch_pc[b, 0, :]  # set to the first point
    return batch_pc


def _seeded(seed, *args):
    np.random.seed(seed)
    return args


def voxel_down_sample_unique(points, voxel_size=0.5):
    coords = np.floor(points / voxel_size).astype(np.int64)
    _, inv, counts = np.unique(coords, axis=0, return_inverse=True, return_counts=True)
    sums = np.zeros((len(counts), 3))
    np.add.at(sums, inv, points)
    return sums / counts[:, None]


def equalize_torchvision(img_chan):
    # torchvision transforms/_functional_tensor.py _scale_channel, in NumPy
    hist = np.bincount(img_chan.reshape(-1), minlength=256)
    nonzero_hist = hist[hist != 0]
    step = nonzero_hist[:-1].sum() // 255
    if step == 0:
        return img_chan
    lut = (np.cumsum(hist, 0) + (step // 2)) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
    return lut[img_chan].astype(np.uint8)


def cutout_devries_rng(img, rng, n_holes=2, length=3):
    # DeVries & Taylor's Cutout (np.random.randint as a generator's integers)
    h = img.shape[1]
    w = img.shape[2]
    mask = np.ones((h, w), np.float32)
    for n in range(n_holes):
        y = rng.integers(h)
        x = rng.integers(w)
        y1 = np.clip(y - length // 2, 0, h)
        y2 = np.clip(y + length // 2, 0, h)
        x1 = np.clip(x - length // 2, 0, w)
        x2 = np.clip(x + length // 2, 0, w)
        mask[y1: y2, x1: x2] = 0.
    return img * mask


CUTOUT_DRAWS = {  # `mask[y1:y2, x1:x2] = 0.` at drawn positions: a box of traced bounds
    "devries_cutout": (cutout_devries_rng, {}, lambda s, n: (_f(3, n, n + 1, seed=s),)),
}


@pytest.mark.parametrize("name", list(CUTOUT_DRAWS))
def test_cutout_boxes_at_drawn_positions_match_numpy(name):
    check_like_numpy_rng(*CUTOUT_DRAWS[name])


def cutmix_slices(x, perm, lam, cx, cy):
    # CutMix train.py: rand_bbox then a slice assignment
    W = x.shape[2]
    H = x.shape[3]
    cut_rat = np.sqrt(1. - lam)
    cut_w = int(W * cut_rat)
    cut_h = int(H * cut_rat)
    bbx1 = np.clip(cx - cut_w // 2, 0, W)
    bby1 = np.clip(cy - cut_h // 2, 0, H)
    bbx2 = np.clip(cx + cut_w // 2, 0, W)
    bby2 = np.clip(cy + cut_h // 2, 0, H)
    x = x.copy()
    x[:, :, bbx1:bbx2, bby1:bby2] = x[perm, :, bbx1:bbx2, bby1:bby2]
    return x


def channel_shuffle_list_rng(img, rng):
    ch_arr = list(range(img.shape[2]))
    rng.shuffle(ch_arr)
    return img[..., ch_arr]


def lane_polyfit(binary_warped):
    # the Udacity advanced lane finding fit of all activated pixels
    nonzero = binary_warped.nonzero()
    nonzeroy = np.array(nonzero[0])
    nonzerox = np.array(nonzero[1])
    left_fit = np.polyfit(nonzeroy, nonzerox, 2)
    ploty = np.linspace(0, binary_warped.shape[0] - 1, binary_warped.shape[0])
    return left_fit[0] * ploty ** 2 + left_fit[1] * ploty + left_fit[2]


def yolo_nms_candidates(prediction, conf_thres=0.25):
    # YOLOv5 non_max_suppression's per-image filtering
    xc = prediction[..., 4] > conf_thres  # candidates
    output = [np.zeros((0, 6))] * prediction.shape[0]
    for xi, x in enumerate(prediction):  # image index, image inference
        x = x[xc[xi]]  # confidence
        if not x.shape[0]:
            continue
        x[:, 5:] *= x[:, 4:5]  # conf = obj_conf * cls_conf
        box = xywh2xyxy(x[:, :4])
        conf = x[:, 5:].max(1, keepdims=True)
        j = x[:, 5:].argmax(1)[:, None]
        output[xi] = np.concatenate((box, conf, j.astype(float)), 1)
    return output


def draw_boxes(img, boxes, color=255):
    img = img.copy()
    for x1, y1, x2, y2 in boxes.astype(int):
        img[y1:y2, x1] = color
        img[y1:y2, x2 - 1] = color
        img[y1, x1:x2] = color
        img[y2 - 1, x1:x2] = color
    return img


def random_resized_crop_params(img, rng, scale=(0.08, 1.0), ratio=(3. / 4., 4. / 3.)):
    # torchvision RandomResizedCrop.get_params
    height, width = img.shape[:2]
    area = height * width
    log_ratio = np.log(np.array(ratio))
    for _ in range(10):
        target_area = area * rng.uniform(scale[0], scale[1])
        aspect_ratio = np.exp(rng.uniform(log_ratio[0], log_ratio[1]))
        w = int(round(math.sqrt(target_area * aspect_ratio)))
        h = int(round(math.sqrt(target_area / aspect_ratio)))
        if 0 < w <= width and 0 < h <= height:
            i = int(rng.integers(0, height - h + 1))
            j = int(rng.integers(0, width - w + 1))
            return i, j, h, w
    return 0, 0, height, width


def random_flip_if(img, rng, p=0.5):
    # albumentations' BasicTransform.__call__: `if random.random() < self.p`
    if rng.random() < p:
        img = img[:, ::-1]
    return img


_Concretization = tracenp.errors.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Random = tracenp.errors.RandomInTraceError
_Unsupported = tracenp.errors.UnsupportedFunctionError
REFUSED = {
    "py_cpu_nms_while_order": (_DataDependent, py_cpu_nms, lambda s: (_dets(s),)),
    "mrcnn_nms_while_delete": (_DataDependent, non_max_suppression_mrcnn, lambda s: (
        _xyxy(s, 7, 24.0), _u(s, 7))),
    "voc_ap_07_metric_if": (_Concretization, voc_ap_07, lambda s: _pr_curve(s, 4)),
    "cpu_soft_nms_if_max": (_Concretization, cpu_soft_nms, lambda s: (_dets(s),)),
    "bbox_overlaps_cython_style": (_Concretization, bbox_overlaps_cython_style, lambda s: (
        _xyxy(s, 4), _xyxy(s + 1, 3))),
    "detr_giou_assert": (_Concretization, generalized_box_iou, lambda s: (
        _xyxy(s, 4), _xyxy(s + 1, 3))),
    "coco_precision_envelope": (_Concretization, coco_precision_envelope, lambda s: (
        _u(s, 9) < 0.6, _u(s, 9) >= 0.6, 8, np.linspace(0, 1, 11))),
    "hrnet_taylor_offsets": (_Concretization, hrnet_taylor_offsets, lambda s: (
        _f(1, 2, 6, 7, seed=s),)),
    "centernet_draw_gaussian_array_center": (_Concretization, draw_umich_gaussian, lambda s: (
        _u(s, 12, 14), np.array([4.3 + s, 7.8]), 2)),
    "yolov5_segment2box_any": (_DataDependent, segment2box, lambda s: (_u(s, 9, 2) * 700,)),
    "kaggle_rle_encode": (_DataDependent, rle_encode, lambda s: (
        (_u(s, 5, 6) < 0.5).astype(np.uint8),)),
    "mrcnn_extract_bboxes": (_DataDependent, extract_bboxes_mrcnn, lambda s: (
        _masks(s, 3).transpose(1, 2, 0),)),
    "mrcnn_trim_zeros": (_DataDependent, trim_zeros_mrcnn, lambda s: (
        np.vstack([_xyxy(s, 3), np.zeros((2, 4))]),)),
    "pointnet2_random_point_dropout": (_DataDependent, random_point_dropout, lambda s: _seeded(
        s, _cloud(s, 12).reshape(2, 6, 3))),
    "icp_best_fit_transform_det_if": (_Concretization, best_fit_transform, lambda s: (
        _rigid_pair(s, 4))),
    "voxel_down_sample_unique": (_DataDependent, voxel_down_sample_unique, lambda s: (
        _cloud(s, 12),)),
    "torchvision_equalize": (_Concretization, equalize_torchvision, lambda s: (
        _u8(s, 6, 7) // 4 + 60,)),
    "cutmix_slices": (_Concretization, cutmix_slices, lambda s: (
        _f(3, 2, 6, 5, seed=s), np.array([2, 0, 1]), 0.6, np.array(s + 1),
        np.array(2))),
    "channel_shuffle_list": (_Random, channel_shuffle_list_rng, lambda s: (
        _u8(s, 4, 5, 3), np.random.default_rng(s))),
    "lane_polyfit_nonzero": (_DataDependent, lane_polyfit, lambda s: (_u(s, 8, 9) < 0.4,)),
    "yolov5_nms_candidates": (_DataDependent, yolo_nms_candidates, lambda s: (
        np.concatenate([_u(s, 2, 6, 4) * 20, _u(s + 1, 2, 6, 3)], axis=2),)),
    "draw_boxes_int_slices": (_Concretization, draw_boxes, lambda s: (
        _u8(s, 12, 12), _xyxy(s, 3, size=10.0))),
    "torchvision_random_resized_crop": (_Concretization, random_resized_crop_params,
                                        lambda s: (_u8(s, 8, 9, 3), np.random.default_rng(s))),
    "compose_if_draw": (_Concretization, random_flip_if, lambda s: (
        _u8(s, 4, 5, 3), np.random.default_rng(s))),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "ply_structured_fields": (ply_fields_to_xyz, {}, lambda s, n: (_ply_vertices(s),)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """NMS by a shrinking `while order.size > 0` list (py-faster-rcnn) and by `np.delete`
    (Mask R-CNN), VOC's 11-point `if np.sum(rec >= t) == 0`, the Cython soft-NMS's
    `if maxscore < boxes[pos, 4]`, the Cython IoU's `if iw > 0`, DETR's `assert` on the boxes,
    pycocotools' envelope over `pr.tolist()`, HRNet's Taylor offsets, CenterNet drawing at an
    array centre, YOLOv5's `segment2box` (`any(x)` of a selection) and NMS candidates, Kaggle's
    RLE encode and its decode by slices, Mask R-CNN's `extract_bboxes` and `trim_zeros`,
    PointNet++'s point dropout (`len(drop_idx)`), ICP's reflection `if`, voxel downsampling by
    `np.unique`, torchvision's equalize, Cutout and CutMix slices at drawn positions, a
    channel list shuffled by the generator, `np.uint8(x)` of a traced array, lane pixels fitted
    by `np.polyfit`, boxes drawn at `int` corners, torchvision's crop-parameter retry loop, a
    transform applied `if rng.random() < p` and a PLY vertex array's fields by name: the named
    error, and NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])


# ------------------------------------------------------------------------------ gradients


def giou_loss(pred, target):
    # the GIoU loss of detection heads (DETR, FCOS), mean over matched pairs
    area_p = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_t = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1])
    lt = np.maximum(pred[:, :2], target[:, :2])
    rb = np.minimum(pred[:, 2:], target[:, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[:, 0] * wh[:, 1]
    union = area_p + area_t - inter
    iou = inter / union
    elt = np.minimum(pred[:, :2], target[:, :2])
    erb = np.maximum(pred[:, 2:], target[:, 2:])
    enclose = np.prod(erb - elt, axis=1)
    return np.mean(1 - (iou - (enclose - union) / enclose))


def ciou_loss(box1, box2):
    return np.mean(1 - bbox_iou_v5(box1, box2, CIoU=True))


def ssd_loc_loss(loc, truths, priors):
    # SmoothL1 between predicted offsets and ssd `encode` targets
    t = ssd_encode(truths, priors, [0.1, 0.2])
    d = np.abs(loc - t)
    return np.sum(np.where(d < 1.0, 0.5 * d ** 2, d - 0.5))


def chamfer_loss(pred, target):
    d = np.sum((pred[:, None, :] - target[None, :, :]) ** 2, axis=-1)
    return d.min(1).mean() + d.min(0).mean()


def soft_dice_loss(logits, onehot, eps=1.0):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    inter = (p * onehot).sum(axis=(1, 2))
    card = p.sum(axis=(1, 2)) + onehot.sum(axis=(1, 2))
    return 1 - np.mean((2 * inter + eps) / (card + eps))


def _pairs(s):
    a = _xyxy(s, 5)
    return a + _f(5, 4, seed=s) * 2, a


GRADS = {
    "giou_loss": (giou_loss, lambda: _pairs(1), 0),
    "ciou_loss": (ciou_loss, lambda: (_xywh(1, 1) * 64, _xywh(2, 5) * 64), (0, 1)),
    "ssd_loc_loss": (ssd_loc_loss, lambda: (_f(6, 4, seed=1), _truths(1, 6), _priors(1, 6)), 0),
    "chamfer_loss": (chamfer_loss, lambda: (_cloud(1, 6), _cloud(2, 5)), 0),
    "soft_dice_loss": (soft_dice_loss, lambda: (
        _f(3, 4, 5, seed=1), np.eye(3)[_i(3, 4, 5, seed=2)].transpose(2, 0, 1)), 0),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients_of_detection_and_point_cloud_losses(name):
    fn, make_args, argnums = GRADS[name]
    check_grads(fn, make_args(), argnums)
