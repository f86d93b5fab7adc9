// CEL evaluator: a tree walk over the AST of cel_parser.cpp with a step budget.
// Recursion is bounded by the AST depth (kMaxCelNesting) and, for value equality and result
// conversion, by kMaxValueDepth. Memory is bounded by the budget: every byte or element an
// operation produces is charged to it.
#include "detail/cel_ast.hpp"
#include "detail/cel_net.hpp"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>

namespace tenuo::detail::cel {

Val Val::view(const tenuo::Value& v) {
  Val x;
  switch (v.kind()) {
    case ValueKind::Null: break;
    case ValueKind::Bool: x.kind = Kind::Bool; x.b = v.as_bool(); break;
    case ValueKind::Int: x.kind = Kind::Int; x.i = v.as_int(); break;
    case ValueKind::Float: x.kind = Kind::Double; x.d = v.as_float(); break;
    case ValueKind::String: x.kind = Kind::String; x.s = v.as_string(); break;
    case ValueKind::Array: x.kind = Kind::List; x.blist = &v.as_list(); break;
    case ValueKind::Map: x.kind = Kind::Map; x.bmap = &v.as_object(); break;
  }
  return x;
}

std::string_view kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::Null: return "null_type";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Uint: return "uint";
    case Kind::Double: return "double";
    case Kind::String: return "string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Map: return "map";
    case Kind::Type: return "type";
  }
  return "unknown";
}

Result<std::shared_ptr<const re2::RE2>> compile_regex(std::string_view pattern) {
  // Patterns that come from arguments are compiled at evaluation time; keep a small cache so a
  // hot expression does not recompile. Cleared wholesale when full.
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const re2::RE2>> cache;
  constexpr std::size_t kCapacity = 128;
  std::string key(pattern);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                             opts);
  if (!re->ok())
    return fail(ErrorCode::ConstraintViolation, "cel: invalid regular expression: " + re->error());
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kCapacity) cache.clear();
  cache.emplace(std::move(key), re);
  return std::shared_ptr<const re2::RE2>(re);
}

namespace {

constexpr std::size_t kMaxValueDepth = 128;
constexpr std::uint64_t kBytesPerStep = 16;

Unexpected err(std::string msg) {
  return fail(ErrorCode::ConstraintViolation, "cel: " + std::move(msg));
}

std::string no_overload(std::string_view op, const Val& a) {
  return "no matching overload for " + std::string(op) + "(" + std::string(kind_name(a.kind)) +
         ")";
}
std::string no_overload(std::string_view op, const Val& a, const Val& b) {
  return "no matching overload for " + std::string(op) + "(" + std::string(kind_name(a.kind)) +
         ", " + std::string(kind_name(b.kind)) + ")";
}

struct Ctx {
  const tenuo::Value& arg;
  std::uint64_t limit;
  std::uint64_t cost = 0;
  bool fatal = false;  // budget exhausted: no error may be absorbed by && || or macros
  std::vector<std::pair<std::string_view, Val>> scope;
};

Result<void> charge(Ctx& ctx, std::uint64_t n) {
  ctx.cost += n;
  if (ctx.cost > ctx.limit) {
    ctx.fatal = true;
    return err("evaluation cost limit of " + std::to_string(ctx.limit) + " exceeded");
  }
  return {};
}

Result<void> charge_bytes(Ctx& ctx, std::size_t n) { return charge(ctx, 1 + n / kBytesPerStep); }

// ---------------------------------------------------------------------- containers

std::size_t list_size(const Val& v) { return v.blist ? v.blist->size() : v.olist->size(); }
Val list_at(const Val& v, std::size_t k) {
  return v.blist ? Val::view((*v.blist)[k]) : (*v.olist)[k];
}
std::size_t map_size(const Val& v) { return v.bmap ? v.bmap->size() : v.omap->size(); }
Val map_key_at(const Val& v, std::size_t k) {
  if (v.bmap) {
    Val x;
    x.kind = Kind::String;
    x.s = (*v.bmap)[k].key;
    return x;
  }
  return (*v.omap)[k].first;
}

bool is_number(const Val& v) noexcept {
  return v.kind == Kind::Int || v.kind == Kind::Uint || v.kind == Kind::Double;
}

// -1/0/1, or nullopt when unordered (NaN). Exact across int, uint and double.
std::optional<int> cmp_int_double(std::int64_t i, double d) {
  if (std::isnan(d)) return std::nullopt;
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<std::int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}
std::optional<int> cmp_uint_double(std::uint64_t u, double d) {
  if (std::isnan(d)) return std::nullopt;
  if (d < 0) return 1;
  if (d >= 18446744073709551616.0) return -1;
  double t = std::trunc(d);
  auto tu = static_cast<std::uint64_t>(t);
  if (u != tu) return u < tu ? -1 : 1;
  return d > t ? -1 : 0;
}
template <class T>
int cmp3(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
std::optional<int> flip(std::optional<int> c) {
  if (!c) return c;
  return -*c;
}
std::optional<int> cmp_num(const Val& a, const Val& b) {
  switch (a.kind) {
    case Kind::Int:
      if (b.kind == Kind::Int) return cmp3(a.i, b.i);
      if (b.kind == Kind::Uint)
        return a.i < 0 ? -1 : cmp3(static_cast<std::uint64_t>(a.i), b.u);
      return cmp_int_double(a.i, b.d);
    case Kind::Uint:
      if (b.kind == Kind::Uint) return cmp3(a.u, b.u);
      if (b.kind == Kind::Int) return flip(cmp_num(b, a));
      return cmp_uint_double(a.u, b.d);
    default:  // Double
      if (b.kind == Kind::Double) {
        if (std::isnan(a.d) || std::isnan(b.d)) return std::nullopt;
        return cmp3(a.d, b.d);
      }
      return flip(cmp_num(b, a));
  }
}

Result<std::optional<Val>> map_find(const Val& m, const Val& key, Ctx& ctx);

// CEL equality with heterogeneous numeric comparison (1 == 1u == 1.0); values of different
// kinds are unequal (not an error); NaN equals nothing.
Result<bool> equals(const Val& a, const Val& b, Ctx& ctx, std::size_t depth) {
  if (depth > kMaxValueDepth) return err("value nests too deeply");
  if (is_number(a) && is_number(b)) {
    auto c = cmp_num(a, b);
    return c && *c == 0;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::Null: return true;
    case Kind::Bool: return a.b == b.b;
    case Kind::String:
    case Kind::Bytes:
    case Kind::Type:
      TENUO_TRY(charge_bytes(ctx, std::min(a.s.size(), b.s.size())));
      return a.s == b.s;
    case Kind::List: {
      std::size_t n = list_size(a);
      if (n != list_size(b)) return false;
      for (std::size_t k = 0; k < n; ++k) {
        TENUO_TRY(charge(ctx, 1));
        TENUO_TRY_ASSIGN(bool e, equals(list_at(a, k), list_at(b, k), ctx, depth + 1));
        if (!e) return false;
      }
      return true;
    }
    case Kind::Map: {
      std::size_t n = map_size(a);
      if (n != map_size(b)) return false;
      for (std::size_t k = 0; k < n; ++k) {
        TENUO_TRY(charge(ctx, 1));
        Val key = map_key_at(a, k);
        TENUO_TRY_ASSIGN(auto va, map_find(a, key, ctx));
        TENUO_TRY_ASSIGN(auto vb, map_find(b, key, ctx));
        if (!va || !vb) return false;
        TENUO_TRY_ASSIGN(bool e, equals(*va, *vb, ctx, depth + 1));
        if (!e) return false;
      }
      return true;
    }
    default: return false;
  }
}

Result<std::optional<Val>> map_find(const Val& m, const Val& key, Ctx& ctx) {
  if (m.bmap) {
    if (key.kind != Kind::String) return std::optional<Val>();
    auto it = std::lower_bound(
        m.bmap->begin(), m.bmap->end(), key.s,
        [](const tenuo::Member& x, std::string_view k) { return x.key < k; });
    if (it != m.bmap->end() && it->key == key.s) return std::optional<Val>(Val::view(it->value));
    return std::optional<Val>();
  }
  for (const auto& [k, v] : *m.omap) {
    TENUO_TRY(charge(ctx, 1));
    TENUO_TRY_ASSIGN(bool e, equals(k, key, ctx, 1));
    if (e) return std::optional<Val>(v);
  }
  return std::optional<Val>();
}

bool valid_key_kind(Kind k) noexcept {
  return k == Kind::Int || k == Kind::Uint || k == Kind::Bool || k == Kind::String;
}

// ---------------------------------------------------------------------- conversions

// Double formatting as the reference (Rust `f64` Display): shortest round-trip digits, plain
// positional notation, no exponent, no trailing ".0"; NaN, inf, -inf.
std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exp = 0;
  std::string_view et = sci.substr(e + 1);
  if (et.front() == '+') et.remove_prefix(1);
  std::from_chars(et.data(), et.data() + et.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") return out + "0";
  if (exp >= 0) {
    auto ip = static_cast<std::size_t>(exp) + 1;
    if (digits.size() <= ip) {
      out += digits;
      out.append(ip - digits.size(), '0');
    } else {
      out += digits.substr(0, ip);
      out.push_back('.');
      out += digits.substr(ip);
    }
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
  }
  return out;
}

std::optional<std::int64_t> parse_i64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}
std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  std::uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}
std::optional<double> parse_f64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<Val> to_int(const Val& v) {
  switch (v.kind) {
    case Kind::Int: return v;
    case Kind::Uint:
      if (v.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return err("int() range error: uint value too large");
      return Val::integer(static_cast<std::int64_t>(v.u));
    case Kind::Double:
      // Truncates toward zero; NaN, infinities and values outside i64 are errors.
      if (!(v.d >= -9223372036854775808.0 && v.d < 9223372036854775808.0))
        return err("int() range error: double out of range");
      return Val::integer(static_cast<std::int64_t>(std::trunc(v.d)));
    case Kind::String:
      if (auto p = parse_i64(v.s)) return Val::integer(*p);
      return err("int() cannot parse string");
    default: return err(no_overload("int", v));
  }
}

Result<Val> to_uint(const Val& v) {
  switch (v.kind) {
    case Kind::Uint: return v;
    case Kind::Int:
      if (v.i < 0) return err("uint() range error: negative int");
      return Val::uinteger(static_cast<std::uint64_t>(v.i));
    case Kind::Double:
      if (!(v.d >= 0.0 && v.d < 18446744073709551616.0))
        return err("uint() range error: double out of range");
      return Val::uinteger(static_cast<std::uint64_t>(std::trunc(v.d)));
    case Kind::String:
      if (auto p = parse_u64(v.s)) return Val::uinteger(*p);
      return err("uint() cannot parse string");
    default: return err(no_overload("uint", v));
  }
}

Result<Val> to_double(const Val& v) {
  switch (v.kind) {
    case Kind::Double: return v;
    case Kind::Int: return Val::dbl(static_cast<double>(v.i));
    case Kind::Uint: return Val::dbl(static_cast<double>(v.u));
    case Kind::String:
      if (auto p = parse_f64(v.s)) return Val::dbl(*p);
      return err("double() cannot parse string");
    default: return err(no_overload("double", v));
  }
}

Result<Val> to_string(const Val& v) {
  switch (v.kind) {
    case Kind::String: return v;
    case Kind::Bytes: {
      if (!valid_utf8(v.s)) return err("string() of bytes that are not UTF-8");
      Val x = v;
      x.kind = Kind::String;
      return x;
    }
    case Kind::Int: return Val::string(std::to_string(v.i));
    case Kind::Uint: return Val::string(std::to_string(v.u));
    case Kind::Double: return Val::string(format_double(v.d));
    case Kind::Bool: return Val::string(v.b ? "true" : "false");
    default: return err(no_overload("string", v));
  }
}

Result<Val> to_bool(const Val& v) {
  if (v.kind == Kind::Bool) return v;
  if (v.kind == Kind::String) {
    const std::string_view s = v.s;
    if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "T" || s == "1")
      return Val::boolean(true);
    if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "F" || s == "0")
      return Val::boolean(false);
    return err("bool() cannot parse string");
  }
  return err(no_overload("bool", v));
}

// ---------------------------------------------------------------------- evaluator

class Evaluator {
 public:
  explicit Evaluator(Ctx& ctx) : m_ctx(ctx) {}

  Result<Val> eval(const Node& n) {
    TENUO_TRY(charge(m_ctx, 1));
    switch (n.kind) {
      case NodeKind::Literal: return n.literal;
      case NodeKind::Ident: return ident(n.name);
      case NodeKind::Select: {
        TENUO_TRY_ASSIGN(Val v, eval(n.kids[0]));
        if (v.kind != Kind::Map) return err("type " + std::string(kind_name(v.kind)) +
                                            " has no field '" + n.name + "'");
        TENUO_TRY_ASSIGN(auto f, map_find(v, field_key(n.name), m_ctx));
        if (!f) return err("no such key: '" + n.name + "'");
        return std::move(*f);
      }
      case NodeKind::Has: {
        TENUO_TRY_ASSIGN(Val v, eval(n.kids[0]));
        if (v.kind != Kind::Map) return err(no_overload("has", v));
        TENUO_TRY_ASSIGN(auto f, map_find(v, field_key(n.name), m_ctx));
        return Val::boolean(f.has_value());
      }
      case NodeKind::Index: return index(n);
      case NodeKind::Call: return call(n);
      case NodeKind::List: {
        ValList out;
        out.reserve(n.kids.size());
        for (const auto& k : n.kids) {
          TENUO_TRY_ASSIGN(Val v, eval(k));
          out.push_back(std::move(v));
        }
        return Val::list(std::move(out));
      }
      case NodeKind::Map: return map_literal(n);
      case NodeKind::And:
      case NodeKind::Or: return logical(n);
      case NodeKind::Not: {
        TENUO_TRY_ASSIGN(Val v, eval(n.kids[0]));
        if (v.kind != Kind::Bool) return err(no_overload("!_", v));
        return Val::boolean(!v.b);
      }
      case NodeKind::Neg: {
        TENUO_TRY_ASSIGN(Val v, eval(n.kids[0]));
        if (v.kind == Kind::Int) {
          if (v.i == std::numeric_limits<std::int64_t>::min()) return err("integer overflow");
          return Val::integer(-v.i);
        }
        if (v.kind == Kind::Double) return Val::dbl(-v.d);
        return err(no_overload("-_", v));
      }
      case NodeKind::Binary: {
        TENUO_TRY_ASSIGN(Val a, eval(n.kids[0]));
        TENUO_TRY_ASSIGN(Val b, eval(n.kids[1]));
        return binary(n.op, a, b);
      }
      case NodeKind::Ternary: {
        TENUO_TRY_ASSIGN(Val c, eval(n.kids[0]));
        if (c.kind != Kind::Bool) return err(no_overload("_?_:_", c));
        return eval(n.kids[c.b ? 1 : 2]);
      }
      case NodeKind::Comprehension: return comprehension(n);
    }
    return err("internal: unknown node");
  }

 private:
  static Val field_key(const std::string& name) {
    Val k;
    k.kind = Kind::String;
    k.s = name;
    return k;
  }

  Result<Val> ident(const std::string& name) {
    for (auto it = m_ctx.scope.rbegin(); it != m_ctx.scope.rend(); ++it)
      if (it->first == name) return it->second;
    // WIRE.md §11: an Object argument's fields are the variables; anything else is `value`.
    if (m_ctx.arg.is_object()) {
      if (const tenuo::Value* f = m_ctx.arg.find(name)) return Val::view(*f);
    } else if (name == "value") {
      return Val::view(m_ctx.arg);
    }
    static constexpr std::string_view kTypes[] = {"int", "uint", "double", "bool", "string",
                                                   "bytes", "list", "map", "null_type", "type"};
    for (auto t : kTypes)
      if (t == name) return Val::type(t);
    return err("undeclared reference to '" + name + "'");
  }

  Result<Val> index(const Node& n) {
    TENUO_TRY_ASSIGN(Val c, eval(n.kids[0]));
    TENUO_TRY_ASSIGN(Val k, eval(n.kids[1]));
    if (c.kind == Kind::List) {
      std::size_t size = list_size(c);
      std::optional<std::size_t> at;
      if (k.kind == Kind::Int && k.i >= 0 && static_cast<std::uint64_t>(k.i) < size)
        at = static_cast<std::size_t>(k.i);
      else if (k.kind == Kind::Uint && k.u < size)
        at = static_cast<std::size_t>(k.u);
      else if (k.kind != Kind::Int && k.kind != Kind::Uint)
        return err(no_overload("_[_]", c, k));
      if (!at) return err("index out of range");
      return list_at(c, *at);
    }
    if (c.kind == Kind::Map) {
      if (!valid_key_kind(k.kind) && k.kind != Kind::Double) return err(no_overload("_[_]", c, k));
      TENUO_TRY_ASSIGN(auto f, map_find(c, k, m_ctx));
      if (!f) return err("no such key");
      return std::move(*f);
    }
    return err(no_overload("_[_]", c, k));
  }

  Result<Val> map_literal(const Node& n) {
    ValMap out;
    out.reserve(n.kids.size() / 2);
    for (std::size_t k = 0; k + 1 < n.kids.size(); k += 2) {
      TENUO_TRY_ASSIGN(Val key, eval(n.kids[k]));
      if (!valid_key_kind(key.kind)) return err("unsupported map key type " +
                                                std::string(kind_name(key.kind)));
      TENUO_TRY_ASSIGN(Val v, eval(n.kids[k + 1]));
      for (const auto& e : out) {
        TENUO_TRY(charge(m_ctx, 1));
        TENUO_TRY_ASSIGN(bool same, equals(e.first, key, m_ctx, 1));
        if (same) return err("duplicate key in map literal");
      }
      out.emplace_back(std::move(key), std::move(v));
    }
    return Val::map(std::move(out));
  }

  // CEL's commutative && / ||: a deciding operand (false for &&, true for ||) wins over
  // errors on either side; otherwise the first error; otherwise the neutral value.
  Result<Val> logical(const Node& n) {
    const bool is_and = n.kind == NodeKind::And;
    std::optional<Error> first_error;
    for (const auto& k : n.kids) {
      auto r = eval(k);
      if (!r) {
        if (m_ctx.fatal) return Unexpected{std::move(r).error()};
        if (!first_error) first_error = std::move(r).error();
        continue;
      }
      if (r->kind != Kind::Bool) {
        if (!first_error)
          first_error = err(no_overload(is_and ? "_&&_" : "_||_", *r)).error;
        continue;
      }
      if (r->b != is_and) return Val::boolean(!is_and);
    }
    if (first_error) return Unexpected{std::move(*first_error)};
    return Val::boolean(is_and);
  }

  Result<Val> binary(BinOp op, const Val& a, const Val& b) {
    switch (op) {
      case BinOp::Eq:
      case BinOp::Ne: {
        TENUO_TRY_ASSIGN(bool e, equals(a, b, m_ctx, 0));
        return Val::boolean(op == BinOp::Eq ? e : !e);
      }
      case BinOp::Lt:
      case BinOp::Le:
      case BinOp::Gt:
      case BinOp::Ge: return relation(op, a, b);
      case BinOp::In: return in(a, b);
      case BinOp::Add: return add(a, b);
      default: return arith(op, a, b);
    }
  }

  Result<Val> relation(BinOp op, const Val& a, const Val& b) {
    std::optional<int> c;
    if (is_number(a) && is_number(b)) {
      c = cmp_num(a, b);
    } else if (a.kind == b.kind && (a.kind == Kind::String || a.kind == Kind::Bytes)) {
      TENUO_TRY(charge_bytes(m_ctx, std::min(a.s.size(), b.s.size())));
      int r = a.s.compare(b.s);  // byte order = code point order for UTF-8
      c = r < 0 ? -1 : (r > 0 ? 1 : 0);
    } else if (a.kind == Kind::Bool && b.kind == Kind::Bool) {
      c = cmp3(a.b, b.b);
    } else {
      static constexpr std::string_view kNames[] = {"_<_", "_<=_", "_>_", "_>=_"};
      return err(no_overload(kNames[static_cast<int>(op) - static_cast<int>(BinOp::Lt)], a, b));
    }
    if (!c) return Val::boolean(false);  // NaN: every ordering is false
    switch (op) {
      case BinOp::Lt: return Val::boolean(*c < 0);
      case BinOp::Le: return Val::boolean(*c <= 0);
      case BinOp::Gt: return Val::boolean(*c > 0);
      default: return Val::boolean(*c >= 0);
    }
  }

  Result<Val> in(const Val& x, const Val& c) {
    if (c.kind == Kind::List) {
      std::size_t n = list_size(c);
      for (std::size_t k = 0; k < n; ++k) {
        TENUO_TRY(charge(m_ctx, 1));
        TENUO_TRY_ASSIGN(bool e, equals(x, list_at(c, k), m_ctx, 0));
        if (e) return Val::boolean(true);
      }
      return Val::boolean(false);
    }
    if (c.kind == Kind::Map) {
      TENUO_TRY_ASSIGN(auto f, map_find(c, x, m_ctx));
      return Val::boolean(f.has_value());
    }
    return err(no_overload("@in", x, c));
  }

  Result<Val> add(const Val& a, const Val& b) {
    if (a.kind != b.kind) return err(no_overload("_+_", a, b));
    switch (a.kind) {
      case Kind::String:
      case Kind::Bytes: {
        TENUO_TRY(charge_bytes(m_ctx, a.s.size() + b.s.size()));
        std::string s;
        s.reserve(a.s.size() + b.s.size());
        s.append(a.s);
        s.append(b.s);
        return Val::string(std::move(s), a.kind);
      }
      case Kind::List: {
        std::size_t na = list_size(a);
        std::size_t nb = list_size(b);
        TENUO_TRY(charge(m_ctx, na + nb));
        ValList out;
        out.reserve(na + nb);
        for (std::size_t k = 0; k < na; ++k) out.push_back(list_at(a, k));
        for (std::size_t k = 0; k < nb; ++k) out.push_back(list_at(b, k));
        return Val::list(std::move(out));
      }
      default: return arith(BinOp::Add, a, b);
    }
  }

  // Arithmetic on two numbers of the same kind: int and uint overflow and division or
  // modulus by zero are errors; double follows IEEE 754 (x/0.0 is ±inf) and has no %.
  static Result<Val> arith(BinOp op, const Val& a, const Val& b) {
    static constexpr std::string_view kNames[] = {"_+_", "_-_", "_*_", "_/_", "_%_"};
    const std::string_view name = kNames[static_cast<int>(op)];
    if (a.kind != b.kind) return err(no_overload(name, a, b));
    if (a.kind == Kind::Int) {
      std::int64_t r = 0;
      switch (op) {
        case BinOp::Add:
          if (__builtin_add_overflow(a.i, b.i, &r)) return err("integer overflow");
          return Val::integer(r);
        case BinOp::Sub:
          if (__builtin_sub_overflow(a.i, b.i, &r)) return err("integer overflow");
          return Val::integer(r);
        case BinOp::Mul:
          if (__builtin_mul_overflow(a.i, b.i, &r)) return err("integer overflow");
          return Val::integer(r);
        case BinOp::Div:
        case BinOp::Mod:
          if (b.i == 0) return err(op == BinOp::Div ? "division by zero" : "modulus by zero");
          if (b.i == -1 && a.i == std::numeric_limits<std::int64_t>::min())
            return err("integer overflow");
          return Val::integer(op == BinOp::Div ? a.i / b.i : a.i % b.i);
        default: break;
      }
    } else if (a.kind == Kind::Uint) {
      std::uint64_t r = 0;
      switch (op) {
        case BinOp::Add:
          if (__builtin_add_overflow(a.u, b.u, &r)) return err("unsigned integer overflow");
          return Val::uinteger(r);
        case BinOp::Sub:
          if (__builtin_sub_overflow(a.u, b.u, &r)) return err("unsigned integer overflow");
          return Val::uinteger(r);
        case BinOp::Mul:
          if (__builtin_mul_overflow(a.u, b.u, &r)) return err("unsigned integer overflow");
          return Val::uinteger(r);
        case BinOp::Div:
        case BinOp::Mod:
          if (b.u == 0) return err(op == BinOp::Div ? "division by zero" : "modulus by zero");
          return Val::uinteger(op == BinOp::Div ? a.u / b.u : a.u % b.u);
        default: break;
      }
    } else if (a.kind == Kind::Double) {
      switch (op) {
        case BinOp::Add: return Val::dbl(a.d + b.d);
        case BinOp::Sub: return Val::dbl(a.d - b.d);
        case BinOp::Mul: return Val::dbl(a.d * b.d);
        case BinOp::Div: return Val::dbl(a.d / b.d);
        default: break;
      }
    }
    return err(no_overload(name, a, b));
  }

  Result<Val> comprehension(const Node& n) {
    TENUO_TRY_ASSIGN(Val range, eval(n.kids[0]));
    const bool is_list = range.kind == Kind::List;
    if (!is_list && range.kind != Kind::Map) return err(no_overload(n.name, range));
    const std::size_t count = is_list ? list_size(range) : map_size(range);
    std::optional<Error> first_error;
    std::size_t trues = 0;
    ValList out;
    for (std::size_t k = 0; k < count; ++k) {
      TENUO_TRY(charge(m_ctx, 1));
      Val item = is_list ? list_at(range, k) : map_key_at(range, k);
      m_ctx.scope.emplace_back(n.name, item);
      auto r = eval(n.kids[1]);
      // Map: kids[1] is the transform; the others: a predicate that must be bool.
      std::optional<Val> mapped;
      if (r && n.macro == Macro::MapFilter && r->kind == Kind::Bool && r->b) {
        auto t = eval(n.kids[2]);
        if (!t) r = Unexpected{std::move(t).error()};
        else mapped = std::move(*t);
      }
      m_ctx.scope.pop_back();
      const bool all_or_exists = n.macro == Macro::All || n.macro == Macro::Exists;
      if (!r) {
        // all/exists absorb errors like && / ||; the others propagate them.
        if (m_ctx.fatal || !all_or_exists) return Unexpected{std::move(r).error()};
        if (!first_error) first_error = std::move(r).error();
        continue;
      }
      if (n.macro == Macro::Map) {
        out.push_back(std::move(*r));
        continue;
      }
      if (r->kind != Kind::Bool) {
        auto e = err(no_overload(n.name, *r)).error;
        if (!all_or_exists) return Unexpected{std::move(e)};
        if (!first_error) first_error = std::move(e);
        continue;
      }
      switch (n.macro) {
        case Macro::All:
          if (!r->b) return Val::boolean(false);
          break;
        case Macro::Exists:
          if (r->b) return Val::boolean(true);
          break;
        case Macro::ExistsOne:
          if (r->b) ++trues;
          break;
        case Macro::Filter:
          if (r->b) out.push_back(std::move(item));
          break;
        case Macro::MapFilter:
          if (mapped) out.push_back(std::move(*mapped));
          break;
        case Macro::Map: break;
      }
    }
    switch (n.macro) {
      case Macro::All:
      case Macro::Exists:
        if (first_error) return Unexpected{std::move(*first_error)};
        return Val::boolean(n.macro == Macro::All);
      case Macro::ExistsOne: return Val::boolean(trues == 1);
      default: return Val::list(std::move(out));
    }
  }

  Result<Val> call(const Node& n) {
    ValList a;
    a.reserve(n.kids.size());
    for (const auto& k : n.kids) {
      TENUO_TRY_ASSIGN(Val v, eval(k));
      a.push_back(std::move(v));
    }
    switch (n.fn) {
      case Fn::Size: return size(a[0]);
      case Fn::Contains:
        if (a[0].kind == Kind::List) return in(a[1], a[0]);
        if (a[0].kind == Kind::Map) return in(a[1], a[0]);
        [[fallthrough]];
      case Fn::StartsWith:
      case Fn::EndsWith: {
        if (a[0].kind != Kind::String || a[1].kind != Kind::String)
          return err(no_overload(n.name, a[0], a[1]));
        TENUO_TRY(charge_bytes(m_ctx, a[0].s.size() + a[1].s.size()));
        const std::string_view s = a[0].s;
        const std::string_view t = a[1].s;
        if (n.fn == Fn::Contains) return Val::boolean(s.find(t) != std::string_view::npos);
        if (n.fn == Fn::StartsWith) return Val::boolean(s.substr(0, t.size()) == t);
        return Val::boolean(s.size() >= t.size() && s.substr(s.size() - t.size()) == t);
      }
      case Fn::Matches: {
        if (a[0].kind != Kind::String || a[1].kind != Kind::String)
          return err(no_overload(n.name, a[0], a[1]));
        TENUO_TRY(charge_bytes(m_ctx, a[0].s.size() + a[1].s.size()));
        std::shared_ptr<const re2::RE2> re = n.regex;
        if (!re) {
          TENUO_TRY_ASSIGN(re, compile_regex(a[1].s));
        }
        // Unanchored search, as CEL's matches() (RE2 syntax).
        return Val::boolean(
            re2::RE2::PartialMatch(re2::StringPiece(a[0].s.data(), a[0].s.size()), *re));
      }
      case Fn::Int: return to_int(a[0]);
      case Fn::Uint: return to_uint(a[0]);
      case Fn::Double: return to_double(a[0]);
      case Fn::String:
        TENUO_TRY(charge_bytes(m_ctx, a[0].s.size()));
        return to_string(a[0]);
      case Fn::Bytes:
        if (a[0].kind == Kind::Bytes) return a[0];
        if (a[0].kind == Kind::String) {
          Val x = a[0];
          x.kind = Kind::Bytes;
          return x;
        }
        return err(no_overload("bytes", a[0]));
      case Fn::Bool: return to_bool(a[0]);
      case Fn::Type: return Val::type(kind_name(a[0].kind));
      case Fn::Dyn: return a[0];
      case Fn::NetInCidr: {
        if (a[0].kind != Kind::String || a[1].kind != Kind::String)
          return err(no_overload(n.name, a[0], a[1]));
        auto ip = detail::parse_ip(a[0].s);
        if (!ip) return err("net_in_cidr: invalid IP address");
        auto net = detail::parse_network(a[1].s);
        if (!net) return err("net_in_cidr: invalid CIDR");
        return Val::boolean(detail::contains(*net, *ip));
      }
      case Fn::NetIsPrivate: {
        if (a[0].kind != Kind::String) return err(no_overload(n.name, a[0]));
        auto ip = detail::parse_ip(a[0].s);
        if (!ip) return err("net_is_private: invalid IP address");
        return Val::boolean(is_private(*ip));
      }
      case Fn::TimeNow:
      case Fn::TimeIsExpired:
      case Fn::TimeSince:
        // The evaluator has no trusted clock; time-dependent expressions fail closed.
        return err(n.name + "() is not supported");
    }
    return err("internal: unknown function");
  }

  Result<Val> size(const Val& v) {
    switch (v.kind) {
      case Kind::String: {
        TENUO_TRY(charge_bytes(m_ctx, v.s.size()));
        std::int64_t n = 0;
        for (char c : v.s)
          if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;  // code points
        return Val::integer(n);
      }
      case Kind::Bytes: return Val::integer(static_cast<std::int64_t>(v.s.size()));
      case Kind::List: return Val::integer(static_cast<std::int64_t>(list_size(v)));
      case Kind::Map: return Val::integer(static_cast<std::int64_t>(map_size(v)));
      default: return err(no_overload("size", v));
    }
  }

  Ctx& m_ctx;
};

Result<tenuo::Value> convert(const Val& v, std::size_t depth) {
  if (depth > kMaxValueDepth) return err("result nests too deeply");
  switch (v.kind) {
    case Kind::Null: return tenuo::Value();
    case Kind::Bool: return tenuo::Value(v.b);
    case Kind::Int: return tenuo::Value(v.i);
    case Kind::Uint:
      // As a CBOR integer above i64::MAX decodes (WIRE.md §5.3): Float.
      if (v.u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return tenuo::Value(static_cast<std::int64_t>(v.u));
      return tenuo::Value(static_cast<double>(v.u));
    case Kind::Double: return tenuo::Value(v.d);
    case Kind::String: return tenuo::Value(std::string(v.s));
    case Kind::Bytes:
      if (!valid_utf8(v.s)) return err("bytes result is not UTF-8");
      return tenuo::Value(std::string(v.s));
    case Kind::List: {
      if (v.blist) return tenuo::Value(*v.blist);
      tenuo::List out;
      out.reserve(v.olist->size());
      for (const auto& x : *v.olist) {
        TENUO_TRY_ASSIGN(auto c, convert(x, depth + 1));
        out.push_back(std::move(c));
      }
      return tenuo::Value(std::move(out));
    }
    case Kind::Map: {
      if (v.bmap) return tenuo::Value::object(*v.bmap);
      tenuo::Object out;
      out.reserve(v.omap->size());
      for (const auto& [k, x] : *v.omap) {
        if (k.kind != Kind::String) return err("map result with a non-string key");
        TENUO_TRY_ASSIGN(auto c, convert(x, depth + 1));
        out.push_back(tenuo::Member{std::string(k.s), std::move(c)});
      }
      return tenuo::Value::object(std::move(out));
    }
    case Kind::Type: return err("a type value has no protocol form");
  }
  return err("internal: unknown value");
}

}  // namespace

Result<Val> evaluate(const Node& root, const tenuo::Value& arg, const CelLimits& limits) {
  Ctx ctx{arg, limits.max_cost};
  return Evaluator(ctx).eval(root);
}

Result<tenuo::Value> to_value(const Val& v) { return convert(v, 0); }

}  // namespace tenuo::detail::cel
