#pragma once
// Constraint: one argument constraint of a warrant (WIRE.md §5.2), every protocol type plus
// Unknown (preserved verbatim). ConstraintSet: the per-tool map of argument constraints (§5.1).
// Encoding and decoding are byte-exact with the reference encoder; JSON forms follow CLI.md
// (`{"type": "<snake_case>", <wire field names>…}`).

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

struct ConstraintSet {
  std::vector<std::pair<std::string, Constraint>> constraints;  // byte-order keys, unique
  bool allow_unknown = false;

  [[nodiscard]] const Constraint* find(std::string_view arg) const noexcept;
  // Inserts or replaces, keeping byte order.
  void set(std::string arg, Constraint c);
  [[nodiscard]] bool empty() const noexcept { return constraints.empty(); }
  bool operator==(const ConstraintSet&) const = default;
};

// ---- CBOR (WIRE.md §5) ----
[[nodiscard]] TENUO_EXPORT cbor::Value to_cbor(const Constraint& c);
[[nodiscard]] TENUO_EXPORT cbor::Value to_cbor(const ConstraintSet& s);
// Decoding rejects anything the reference encoder would not produce (stricter than the
// reference: see docs/compatibility.md). Errors: MalformedCbor; TooManyConstraints when nested
// deeper than kMaxConstraintDepth.
[[nodiscard]] TENUO_EXPORT Result<Constraint> constraint_from_cbor(const cbor::Value& v,
                                                                   std::size_t depth = 0);
[[nodiscard]] TENUO_EXPORT Result<ConstraintSet> constraint_set_from_cbor(const cbor::Value& v);

// ---- JSON form (CLI.md: {"type": …, <wire field names>}) ----
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const Constraint& c);
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const ConstraintSet& s);
// Errors: InvalidInput with a message naming the bad field.
[[nodiscard]] TENUO_EXPORT Result<Constraint> constraint_from_json_text(std::string_view json);
[[nodiscard]] TENUO_EXPORT Result<ConstraintSet> constraint_set_from_json_text(std::string_view json);

// ---- `-c` spelling: TYPE:VALUE (e.g. "pattern:/data/*", "range:0..15", "subpath:/tmp") ----
// A bare VALUE without a known `type:` prefix is a Pattern.
[[nodiscard]] TENUO_EXPORT Result<Constraint> parse_constraint_spec(std::string_view spec);

// As a user would write it: Pattern("/data/*"), Range(max=15), Subpath("/tmp"), …
[[nodiscard]] TENUO_EXPORT std::string display(const Constraint& c);

}  // namespace tenuo
