//! PDF documents (printpdf, fonts embedded and subset).

pub mod audit;
pub mod charts;
pub mod layout;
pub mod portfolio;
