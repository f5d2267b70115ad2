//! Exports: the audit pack (DESIGN §4) and the portfolio report.
//!
//! Data types sit below their renderers: `pack_data` and `figures` are read by the writers
//! (`audit_pack`, `portfolio`) and by the PDFs (`pdf`), which import nothing above them.

pub mod audit_pack;
pub mod figures;
pub mod pack_data;
pub mod pdf;
pub mod portfolio;
pub mod report;
pub mod words;
