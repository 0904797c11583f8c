//! The collapse command.
