#pragma once
// The Regex constraint on RE2 (WIRE.md §11): the reference's Rust `regex` dialect as an
// unanchored search, with `\d`, `\w`, `\s` widened to their Unicode meanings.

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <string>
#include <string_view>

namespace tenuo::detail {

// Rewrites `\d \D \w \W \s \S` to Unicode classes RE2 understands. Constructs the Rust dialect
// reads differently from RE2 (nested classes, set operations `&&`/`--`/`~~`, `\Q`, negated
// Perl classes inside a bracket) are refused (ConstraintViolation) rather than misread.
[[nodiscard]] TENUO_EXPORT Result<std::string> translate_regex(std::string_view rust_pattern);

// Unanchored search of `pattern` in `text`. Compiled programs are cached (thread-safe).
// Errors (ConstraintViolation): invalid, unsupported or oversized pattern.
[[nodiscard]] TENUO_EXPORT Result<bool> regex_search(std::string_view pattern, std::string_view text);

}  // namespace tenuo::detail
