#pragma once
// Constraint: one argument constraint of a warrant (WIRE.md §5.2), every protocol type plus
// Unknown (preserved verbatim). ConstraintSet: the per-tool map of argument constraints (§5.1).
// Encoding and decoding are byte-exact with the reference encoder; JSON forms follow CLI.md
// (`{"type": "<snake_case>", <wire field names>…}`).
// Thread-safety: Constraint and ConstraintSet are values: concurrent reads (evaluation,
// encoding, comparison, copying) are safe; ConstraintSet::set and assignment need exclusive
// access. Copies are independent, except that Not shares its child as an immutable
// shared_ptr<const Constraint>, which makes copying safe as well. The free functions are pure.

#include <tenuo/bytes.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tenuo {

class Constraint;

enum class ConstraintType : std::uint8_t {
  Exact = 1, Pattern = 2, Range = 3, OneOf = 4, Regex = 5, NotOneOf = 7, Cidr = 8,
  UrlPattern = 9, Contains = 10, Subset = 11, All = 12, Any = 13, Not = 14, Cel = 15,
  Wildcard = 16, Subpath = 17, UrlSafe = 18, Shlex = 128,
};

namespace c {
struct Exact { Value value; };
struct Pattern { std::string pattern; };
struct Range {
  std::optional<double> min;
  std::optional<double> max;
  bool min_inclusive = true;
  bool max_inclusive = true;
};
struct OneOf { std::vector<Value> values; };
struct Regex { std::string pattern; };
struct NotOneOf { std::vector<Value> excluded; };
struct Cidr { std::string network; };        // original text, validated at decode
struct UrlPattern { std::string pattern; };  // original text, validated at decode
struct Contains { std::vector<Value> required; };
struct Subset { std::vector<Value> allowed; };
struct All { std::vector<Constraint> constraints; };
struct Any { std::vector<Constraint> constraints; };
struct Not { std::shared_ptr<const Constraint> constraint; };  // never null
struct Cel {
  std::string expression;
  std::optional<std::string> parent_expression;
};
struct Wildcard {};
struct Subpath {
  std::string root;
  bool case_sensitive = true;
  bool allow_equal = true;
};
struct UrlSafe {
  std::vector<std::string> schemes{"http", "https"};
  std::optional<std::vector<std::string>> allow_domains;
  std::optional<std::vector<std::string>> deny_domains;
  std::optional<std::vector<std::uint16_t>> allow_ports;
  bool block_private = true;
  bool block_loopback = true;
  bool block_metadata = true;
  bool block_reserved = true;
  bool block_internal_tlds = false;
};
struct Shlex { std::vector<std::string> allow; };
// A type id this implementation does not know; re-encoded as [type_id, bytes(payload)].
struct Unknown {
  std::uint8_t type_id = 0;
  Bytes payload;
};
}  // namespace c

class TENUO_EXPORT Constraint {
 public:
  using Variant = std::variant<c::Exact, c::Pattern, c::Range, c::OneOf, c::Regex, c::NotOneOf,
                               c::Cidr, c::UrlPattern, c::Contains, c::Subset, c::All, c::Any,
                               c::Not, c::Cel, c::Wildcard, c::Subpath, c::UrlSafe, c::Shlex,
                               c::Unknown>;

  Constraint() : m_v(c::Wildcard{}) {}
  template <class T>
    requires std::is_constructible_v<Variant, T&&> && (!std::is_same_v<std::decay_t<T>, Constraint>)
  Constraint(T&& t) : m_v(std::forward<T>(t)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] const Variant& variant() const noexcept { return m_v; }
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept { return std::get_if<T>(&m_v); }
  // Wire type id (Unknown: its own id).
  [[nodiscard]] std::uint8_t type_id() const noexcept;
  // snake_case name used by the JSON form and `-c` ("range", "url_safe", "unknown").
  [[nodiscard]] std::string_view type_name() const noexcept;
  // Nesting depth: 0 for leaf types, All/Any/Not add one to their deepest child.
  [[nodiscard]] std::size_t depth() const noexcept;

  bool operator==(const Constraint& other) const;

 private:
  Variant m_v;
};

// Convenience: Not(c).
[[nodiscard]] TENUO_EXPORT Constraint make_not(Constraint inner);

struct TENUO_EXPORT ConstraintSet {
  std::vector<std::pair<std::string, Constraint>> constraints;  // byte-order keys, unique
  bool allow_unknown = false;

  [[nodiscard]] const Constraint* find(std::string_view arg) const noexcept;
  // Inserts or replaces, keeping byte order.
  void set(std::string arg, Constraint c);
  [[nodiscard]] bool empty() const noexcept { return constraints.empty(); }
  bool operator==(const ConstraintSet&) const = default;
};

// ---- CBOR (WIRE.md §5) ----
// Byte-exact with the reference encoder: struct maps in declaration order, Range/Subpath/UrlSafe
// with every field, Cidr/UrlPattern as bare text, Wildcard as null, Unknown as a byte string.
[[nodiscard]] TENUO_EXPORT cbor::Value to_cbor(const Constraint& c);
// {"constraints": {...}} plus "allow_unknown": true only when set.
[[nodiscard]] TENUO_EXPORT cbor::Value to_cbor(const ConstraintSet& s);
// Accepts exactly what the reference encoder emits, so decode -> encode is the identity; rejects
// the rest even where the reference decoder is lenient (keys in any order, unknown keys, missing
// defaulted fields, uint-array Unknown payloads; see constraint.cpp), and non-finite floats.
// `depth` = number of enclosing All/Any/Not. Both functions read `v`'s canonical encoding, as
// a decoder reads signed bytes, so a hand-built value is first held to what cbor::decode()
// accepts (valid UTF-8, no duplicate keys, nesting within kMaxPayloadCborDepth).
// Errors: MalformedCbor; TooManyConstraints when nested deeper than kMaxConstraintDepth.
[[nodiscard]] TENUO_EXPORT Result<Constraint> constraint_from_cbor(const cbor::Value& v,
                                                                   std::size_t depth = 0);
// Errors as above; InvalidPayloadStructure for more than kMaxConstraintsPerTool entries.
[[nodiscard]] TENUO_EXPORT Result<ConstraintSet> constraint_set_from_cbor(const cbor::Value& v);

// ---- JSON form (CLI.md: {"type": …, <wire field names>}) ----
// Constraint: {"type": "<type_name()>", <fields in wire order>}; Cidr {"network": …}, UrlPattern
// {"pattern": …}, Wildcard {"type":"wildcard"}, Unknown {"type":"unknown","type_id":N,
// "payload_hex":"…"}. Range bounds are written as floats; absent options as null.
// ConstraintSet: a plain object {"arg": CONSTRAINT, …} when allow_unknown is false, else
// {"constraints": {"arg": CONSTRAINT, …}, "allow_unknown": true}. On input the wrapped form is
// recognised by an "allow_unknown" member holding a boolean (a constraint is always an object,
// so the two forms cannot be confused).
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const Constraint& c);
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const ConstraintSet& s);
// Missing optional fields take the decoder defaults of WIRE.md §5.2 (Range bounds: absent,
// both inclusive flags true). Numbers: integers within i64 are Integer values, others Float;
// Range bounds accept either (stored as double, must be finite). Unknown members, wrong types,
// invalid Cidr/UrlPattern text, nesting beyond kMaxConstraintDepth and sets beyond
// kMaxConstraintsPerTool are rejected. Errors: InvalidInput naming the bad field.
[[nodiscard]] TENUO_EXPORT Result<Constraint> constraint_from_json_text(std::string_view json);
[[nodiscard]] TENUO_EXPORT Result<ConstraintSet> constraint_set_from_json_text(std::string_view json);

// ---- `-c` spelling: TYPE:VALUE ----
// The TYPE prefix is case-insensitive; an unrecognised prefix (or none) makes the whole spec a
// Pattern, as in the reference CLI. Spellings:
//   exact:V           V parsed as a JSON literal when it is valid JSON ("5" -> Integer 5,
//                     "\"5\"" -> String "5", true, null, [..], {..}); otherwise the raw text
//   pattern:G  regex:R  cel:EXPR  cidr:NET  url:PATTERN (also url_pattern:)
//   range:A..B        inclusive bounds, either side optional ("range:..15", "range:0.."),
//                     "range:A..<B" makes the upper bound exclusive; ints or floats
//   oneof:a,b  notoneof:a,b  contains:a,b  subset:a,b  shlex:grep,ls
//                     comma-separated strings, trimmed; a JSON array ("oneof:[1,2]") also works
//                     (also one_of:, not_one_of:)
//   wildcard  or  *   Wildcard
//   subpath:/root[;case_insensitive][;no_equal]   options after ';'
//   urlsafe  or  urlsafe:{JSON object of url_safe fields}   (also url_safe)
//   json:{"type":…}   the full JSON form (the way to write all/any/not)
// Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<Constraint> parse_constraint_spec(std::string_view spec);

// As a user would write it: Pattern("/data/*"), Range(max=15), Subpath("/tmp"), OneOf(["a",
// "b"]), UrlSafe(allow_domains=["*.example.com"]), Not(Wildcard()), Unknown(type=99). Options
// equal to their defaults are left out.
[[nodiscard]] TENUO_EXPORT std::string display(const Constraint& c);

}  // namespace tenuo
