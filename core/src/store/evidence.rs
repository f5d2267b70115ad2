//! A version's evidence assembled from what the store holds (the last sync's view).

use super::Store;
use crate::evidence::Evidence;
use crate::uri::VersionRef;
use crate::{Error, Result};

impl Store {
    /// Assembles a version's evidence from the local self.
    pub fn evidence(&self, platform: &str, r: &VersionRef) -> Result<Evidence> {
        let v = self.version(platform, &r.name, &r.version)?.ok_or_else(|| Error::NotFound {
            what: format!("model version {r} on {platform}"),
            hint: ". Run `countersign sync` if it was registered recently, or check the name with `countersign ls`".into(),
        })?;
        let run = match &v.run_id {
            Some(id) => self.run(platform, id)?,
            None => None,
        };
        let logged = match v.logged_model_id() {
            Some(id) => self.logged_model(platform, id)?,
            None => None,
        };
        let mut evals =
            self.runs_with_model_input(platform, &format!("{}/{}", v.name, v.version))?;
        if let Some(id) = v.logged_model_id() {
            evals.extend(self.runs_with_model_input(platform, id)?);
        }
        if let Some(own) = &v.run_id {
            evals.retain(|e| &e.run_id != own);
        }
        Ok(Evidence::assemble(&v, run.as_ref(), logged, &evals))
    }
}
