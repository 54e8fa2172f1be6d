"""The guidance opinion (行政指导意见书) and the case file (案卷): the case work that ends in a
signed document. The generic capability they use (number, render, sign, verify, versions) is
in `documents`."""
