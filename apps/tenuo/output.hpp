#pragma once
// Terminal output settings shared by every verb: --color, --quiet, colour and progress decisions,
// informational stderr lines, and display-width padding for aligned human tables.

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tenuo::cli {

enum class ColorMode : std::uint8_t { Auto, Always, Never };
enum class Stream : std::uint8_t { Out, Err };

// Styles of the human output; each is one SGR sequence (output.cpp has the table).
// Good/Bad/Warn: green/red/yellow; Strong*: the same in bold (verdicts, the error prefix);
// Heading: bold; Dim: faint.
enum class Style : std::uint8_t { Good, Bad, Warn, StrongGood, StrongBad, StrongWarn, Heading, Dim };

// Process-wide settings, filled while the command line is parsed.
struct OutputSettings {
  ColorMode color = ColorMode::Auto;
  bool quiet = false;
};
[[nodiscard]] OutputSettings& output_settings() noexcept;

// Adds --color WHEN and -q,--quiet to `app` (the top level and every verb, so that they are
// accepted before or after the verb); all of them write the one OutputSettings.
void add_output_flags(CLI::App& app);

// Whether `s` gets colour: always / never, or in auto: the stream is a terminal, NO_COLOR is
// unset or empty (no-color.org) and TERM is not "dumb".
[[nodiscard]] bool color_enabled(Stream s);
// A progress bar may be drawn on stderr: stderr is a terminal and there is no --quiet.
[[nodiscard]] bool progress_enabled();
// `text` wrapped in the SGR sequence of `style` when `s` gets colour, else `text` unchanged.
[[nodiscard]] std::string paint(Stream s, Style style, std::string_view text);

// Writes an informational line ("tenuo: note: …", non-fatal warnings) to stderr unless --quiet.
// `line` should end with '\n'. Errors and findings do not go through here.
void info(std::string_view line);

// `text` safe to show on a terminal: control characters other than \n and \t become \xNN (C0,
// DEL) or \u00NN (C1), and so does every escape sequence except the SGR colours of paint().
// Untrusted strings (tool names, arguments, ids from a warrant) then cannot move the cursor,
// retitle the window or reprogram the terminal. Human text only; JSON escapes on its own.
[[nodiscard]] std::string terminal_safe(std::string_view text);

// Terminal columns taken by UTF-8 `text` (wide East Asian characters count 2, combining marks
// and controls 0, an invalid byte 1).
[[nodiscard]] std::size_t display_width(std::string_view text);
// `text` followed by spaces up to `width` display columns (unchanged when already wider).
[[nodiscard]] std::string pad_right(std::string_view text, std::size_t width);
// Spaces then `text`, right-aligned in `width` display columns.
[[nodiscard]] std::string pad_left(std::string_view text, std::size_t width);

}  // namespace tenuo::cli
