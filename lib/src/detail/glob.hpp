#pragma once
// The Pattern constraint's glob dialect (WIRE.md §11): the reference's glob library with default
// options. `?` one scalar, `*` any sequence including `/`, `**` only as a whole path segment,
// `[..]`/`[!..]` sets with ranges, no escape character, whole-string, case-sensitive match.

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tenuo::detail {

struct GlobToken {
  enum class Kind : std::uint8_t { Char, AnyChar, AnySequence, AnyRecursive, AnyWithin, AnyExcept };
  Kind kind = Kind::Char;
  char32_t ch = 0;                                    // Char
  std::vector<std::pair<char32_t, char32_t>> ranges;  // AnyWithin/AnyExcept; single = (c, c)
  bool operator==(const GlobToken&) const = default;
  [[nodiscard]] bool is_star() const noexcept {
    return kind == Kind::AnySequence || kind == Kind::AnyRecursive;
  }
};

class TENUO_EXPORT Glob {
 public:
  // Errors (ConstraintViolation): `***`, `**` not a whole segment, unclosed or empty `[`.
  static Result<Glob> compile(std::string_view pattern);
  // Whole-string match per Unicode scalar. Linear in text length times pattern length.
  [[nodiscard]] bool matches(std::string_view text) const;
  [[nodiscard]] const std::vector<GlobToken>& tokens() const noexcept { return m_tokens; }

 private:
  std::vector<GlobToken> m_tokens;
};

// Compiles and matches in one step (errors as Glob::compile).
[[nodiscard]] TENUO_EXPORT Result<bool> glob_matches(std::string_view pattern, std::string_view text);

}  // namespace tenuo::detail
