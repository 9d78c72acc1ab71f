//! nslab: learn how Linux containers isolate a process, one namespace at a time.
//!
//! Data flows one way: a [lesson] step holds an [isolation spec](spec), the [sandbox] engine
//! makes it real, the [inspect]or reads what the kernel did, and the [tui] shows it all.
#![deny(unsafe_code)]

pub mod cli;
pub mod doctor;
pub mod inspect;
pub mod lesson;
pub mod logging;
pub mod rootfs;
pub mod sandbox;
pub mod spec;
pub mod tui;
pub mod xdg;
