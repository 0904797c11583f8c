//! collapse-figures (work in progress).
