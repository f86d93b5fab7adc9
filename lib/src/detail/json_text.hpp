#pragma once
// Private strict-JSON pieces shared by arguments.cpp and audit_log.cpp.

#include <tenuo/arguments.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace tenuo::detail {

enum class NumberStyle : std::uint8_t {
  V032,    // §8.1 target column: integral values within i64 are Int, big integer literals fail
  Legacy,  // 0.2.x Python SDK: written fraction/exponent -> Float, big integer literals -> Float
};

// Parses `text` as exactly one strict JSON object (see arguments.hpp) under `limits`.
[[nodiscard]] Result<Object> parse_json_object(std::string_view text, const ArgumentLimits& limits,
                                               NumberStyle style);

// Appends `s` as a JSON string literal. Invalid UTF-8 bytes become U+FFFD so the output is
// always valid JSON; control characters, '"', '\\' and DEL are escaped.
void append_json_string(std::string& out, std::string_view s);
// Appends the compact JSON of `v`, object members in stored order. Non-finite floats (never
// produced by the parser) are written as strings.
void append_json_value(std::string& out, const Value& v);

}  // namespace tenuo::detail
