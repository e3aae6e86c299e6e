//! Passerelle: a keyboard-first terminal tool for career-transition advisors.
//!
//! Layers (one-way): `domain` ← `store`, `catalog` ← `app` ← `ui`.

pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod csvfile;
pub mod domain;
pub mod store;
pub mod transfer;
pub mod ui;
