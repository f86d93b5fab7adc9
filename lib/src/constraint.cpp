#include <tenuo/constraint.hpp>

#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>

#include "detail/cbor_cursor.hpp"
#include "detail/constraint_cbor.hpp"
#include "detail/constraint_json.hpp"
#include "detail/net.hpp"
#include "detail/url_pattern.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <set>

// Decoding policy. The reference decoder (WIRE.md §1.2) accepts struct-map keys in any order,
// ignores unknown keys, fills defaults for missing fields and accepts uint-arrays for Unknown
// payloads. We deliberately accept only what the reference *encoder* emits: exact key sets in
// declaration order, every always-emitted field present, byte strings for Unknown payloads,
// "allow_unknown" only as true. Signed data produced by any SDK has exactly that shape, and it
// makes decode -> encode the identity (the fuzz oracle relies on it). Likewise non-finite floats
// (NaN, ±inf) are refused as Range bounds and as operand values: no JSON argument can ever equal
// or be bounded by them usefully, and they have no JSON form.

namespace tenuo {

namespace {

constexpr std::size_t kMaxJsonDepth = 4 * kMaxConstraintDepth + 64;

Unexpected malformed(std::string msg) { return fail(ErrorCode::MalformedCbor, std::move(msg)); }

bool is_unknown_id(std::uint64_t id) noexcept {
  return id == 0 || id == 6 || (id >= 19 && id <= 127) || (id >= 129 && id <= 255);
}

bool value_finite(const Value& v) noexcept {
  switch (v.kind()) {
    case ValueKind::Float: return std::isfinite(v.as_float());
    case ValueKind::Array:
      return std::all_of(v.as_list().begin(), v.as_list().end(), value_finite);
    case ValueKind::Map:
      return std::all_of(v.as_object().begin(), v.as_object().end(),
                         [](const Member& m) { return value_finite(m.value); });
    default: return true;
  }
}

// ------------------------------------------------------------------ model helpers

template <class T>
struct TypeOf;
#define TENUO_TYPE_OF(S, ID, NAME)                                    \
  template <>                                                         \
  struct TypeOf<c::S> {                                               \
    static constexpr std::uint8_t id = ID;                            \
    static constexpr std::string_view name = NAME;                    \
  };
TENUO_TYPE_OF(Exact, 1, "exact")
TENUO_TYPE_OF(Pattern, 2, "pattern")
TENUO_TYPE_OF(Range, 3, "range")
TENUO_TYPE_OF(OneOf, 4, "one_of")
TENUO_TYPE_OF(Regex, 5, "regex")
TENUO_TYPE_OF(NotOneOf, 7, "not_one_of")
TENUO_TYPE_OF(Cidr, 8, "cidr")
TENUO_TYPE_OF(UrlPattern, 9, "url_pattern")
TENUO_TYPE_OF(Contains, 10, "contains")
TENUO_TYPE_OF(Subset, 11, "subset")
TENUO_TYPE_OF(All, 12, "all")
TENUO_TYPE_OF(Any, 13, "any")
TENUO_TYPE_OF(Not, 14, "not")
TENUO_TYPE_OF(Cel, 15, "cel")
TENUO_TYPE_OF(Wildcard, 16, "wildcard")
TENUO_TYPE_OF(Subpath, 17, "subpath")
TENUO_TYPE_OF(UrlSafe, 18, "url_safe")
TENUO_TYPE_OF(Shlex, 128, "shlex")
TENUO_TYPE_OF(Unknown, 0, "unknown")
#undef TENUO_TYPE_OF

bool same(const c::Exact& a, const c::Exact& b) { return a.value == b.value; }
bool same(const c::Pattern& a, const c::Pattern& b) { return a.pattern == b.pattern; }
bool same(const c::Range& a, const c::Range& b) {
  return a.min == b.min && a.max == b.max && a.min_inclusive == b.min_inclusive &&
         a.max_inclusive == b.max_inclusive;
}
bool same(const c::OneOf& a, const c::OneOf& b) { return a.values == b.values; }
bool same(const c::Regex& a, const c::Regex& b) { return a.pattern == b.pattern; }
bool same(const c::NotOneOf& a, const c::NotOneOf& b) { return a.excluded == b.excluded; }
bool same(const c::Cidr& a, const c::Cidr& b) { return a.network == b.network; }
bool same(const c::UrlPattern& a, const c::UrlPattern& b) { return a.pattern == b.pattern; }
bool same(const c::Contains& a, const c::Contains& b) { return a.required == b.required; }
bool same(const c::Subset& a, const c::Subset& b) { return a.allowed == b.allowed; }
bool same(const c::All& a, const c::All& b) { return a.constraints == b.constraints; }
bool same(const c::Any& a, const c::Any& b) { return a.constraints == b.constraints; }
bool same(const c::Not& a, const c::Not& b) {
  if (!a.constraint || !b.constraint) return a.constraint == b.constraint;
  return *a.constraint == *b.constraint;
}
bool same(const c::Cel& a, const c::Cel& b) {
  return a.expression == b.expression && a.parent_expression == b.parent_expression;
}
bool same(const c::Wildcard&, const c::Wildcard&) { return true; }
bool same(const c::Subpath& a, const c::Subpath& b) {
  return a.root == b.root && a.case_sensitive == b.case_sensitive && a.allow_equal == b.allow_equal;
}
bool same(const c::UrlSafe& a, const c::UrlSafe& b) {
  return a.schemes == b.schemes && a.allow_domains == b.allow_domains &&
         a.deny_domains == b.deny_domains && a.allow_ports == b.allow_ports &&
         a.block_private == b.block_private && a.block_loopback == b.block_loopback &&
         a.block_metadata == b.block_metadata && a.block_reserved == b.block_reserved &&
         a.block_internal_tlds == b.block_internal_tlds;
}
bool same(const c::Shlex& a, const c::Shlex& b) { return a.allow == b.allow; }
bool same(const c::Unknown& a, const c::Unknown& b) {
  return a.type_id == b.type_id && a.payload == b.payload;
}

}  // namespace

// ================================================================== Constraint

std::uint8_t Constraint::type_id() const noexcept {
  return std::visit(
      [](const auto& x) -> std::uint8_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, c::Unknown>)
          return x.type_id;
        else
          return TypeOf<T>::id;
      },
      m_v);
}

std::string_view Constraint::type_name() const noexcept {
  return std::visit([](const auto& x) { return TypeOf<std::decay_t<decltype(x)>>::name; }, m_v);
}

std::size_t Constraint::depth() const noexcept {
  auto children_max = [](const std::vector<Constraint>& cs) {
    std::size_t d = 0;
    for (const auto& ch : cs) d = std::max(d, ch.depth());
    return d;
  };
  if (const auto* a = get_if<c::All>()) return 1 + children_max(a->constraints);
  if (const auto* a = get_if<c::Any>()) return 1 + children_max(a->constraints);
  if (const auto* n = get_if<c::Not>()) return 1 + (n->constraint ? n->constraint->depth() : 0);
  return 0;
}

bool Constraint::operator==(const Constraint& other) const {
  if (m_v.index() != other.m_v.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return same(x, std::get<T>(other.m_v));
      },
      m_v);
}

Constraint make_not(Constraint inner) {
  return c::Not{std::make_shared<const Constraint>(std::move(inner))};
}

const Constraint* ConstraintSet::find(std::string_view arg) const noexcept {
  auto it = std::lower_bound(constraints.begin(), constraints.end(), arg,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it != constraints.end() && it->first == arg) return &it->second;
  return nullptr;
}

void ConstraintSet::set(std::string arg, Constraint c) {
  auto it = std::lower_bound(constraints.begin(), constraints.end(), arg,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != constraints.end() && it->first == arg)
    it->second = std::move(c);
  else
    constraints.insert(it, {std::move(arg), std::move(c)});
}

// ================================================================== CBOR encode

namespace {

cbor::Value text(std::string_view s) { return cbor::Value::text(std::string(s)); }

cbor::Value struct_map(std::initializer_list<std::pair<std::string_view, cbor::Value>> fields) {
  cbor::Map m;
  m.reserve(fields.size());
  for (const auto& [k, v] : fields) m.push_back(cbor::Entry{text(k), v});
  return cbor::Value::map(std::move(m));
}

cbor::Value values_array(const std::vector<Value>& vs) {
  cbor::Array a;
  a.reserve(vs.size());
  for (const auto& v : vs) a.push_back(to_cbor(v));
  return cbor::Value::array(std::move(a));
}

cbor::Value texts_array(const std::vector<std::string>& ts) {
  cbor::Array a;
  a.reserve(ts.size());
  for (const auto& t : ts) a.push_back(text(t));
  return cbor::Value::array(std::move(a));
}

cbor::Value constraints_array(const std::vector<Constraint>& cs) {
  cbor::Array a;
  a.reserve(cs.size());
  for (const auto& ch : cs) a.push_back(to_cbor(ch));
  return cbor::Value::array(std::move(a));
}

cbor::Value opt_float(const std::optional<double>& d) {
  return d ? cbor::Value::floating(*d) : cbor::Value::null();
}

cbor::Value opt_texts(const std::optional<std::vector<std::string>>& ts) {
  return ts ? texts_array(*ts) : cbor::Value::null();
}

cbor::Value body(const c::Exact& x) { return struct_map({{"value", to_cbor(x.value)}}); }
cbor::Value body(const c::Pattern& x) { return struct_map({{"pattern", text(x.pattern)}}); }
cbor::Value body(const c::Range& x) {
  return struct_map({{"min", opt_float(x.min)},
                     {"max", opt_float(x.max)},
                     {"min_inclusive", cbor::Value::boolean(x.min_inclusive)},
                     {"max_inclusive", cbor::Value::boolean(x.max_inclusive)}});
}
cbor::Value body(const c::OneOf& x) { return struct_map({{"values", values_array(x.values)}}); }
cbor::Value body(const c::Regex& x) { return struct_map({{"pattern", text(x.pattern)}}); }
cbor::Value body(const c::NotOneOf& x) {
  return struct_map({{"excluded", values_array(x.excluded)}});
}
cbor::Value body(const c::Cidr& x) { return text(x.network); }
cbor::Value body(const c::UrlPattern& x) { return text(x.pattern); }
cbor::Value body(const c::Contains& x) {
  return struct_map({{"required", values_array(x.required)}});
}
cbor::Value body(const c::Subset& x) { return struct_map({{"allowed", values_array(x.allowed)}}); }
cbor::Value body(const c::All& x) {
  return struct_map({{"constraints", constraints_array(x.constraints)}});
}
cbor::Value body(const c::Any& x) {
  return struct_map({{"constraints", constraints_array(x.constraints)}});
}
cbor::Value body(const c::Not& x) {
  return struct_map({{"constraint", x.constraint ? to_cbor(*x.constraint) : to_cbor(Constraint{})}});
}
cbor::Value body(const c::Cel& x) {
  if (x.parent_expression)
    return struct_map(
        {{"expression", text(x.expression)}, {"parent_expression", text(*x.parent_expression)}});
  return struct_map({{"expression", text(x.expression)}});
}
cbor::Value body(const c::Wildcard&) { return cbor::Value::null(); }
cbor::Value body(const c::Subpath& x) {
  return struct_map({{"root", text(x.root)},
                     {"case_sensitive", cbor::Value::boolean(x.case_sensitive)},
                     {"allow_equal", cbor::Value::boolean(x.allow_equal)}});
}
cbor::Value body(const c::UrlSafe& x) {
  cbor::Value ports = cbor::Value::null();
  if (x.allow_ports) {
    cbor::Array a;
    for (auto p : *x.allow_ports) a.push_back(cbor::Value::integer(p));
    ports = cbor::Value::array(std::move(a));
  }
  return struct_map({{"schemes", texts_array(x.schemes)},
                     {"allow_domains", opt_texts(x.allow_domains)},
                     {"deny_domains", opt_texts(x.deny_domains)},
                     {"allow_ports", ports},
                     {"block_private", cbor::Value::boolean(x.block_private)},
                     {"block_loopback", cbor::Value::boolean(x.block_loopback)},
                     {"block_metadata", cbor::Value::boolean(x.block_metadata)},
                     {"block_reserved", cbor::Value::boolean(x.block_reserved)},
                     {"block_internal_tlds", cbor::Value::boolean(x.block_internal_tlds)}});
}
cbor::Value body(const c::Shlex& x) { return struct_map({{"allow", texts_array(x.allow)}}); }
cbor::Value body(const c::Unknown& x) { return cbor::Value::bytes(x.payload); }

}  // namespace

cbor::Value to_cbor(const Constraint& c) {
  cbor::Array a;
  a.reserve(2);
  a.push_back(cbor::Value::integer(c.type_id()));
  a.push_back(std::visit([](const auto& x) { return body(x); }, c.variant()));
  return cbor::Value::array(std::move(a));
}

cbor::Value to_cbor(const ConstraintSet& s) {
  cbor::Map inner;
  inner.reserve(s.constraints.size());
  for (const auto& [k, v] : s.constraints) inner.push_back(cbor::Entry{text(k), to_cbor(v)});
  cbor::Map m;
  m.push_back(cbor::Entry{text("constraints"), cbor::Value::map(std::move(inner))});
  if (s.allow_unknown) m.push_back(cbor::Entry{text("allow_unknown"), cbor::Value::boolean(true)});
  return cbor::Value::map(std::move(m));
}

// ================================================================== CBOR decode
// One implementation, over bytes that cbor::validate() has accepted (detail::CborCursor): a
// payload's constraint sets are read straight from the signed bytes; the cbor::Value entry
// points read the value's canonical encoding. Only operand values (Exact, OneOf, ...) and float
// bounds go through a small cbor::Value of their own bytes.

namespace {

using detail::CborCursor;

// A validated item as a cbor::Value (its bytes passed cbor::validate(), so this always decodes).
Result<cbor::Value> tree_of(ByteView item) {
  return cbor::decode(item, {.max_depth = kMaxPayloadCborDepth, .max_bytes = item.size()});
}

constexpr std::uint8_t kFalse = 0xf4, kTrue = 0xf5, kNull = 0xf6;

// The field values of a struct map, checked to be exactly `keys` in this order (at most 9,
// UrlSafe's).
using Fields = std::array<ByteView, 9>;
Result<Fields> fields(ByteView v, std::string_view type, std::initializer_list<std::string_view> keys) {
  CborCursor c(v);
  if (c.peek_major() != detail::kCborMap) return malformed(fmt::format("{} constraint: expected a map", type));
  const auto h = c.head();
  if (h.arg != keys.size())
    return malformed(fmt::format("{} constraint: expected {} fields, found {}", type, keys.size(), h.arg));
  Fields out{};
  std::size_t i = 0;
  for (auto k : keys) {
    bool named = false;
    if (c.peek_major() == detail::kCborText) {
      const auto kh = c.head();
      named = as_chars(c.body(kh.arg)) == k;
    } else {
      (void)c.item();
    }
    out[i++] = c.item();
    if (!named)
      return malformed(fmt::format("{} constraint: expected field \"{}\" at position {}", type, k, i));
  }
  return out;
}

Result<std::string> get_text(ByteView v, std::string_view what) {
  CborCursor c(v);
  if (c.peek_major() != detail::kCborText) return malformed(fmt::format("{}: expected text", what));
  const auto h = c.head();
  return std::string(as_chars(c.body(h.arg)));
}

Result<bool> get_bool(ByteView v, std::string_view what) {
  if (v[0] != kFalse && v[0] != kTrue) return malformed(fmt::format("{}: expected a boolean", what));
  return v[0] == kTrue;
}

Result<std::optional<double>> get_bound(ByteView v, std::string_view what) {
  if (v[0] == kNull) return std::optional<double>{};
  // Integer bounds fail to decode in the reference too (WIRE.md §5.2).
  if (v[0] < 0xf9 || v[0] > 0xfb) return malformed(fmt::format("{}: expected a float or null", what));
  TENUO_TRY_ASSIGN(cbor::Value f, tree_of(v));
  if (!std::isfinite(f.as_float())) return malformed(fmt::format("{}: must be finite", what));
  return std::optional<double>{f.as_float()};
}

Result<Value> get_value(ByteView v, std::string_view what) {
  TENUO_TRY_ASSIGN(cbor::Value tree, tree_of(v));
  TENUO_TRY_ASSIGN(Value val, value_from_cbor(tree));
  if (!value_finite(val)) return malformed(fmt::format("{}: non-finite float", what));
  return val;
}

// The items of an array, each handed to `each`.
template <class F>
Result<void> for_each_item(ByteView v, std::string_view what, F&& each) {
  CborCursor c(v);
  if (c.peek_major() != detail::kCborArray) return malformed(fmt::format("{}: expected an array", what));
  const auto h = c.head();
  for (std::uint64_t i = 0; i < h.arg; ++i) TENUO_TRY(each(c.item()));
  return {};
}

Result<std::vector<Value>> get_values(ByteView v, std::string_view what) {
  std::vector<Value> out;
  TENUO_TRY(for_each_item(v, what, [&](ByteView x) -> Result<void> {
    TENUO_TRY_ASSIGN(Value val, get_value(x, what));
    out.push_back(std::move(val));
    return {};
  }));
  return out;
}

Result<std::vector<std::string>> get_texts(ByteView v, std::string_view what) {
  std::vector<std::string> out;
  TENUO_TRY(for_each_item(v, what, [&](ByteView x) -> Result<void> {
    TENUO_TRY_ASSIGN(std::string t, get_text(x, what));
    out.push_back(std::move(t));
    return {};
  }));
  return out;
}

Result<std::optional<std::vector<std::string>>> get_opt_texts(ByteView v, std::string_view what) {
  if (v[0] == kNull) return std::optional<std::vector<std::string>>{};
  TENUO_TRY_ASSIGN(auto ts, get_texts(v, what));
  return std::optional<std::vector<std::string>>{std::move(ts)};
}

Result<Constraint> constraint_from_bytes(ByteView item, std::size_t depth);

Result<std::vector<Constraint>> get_children(ByteView v, std::size_t depth, std::string_view what) {
  std::vector<Constraint> out;
  TENUO_TRY(for_each_item(v, what, [&](ByteView x) -> Result<void> {
    TENUO_TRY_ASSIGN(Constraint ch, constraint_from_bytes(x, depth));
    out.push_back(std::move(ch));
    return {};
  }));
  return out;
}

Result<void> check_depth(std::size_t enclosing) {
  if (enclosing + 1 > kMaxConstraintDepth)
    return fail(ErrorCode::TooManyConstraints,
                fmt::format("constraints nested deeper than {}", kMaxConstraintDepth));
  return {};
}

Result<Constraint> decode_known(std::uint64_t id, ByteView v, std::size_t depth) {
  switch (id) {
    case 1: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Exact", {"value"}));
      TENUO_TRY_ASSIGN(Value val, get_value(f[0], "Exact.value"));
      return Constraint{c::Exact{std::move(val)}};
    }
    case 2: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Pattern", {"pattern"}));
      TENUO_TRY_ASSIGN(std::string p, get_text(f[0], "Pattern.pattern"));
      return Constraint{c::Pattern{std::move(p)}};
    }
    case 3: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Range", {"min", "max", "min_inclusive", "max_inclusive"}));
      c::Range r;
      TENUO_TRY_ASSIGN(r.min, get_bound(f[0], "Range.min"));
      TENUO_TRY_ASSIGN(r.max, get_bound(f[1], "Range.max"));
      TENUO_TRY_ASSIGN(r.min_inclusive, get_bool(f[2], "Range.min_inclusive"));
      TENUO_TRY_ASSIGN(r.max_inclusive, get_bool(f[3], "Range.max_inclusive"));
      return Constraint{r};
    }
    case 4: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "OneOf", {"values"}));
      TENUO_TRY_ASSIGN(auto vs, get_values(f[0], "OneOf.values"));
      return Constraint{c::OneOf{std::move(vs)}};
    }
    case 5: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Regex", {"pattern"}));
      TENUO_TRY_ASSIGN(std::string p, get_text(f[0], "Regex.pattern"));
      return Constraint{c::Regex{std::move(p)}};
    }
    case 7: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "NotOneOf", {"excluded"}));
      TENUO_TRY_ASSIGN(auto vs, get_values(f[0], "NotOneOf.excluded"));
      return Constraint{c::NotOneOf{std::move(vs)}};
    }
    case 8: {
      TENUO_TRY_ASSIGN(std::string n, get_text(v, "Cidr"));
      if (!detail::parse_network(n)) return malformed(fmt::format("Cidr: invalid network \"{}\"", n));
      return Constraint{c::Cidr{std::move(n)}};
    }
    case 9: {
      TENUO_TRY_ASSIGN(std::string p, get_text(v, "UrlPattern"));
      if (auto parts = detail::parse_url_pattern(p); !parts)
        return malformed("UrlPattern: " + parts.error().message);
      return Constraint{c::UrlPattern{std::move(p)}};
    }
    case 10: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Contains", {"required"}));
      TENUO_TRY_ASSIGN(auto vs, get_values(f[0], "Contains.required"));
      return Constraint{c::Contains{std::move(vs)}};
    }
    case 11: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Subset", {"allowed"}));
      TENUO_TRY_ASSIGN(auto vs, get_values(f[0], "Subset.allowed"));
      return Constraint{c::Subset{std::move(vs)}};
    }
    case 12:
    case 13: {
      TENUO_TRY(check_depth(depth));
      const auto* type = id == 12 ? "All" : "Any";
      TENUO_TRY_ASSIGN(auto f, fields(v, type, {"constraints"}));
      TENUO_TRY_ASSIGN(auto cs, get_children(f[0], depth + 1, type));
      if (id == 12) return Constraint{c::All{std::move(cs)}};
      return Constraint{c::Any{std::move(cs)}};
    }
    case 14: {
      TENUO_TRY(check_depth(depth));
      TENUO_TRY_ASSIGN(auto f, fields(v, "Not", {"constraint"}));
      TENUO_TRY_ASSIGN(Constraint inner, constraint_from_bytes(f[0], depth + 1));
      return make_not(std::move(inner));
    }
    case 15: {
      // parent_expression is emitted only when set, so it is never null.
      const bool two = v[0] == 0xa2;
      auto f = two ? fields(v, "Cel", {"expression", "parent_expression"}) : fields(v, "Cel", {"expression"});
      if (!f) return Unexpected{std::move(f).error()};
      c::Cel cel;
      TENUO_TRY_ASSIGN(cel.expression, get_text((*f)[0], "Cel.expression"));
      if (two) {
        TENUO_TRY_ASSIGN(std::string pe, get_text((*f)[1], "Cel.parent_expression"));
        cel.parent_expression = std::move(pe);
      }
      return Constraint{std::move(cel)};
    }
    case 16:
      if (v[0] != kNull) return malformed("Wildcard: value must be null");
      return Constraint{c::Wildcard{}};
    case 17: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Subpath", {"root", "case_sensitive", "allow_equal"}));
      c::Subpath s;
      TENUO_TRY_ASSIGN(s.root, get_text(f[0], "Subpath.root"));
      TENUO_TRY_ASSIGN(s.case_sensitive, get_bool(f[1], "Subpath.case_sensitive"));
      TENUO_TRY_ASSIGN(s.allow_equal, get_bool(f[2], "Subpath.allow_equal"));
      return Constraint{std::move(s)};
    }
    case 18: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "UrlSafe",
                                      {"schemes", "allow_domains", "deny_domains", "allow_ports",
                                       "block_private", "block_loopback", "block_metadata",
                                       "block_reserved", "block_internal_tlds"}));
      c::UrlSafe u;
      TENUO_TRY_ASSIGN(u.schemes, get_texts(f[0], "UrlSafe.schemes"));
      TENUO_TRY_ASSIGN(u.allow_domains, get_opt_texts(f[1], "UrlSafe.allow_domains"));
      TENUO_TRY_ASSIGN(u.deny_domains, get_opt_texts(f[2], "UrlSafe.deny_domains"));
      if (f[3][0] != kNull) {
        if ((f[3][0] >> 5) != detail::kCborArray) return malformed("UrlSafe.allow_ports: expected an array or null");
        std::vector<std::uint16_t> ports;
        TENUO_TRY(for_each_item(f[3], "UrlSafe.allow_ports", [&](ByteView p) -> Result<void> {
          CborCursor pc(p);
          const auto ph = pc.head();
          if (ph.major != detail::kCborUint || ph.arg > 65535)
            return malformed("UrlSafe.allow_ports: expected integers 0..65535");
          ports.push_back(static_cast<std::uint16_t>(ph.arg));
          return {};
        }));
        u.allow_ports = std::move(ports);
      }
      TENUO_TRY_ASSIGN(u.block_private, get_bool(f[4], "UrlSafe.block_private"));
      TENUO_TRY_ASSIGN(u.block_loopback, get_bool(f[5], "UrlSafe.block_loopback"));
      TENUO_TRY_ASSIGN(u.block_metadata, get_bool(f[6], "UrlSafe.block_metadata"));
      TENUO_TRY_ASSIGN(u.block_reserved, get_bool(f[7], "UrlSafe.block_reserved"));
      TENUO_TRY_ASSIGN(u.block_internal_tlds, get_bool(f[8], "UrlSafe.block_internal_tlds"));
      return Constraint{std::move(u)};
    }
    case 128: {
      TENUO_TRY_ASSIGN(auto f, fields(v, "Shlex", {"allow"}));
      TENUO_TRY_ASSIGN(auto allow, get_texts(f[0], "Shlex.allow"));
      return Constraint{c::Shlex{std::move(allow)}};
    }
    default: break;
  }
  return malformed(fmt::format("unsupported constraint type {}", id));
}

// One validated [type_id, value] item.
Result<Constraint> constraint_from_bytes(ByteView item, std::size_t depth) {
  CborCursor c(item);
  const auto h = c.head();
  if (h.major != detail::kCborArray || h.arg != 2) return malformed("constraint: expected [type_id, value]");
  const auto id = c.head();
  if (id.major != detail::kCborUint || id.arg > 255)
    return malformed("constraint: type_id must be an integer 0..255");
  const ByteView value = c.item();
  if (is_unknown_id(id.arg)) {
    // The reference also takes a uint-array here; its encoder writes a byte string, and any
    // other shape makes the whole warrant undecodable there as well.
    if ((value[0] >> 5) != detail::kCborBytes)
      return malformed(fmt::format("unknown constraint type {}: payload must be a byte string", id.arg));
    CborCursor b(value);
    const auto bh = b.head();
    const ByteView payload = b.body(bh.arg);
    return Constraint{c::Unknown{static_cast<std::uint8_t>(id.arg), Bytes(payload.begin(), payload.end())}};
  }
  return decode_known(id.arg, value, depth);
}

// The canonical encoding of a value, held to what the decoder accepts (a hand-built value may
// hold invalid UTF-8, duplicate keys or deep nesting that no decoded one can).
Result<Bytes> validated_encoding(const cbor::Value& v) {
  Bytes enc = cbor::encode(v);
  TENUO_TRY(cbor::validate(enc, {.max_depth = kMaxPayloadCborDepth, .max_bytes = enc.size()}));
  return enc;
}

}  // namespace

Result<Constraint> constraint_from_cbor(const cbor::Value& v, std::size_t depth) {
  TENUO_TRY_ASSIGN(Bytes enc, validated_encoding(v));
  return constraint_from_bytes(enc, depth);
}

Result<ConstraintSet> constraint_set_from_cbor(const cbor::Value& v) {
  TENUO_TRY_ASSIGN(Bytes enc, validated_encoding(v));
  return detail::constraint_set_from_validated(enc);
}

namespace detail {

Result<ConstraintSet> constraint_set_from_validated(ByteView validated) {
  CborCursor c(validated);
  if (c.peek_major() != kCborMap) return malformed("constraint set: expected a map");
  const auto top = c.head();
  // The next key of the set map is the text `want`.
  auto key_is = [&c](std::string_view want) {
    if (c.peek_major() != kCborText) {
      (void)c.item();
      return false;
    }
    const auto k = c.head();
    return as_chars(c.body(k.arg)) == want;
  };
  if (top.arg == 0 || !key_is("constraints")) return malformed("constraint set: expected \"constraints\" first");
  const ByteView inner = c.item();
  ConstraintSet out;
  if (top.arg == 2) {
    // Emitted only when true; a false value is not something the encoder writes.
    const bool named = key_is("allow_unknown");
    if (!named || c.item()[0] != kTrue)
      return malformed("constraint set: only \"allow_unknown\": true may follow \"constraints\"");
    out.allow_unknown = true;
  } else if (top.arg != 1) {
    return malformed("constraint set: unexpected fields");
  }
  CborCursor e(inner);
  if (e.peek_major() != kCborMap) return malformed("constraint set: \"constraints\" must be a map");
  const auto entries = e.head();
  if (entries.arg > kMaxConstraintsPerTool)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("{} constraints for one tool (limit {})", entries.arg, kMaxConstraintsPerTool));
  out.constraints.reserve(static_cast<std::size_t>(entries.arg));
  for (std::uint64_t i = 0; i < entries.arg; ++i) {
    if (e.peek_major() != kCborText) return malformed("constraint set: argument names must be text");
    const auto k = e.head();
    const std::string_view name = as_chars(e.body(k.arg));
    if (!out.constraints.empty() && !(out.constraints.back().first < name))
      return malformed("constraint set: argument names not in byte-wise order");
    auto con = constraint_from_bytes(e.item(), 0);
    if (!con) {
      auto err = std::move(con).error();
      err.message = fmt::format("argument \"{}\": {}", name, err.message);
      return Unexpected{std::move(err)};
    }
    out.constraints.emplace_back(std::string(name), std::move(*con));
  }
  return out;
}

}  // namespace detail

// ================================================================== JSON

namespace detail {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json value_to_json(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null: return nullptr;
    case ValueKind::Bool: return v.as_bool();
    case ValueKind::Int: return v.as_int();
    case ValueKind::Float: return v.as_float();
    case ValueKind::String: return v.as_string();
    case ValueKind::Array: {
      auto a = ordered_json::array();
      for (const auto& x : v.as_list()) a.push_back(value_to_json(x));
      return a;
    }
    case ValueKind::Map: {
      auto o = ordered_json::object();
      for (const auto& m : v.as_object()) o[m.key] = value_to_json(m.value);
      return o;
    }
  }
  return nullptr;
}

namespace {

ordered_json values_json(const std::vector<Value>& vs) {
  auto a = ordered_json::array();
  for (const auto& v : vs) a.push_back(value_to_json(v));
  return a;
}

ordered_json texts_json(const std::vector<std::string>& ts) {
  auto a = ordered_json::array();
  for (const auto& t : ts) a.push_back(t);
  return a;
}

ordered_json opt_texts_json(const std::optional<std::vector<std::string>>& ts) {
  return ts ? texts_json(*ts) : ordered_json(nullptr);
}

ordered_json opt_float_json(const std::optional<double>& d) {
  return d ? ordered_json(*d) : ordered_json(nullptr);
}

void fill(ordered_json& j, const c::Exact& x) { j["value"] = value_to_json(x.value); }
void fill(ordered_json& j, const c::Pattern& x) { j["pattern"] = x.pattern; }
void fill(ordered_json& j, const c::Range& x) {
  j["min"] = opt_float_json(x.min);
  j["max"] = opt_float_json(x.max);
  j["min_inclusive"] = x.min_inclusive;
  j["max_inclusive"] = x.max_inclusive;
}
void fill(ordered_json& j, const c::OneOf& x) { j["values"] = values_json(x.values); }
void fill(ordered_json& j, const c::Regex& x) { j["pattern"] = x.pattern; }
void fill(ordered_json& j, const c::NotOneOf& x) { j["excluded"] = values_json(x.excluded); }
void fill(ordered_json& j, const c::Cidr& x) { j["network"] = x.network; }
void fill(ordered_json& j, const c::UrlPattern& x) { j["pattern"] = x.pattern; }
void fill(ordered_json& j, const c::Contains& x) { j["required"] = values_json(x.required); }
void fill(ordered_json& j, const c::Subset& x) { j["allowed"] = values_json(x.allowed); }
void fill(ordered_json& j, const c::All& x) {
  auto a = ordered_json::array();
  for (const auto& ch : x.constraints) a.push_back(constraint_to_json(ch));
  j["constraints"] = std::move(a);
}
void fill(ordered_json& j, const c::Any& x) {
  auto a = ordered_json::array();
  for (const auto& ch : x.constraints) a.push_back(constraint_to_json(ch));
  j["constraints"] = std::move(a);
}
void fill(ordered_json& j, const c::Not& x) {
  j["constraint"] = constraint_to_json(x.constraint ? *x.constraint : Constraint{});
}
void fill(ordered_json& j, const c::Cel& x) {
  j["expression"] = x.expression;
  if (x.parent_expression) j["parent_expression"] = *x.parent_expression;
}
void fill(ordered_json&, const c::Wildcard&) {}
void fill(ordered_json& j, const c::Subpath& x) {
  j["root"] = x.root;
  j["case_sensitive"] = x.case_sensitive;
  j["allow_equal"] = x.allow_equal;
}
void fill(ordered_json& j, const c::UrlSafe& x) {
  j["schemes"] = texts_json(x.schemes);
  j["allow_domains"] = opt_texts_json(x.allow_domains);
  j["deny_domains"] = opt_texts_json(x.deny_domains);
  if (x.allow_ports) {
    auto a = ordered_json::array();
    for (auto p : *x.allow_ports) a.push_back(p);
    j["allow_ports"] = std::move(a);
  } else {
    j["allow_ports"] = nullptr;
  }
  j["block_private"] = x.block_private;
  j["block_loopback"] = x.block_loopback;
  j["block_metadata"] = x.block_metadata;
  j["block_reserved"] = x.block_reserved;
  j["block_internal_tlds"] = x.block_internal_tlds;
}
void fill(ordered_json& j, const c::Shlex& x) { j["allow"] = texts_json(x.allow); }
void fill(ordered_json& j, const c::Unknown& x) {
  j["type_id"] = x.type_id;
  j["payload_hex"] = hex_encode(x.payload);
}

}  // namespace

ordered_json constraint_to_json(const Constraint& c) {
  ordered_json j = ordered_json::object();
  j["type"] = std::string(c.type_name());
  std::visit([&](const auto& x) { fill(j, x); }, c.variant());
  return j;
}

ordered_json constraint_set_to_json(const ConstraintSet& s) {
  auto m = ordered_json::object();
  for (const auto& [k, v] : s.constraints) m[k] = constraint_to_json(v);
  if (!s.allow_unknown) return m;
  ordered_json out = ordered_json::object();
  out["constraints"] = std::move(m);
  out["allow_unknown"] = true;
  return out;
}

// ---------------------------------------------------------------- JSON input

namespace {

Unexpected bad_json(std::string_view where, std::string_view msg) {
  if (where.empty()) return fail(ErrorCode::InvalidInput, std::string(msg));
  return fail(ErrorCode::InvalidInput, fmt::format("{}: {}", where, msg));
}

std::string join(std::string_view where, std::string_view field) {
  if (where.empty()) return std::string(field);
  return fmt::format("{}.{}", where, field);
}

Result<Value> value_from_json_at(const json& j, std::string_view where, std::size_t depth) {
  if (depth > kMaxJsonDepth) return bad_json(where, "nested too deeply");
  switch (j.type()) {
    case json::value_t::null: return Value{};
    case json::value_t::boolean: return Value{j.get<bool>()};
    case json::value_t::number_integer: return Value{j.get<std::int64_t>()};
    case json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return Value{static_cast<std::int64_t>(u)};
      return Value{static_cast<double>(u)};
    }
    case json::value_t::number_float: {
      const double d = j.get<double>();
      if (!std::isfinite(d)) return bad_json(where, "number out of range");
      return Value{d};
    }
    case json::value_t::string: return Value{j.get<std::string>()};
    case json::value_t::array: {
      List l;
      l.reserve(j.size());
      for (const auto& x : j) {
        TENUO_TRY_ASSIGN(Value v, value_from_json_at(x, where, depth + 1));
        l.push_back(std::move(v));
      }
      return Value{std::move(l)};
    }
    case json::value_t::object: {
      Object o;
      o.reserve(j.size());
      for (const auto& [k, x] : j.items()) {
        TENUO_TRY_ASSIGN(Value v, value_from_json_at(x, where, depth + 1));
        o.push_back(Member{k, std::move(v)});
      }
      return Value::object(std::move(o));
    }
    default: return bad_json(where, "unsupported JSON value");
  }
}

// Reads the members of a constraint object, refusing members outside `allowed`.
class Fields {
 public:
  Fields(const json& j, std::string where) : m_j(j), m_where(std::move(where)) {}

  Result<void> only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : m_j.items()) {
      if (k == "type") continue;
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        return bad_json(m_where, fmt::format("unknown field \"{}\"", k));
    }
    return {};
  }
  [[nodiscard]] const json* get(std::string_view k) const {
    auto it = m_j.find(k);
    return it == m_j.end() ? nullptr : &*it;
  }
  [[nodiscard]] std::string at(std::string_view k) const { return join(m_where, k); }
  [[nodiscard]] const std::string& where() const { return m_where; }

  Result<const json*> required(std::string_view k) const {
    const auto* v = get(k);
    if (v == nullptr) return bad_json(m_where, fmt::format("missing field \"{}\"", k));
    return v;
  }
  Result<std::string> text(std::string_view k) const {
    TENUO_TRY_ASSIGN(const json* v, required(k));
    if (!v->is_string()) return bad_json(at(k), "expected a string");
    return v->get<std::string>();
  }
  Result<bool> boolean(std::string_view k, bool dflt) const {
    const auto* v = get(k);
    if (v == nullptr) return dflt;
    if (!v->is_boolean()) return bad_json(at(k), "expected true or false");
    return v->get<bool>();
  }
  Result<std::optional<double>> bound(std::string_view k) const {
    const auto* v = get(k);
    if (v == nullptr || v->is_null()) return std::optional<double>{};
    if (!v->is_number()) return bad_json(at(k), "expected a number or null");
    const double d = v->get<double>();
    if (!std::isfinite(d)) return bad_json(at(k), "number out of range");
    return std::optional<double>{d};
  }
  Result<std::vector<Value>> values(std::string_view k) const {
    TENUO_TRY_ASSIGN(const json* v, required(k));
    if (!v->is_array()) return bad_json(at(k), "expected an array");
    std::vector<Value> out;
    for (const auto& x : *v) {
      TENUO_TRY_ASSIGN(Value val, value_from_json_at(x, at(k), 0));
      out.push_back(std::move(val));
    }
    return out;
  }
  Result<std::vector<std::string>> texts(const json& v, std::string_view k) const {
    if (!v.is_array()) return bad_json(at(k), "expected an array of strings");
    std::vector<std::string> out;
    for (const auto& x : v) {
      if (!x.is_string()) return bad_json(at(k), "expected an array of strings");
      out.push_back(x.get<std::string>());
    }
    return out;
  }
  Result<std::optional<std::vector<std::string>>> opt_texts(std::string_view k) const {
    const auto* v = get(k);
    if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>{};
    TENUO_TRY_ASSIGN(auto ts, texts(*v, k));
    return std::optional<std::vector<std::string>>{std::move(ts)};
  }

 private:
  const json& m_j;
  std::string m_where;
};

Result<Constraint> constraint_from_json_at(const json& j, const std::string& where,
                                           std::size_t depth);

Result<std::vector<Constraint>> children_json(const Fields& f, std::string_view k,
                                              std::size_t depth) {
  TENUO_TRY_ASSIGN(const json* v, f.required(k));
  if (!v->is_array()) return bad_json(f.at(k), "expected an array of constraints");
  std::vector<Constraint> out;
  std::size_t i = 0;
  for (const auto& x : *v) {
    TENUO_TRY_ASSIGN(Constraint ch,
                     constraint_from_json_at(x, fmt::format("{}[{}]", f.at(k), i++), depth));
    out.push_back(std::move(ch));
  }
  return out;
}

Result<Constraint> constraint_from_json_at(const json& j, const std::string& where,
                                           std::size_t depth) {
  if (!j.is_object()) return bad_json(where, "a constraint must be a JSON object with a \"type\"");
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string())
    return bad_json(where, "missing string field \"type\"");
  const auto type = type_it->get<std::string>();
  const Fields f(j, where);
  auto enter = [&]() -> Result<void> {
    if (depth + 1 > kMaxConstraintDepth)
      return bad_json(where, fmt::format("constraints nested deeper than {}", kMaxConstraintDepth));
    return {};
  };

  if (type == "exact") {
    TENUO_TRY(f.only({"value"}));
    TENUO_TRY_ASSIGN(const json* v, f.required("value"));
    TENUO_TRY_ASSIGN(Value val, value_from_json_at(*v, f.at("value"), 0));
    return Constraint{c::Exact{std::move(val)}};
  }
  if (type == "pattern" || type == "regex") {
    TENUO_TRY(f.only({"pattern"}));
    TENUO_TRY_ASSIGN(std::string p, f.text("pattern"));
    if (type == "pattern") return Constraint{c::Pattern{std::move(p)}};
    return Constraint{c::Regex{std::move(p)}};
  }
  if (type == "range") {
    TENUO_TRY(f.only({"min", "max", "min_inclusive", "max_inclusive"}));
    c::Range r;
    TENUO_TRY_ASSIGN(r.min, f.bound("min"));
    TENUO_TRY_ASSIGN(r.max, f.bound("max"));
    TENUO_TRY_ASSIGN(r.min_inclusive, f.boolean("min_inclusive", true));
    TENUO_TRY_ASSIGN(r.max_inclusive, f.boolean("max_inclusive", true));
    return Constraint{r};
  }
  if (type == "one_of") {
    TENUO_TRY(f.only({"values"}));
    TENUO_TRY_ASSIGN(auto vs, f.values("values"));
    return Constraint{c::OneOf{std::move(vs)}};
  }
  if (type == "not_one_of") {
    TENUO_TRY(f.only({"excluded"}));
    TENUO_TRY_ASSIGN(auto vs, f.values("excluded"));
    return Constraint{c::NotOneOf{std::move(vs)}};
  }
  if (type == "contains") {
    TENUO_TRY(f.only({"required"}));
    TENUO_TRY_ASSIGN(auto vs, f.values("required"));
    return Constraint{c::Contains{std::move(vs)}};
  }
  if (type == "subset") {
    TENUO_TRY(f.only({"allowed"}));
    TENUO_TRY_ASSIGN(auto vs, f.values("allowed"));
    return Constraint{c::Subset{std::move(vs)}};
  }
  if (type == "cidr") {
    TENUO_TRY(f.only({"network"}));
    TENUO_TRY_ASSIGN(std::string n, f.text("network"));
    if (!parse_network(n)) return bad_json(f.at("network"), fmt::format("invalid network \"{}\"", n));
    return Constraint{c::Cidr{std::move(n)}};
  }
  if (type == "url_pattern") {
    TENUO_TRY(f.only({"pattern"}));
    TENUO_TRY_ASSIGN(std::string p, f.text("pattern"));
    if (auto parts = parse_url_pattern(p); !parts)
      return bad_json(f.at("pattern"), parts.error().message);
    return Constraint{c::UrlPattern{std::move(p)}};
  }
  if (type == "all" || type == "any") {
    TENUO_TRY(enter());
    TENUO_TRY(f.only({"constraints"}));
    TENUO_TRY_ASSIGN(auto cs, children_json(f, "constraints", depth + 1));
    if (type == "all") return Constraint{c::All{std::move(cs)}};
    return Constraint{c::Any{std::move(cs)}};
  }
  if (type == "not") {
    TENUO_TRY(enter());
    TENUO_TRY(f.only({"constraint"}));
    TENUO_TRY_ASSIGN(const json* v, f.required("constraint"));
    TENUO_TRY_ASSIGN(Constraint inner, constraint_from_json_at(*v, f.at("constraint"), depth + 1));
    return make_not(std::move(inner));
  }
  if (type == "cel") {
    TENUO_TRY(f.only({"expression", "parent_expression"}));
    c::Cel cel;
    TENUO_TRY_ASSIGN(cel.expression, f.text("expression"));
    if (const auto* pe = f.get("parent_expression"); pe != nullptr && !pe->is_null()) {
      if (!pe->is_string()) return bad_json(f.at("parent_expression"), "expected a string");
      cel.parent_expression = pe->get<std::string>();
    }
    return Constraint{std::move(cel)};
  }
  if (type == "wildcard") {
    TENUO_TRY(f.only({}));
    return Constraint{c::Wildcard{}};
  }
  if (type == "subpath") {
    TENUO_TRY(f.only({"root", "case_sensitive", "allow_equal"}));
    c::Subpath s;
    TENUO_TRY_ASSIGN(s.root, f.text("root"));
    TENUO_TRY_ASSIGN(s.case_sensitive, f.boolean("case_sensitive", true));
    TENUO_TRY_ASSIGN(s.allow_equal, f.boolean("allow_equal", true));
    return Constraint{std::move(s)};
  }
  if (type == "url_safe") {
    TENUO_TRY(f.only({"schemes", "allow_domains", "deny_domains", "allow_ports", "block_private",
                      "block_loopback", "block_metadata", "block_reserved",
                      "block_internal_tlds"}));
    c::UrlSafe u;
    if (const auto* s = f.get("schemes"); s != nullptr && !s->is_null()) {
      TENUO_TRY_ASSIGN(u.schemes, f.texts(*s, "schemes"));
    }
    TENUO_TRY_ASSIGN(u.allow_domains, f.opt_texts("allow_domains"));
    TENUO_TRY_ASSIGN(u.deny_domains, f.opt_texts("deny_domains"));
    if (const auto* p = f.get("allow_ports"); p != nullptr && !p->is_null()) {
      if (!p->is_array()) return bad_json(f.at("allow_ports"), "expected an array of ports");
      std::vector<std::uint16_t> ports;
      for (const auto& x : *p) {
        if (!x.is_number_integer() || x.get<std::int64_t>() < 0 || x.get<std::int64_t>() > 65535)
          return bad_json(f.at("allow_ports"), "expected integers 0..65535");
        ports.push_back(static_cast<std::uint16_t>(x.get<std::int64_t>()));
      }
      u.allow_ports = std::move(ports);
    }
    TENUO_TRY_ASSIGN(u.block_private, f.boolean("block_private", true));
    TENUO_TRY_ASSIGN(u.block_loopback, f.boolean("block_loopback", true));
    TENUO_TRY_ASSIGN(u.block_metadata, f.boolean("block_metadata", true));
    TENUO_TRY_ASSIGN(u.block_reserved, f.boolean("block_reserved", true));
    TENUO_TRY_ASSIGN(u.block_internal_tlds, f.boolean("block_internal_tlds", false));
    return Constraint{std::move(u)};
  }
  if (type == "shlex") {
    TENUO_TRY(f.only({"allow"}));
    TENUO_TRY_ASSIGN(const json* a, f.required("allow"));
    TENUO_TRY_ASSIGN(auto allow, f.texts(*a, "allow"));
    return Constraint{c::Shlex{std::move(allow)}};
  }
  if (type == "unknown") {
    TENUO_TRY(f.only({"type_id", "payload_hex"}));
    TENUO_TRY_ASSIGN(const json* id, f.required("type_id"));
    if (!id->is_number_integer() || id->get<std::int64_t>() < 0 ||
        !is_unknown_id(static_cast<std::uint64_t>(id->get<std::int64_t>())))
      return bad_json(f.at("type_id"),
                      "expected an unassigned type id (0, 6, 19-127, 129-255)");
    c::Unknown u;
    u.type_id = static_cast<std::uint8_t>(id->get<std::int64_t>());
    if (const auto* p = f.get("payload_hex"); p != nullptr) {
      if (!p->is_string()) return bad_json(f.at("payload_hex"), "expected a hex string");
      auto bytes = hex_decode(p->get<std::string>());
      if (!bytes) return bad_json(f.at("payload_hex"), "invalid hex");
      u.payload = std::move(*bytes);
    }
    return Constraint{std::move(u)};
  }
  return bad_json(where, fmt::format("unknown constraint type \"{}\"", type));
}

}  // namespace

Result<Value> value_from_json(const json& j, std::string_view where) {
  return value_from_json_at(j, where, 0);
}

Result<Constraint> constraint_from_json(const json& j, std::string_view where) {
  return constraint_from_json_at(j, std::string(where), 0);
}

Result<ConstraintSet> constraint_set_from_json(const json& j, std::string_view where) {
  if (!j.is_object()) return bad_json(where, "a constraint set must be a JSON object");
  const json* map = &j;
  ConstraintSet out;
  if (auto au = j.find("allow_unknown"); au != j.end() && au->is_boolean()) {
    for (const auto& [k, v] : j.items())
      if (k != "allow_unknown" && k != "constraints")
        return bad_json(where, fmt::format("unknown field \"{}\" next to \"allow_unknown\"", k));
    out.allow_unknown = au->get<bool>();
    auto cs = j.find("constraints");
    if (cs == j.end()) {
      static const json kEmpty = json::object();
      map = &kEmpty;
    } else {
      if (!cs->is_object()) return bad_json(join(where, "constraints"), "expected an object");
      map = &*cs;
    }
  }
  if (map->size() > kMaxConstraintsPerTool)
    return bad_json(where, fmt::format("{} constraints (limit {})", map->size(),
                                       kMaxConstraintsPerTool));
  for (const auto& [k, v] : map->items()) {
    TENUO_TRY_ASSIGN(Constraint c, constraint_from_json_at(v, join(where, k), 0));
    out.set(k, std::move(c));
  }
  return out;
}

}  // namespace detail

namespace {

// nlohmann's parser recurses per nesting level; refuse deep input before handing it over, and
// refuse duplicate object keys (which nlohmann would silently collapse).
Result<nlohmann::json> parse_json(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
      continue;
    }
    if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > kMaxJsonDepth) return fail(ErrorCode::InvalidInput, "JSON nested too deeply");
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    }
  }
  std::vector<std::set<std::string>> keys;
  bool duplicate = false;
  const nlohmann::json::parser_callback_t cb = [&](int, nlohmann::json::parse_event_t ev,
                                                   nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start) {
      keys.emplace_back();
    } else if (ev == E::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (ev == E::key && !keys.empty()) {
      if (!keys.back().insert(parsed.get<std::string>()).second) duplicate = true;
    }
    return true;
  };
  try {
    auto j = nlohmann::json::parse(text.begin(), text.end(), cb);
    if (duplicate) return fail(ErrorCode::InvalidInput, "JSON object with a duplicated key");
    return j;
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorCode::InvalidInput, fmt::format("invalid JSON: {}", e.what()));
  }
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Result<nlohmann::json> detail::parse_json_text(std::string_view text) { return parse_json(text); }

std::string to_json_text(const Constraint& c) { return dump(detail::constraint_to_json(c)); }
std::string to_json_text(const ConstraintSet& s) { return dump(detail::constraint_set_to_json(s)); }

Result<Constraint> constraint_from_json_text(std::string_view text) {
  TENUO_TRY_ASSIGN(auto j, parse_json(text));
  return detail::constraint_from_json(j);
}

Result<ConstraintSet> constraint_set_from_json_text(std::string_view text) {
  TENUO_TRY_ASSIGN(auto j, parse_json(text));
  return detail::constraint_set_from_json(j);
}

// ================================================================== -c specs

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

Unexpected bad_spec(std::string_view spec, std::string_view why) {
  return fail(ErrorCode::InvalidInput, fmt::format("constraint \"{}\": {}", spec, why));
}

// A JSON literal if `s` is one, else nullopt (no error: the caller falls back to raw text).
std::optional<nlohmann::json> try_json(std::string_view s) {
  auto j = parse_json(s);
  if (!j) return std::nullopt;
  return std::move(*j);
}

// "a,b,c" (trimmed strings) or a JSON array of values.
Result<std::vector<Value>> spec_values(std::string_view spec, std::string_view arg) {
  if (!trim(arg).empty() && trim(arg).front() == '[') {
    TENUO_TRY_ASSIGN(auto j, parse_json(arg));
    if (!j.is_array()) return bad_spec(spec, "expected a JSON array");
    std::vector<Value> out;
    for (const auto& x : j) {
      TENUO_TRY_ASSIGN(Value v, detail::value_from_json(x));
      out.push_back(std::move(v));
    }
    return out;
  }
  std::vector<Value> out;
  if (trim(arg).empty()) return out;
  std::size_t pos = 0;
  while (true) {
    const auto comma = arg.find(',', pos);
    out.emplace_back(std::string(trim(arg.substr(pos, comma == std::string_view::npos
                                                             ? std::string_view::npos
                                                             : comma - pos))));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

Result<std::vector<std::string>> spec_texts(std::string_view spec, std::string_view arg) {
  TENUO_TRY_ASSIGN(auto vs, spec_values(spec, arg));
  std::vector<std::string> out;
  for (const auto& v : vs) {
    if (!v.is_string()) return bad_spec(spec, "expected strings");
    out.push_back(v.as_string());
  }
  return out;
}

Result<std::optional<double>> spec_number(std::string_view spec, std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::optional<double>{};
  double d = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, d);
  if (ec != std::errc{} || p != end || !std::isfinite(d))
    return bad_spec(spec, fmt::format("\"{}\" is not a number", s));
  return std::optional<double>{d};
}

Result<Constraint> spec_range(std::string_view spec, std::string_view arg) {
  const auto dots = arg.find("..");
  if (dots == std::string_view::npos) return bad_spec(spec, "expected MIN..MAX");
  c::Range r;
  auto hi = arg.substr(dots + 2);
  if (!hi.empty() && hi.front() == '<') {
    r.max_inclusive = false;
    hi.remove_prefix(1);
  }
  TENUO_TRY_ASSIGN(r.min, spec_number(spec, arg.substr(0, dots)));
  TENUO_TRY_ASSIGN(r.max, spec_number(spec, hi));
  if (!r.max_inclusive && !r.max) return bad_spec(spec, "'..<' needs an upper bound");
  return Constraint{r};
}

Result<Constraint> spec_subpath(std::string_view spec, std::string_view arg) {
  c::Subpath s;
  const auto semi = arg.find(';');
  s.root = std::string(arg.substr(0, semi));
  if (s.root.empty()) return bad_spec(spec, "expected a root path");
  auto opts = semi == std::string_view::npos ? std::string_view{} : arg.substr(semi + 1);
  while (!opts.empty()) {
    const auto next = opts.find(';');
    const auto opt = lower_ascii(trim(opts.substr(0, next)));
    if (opt == "case_insensitive")
      s.case_sensitive = false;
    else if (opt == "no_equal")
      s.allow_equal = false;
    else if (!opt.empty())
      return bad_spec(spec, fmt::format("unknown subpath option \"{}\"", opt));
    if (next == std::string_view::npos) break;
    opts.remove_prefix(next + 1);
  }
  return Constraint{std::move(s)};
}

}  // namespace

Result<Constraint> parse_constraint_spec(std::string_view spec) {
  if (spec.empty()) return bad_spec(spec, "empty constraint");
  const auto colon = spec.find(':');
  const auto prefix = lower_ascii(spec.substr(0, colon));
  const bool has_arg = colon != std::string_view::npos;
  const auto arg = has_arg ? spec.substr(colon + 1) : std::string_view{};

  if (spec == "*" || (prefix == "wildcard" && trim(arg).empty())) return Constraint{c::Wildcard{}};
  if ((prefix == "urlsafe" || prefix == "url_safe") && trim(arg).empty())
    return Constraint{c::UrlSafe{}};
  if (!has_arg) return Constraint{c::Pattern{std::string(spec)}};
  if (prefix == "wildcard") return bad_spec(spec, "wildcard takes no value");

  if (prefix == "exact") {
    if (auto j = try_json(arg)) {
      TENUO_TRY_ASSIGN(Value v, detail::value_from_json(*j));
      return Constraint{c::Exact{std::move(v)}};
    }
    return Constraint{c::Exact{Value{std::string(arg)}}};
  }
  if (prefix == "pattern") return Constraint{c::Pattern{std::string(arg)}};
  if (prefix == "regex") return Constraint{c::Regex{std::string(arg)}};
  if (prefix == "cel") return Constraint{c::Cel{std::string(arg), std::nullopt}};
  if (prefix == "range") return spec_range(spec, arg);
  if (prefix == "oneof" || prefix == "one_of") {
    TENUO_TRY_ASSIGN(auto vs, spec_values(spec, arg));
    return Constraint{c::OneOf{std::move(vs)}};
  }
  if (prefix == "notoneof" || prefix == "not_one_of") {
    TENUO_TRY_ASSIGN(auto vs, spec_values(spec, arg));
    return Constraint{c::NotOneOf{std::move(vs)}};
  }
  if (prefix == "contains") {
    TENUO_TRY_ASSIGN(auto vs, spec_values(spec, arg));
    return Constraint{c::Contains{std::move(vs)}};
  }
  if (prefix == "subset") {
    TENUO_TRY_ASSIGN(auto vs, spec_values(spec, arg));
    return Constraint{c::Subset{std::move(vs)}};
  }
  if (prefix == "shlex") {
    TENUO_TRY_ASSIGN(auto allow, spec_texts(spec, arg));
    return Constraint{c::Shlex{std::move(allow)}};
  }
  if (prefix == "cidr") {
    if (!detail::parse_network(arg)) return bad_spec(spec, "invalid network");
    return Constraint{c::Cidr{std::string(arg)}};
  }
  if (prefix == "url" || prefix == "url_pattern" || prefix == "urlpattern") {
    if (auto parts = detail::parse_url_pattern(arg); !parts)
      return bad_spec(spec, parts.error().message);
    return Constraint{c::UrlPattern{std::string(arg)}};
  }
  if (prefix == "subpath") return spec_subpath(spec, arg);
  if (prefix == "urlsafe" || prefix == "url_safe") {
    TENUO_TRY_ASSIGN(auto j, parse_json(arg));
    if (!j.is_object()) return bad_spec(spec, "expected a JSON object of url_safe fields");
    if (j.contains("type")) return bad_spec(spec, "omit \"type\" after urlsafe:");
    j["type"] = "url_safe";
    return detail::constraint_from_json(j);
  }
  if (prefix == "json") return constraint_from_json_text(arg);
  // Not a known type: the whole spec is a glob (a Windows path "C:\x\*" stays intact).
  return Constraint{c::Pattern{std::string(spec)}};
}

// ================================================================== display

namespace {

std::string quote_text(std::string_view s) { return to_json_text(Value{std::string(s)}); }

std::string num(double d) { return fmt::format("{}", d); }

std::string values_list(const std::vector<Value>& vs) {
  std::string out = "[";
  for (std::size_t i = 0; i < vs.size(); ++i) {
    if (i > 0) out += ", ";
    out += display(vs[i]);
  }
  return out + "]";
}

std::string texts_list(const std::vector<std::string>& ts) {
  std::string out = "[";
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote_text(ts[i]);
  }
  return out + "]";
}

std::string children_list(const std::vector<Constraint>& cs) {
  std::string out = "[";
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i > 0) out += ", ";
    out += display(cs[i]);
  }
  return out + "]";
}

std::string args(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out;
}

std::string show(const c::Exact& x) { return "Exact(" + display(x.value) + ")"; }
std::string show(const c::Pattern& x) { return "Pattern(" + quote_text(x.pattern) + ")"; }
std::string show(const c::Range& x) {
  std::vector<std::string> p;
  if (x.min) p.push_back("min=" + num(*x.min));
  if (x.max) p.push_back("max=" + num(*x.max));
  if (!x.min_inclusive) p.emplace_back("min_inclusive=false");
  if (!x.max_inclusive) p.emplace_back("max_inclusive=false");
  return "Range(" + args(p) + ")";
}
std::string show(const c::OneOf& x) { return "OneOf(" + values_list(x.values) + ")"; }
std::string show(const c::Regex& x) { return "Regex(" + quote_text(x.pattern) + ")"; }
std::string show(const c::NotOneOf& x) { return "NotOneOf(" + values_list(x.excluded) + ")"; }
std::string show(const c::Cidr& x) { return "Cidr(" + quote_text(x.network) + ")"; }
std::string show(const c::UrlPattern& x) { return "UrlPattern(" + quote_text(x.pattern) + ")"; }
std::string show(const c::Contains& x) { return "Contains(" + values_list(x.required) + ")"; }
std::string show(const c::Subset& x) { return "Subset(" + values_list(x.allowed) + ")"; }
std::string show(const c::All& x) { return "All(" + children_list(x.constraints) + ")"; }
std::string show(const c::Any& x) { return "Any(" + children_list(x.constraints) + ")"; }
std::string show(const c::Not& x) {
  return "Not(" + (x.constraint ? display(*x.constraint) : std::string("Wildcard()")) + ")";
}
std::string show(const c::Cel& x) {
  if (x.parent_expression)
    return "Cel(" + quote_text(x.expression) + ", parent_expression=" + quote_text(*x.parent_expression) + ")";
  return "Cel(" + quote_text(x.expression) + ")";
}
std::string show(const c::Wildcard&) { return "Wildcard()"; }
std::string show(const c::Subpath& x) {
  std::vector<std::string> p{quote_text(x.root)};
  if (!x.case_sensitive) p.emplace_back("case_sensitive=false");
  if (!x.allow_equal) p.emplace_back("allow_equal=false");
  return "Subpath(" + args(p) + ")";
}
std::string show(const c::UrlSafe& x) {
  const c::UrlSafe d;
  std::vector<std::string> p;
  auto flag = [&](const char* name, bool v, bool dv) {
    if (v != dv) p.push_back(fmt::format("{}={}", name, v ? "true" : "false"));
  };
  if (x.schemes != d.schemes) p.push_back("schemes=" + texts_list(x.schemes));
  if (x.allow_domains) p.push_back("allow_domains=" + texts_list(*x.allow_domains));
  if (x.deny_domains) p.push_back("deny_domains=" + texts_list(*x.deny_domains));
  if (x.allow_ports) {
    std::vector<std::string> ps;
    for (auto port : *x.allow_ports) ps.push_back(std::to_string(port));
    p.push_back("allow_ports=[" + args(ps) + "]");
  }
  flag("block_private", x.block_private, d.block_private);
  flag("block_loopback", x.block_loopback, d.block_loopback);
  flag("block_metadata", x.block_metadata, d.block_metadata);
  flag("block_reserved", x.block_reserved, d.block_reserved);
  flag("block_internal_tlds", x.block_internal_tlds, d.block_internal_tlds);
  return "UrlSafe(" + args(p) + ")";
}
std::string show(const c::Shlex& x) { return "Shlex(allow=" + texts_list(x.allow) + ")"; }
std::string show(const c::Unknown& x) { return fmt::format("Unknown(type={})", x.type_id); }

}  // namespace

std::string display(const Constraint& c) {
  return std::visit([](const auto& x) { return show(x); }, c.variant());
}

}  // namespace tenuo
