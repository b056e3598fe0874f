//! An empty Tauri window: what WP Connect's first paint and memory are compared against.
fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the empty window starts");
}
