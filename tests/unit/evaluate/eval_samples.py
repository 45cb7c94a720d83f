"""Small d2lbook-style samples written for these tests (not corpus text)."""

from __future__ import annotations

EN_SECTION = """# Counting Words
:label:`sec_counting`

We count the words in a text with a dictionary. The method $f(x)$ is simple.

```{.python .input}
counts = {}
```

![A bar chart of word counts.](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch keeps the counts in a tensor.
:end_tab:

:begin_tab:`jax`
JAX keeps the counts in an array.
:end_tab:

* First item about tokens.
* Second item about `vocab`.

$$y = x^2$$
"""

ZH_SECTION = """# 统计单词
:label:`sec_counting`

我们用字典统计文本中的单词。方法$f(x)$很简单。

```{.python .input}
counts = {}
```

![单词计数的条形图。](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch把计数保存在张量中。
:end_tab:

:begin_tab:`paddle`
飞桨把计数保存在张量中。
:end_tab:

* 关于词元的第一项。
* 关于`vocab`的第二项。

$$y = x^2$$
"""

# A machine translation of EN_SECTION: same structure, some words differ from the reference.
ZH_HYPOTHESIS = """# 计数单词
:label:`sec_counting`

我们使用字典统计文本里的单词。方法$f(x)$是简单的。

```{.python .input}
counts = {}
```

![单词计数条形图。](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch将计数保存在张量里。
:end_tab:

:begin_tab:`jax`
JAX将计数保存在数组里。
:end_tab:

* 关于词元的第一个项目。
* 关于`vocab`的第二个项目。

$$y = x^2$$
"""
