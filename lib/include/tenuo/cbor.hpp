#pragma once
// Strict CBOR (RFC 8949) for exactly the subset Tenuo uses (WIRE.md §1): unsigned and negative
// integers within i64, byte and text strings, arrays, maps with integer or text keys, floats,
// true/false/null. The writer emits the reference encoder's bytes: shortest heads, definite
// lengths, shortest lossless floats, map entries in the order given. The reader rejects anything
// that writer cannot produce (indefinite lengths, non-shortest heads or floats, tags, undefined,
// other simple values, integers outside i64, duplicate map keys, invalid UTF-8, trailing bytes,
// truncation, nesting beyond the limit) with ErrorCode::MalformedCbor and the byte offset.
// Thread-safety: the free functions are pure and reentrant. Value and Entry are plain values:
// concurrent const access is safe, mutation needs exclusive access.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tenuo::cbor {

enum class Kind : std::uint8_t { Integer, Bytes, Text, Array, Map, Bool, Null, Float };

struct Entry;
class Value;
using Array = std::vector<Value>;
using Map = std::vector<Entry>;  // wire order is kept

struct ByteString {
  Bytes data;
  bool operator==(const ByteString&) const = default;
};

class TENUO_EXPORT Value {
 public:
  Value();
  static Value integer(std::int64_t v);
  static Value bytes(ByteView b);
  static Value bytes(Bytes b);
  static Value text(std::string s);
  static Value array(Array a);
  static Value map(Map m);
  static Value boolean(bool b);
  static Value null();
  static Value floating(double d);
  // A uint-array (WIRE.md §1): an array of unsigned integers 0..255, one per byte.
  static Value uint_array(ByteView b);

  [[nodiscard]] Kind kind() const noexcept { return static_cast<Kind>(m_v.index()); }
  [[nodiscard]] bool is(Kind k) const noexcept { return kind() == k; }
  // Accessors; the kind must match (checked with assertions).
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(m_v); }
  [[nodiscard]] const Bytes& as_bytes() const { return std::get<ByteString>(m_v).data; }
  [[nodiscard]] const std::string& as_text() const { return std::get<std::string>(m_v); }
  [[nodiscard]] const Array& as_array() const { return std::get<Array>(m_v); }
  [[nodiscard]] Array& as_array() { return std::get<Array>(m_v); }
  [[nodiscard]] const Map& as_map() const { return std::get<Map>(m_v); }
  [[nodiscard]] Map& as_map() { return std::get<Map>(m_v); }
  [[nodiscard]] bool as_bool() const { return std::get<bool>(m_v); }
  [[nodiscard]] double as_float() const { return std::get<double>(m_v); }

  // Map lookups by text or integer key; nullptr when absent or when this is not a map.
  [[nodiscard]] const Value* find(std::string_view key) const noexcept;
  [[nodiscard]] const Value* find_int(std::int64_t key) const noexcept;

  // Structural equality; floats compare by bit pattern.
  bool operator==(const Value& o) const;

 private:
  explicit Value(std::int64_t v);
  explicit Value(ByteString b);
  explicit Value(std::string s);
  explicit Value(bool b);
  explicit Value(double d);
  // Order must match Kind.
  std::variant<std::int64_t, ByteString, std::string, Array, Map, bool, std::nullptr_t, double> m_v;
};

struct Entry {
  Value key;
  Value value;
  bool operator==(const Entry& o) const { return key == o.key && value == o.value; }
};

// Defined here, where Entry is complete (clang with libstdc++ requires it).
inline Value::Value() : m_v(nullptr) {}
inline Value::Value(std::int64_t v) : m_v(v) {}
inline Value::Value(ByteString b) : m_v(std::move(b)) {}
inline Value::Value(std::string s) : m_v(std::move(s)) {}
inline Value::Value(bool b) : m_v(b) {}
inline Value::Value(double d) : m_v(d) {}
inline Value Value::integer(std::int64_t v) { return Value(v); }
inline Value Value::bytes(ByteView b) { return Value(ByteString{Bytes(b.begin(), b.end())}); }
inline Value Value::bytes(Bytes b) { return Value(ByteString{std::move(b)}); }
inline Value Value::text(std::string s) { return Value(std::move(s)); }
inline Value Value::boolean(bool b) { return Value(b); }
inline Value Value::null() { return Value(); }
inline Value Value::floating(double d) { return Value(d); }

struct DecodeOptions {
  std::size_t max_depth = kMaxCborDepth;  // arrays/maps nested deeper than this are rejected
  std::size_t max_bytes = kMaxStackBytes; // inputs longer than this are rejected up front
};

// Decodes exactly one item spanning all of `in`. Errors: MalformedCbor with byte_offset.
[[nodiscard]] TENUO_EXPORT Result<Value> decode(ByteView in, const DecodeOptions& opts = {});
// Checks `in` exactly as decode() does (same errors and offsets) without building anything,
// and returns the byte range of each element of the top-level array (empty when the item is
// not an array). Each range is the element's exact, canonical encoding.
[[nodiscard]] TENUO_EXPORT Result<std::vector<ByteView>> validate_and_split(ByteView in,
                                                                          const DecodeOptions& opts = {});
// Checks `in` exactly as decode() does (same errors and offsets); builds and allocates nothing.
[[nodiscard]] TENUO_EXPORT Result<void> validate(ByteView in, const DecodeOptions& opts = {});

// Appends the canonical encoding of `v` to `out`.
TENUO_EXPORT void encode_to(Bytes& out, const Value& v);
[[nodiscard]] TENUO_EXPORT Bytes encode(const Value& v);

// Low-level writer pieces, for callers that stream an encoding without building a tree.
TENUO_EXPORT void write_head(Bytes& out, std::uint8_t major, std::uint64_t arg);
TENUO_EXPORT void write_int(Bytes& out, std::int64_t v);
TENUO_EXPORT void write_text(Bytes& out, std::string_view s);
TENUO_EXPORT void write_bytes(Bytes& out, ByteView b);
TENUO_EXPORT void write_float(Bytes& out, double d);  // shortest lossless width, NaN -> f9 7e00

// Diagnostic notation (RFC 8949 §8) for debugging and `inspect`.
[[nodiscard]] TENUO_EXPORT std::string diagnostic(const Value& v);

}  // namespace tenuo::cbor
