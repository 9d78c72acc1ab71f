//! The inspector: the kernel's view of a running sandbox, read from the host side.

pub mod cli;
