//! PDF documents (printpdf, fonts embedded and subset, saved as PDF/A-3b).

pub mod archive;
pub mod audit;
pub mod charts;
mod icc;
pub mod layout;
pub mod portfolio;
pub mod report;
