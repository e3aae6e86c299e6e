//! Reusable widgets.

pub mod form;
