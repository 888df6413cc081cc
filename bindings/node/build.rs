//! Link flags for a Node-API addon: the N-API symbols are resolved from the
//! node executable when the addon is loaded (napi-build sets that up).
fn main() {
    napi_build::setup();
}
