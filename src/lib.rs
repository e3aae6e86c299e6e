//! Passerelle: a keyboard-first terminal tool for career-transition advisors.
//!
//! Layers (one-way): `domain` ← `store`, `catalog` ← `app` ← `ui`.

pub mod app;
pub mod catalog;
pub mod domain;
pub mod store;
pub mod ui;
