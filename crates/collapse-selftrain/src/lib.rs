//! collapse-selftrain (work in progress).
