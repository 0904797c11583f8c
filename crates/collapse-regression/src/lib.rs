//! collapse-regression (work in progress).
