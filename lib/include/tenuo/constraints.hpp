#pragma once
// Value-type constructors for every constraint kind, spelled as the SDKs spell them:
//   Pattern("staging-*"), Range::max_value(15), Range::between(1, 5), Subpath("/tmp"),
//   OneOf({"a", "b"}), Exact(42), Wildcard(), Regex("^a+$"), Cidr("10.0.0.0/8"),
//   UrlSafe{.allow_domains = std::vector<std::string>{"api.example.com"}}, All({…}), Any({…}),
//   Not(c). Each returns a tenuo::Constraint (constraint.hpp). Nothing is validated here: text
//   operands (regex, CIDR, URL patterns, CEL) are checked when the warrant is built or evaluated.
// Header-only. Thread-safety: pure functions with no shared state; safe to call concurrently.

#include <tenuo/constraint.hpp>

#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace tenuo {

// NOLINTBEGIN(readability-identifier-naming): the SDK spelling is the point of this header.
[[nodiscard]] inline Constraint Exact(Value v) { return c::Exact{std::move(v)}; }
[[nodiscard]] inline Constraint Pattern(std::string glob) { return c::Pattern{std::move(glob)}; }
[[nodiscard]] inline Constraint Regex(std::string re) { return c::Regex{std::move(re)}; }
[[nodiscard]] inline Constraint OneOf(std::vector<Value> values) { return c::OneOf{std::move(values)}; }
[[nodiscard]] inline Constraint NotOneOf(std::vector<Value> excluded) { return c::NotOneOf{std::move(excluded)}; }
[[nodiscard]] inline Constraint Cidr(std::string network) { return c::Cidr{std::move(network)}; }
[[nodiscard]] inline Constraint UrlPattern(std::string pattern) { return c::UrlPattern{std::move(pattern)}; }
[[nodiscard]] inline Constraint Contains(std::vector<Value> required) { return c::Contains{std::move(required)}; }
[[nodiscard]] inline Constraint Subset(std::vector<Value> allowed) { return c::Subset{std::move(allowed)}; }
[[nodiscard]] inline Constraint All(std::vector<Constraint> cs) { return c::All{std::move(cs)}; }
[[nodiscard]] inline Constraint Any(std::vector<Constraint> cs) { return c::Any{std::move(cs)}; }
[[nodiscard]] inline Constraint Not(Constraint inner) { return make_not(std::move(inner)); }
[[nodiscard]] inline Constraint Cel(std::string expression) { return c::Cel{std::move(expression), std::nullopt}; }
[[nodiscard]] inline Constraint Wildcard() { return c::Wildcard{}; }
[[nodiscard]] inline Constraint Shlex(std::vector<std::string> allow) { return c::Shlex{std::move(allow)}; }

enum class PathCase : std::uint8_t { Sensitive, Insensitive };
enum class RootItself : std::uint8_t { Allowed, Refused };
// Subpath("/tmp"): paths at or below the root after normalisation (WIRE.md §5.2).
[[nodiscard]] inline Constraint Subpath(std::string root, PathCase cs = PathCase::Sensitive,
                                        RootItself eq = RootItself::Allowed) {
  return c::Subpath{std::move(root), cs == PathCase::Sensitive, eq == RootItself::Allowed};
}

// UrlSafe{…}: the wire struct itself (schemes, allow_domains, deny_domains, allow_ports,
// block_* flags, defaults as the SDK's); converts implicitly to Constraint.
using UrlSafe = c::UrlSafe;

// Numeric ranges; bounds inclusive unless stated.
struct Range {
  [[nodiscard]] static Constraint max_value(double max) { return c::Range{std::nullopt, max, true, true}; }
  [[nodiscard]] static Constraint min_value(double min) { return c::Range{min, std::nullopt, true, true}; }
  [[nodiscard]] static Constraint between(double min, double max) { return c::Range{min, max, true, true}; }
  // [min, max): upper bound exclusive.
  [[nodiscard]] static Constraint half_open(double min, double max) { return c::Range{min, max, true, false}; }
};
// NOLINTEND(readability-identifier-naming)

}  // namespace tenuo
