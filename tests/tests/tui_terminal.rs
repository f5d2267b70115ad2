//! The real `countersign` binary in a real terminal (tmux): open the demo, move the
//! selection, search, read the screen, quit.

use countersign_e2e::{binary, Cli};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(cmd: &str) -> Self {
        let session = format!("cs-test-{}", std::process::id());
        let st = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "120",
                "-y",
                "40",
                cmd,
            ])
            .status()
            .expect("tmux");
        assert!(st.success(), "tmux new-session failed");
        Self { session }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux")
            .args(&args)
            .status()
            .expect("send-keys")
            .success());
    }

    /// Polls the screen until `pred` holds (the UI redraws asynchronously).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.session])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

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
    let t = Tmux::start(&cmd);
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
