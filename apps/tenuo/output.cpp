// The one place that decides colour, progress and --quiet (CLI.md §1: colour only on a TTY,
// honour NO_COLOR and --color=never; progress bars on stderr only when it is a TTY).
#include "output.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace tenuo::cli {

OutputSettings& output_settings() noexcept {
  static OutputSettings settings;
  return settings;
}

void add_output_flags(CLI::App& app) {
  app.add_option_function<std::string>(
         "--color",
         [](const std::string& v) {
           output_settings().color = v == "always" ? ColorMode::Always
                                     : v == "never" ? ColorMode::Never
                                                    : ColorMode::Auto;
         },
         "auto (default: colour on a terminal unless NO_COLOR or TERM=dumb), always, never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag_callback(
      "-q,--quiet", [] { output_settings().quiet = true; },
      "No notes, warnings or progress on stderr (results and errors are still printed)");
}

namespace {

bool env_set(const char* name, const char* value = nullptr) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return false;
  return value == nullptr || std::strcmp(v, value) == 0;
}

bool is_tty(Stream s) { return isatty(s == Stream::Out ? STDOUT_FILENO : STDERR_FILENO) != 0; }

const char* sgr(Style style) {
  switch (style) {
    case Style::Good: return "32";
    case Style::Bad: return "31";
    case Style::Warn: return "33";
    case Style::StrongGood: return "1;32";
    case Style::StrongBad: return "1;31";
    case Style::StrongWarn: return "1;33";
    case Style::Heading: return "1";
    case Style::Dim: return "2";
  }
  return "0";
}

}  // namespace

bool color_enabled(Stream s) {
  switch (output_settings().color) {
    case ColorMode::Always: return true;
    case ColorMode::Never: return false;
    case ColorMode::Auto: break;
  }
  // no-color.org: NO_COLOR present and not empty disables colour; --color=always overrides it.
  return !env_set("NO_COLOR") && !env_set("TERM", "dumb") && is_tty(s);
}

bool progress_enabled() { return !output_settings().quiet && is_tty(Stream::Err); }

std::string paint(Stream s, Style style, std::string_view text) {
  if (text.empty() || !color_enabled(s)) return std::string(text);
  std::string out = "\033[";
  out += sgr(style);
  out += 'm';
  out += text;
  out += "\033[0m";
  return out;
}

void info(std::string_view line) {
  if (output_settings().quiet) return;
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string terminal_safe(std::string_view text) {
  static constexpr std::string_view kSgr[] = {"\033[0m",    "\033[1m",    "\033[2m",    "\033[31m",
                                              "\033[32m",   "\033[33m",   "\033[1;31m", "\033[1;32m",
                                              "\033[1;33m"};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == 0x1B) {
      bool ours = false;
      for (const auto sgr : kSgr)
        if (text.substr(i).starts_with(sgr)) {
          out += sgr;
          i += sgr.size() - 1;
          ours = true;
          break;
        }
      if (!ours) out += "\\x1b";
      continue;
    }
    if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7F) {
      out += fmt::format("\\x{:02x}", b);
      continue;
    }
    // C1 controls (U+0080..U+009F), UTF-8 encoded as C2 80..C2 9F: CSI and OSC in 8-bit form.
    if (b == 0xC2 && i + 1 < text.size()) {
      const auto n = static_cast<unsigned char>(text[i + 1]);
      if (n >= 0x80 && n <= 0x9F) {
        out += fmt::format("\\u{:04x}", n);
        ++i;
        continue;
      }
    }
    out += static_cast<char>(b);
  }
  return out;
}

namespace {

// Zero-width: combining marks, zero-width spaces/joiners, variation selectors.
bool zero_width(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) || (c >= 0x0591 && c <= 0x05BD) ||
         (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) ||
         c == 0xFEFF || (c >= 0xE0100 && c <= 0xE01EF);
}

// East Asian Wide and Fullwidth blocks, and the emoji planes terminals draw two columns wide.
bool wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
         (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    char32_t c = b;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      c = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      c = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      c = b & 0x07u;
    } else if (b >= 0x80) {
      width += 1;  // a stray continuation or invalid lead byte: one replacement glyph
      i += 1;
      continue;
    }
    bool valid = i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      const auto cb = static_cast<unsigned char>(text[i + k]);
      if ((cb & 0xC0u) != 0x80u) valid = false;
      c = (c << 6) | (cb & 0x3Fu);
    }
    if (!valid) {
      width += 1;
      i += 1;
      continue;
    }
    i += len;
    if (c < 0x20 || (c >= 0x7F && c < 0xA0) || zero_width(c)) continue;
    width += wide(c) ? 2 : 1;
  }
  return width;
}

std::string pad_right(std::string_view text, std::size_t width) {
  std::string out(text);
  const std::size_t w = display_width(text);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string pad_left(std::string_view text, std::size_t width) {
  const std::size_t w = display_width(text);
  std::string out(w < width ? width - w : 0, ' ');
  out += text;
  return out;
}

}  // namespace tenuo::cli
