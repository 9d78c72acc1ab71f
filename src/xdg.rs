//! Where nslab keeps its files, following the XDG base directory specification.
//!
//! Cache: the built root filesystem. State: progress and the log. Config: extra lessons.

use std::path::PathBuf;

fn base(variable: &str, fallback: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(variable).filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir).join("nslab");
    }
    // A home that does not exist is not created: that would put nslab's files in odd places
    // (HOME=/nonexistent is common for system users).
    if let Some(home) = std::env::var_os("HOME").filter(|home| PathBuf::from(home).is_dir()) {
        return PathBuf::from(home).join(fallback).join("nslab");
    }
    // No home (a system user such as nobody): a per-user directory under /tmp.
    std::env::temp_dir().join(format!("nslab-{}", nix::unistd::getuid()))
}

/// `$XDG_CACHE_HOME/nslab`, by default `~/.cache/nslab`.
pub fn cache_dir() -> PathBuf {
    base("XDG_CACHE_HOME", ".cache")
}

/// `$XDG_STATE_HOME/nslab`, by default `~/.local/state/nslab`.
pub fn state_dir() -> PathBuf {
    base("XDG_STATE_HOME", ".local/state")
}

/// `$XDG_CONFIG_HOME/nslab`, by default `~/.config/nslab`.
pub fn config_dir() -> PathBuf {
    base("XDG_CONFIG_HOME", ".config")
}
