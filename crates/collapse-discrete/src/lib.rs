//! collapse-discrete (work in progress).
