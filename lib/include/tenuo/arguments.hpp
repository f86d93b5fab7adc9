#pragma once
// Call arguments: strict JSON text -> the argument map a PoP signs (WIRE.md §8.1, §8.1.1).
// Grammar is RFC 8259 with one top-level object and nothing after it; a member name repeated at
// any depth (compared after unescaping), invalid UTF-8, lone surrogates, NaN/Infinity, integer
// literals outside i64 and numbers that round to infinity are rejected. Numbers whose correctly
// rounded double is integral and in [-2^63, 2^63) become Int (`1.0`, `1e2`, `-0.0` -> 0); other
// finite numbers become Float. Nulls are kept at every depth; nested objects become Objects.
// Every failure is ErrorCode::InvalidArguments with the byte offset (Error::byte_offset).
// Thread-safety: pure functions of their arguments with no shared state; safe to call
// concurrently. ArgumentLimits is a plain value.

#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace tenuo {

// Parse budgets (§8.1.1). The text size is checked before anything else. Depth: the top-level
// object is depth 0 and each value is one deeper than its container; a value deeper than
// `max_depth` is rejected. WIRE.md leaves the off-by-one open [U]; counting scalars too is the
// stricter reading (9 containers below the top level may hold only empty containers or scalars
// at depth 9). `max_values` counts every value including the top-level object; the string
// budgets count decoded bytes of strings and member names. Depths above 128 act as 128.
struct ArgumentLimits {
  std::size_t max_text_bytes = kMaxArgsTextBytes;
  std::size_t max_depth = kMaxArgsDepth;
  std::size_t max_values = kMaxArgsValues;
  std::size_t max_entries = kMaxArgsEntries;
  std::size_t max_string_bytes = kMaxArgsStringBytes;
  std::size_t max_total_string_bytes = kMaxArgsTotalStringBytes;
};

// Parses `json` (the whole call-argument text) into its argument map under the 0.3.2 rules.
// Errors: InvalidArguments with a one-line message naming the problem and its offset.
[[nodiscard]] TENUO_EXPORT Result<Object> parse_arguments(std::string_view json,
                                                          const ArgumentLimits& limits = {});

// The same text as a 0.2.x Python SDK would have signed it — for diagnostics only, never for
// acceptance: numbers written with a fraction or exponent stay Float (`1.0` -> f9 3c00),
// integer literals beyond i64 become Float, and top-level null members are dropped. The text
// must still be strict JSON. Errors: InvalidArguments.
[[nodiscard]] TENUO_EXPORT Result<Object> parse_arguments_legacy(std::string_view json,
                                                                 const ArgumentLimits& limits = {});

// Compact JSON of `args` with members in byte order: parse_arguments(canonical_json(a)) == a
// for every map parse_arguments produced. Floats print in shortest round-trip form.
[[nodiscard]] TENUO_EXPORT std::string canonical_json(const Object& args);

// `args` without its null-valued top-level members: the view constraint matching uses (a null
// argument counts as absent, §8.1) and the map a 0.2.x SDK signs. Nested nulls are kept.
[[nodiscard]] TENUO_EXPORT Object without_nulls(const Object& args);

}  // namespace tenuo
