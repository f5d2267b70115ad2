//! The real `countersign` binary in a real terminal (tmux): open the demo, move the
//! selection, search, read the screen, quit.

use countersign_e2e::{binary, Cli, Tmux};
use std::time::{Duration, Instant};

fn selected_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or("")
        .to_string()
}

#[test]
fn demo_in_a_real_terminal() {
    let cli = Cli::new();
    let cmd = format!(
        "env COUNTERSIGN_DATA_DIR={} TERM=xterm-256color {} demo",
        cli.data.path().display(),
        binary("countersign").display()
    );
    let t = Tmux::start("cs-test", 120, 40, &cmd);
    let s = t.wait_for("the inventory", |s| s.contains("36 shown"));
    assert!(s.contains("aml-narrative-writer"), "{s}");
    assert!(selected_line(&s).contains("aml-narrative-writer"), "{s}");
    assert!(s.contains("overdue"), "{s}");

    t.keys(&["j", "j"]);
    let s = t.wait_for("the selection to move two rows", |s| {
        selected_line(s).contains("branch-footfall")
    });
    assert!(
        s.contains("Branch staffing") && s.contains("Zoë Adams"),
        "detail pane:\n{s}"
    );

    t.keys(&["/", "s", "e", "p", "s", "i", "s", "Enter"]);
    let s = t.wait_for("the search", |s| {
        s.contains("search: sepsis") && s.contains("1 shown")
    });
    assert!(selected_line(&s).contains("sepsis-early-warning"), "{s}");
    assert!(s.contains("Versions") && s.contains("rubric"), "{s}");

    t.keys(&["?"]);
    t.wait_for("the help overlay", |s| s.contains("Help — any key closes"));
    t.keys(&["Escape"]);
    t.wait_for("help to close", |s| !s.contains("Help — any key closes"));

    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(Instant::now() < deadline, "countersign did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    }
}
