"""Small parallel samples written for these tests (not taken from the corpus)."""

from __future__ import annotations

EN = [
    "Linear Regression",
    "We use regression whenever the answer we want is a number.",
    "Common examples include predicting prices of homes and stocks.",
    "We load the dataset with 506 examples and 13 features.",
    "Each example is a house described by its area and its age.",
    "As shown in :numref:`fig_linreg`, the model is a single layer.",
    "Then we train the model with minibatch stochastic gradient descent.",
    "The learning rate is set to $0.03$ and we train for 3 epochs.",
    "Why does the loss decrease so quickly?",
    "Summary",
]
ZH = [
    "线性回归",
    "每当我们想要的答案是一个数值时，就使用回归。",
    "常见的例子包括预测房屋和股票的价格。",
    "我们加载包含$506$个样本和$13$个特征的数据集。",
    "每个样本都是一栋房子，由它的面积和房龄描述。",
    "如 :numref:`fig_linreg`所示，该模型是一个单层网络。",
    "然后我们用小批量随机梯度下降训练模型。",
    "学习率设为$0.03$，我们训练$3$个迭代周期。",
    "为什么损失下降得如此之快？",
    "小结",
]
ES = [
    "Regresión lineal",
    "Usamos la regresión siempre que la respuesta que buscamos es un número.",
    "Ejemplos comunes incluyen predecir los precios de casas y acciones.",
    "Cargamos el conjunto de datos con 506 ejemplos y 13 características.",
    "Cada ejemplo es una casa descrita por su superficie y su antigüedad.",
    "Como se muestra en :numref:`fig_linreg`, el modelo es una sola capa.",
    "Luego entrenamos el modelo con descenso de gradiente estocástico por minilotes.",
    "La tasa de aprendizaje es $0.03$ y entrenamos durante 3 épocas.",
    "¿Por qué la pérdida disminuye tan rápido?",
    "Resumen",
]

UNRELATED_ZH = [
    "今天的天气非常好，我们去公园散步吧。",
    "这家餐厅的饺子很好吃，价格也不贵。",
    "我的猫喜欢在窗台上睡觉。",
    "周末我们打算去海边游泳。",
    "这本小说讲述了一个关于友谊的故事。",
    "他每天早上六点起床跑步。",
    "妈妈在厨房里做红烧肉。",
    "火车站离这里大约两公里。",
    "孩子们在操场上踢足球。",
    "明天可能会下雨，记得带伞。",
]

EN_MD = f"""# {EN[0]}
:label:`sec_linreg`

{EN[1]}
{EN[2]}

{EN[3]} {EN[4]}

![The linear regression model.](../img/linreg.svg)
:label:`fig_linreg`

{EN[5]} {EN[6]} {EN[7]}

:begin_tab:`jax`
JAX arrays are immutable, so we update the parameters functionally.
:end_tab:

```python
net = nn.Linear(13, 1)
```

{EN[8]}

## {EN[9]}
"""

ZH_MD = f"""# {ZH[0]}
:label:`sec_linreg`

{ZH[1]}{ZH[2]}

{ZH[3]}{ZH[4]}

![线性回归模型](../img/linreg.svg)
:label:`fig_linreg`

{ZH[5]}{ZH[6]}{ZH[7]}

:begin_tab:`paddle`
飞桨的张量默认在GPU上创建。
:end_tab:

{ZH[8]}

## {ZH[9]}
"""
