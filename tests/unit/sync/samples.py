"""Small English/Chinese sample sections written for these tests (not taken from the corpus)."""

# ruff: noqa: E501  (paragraphs are one line each, as in the book)

from __future__ import annotations

OLD_SOURCE = """\
# Linear Regression
:label:`sec_linreg`

We use regression whenever the answer we want is a number. Common examples include predicting prices and forecasting demand. Not every prediction problem is a regression problem.

## Basics

We assume that the relationship between features $\\mathbf{x}$ and target $y$ is approximately linear.
The weights determine the influence of each feature.
The bias tells us what the predicted value would be when all features are zero.

![A linear regression model as a network.](../img/singleneuron.svg)
:label:`fig_single_neuron`

$$\\hat{y} = \\mathbf{w}^\\top \\mathbf{x} + b.$$
:eqlabel:`eq_linreg`

```{.python .input}
# load the data
import numpy as np
x = np.arange(4)
```

The loss function quantifies the distance between the real and predicted values of the target. We use the squared error in this section.

:begin_tab:`pytorch`
In PyTorch, the `nn` module defines many layers.
:end_tab:

## Summary

* Linear models are simple and fast.
* They are trained by minimizing a loss.

## Exercises

1. Why is the squared loss convenient?
1. What happens if the features are not scaled?
"""

# The sample section with one sentence changed: what the book's authors wrote after the translation was made.
NEW_SOURCE = OLD_SOURCE.replace(
    "Common examples include predicting prices", "Typical examples include predicting costs"
)


def translated(source: str, passages: dict[str, str]) -> str:
    """``source`` with each English passage replaced by its translation, as a translator writes it: code, math,
    labels and figure targets stay as they are. Each passage stands exactly once in ``source``."""
    text = source
    for english, translation in passages.items():
        if text.count(english) != 1:
            raise ValueError(f"the sample passage {english!r} stands {text.count(english)} times in the source")
        text = text.replace(english, translation)
    return text


# The sample section's translation, with a pytorch note the translators extended by one for paddle.
OLD_TARGET = translated(
    OLD_SOURCE,
    {
        "# Linear Regression": "# 线性回归",
        "We use regression whenever the answer we want is a number. Common examples include predicting prices and forecasting demand. Not every prediction problem is a regression problem.": "每当我们想预测一个数值时，就会出现回归问题。常见的例子包括预测价格和预测需求。并非每个预测问题都是回归问题。",
        "## Basics": "## 基础",
        "We assume that the relationship between features $\\mathbf{x}$ and target $y$ is approximately linear.": "我们假设特征$\\mathbf{x}$和目标$y$之间的关系是近似线性的。",
        "The weights determine the influence of each feature.": "权重决定了每个特征的影响。",
        "The bias tells us what the predicted value would be when all features are zero.": "偏置告诉我们当所有特征都为零时预测值是多少。",
        "A linear regression model as a network.": "线性回归模型是一个网络。",
        "# load the data": "# 加载数据",
        "The loss function quantifies the distance between the real and predicted values of the target. We use the squared error in this section.": "损失函数量化目标的实际值与预测值之间的差距。本节使用平方误差。",
        "In PyTorch, the `nn` module defines many layers.\n:end_tab:\n": "在PyTorch中，`nn`模块定义了许多层。\n:end_tab:\n\n:begin_tab:`paddle`\n在飞桨中，`nn`模块同样定义了许多层。\n:end_tab:\n",
        "## Summary": "## 小结",
        "* Linear models are simple and fast.": "* 线性模型简单而快速。",
        "* They are trained by minimizing a loss.": "* 它们通过最小化损失来训练。",
        "## Exercises": "## 练习",
        "1. Why is the squared loss convenient?": "1. 为什么平方损失很方便？",
        "1. What happens if the features are not scaled?": "1. 如果特征没有缩放会发生什么？",
    },
)

# A different section, for the bad-input test: same format, unrelated content.
OTHER_TARGET = """\
# 图像增广
:label:`sec_image_augmentation`

我们手头的照片往往不够多。本节把每张照片随机地改动一点，从而得到更多彼此相似却不完全相同的样本。

## 常用的图像增广方法
:label:`subsec_common_aug`

把一张猫的照片左右镜像之后，它仍然是一只猫。这种做法既简单又常用。

![左右翻转的猫。](../img/cat-flip.svg)
:label:`fig_cat_flip`

```{.python .input}
# 读取图像
img = d2l.Image.open('../img/cat1.jpg')
```

除了镜像，还可以随机调亮或调暗照片。

## 小结

* 随机改动照片可以让模型在没见过的照片上表现得更好。
"""

# A short section and an unrelated translation of exactly its shape (one heading, two paragraphs, a heading, a
# two-item list) and no labels: only the alignment can tell that they do not belong together.
SHAPED_SOURCE = """\
# Gradient Clipping

Long sequences make gradients explode now and then. One large step can undo many careful ones before it.

A simple remedy bounds the norm of the gradient before every update. The direction stays the same, only the length shrinks.

## Summary

* Clipping keeps a single bad batch from ruining training.
* It adds one hyperparameter, the largest allowed norm.
"""

SHAPED_OTHER_TARGET = """\
# 数据集的下载

书中用到的数据集都放在一个公开的网站上，第一次用到时才会下载，之后从本地缓存读取。

下载完成后会核对文件的哈希值，如果不一致就重新下载，这样可以避免用到损坏的文件。

## 小结

* 每个数据集只需下载一次。
* 哈希值用来发现损坏的文件。
"""
