#pragma once
// Value: the protocol's ConstraintValue (WIRE.md §5.3) — argument values and constraint
// operands. Null, Boolean, Integer (i64), Float (f64), String, List, Object (text keys kept in
// byte-wise order). Equality is structural and type-strict: "1", 1 and 1.0 differ; NaN never
// equals anything.
// Thread-safety: Value and Member are plain values: concurrent const access (reading,
// comparing, copying, encoding) is safe; assignment needs exclusive access. The free functions
// are pure.

#include <tenuo/cbor.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tenuo {

class Value;
using List = std::vector<Value>;
struct Member;
using Object = std::vector<Member>;  // sorted by key bytes, unique keys

// Array = List, Map = Object (named apart from the aliases to keep -Wshadow quiet).
enum class ValueKind : std::uint8_t { Null, Bool, Int, Float, String, Array, Map };

class TENUO_EXPORT Value {
 public:
  Value();  // Null
  Value(std::nullptr_t);  // NOLINT(google-explicit-constructor)
  Value(bool b);  // NOLINT
  Value(std::int64_t i);  // NOLINT
  Value(int i);  // NOLINT
  Value(double d);  // NOLINT
  Value(std::string s);  // NOLINT
  Value(const char* s);  // NOLINT
  Value(List l);  // NOLINT
  // Sorts members by key bytes; a duplicated key keeps the last value.
  static Value object(Object members);

  [[nodiscard]] ValueKind kind() const noexcept { return static_cast<ValueKind>(m_v.index()); }
  [[nodiscard]] bool is_null() const noexcept { return kind() == ValueKind::Null; }
  [[nodiscard]] bool is_bool() const noexcept { return kind() == ValueKind::Bool; }
  [[nodiscard]] bool is_int() const noexcept { return kind() == ValueKind::Int; }
  [[nodiscard]] bool is_float() const noexcept { return kind() == ValueKind::Float; }
  [[nodiscard]] bool is_number() const noexcept { return is_int() || is_float(); }
  [[nodiscard]] bool is_string() const noexcept { return kind() == ValueKind::String; }
  [[nodiscard]] bool is_list() const noexcept { return kind() == ValueKind::Array; }
  [[nodiscard]] bool is_object() const noexcept { return kind() == ValueKind::Map; }

  [[nodiscard]] bool as_bool() const { return std::get<bool>(m_v); }
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(m_v); }
  [[nodiscard]] double as_float() const { return std::get<double>(m_v); }
  // Integer or Float as a double.
  [[nodiscard]] double as_number() const {
    return is_int() ? static_cast<double>(as_int()) : as_float();
  }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(m_v); }
  [[nodiscard]] const List& as_list() const { return std::get<List>(m_v); }
  [[nodiscard]] const Object& as_object() const { return std::get<Object>(m_v); }
  // Member lookup in an Object; nullptr when absent or not an object.
  [[nodiscard]] const Value* find(std::string_view key) const noexcept;

  // Structural, type-strict equality (NaN != NaN).
  bool operator==(const Value& other) const;

 private:
  // Order must match ValueKind.
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Object> m_v;
};

struct Member {
  std::string key;
  Value value;
};

// Defined here, where Member is complete (clang with libstdc++ requires it).
inline Value::Value() = default;
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : m_v(b) {}
inline Value::Value(std::int64_t i) : m_v(i) {}
inline Value::Value(int i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(double d) : m_v(d) {}
inline Value::Value(std::string s) : m_v(std::move(s)) {}
inline Value::Value(const char* s) : m_v(std::string(s)) {}
inline Value::Value(List l) : m_v(std::move(l)) {}

// CBOR form (WIRE.md §5.3): shortest integers and floats, objects with byte-order keys.
[[nodiscard]] TENUO_EXPORT cbor::Value to_cbor(const Value& v);
// Decodes with the reference's preference rules; a byte string must be valid UTF-8 (-> String).
// Errors: MalformedCbor.
[[nodiscard]] TENUO_EXPORT Result<Value> value_from_cbor(const cbor::Value& c);

// Compact JSON text of `v` (floats in shortest round-trip form; integral floats keep ".0").
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const Value& v);
// A short human rendering used in diagnostics: strings quoted, lists in brackets.
[[nodiscard]] TENUO_EXPORT std::string display(const Value& v);

}  // namespace tenuo
