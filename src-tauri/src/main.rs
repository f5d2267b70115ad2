//! `countersign-desktop`: Countersign in a window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    countersign_desktop::run();
}
