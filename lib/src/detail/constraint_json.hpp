#pragma once
// nlohmann-based JSON conversion of constraints, for library code that embeds constraints in a
// larger JSON document (warrant inspection, --capabilities). Same forms and rules as the
// *_json_text functions of <tenuo/constraint.hpp>.

#include <tenuo/constraint.hpp>

#include <nlohmann/json.hpp>

namespace tenuo::detail {

[[nodiscard]] TENUO_EXPORT nlohmann::ordered_json constraint_to_json(const Constraint& c);
[[nodiscard]] TENUO_EXPORT nlohmann::ordered_json constraint_set_to_json(const ConstraintSet& s);
[[nodiscard]] TENUO_EXPORT nlohmann::ordered_json value_to_json(const Value& v);

// Errors: InvalidInput naming the bad field (`where` prefixes the message, e.g. "read_file.path").
[[nodiscard]] TENUO_EXPORT Result<Constraint> constraint_from_json(const nlohmann::json& j,
                                                                   std::string_view where = {});
[[nodiscard]] TENUO_EXPORT Result<ConstraintSet> constraint_set_from_json(const nlohmann::json& j,
                                                                         std::string_view where = {});
// `text` as one JSON document, refusing duplicate object keys and nesting beyond the constraint
// limit (nlohmann alone would collapse duplicates). Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<nlohmann::json> parse_json_text(std::string_view text);
// JSON -> Value: integers within i64 -> Integer, other numbers -> Float (must be finite).
[[nodiscard]] TENUO_EXPORT Result<Value> value_from_json(const nlohmann::json& j,
                                                         std::string_view where = {});

}  // namespace tenuo::detail
