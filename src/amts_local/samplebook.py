# ruff: noqa: E501  (chapter text is data: a Chinese paragraph is one line, as in d2l-zh)
"""A small bilingual d2lbook-style book, written by the AMTS project for the demo and the end-to-end tests.

Three chapters exist in English, Chinese and Spanish (the human translation the parallel data is built from);
a fourth chapter is English only (the "new chapter" the pipeline translates). Every construct the pipeline
must handle appears at least once: headings with labels, code cells with tab markers and ``#@save``, inline
and display math with ``:eqlabel:``, figures with captions, ``:begin_tab:`` blocks, lists, a table, references
and a glossary. All text here is original to this project (no corpus text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amts.fsio import write_atomic

SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = ("zh", "es")
NEW_CHAPTER = "chapter_regularization/weight-decay.md"

_TENSORS_EN = """\
# Working with Tensors
:label:`chap_tensors`

A tensor is a grid of numbers with any number of axes. Vectors have one axis and matrices have two, so both
are tensors. In this chapter we create tensors, change their shape and combine them.

## Creating Tensors

We start from a range of integers and reshape it into a matrix with three rows.

```{.python .input}
#@tab pytorch
import torch
x = torch.arange(12)
X = x.reshape(3, 4)
```

The number of elements never changes when we reshape: a tensor with shape $(3, 4)$ holds $12$ values.

:begin_tab:`pytorch`
In PyTorch the `reshape` method returns a view whenever the memory layout allows it.
:end_tab:

## Elementwise Operations

For two tensors $\\mathbf{x}$ and $\\mathbf{y}$ of the same shape, an elementwise operation applies a scalar
function $f$ to each pair of entries:

$$z_i = f(x_i, y_i) \\quad \\textrm{for all } i.$$
:eqlabel:`eq_elementwise`

![Two tensors combined entry by entry.](../img/elementwise.svg)
:label:`fig_elementwise`

## Summary

* A tensor generalizes vectors and matrices to any number of axes.
* Reshaping changes the shape but keeps the elements.

## Exercises

1. Create a tensor with shape $(2, 3, 4)$ and print its number of elements.
1. Which elementwise operation in :eqref:`eq_elementwise` gives the product of two tensors?
"""

_TENSORS_ZH = """\
# 张量操作
:label:`chap_tensors`

张量是具有任意多个轴的数字网格。向量有一个轴，矩阵有两个轴，因此它们都是张量。本章将创建张量、改变它们的形状并把它们组合起来。

## 创建张量

我们从一个整数序列开始，把它重塑为一个三行的矩阵。

```{.python .input}
#@tab pytorch
import torch
x = torch.arange(12)
X = x.reshape(3, 4)
```

重塑时元素的个数不会改变：形状为$(3, 4)$的张量包含$12$个值。

:begin_tab:`pytorch`
在PyTorch中，只要内存布局允许，`reshape`方法就会返回一个视图。
:end_tab:

## 按元素运算

对于形状相同的两个张量$\\mathbf{x}$和$\\mathbf{y}$，按元素运算把一个标量函数$f$应用于每一对元素：

$$z_i = f(x_i, y_i) \\quad \\textrm{for all } i.$$
:eqlabel:`eq_elementwise`

![两个张量逐个元素地组合。](../img/elementwise.svg)
:label:`fig_elementwise`

## 小结

* 张量把向量和矩阵推广到任意多个轴。
* 重塑改变形状，但保留元素。

## 练习

1. 创建一个形状为$(2, 3, 4)$的张量，并打印它的元素个数。
1. :eqref:`eq_elementwise`中的哪种按元素运算给出两个张量的乘积？
"""

_TENSORS_ES = """\
# Trabajar con tensores
:label:`chap_tensors`

Un tensor es una cuadrícula de números con cualquier número de ejes. Los vectores tienen un eje y las matrices
tienen dos, así que ambos son tensores. En este capítulo creamos tensores, cambiamos su forma y los combinamos.

## Crear tensores

Empezamos con un rango de enteros y lo transformamos en una matriz de tres filas.

```{.python .input}
#@tab pytorch
import torch
x = torch.arange(12)
X = x.reshape(3, 4)
```

El número de elementos nunca cambia al cambiar la forma: un tensor de forma $(3, 4)$ contiene $12$ valores.

:begin_tab:`pytorch`
En PyTorch el método `reshape` devuelve una vista siempre que la disposición en memoria lo permite.
:end_tab:

## Operaciones elemento a elemento

Para dos tensores $\\mathbf{x}$ e $\\mathbf{y}$ de la misma forma, una operación elemento a elemento aplica una
función escalar $f$ a cada par de entradas:

$$z_i = f(x_i, y_i) \\quad \\textrm{for all } i.$$
:eqlabel:`eq_elementwise`

![Dos tensores combinados entrada por entrada.](../img/elementwise.svg)
:label:`fig_elementwise`

## Resumen

* Un tensor generaliza los vectores y las matrices a cualquier número de ejes.
* Cambiar la forma modifica la forma pero conserva los elementos.

## Ejercicios

1. Cree un tensor de forma $(2, 3, 4)$ e imprima su número de elementos.
1. ¿Qué operación elemento a elemento de :eqref:`eq_elementwise` da el producto de dos tensores?
"""

_GRADIENT_EN = """\
# Gradient Descent
:label:`chap_gd`

Training a model means finding parameters that make the loss small. Gradient descent does this by taking
repeated small steps against the gradient of the loss, as shown in :numref:`fig_gd_path`.

## The Update Rule

With a learning rate $\\eta > 0$, each step updates the parameters $\\mathbf{w}$ as follows:

$$\\mathbf{w} \\leftarrow \\mathbf{w} - \\eta \\nabla L(\\mathbf{w}).$$
:eqlabel:`eq_gd_update`

If the learning rate is too large, the loss may grow instead of shrinking.

![The path of gradient descent on a bowl-shaped loss.](../img/gd-path.svg)
:width:`300px`
:label:`fig_gd_path`

## An Implementation

The following function performs one step of gradient descent in place.

```{.python .input}
#@tab all
def sgd_step(params, grads, lr):  #@save
    # Move every parameter against its gradient
    for p, g in zip(params, grads):
        p -= lr * g
```

:begin_tab:`mxnet`
In MXNet the gradients are stored in the `grad` attribute of each parameter.
:end_tab:

:begin_tab:`pytorch`
In PyTorch we must reset the gradients to zero after each step.
:end_tab:

## Choosing the Learning Rate

| Learning rate | Behaviour |
|:--|:--|
| 0.001 | slow but steady |
| 0.1 | fast |
| 10 | diverges |
:label:`tab_lr`

## Summary

* Gradient descent follows the negative gradient of the loss.
* The learning rate controls the step size.
"""

_GRADIENT_ZH = """\
# 梯度下降
:label:`chap_gd`

训练模型意味着找到使损失变小的参数。梯度下降通过沿损失梯度的反方向反复迈出小步来做到这一点，如 :numref:`fig_gd_path`所示。

## 更新规则

给定学习率$\\eta > 0$，每一步按如下方式更新参数$\\mathbf{w}$：

$$\\mathbf{w} \\leftarrow \\mathbf{w} - \\eta \\nabla L(\\mathbf{w}).$$
:eqlabel:`eq_gd_update`

如果学习率太大，损失可能会增大而不是减小。

![梯度下降在碗状损失上的路径。](../img/gd-path.svg)
:width:`300px`
:label:`fig_gd_path`

## 实现

下面的函数原地执行一步梯度下降。

```{.python .input}
#@tab all
def sgd_step(params, grads, lr):  #@save
    # 沿梯度的反方向移动每个参数
    for p, g in zip(params, grads):
        p -= lr * g
```

:begin_tab:`mxnet`
在MXNet中，梯度存储在每个参数的`grad`属性中。
:end_tab:

:begin_tab:`pytorch`
在PyTorch中，每一步之后都必须把梯度重置为零。
:end_tab:

## 选择学习率

| 学习率 | 表现 |
|:--|:--|
| 0.001 | 缓慢但稳定 |
| 0.1 | 快速 |
| 10 | 发散 |
:label:`tab_lr`

## 小结

* 梯度下降沿损失的负梯度方向前进。
* 学习率控制步长。
"""

_GRADIENT_ES = """\
# Descenso de gradiente
:label:`chap_gd`

Entrenar un modelo significa encontrar parámetros que hagan pequeña la pérdida. El descenso de gradiente lo
consigue dando pequeños pasos repetidos en contra del gradiente de la pérdida, como se muestra en :numref:`fig_gd_path`.

## La regla de actualización

Con una tasa de aprendizaje $\\eta > 0$, cada paso actualiza los parámetros $\\mathbf{w}$ de la siguiente manera:

$$\\mathbf{w} \\leftarrow \\mathbf{w} - \\eta \\nabla L(\\mathbf{w}).$$
:eqlabel:`eq_gd_update`

Si la tasa de aprendizaje es demasiado grande, la pérdida puede crecer en lugar de reducirse.

![La trayectoria del descenso de gradiente sobre una pérdida en forma de cuenco.](../img/gd-path.svg)
:width:`300px`
:label:`fig_gd_path`

## Una implementación

La siguiente función realiza un paso de descenso de gradiente en el lugar.

```{.python .input}
#@tab all
def sgd_step(params, grads, lr):  #@save
    # Mover cada parámetro en contra de su gradiente
    for p, g in zip(params, grads):
        p -= lr * g
```

:begin_tab:`mxnet`
En MXNet los gradientes se guardan en el atributo `grad` de cada parámetro.
:end_tab:

:begin_tab:`pytorch`
En PyTorch debemos poner los gradientes a cero después de cada paso.
:end_tab:

## Elegir la tasa de aprendizaje

| Tasa de aprendizaje | Comportamiento |
|:--|:--|
| 0.001 | lento pero estable |
| 0.1 | rápido |
| 10 | diverge |
:label:`tab_lr`

## Resumen

* El descenso de gradiente sigue el gradiente negativo de la pérdida.
* La tasa de aprendizaje controla el tamaño del paso.
"""

_EVALUATION_EN = """\
# Evaluating Models
:label:`chap_eval`

A model that fits the training data well may still fail on new data. We therefore keep a validation set
apart and measure the loss on it, as discussed in :numref:`chap_gd`.

## Training Error and Generalization Error

The training error is the average loss on the training set. The generalization error is the expected loss
on new data from the same distribution:

$$R(f) = E_{(\\mathbf{x}, y) \\sim P}[l(f(\\mathbf{x}), y)].$$
:eqlabel:`eq_risk`

![Training error keeps falling while validation error rises again.](../img/overfitting.svg)
:label:`fig_overfitting`

## Computing the Accuracy

The accuracy is the share of predictions that match the labels.

```{.python .input}
#@tab pytorch
def accuracy(y_hat, y):  #@save
    # Count the correct predictions
    return float((y_hat.argmax(dim=1) == y).sum()) / len(y)
```

:begin_tab:`pytorch`
The `argmax` call returns the index of the largest score in each row.
:end_tab:

## Summary

* The validation set estimates the generalization error.
* A growing gap between the two errors is a sign of overfitting.

## Exercises

1. Why should the validation set never be used for training?
"""

_EVALUATION_ZH = """\
# 评估模型
:label:`chap_eval`

一个在训练数据上拟合得很好的模型，在新数据上仍然可能失败。因此，我们单独保留一个验证集，并在它上面测量损失，正如 :numref:`chap_gd`中讨论的那样。

## 训练误差和泛化误差

训练误差是训练集上的平均损失。泛化误差是来自同一分布的新数据上的期望损失：

$$R(f) = E_{(\\mathbf{x}, y) \\sim P}[l(f(\\mathbf{x}), y)].$$
:eqlabel:`eq_risk`

![训练误差持续下降，而验证误差再次上升。](../img/overfitting.svg)
:label:`fig_overfitting`

## 计算准确率

准确率是预测与标签一致的比例。

```{.python .input}
#@tab pytorch
def accuracy(y_hat, y):  #@save
    # 统计正确预测的数量
    return float((y_hat.argmax(dim=1) == y).sum()) / len(y)
```

:begin_tab:`pytorch`
`argmax`调用返回每一行中最大分数的索引。
:end_tab:

## 小结

* 验证集用来估计泛化误差。
* 两种误差之间的差距不断扩大是过拟合的迹象。

## 练习

1. 为什么验证集永远不应该用于训练？
"""

_EVALUATION_ES = """\
# Evaluar modelos
:label:`chap_eval`

Un modelo que se ajusta bien a los datos de entrenamiento puede fallar con datos nuevos. Por eso reservamos un
conjunto de validación y medimos la pérdida en él, como se explicó en :numref:`chap_gd`.

## Error de entrenamiento y error de generalización

El error de entrenamiento es la pérdida media en el conjunto de entrenamiento. El error de generalización es
la pérdida esperada con datos nuevos de la misma distribución:

$$R(f) = E_{(\\mathbf{x}, y) \\sim P}[l(f(\\mathbf{x}), y)].$$
:eqlabel:`eq_risk`

![El error de entrenamiento sigue bajando mientras el error de validación vuelve a subir.](../img/overfitting.svg)
:label:`fig_overfitting`

## Calcular la exactitud

La exactitud es la proporción de predicciones que coinciden con las etiquetas.

```{.python .input}
#@tab pytorch
def accuracy(y_hat, y):  #@save
    # Contar las predicciones correctas
    return float((y_hat.argmax(dim=1) == y).sum()) / len(y)
```

:begin_tab:`pytorch`
La llamada a `argmax` devuelve el índice de la puntuación más alta de cada fila.
:end_tab:

## Resumen

* El conjunto de validación estima el error de generalización.
* Una diferencia creciente entre los dos errores es una señal de sobreajuste.

## Ejercicios

1. ¿Por qué nunca se debe usar el conjunto de validación para entrenar?
"""

_NEW_CHAPTER_EN = """\
# Weight Decay
:label:`chap_weight_decay`

Weight decay is a simple way to fight overfitting. It adds a penalty on the size of the parameters to the
loss, so the model prefers small weights.

## The Penalized Loss

We add the squared norm of the weights, scaled by a constant $\\lambda \\geq 0$, to the training loss:

$$L(\\mathbf{w}) + \\frac{\\lambda}{2} \\|\\mathbf{w}\\|^2.$$
:eqlabel:`eq_weight_decay`

A larger $\\lambda$ pulls the weights more strongly towards zero.

![The penalty keeps the weights close to the origin.](../img/weight-decay.svg)
:label:`fig_weight_decay`

## An Implementation

The penalty is one line of code.

```{.python .input}
#@tab pytorch
def l2_penalty(w):  #@save
    # Half the squared norm of the weights
    return (w ** 2).sum() / 2
```

:begin_tab:`pytorch`
PyTorch optimizers also accept a `weight_decay` argument that applies the penalty for us.
:end_tab:

## Summary

* Weight decay adds a penalty on the squared norm of the weights to the loss.
* It helps the model generalize, as we saw in :numref:`chap_eval`.
"""

# The demo's edit: one paragraph of the new chapter is rewritten; everything else stays byte-identical.
EDITED_PARAGRAPH_OLD = "A larger $\\lambda$ pulls the weights more strongly towards zero."
EDITED_PARAGRAPH_NEW = (
    "A larger $\\lambda$ pulls the weights more strongly towards zero, while $\\lambda = 0$ recovers the original loss."
)

GLOSSARY_ZH = """\
## 英汉术语对照

张量，tensor

梯度下降，gradient descent

学习率，learning rate

损失，loss

过拟合，overfitting

泛化误差，generalization error

验证集，validation set

权重衰减，weight decay
"""

GLOSSARY_ES = """\
en,es
tensor,tensor
gradient descent,descenso de gradiente
learning rate,tasa de aprendizaje
loss,pérdida
overfitting,sobreajuste
generalization error,error de generalización
validation set,conjunto de validación
weight decay,decaimiento de pesos
"""

CHAPTERS: dict[str, dict[str, str]] = {
    "chapter_preliminaries/tensors.md": {"en": _TENSORS_EN, "zh": _TENSORS_ZH, "es": _TENSORS_ES},
    "chapter_optimization/gradient-descent.md": {"en": _GRADIENT_EN, "zh": _GRADIENT_ZH, "es": _GRADIENT_ES},
    "chapter_evaluation/evaluating-models.md": {"en": _EVALUATION_EN, "zh": _EVALUATION_ZH, "es": _EVALUATION_ES},
    NEW_CHAPTER: {"en": _NEW_CHAPTER_EN},
}
GLOSSARIES = {"extras/TERMINOLOGY.zh-en.md": GLOSSARY_ZH, "extras/glossary.en-es.csv": GLOSSARY_ES}


@dataclass(frozen=True)
class SampleBook:
    """Where the sample book was written, and which of its chapters the demo translates and then edits."""

    root: Path
    new_chapter: str = NEW_CHAPTER

    def chapter(self, lang: str, relative: str) -> Path:
        return self.root / lang / relative

    @property
    def glossaries(self) -> dict[str, Path]:
        return {target: self.root / name for target, name in zip(("zh", "es"), GLOSSARIES, strict=True)}


def write_sample_book(root: Path) -> SampleBook:
    """Write the book as ``<root>/<lang>/<chapter>.md`` plus ``<root>/extras/`` glossaries (atomically)."""
    for relative, versions in CHAPTERS.items():
        for lang, text in versions.items():
            write_atomic(root / lang / relative, text)
    for name, text in GLOSSARIES.items():
        write_atomic(root / name, text)
    return SampleBook(root)


def edited_new_chapter() -> str:
    """The new chapter after the demo's one-paragraph edit."""
    text = CHAPTERS[NEW_CHAPTER]["en"]
    if text.count(EDITED_PARAGRAPH_OLD) != 1:
        raise AssertionError("the sample edit must match exactly one paragraph")
    return text.replace(EDITED_PARAGRAPH_OLD, EDITED_PARAGRAPH_NEW)
