//! Colours: respects NO_COLOR (no colour at all) and COUNTERSIGN_THEME=light (darker hues
//! that read on a light background).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Dark,
    Light,
    None,
}

fn mode() -> Mode {
    static MODE: OnceLock<Mode> = OnceLock::new();
    *MODE.get_or_init(|| {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            Mode::None
        } else if std::env::var("COUNTERSIGN_THEME").is_ok_and(|t| t.eq_ignore_ascii_case("light"))
        {
            Mode::Light
        } else {
            Mode::Dark
        }
    })
}

/// The colour to use for a semantic colour under the current theme.
pub fn c(color: Color) -> Color {
    map(mode(), color)
}

fn map(mode: Mode, color: Color) -> Color {
    match (mode, color) {
        (Mode::None, _) => Color::Reset,
        (Mode::Light, Color::Cyan) => Color::Blue,
        (Mode::Light, Color::Yellow) => Color::Rgb(150, 95, 0),
        (Mode::Light, Color::Green) => Color::Rgb(0, 115, 0),
        (_, other) => other,
    }
}

pub(crate) fn field<'a>(k: &'a str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{k:<13}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(v),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_removes_every_colour_and_light_darkens() {
        for col in [Color::Red, Color::Cyan, Color::Green, Color::Yellow] {
            assert_eq!(map(Mode::None, col), Color::Reset);
            assert_eq!(map(Mode::Dark, col), col);
        }
        assert_eq!(map(Mode::Light, Color::Cyan), Color::Blue);
        assert_ne!(map(Mode::Light, Color::Yellow), Color::Yellow);
    }
}
