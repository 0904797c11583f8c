//! collapse-mixture (work in progress).
