//! collapse-lm (work in progress).
