//! The background lane of ADR 0025, in a test binary of its own (its
//! start hook is process-wide).
use inzage_service::testing::TestDb;

/// ADR 0025: a read marked `.background()` runs on a thread of its own,
/// which first runs the start hook the binary set (there: a lower
/// priority), so a search over the whole trail can yield the CPU to page
/// views. Page statements and `.slow()` ones never do. (A file of its
/// own: the hook is process-wide.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_read_runs_on_a_thread_of_its_own_after_its_start_hook() {
    if inzage_service::testing::backend_is_postgres() {
        return; // PostgreSQL statements never run on a runtime worker.
    }
    static STARTS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    fn hook() {
        let name = std::thread::current().name().unwrap_or("").to_string();
        STARTS.lock().expect("starts").push(name);
    }
    inzage_service::on_slow_thread_start(hook);
    let db = TestDb::migrated().await;
    assert_eq!(db.scalar("SELECT 7").await, 7);
    assert_eq!(db.scalar_slow("SELECT 6").await, 6);
    assert!(
        STARTS.lock().expect("starts").is_empty(),
        "a page or slow statement started a thread"
    );
    assert_eq!(db.scalar_background("SELECT 8").await, 8);
    assert_eq!(db.scalar_background("SELECT 9").await, 9);
    assert_eq!(
        *STARTS.lock().expect("starts"),
        vec!["inzage-slow".to_string(), "inzage-slow".to_string()]
    );
}
