//! IPC commands, named `<area>_<verb>`; each one delegates to core.

use crate::AppState;
use countersign_core::inventory::{self, Filter, InventoryView, ModelDetail};
use countersign_core::workspace::Session;
use serde::Serialize;

/// An error as the UI receives it.
#[derive(Debug, Serialize)]
pub struct IpcError {
    /// Stable code (see `countersign_core::Error::code`).
    pub code: String,
    /// Message for the user, naming the thing and the fix.
    pub message: String,
}

impl From<countersign_core::Error> for IpcError {
    fn from(e: countersign_core::Error) -> Self {
        Self {
            code: e.code().into(),
            message: e.to_string(),
        }
    }
}

fn with_session<T>(
    state: &AppState,
    f: impl FnOnce(&Session) -> countersign_core::Result<T>,
) -> Result<T, IpcError> {
    let mut guard = state.session.lock().map_err(|_| IpcError {
        code: "internal".into(),
        message: "the session lock was poisoned; restart the app".into(),
    })?;
    if guard.is_none() {
        let platform = std::env::var("COUNTERSIGN_PLATFORM").ok();
        *guard = Some(Session::open(None, platform.as_deref())?);
    }
    match guard.as_ref() {
        Some(s) => f(s).map_err(Into::into),
        None => Err(IpcError {
            code: "internal".into(),
            message: "no session".into(),
        }),
    }
}

/// The inventory of the current platform, from the local store.
#[tauri::command]
pub fn inventory_list(state: tauri::State<'_, AppState>) -> Result<InventoryView, IpcError> {
    with_session(&state, |s| {
        inventory::view(s, &Filter::default(), &inventory::today())
    })
}

/// One model with its versions.
#[tauri::command]
pub fn inventory_detail(
    state: tauri::State<'_, AppState>,
    name: String,
) -> Result<ModelDetail, IpcError> {
    with_session(&state, |s| {
        inventory::detail(&s.store, &s.key, &name)?.ok_or_else(|| {
            countersign_core::Error::NotFound {
                what: format!("model '{name}'"),
                hint: ". Run `countersign sync` to refresh the inventory".into(),
            }
        })
    })
}
