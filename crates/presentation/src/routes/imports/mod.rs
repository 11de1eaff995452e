//! Bank file imports: a file in the request (`files`), or a large one uploaded to the
//! uploads bucket first (`uploads`), and where an import stands.

mod files;
mod form;
mod uploads;

pub use files::{get_import, import_file, import_formats};
pub use uploads::start_upload;

use crate::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = files::routes();
    routes.extend(uploads::routes());
    routes
}
