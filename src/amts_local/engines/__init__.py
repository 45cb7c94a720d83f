"""The offline translation engines: the stand-in's chain (memory, Apertium, pseudo), the one-shot sync's
translators and the experiments' engines. Never bundled into Lambda."""
