// Property: whenever check_attenuation(parent, child) accepts, no value is accepted by the child
// and refused by the parent. At least 10,000 accepted pairs per constraint type, with a minimum
// number of distinct pairs each; TENUO_PROPERTY_SCALE=N multiplies the counts for a longer run
// (`make test-long` runs them with N = 10).
#include <tenuo/attenuation.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/evaluate.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

using tenuo::Constraint;
using tenuo::Value;
namespace c = tenuo::c;

namespace {

std::size_t scaled(std::size_t n) {
  const char* s = std::getenv("TENUO_PROPERTY_SCALE");
  if (!s) return n;
  const long k = std::strtol(s, nullptr, 10);
  return k > 1 ? n * static_cast<std::size_t>(k) : n;
}

struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(g() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

using PairGen = std::function<std::pair<Constraint, Constraint>(Rng&)>;
using ValueGen = std::function<Value(Rng&, const Constraint& parent, const Constraint& child)>;

// Runs `want` (scaled) accepted pairs; `min_distinct` is the least number of distinct accepted
// (parent, child) pairs, by their CBOR bytes, that the generator must reach — so a generator that
// keeps drawing the same few pairs fails instead of passing 10,000 copies of them.
void property(const char* name, std::size_t min_distinct, const PairGen& make_pair, const ValueGen& make_value,
              std::size_t values_per_pair = 8, std::size_t want = 10'000) {
  want = scaled(want);
  Rng rng(0x7e4e0 + std::hash<std::string>{}(name));
  std::size_t accepted = 0;
  std::size_t attempts = 0;
  std::size_t child_yes = 0;
  std::size_t violations = 0;
  std::string first;
  std::unordered_set<std::string> distinct;
  const auto started = std::chrono::steady_clock::now();
  while (accepted < want && attempts < want * 200) {
    ++attempts;
    auto [parent, child] = make_pair(rng);
    if (!tenuo::check_attenuation(parent, child)) continue;
    ++accepted;
    std::string key = tenuo::hex_encode(tenuo::cbor::encode(tenuo::to_cbor(parent)));
    key += ':';
    key += tenuo::hex_encode(tenuo::cbor::encode(tenuo::to_cbor(child)));
    distinct.insert(std::move(key));
    for (std::size_t k = 0; k < values_per_pair; ++k) {
      const Value v = make_value(rng, parent, child);
      auto cm = tenuo::evaluate(child, v);
      if (!cm || !cm->ok) continue;
      ++child_yes;
      auto pm = tenuo::evaluate(parent, v);
      if (pm && pm->ok) continue;
      if (violations++ == 0)
        first = "parent " + display(parent) + " child " + display(child) + " value " + display(v);
    }
  }
  const std::string label = name;
  CAPTURE(label);
  CAPTURE(first);
  CHECK(accepted >= want);
  CHECK(violations == 0);
  CHECK(child_yes > 0);
  CHECK(distinct.size() >= min_distinct);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  MESSAGE(label << ": " << accepted << " accepted pairs (" << distinct.size() << " distinct) of " << attempts
                << ", " << child_yes << " values accepted by the child, " << violations << " violations, "
                << ms.count() << " ms");
}

// ---- shared pools

const std::vector<Value>& value_pool() {
  static const std::vector<Value> pool = {
      Value(0), Value(1), Value(2), Value(1.0), Value(2.5), Value("a"), Value("b"), Value("1"),
      Value(true), Value(), Value(tenuo::List{Value("a")}), Value(tenuo::List{})};
  return pool;
}

std::vector<Value> subset_of(Rng& r, const std::vector<Value>& from, std::size_t max = 4) {
  std::vector<Value> out;
  const std::size_t n = r.below(max + 1);
  for (std::size_t i = 0; i < n; ++i) out.push_back(r.pick(from));
  return out;
}

// Glob text over a small alphabet with the tricky set forms.
const std::vector<std::string> kGlobAtoms = {"a", "b", "/", ".", "?", "[ab]", "[!a]", "]", "[]]", "[!]]", "[a-c]", "-"};
const std::vector<std::string> kTextAtoms = {"a", "b", "c", "/", ".", "]", "-", "x"};

std::string random_text(Rng& r, std::size_t max = 5) {
  std::string s;
  const std::size_t n = r.below(max + 1);
  for (std::size_t i = 0; i < n; ++i) s += r.pick(kTextAtoms);
  return s;
}

std::string random_glob(Rng& r) {
  std::string s;
  const std::size_t n = r.below(4);
  for (std::size_t i = 0; i < n; ++i) s += r.pick(kGlobAtoms);
  switch (r.below(4)) {
    case 0: return s + "*";
    case 1: return "*" + s;
    case 2: return s;
    default: return s + "*" + r.pick(kGlobAtoms);
  }
}

// A glob narrowed the way builders do: extend a prefix, a suffix, or instantiate the star.
std::string narrowed_glob(Rng& r, const std::string& p) {
  std::string extra;
  const std::size_t n = r.below(3);
  for (std::size_t i = 0; i < n; ++i) extra += r.pick(kGlobAtoms);
  if (!p.empty() && p.back() == '*') {
    const std::string base = p.substr(0, p.size() - 1);
    return r.chance(50) ? base + extra + "*" : base + extra;
  }
  if (!p.empty() && p.front() == '*') {
    const std::string base = p.substr(1);
    return r.chance(50) ? "*" + extra + base : extra + base;
  }
  return r.chance(70) ? p : random_glob(r);
}

// A string the glob likely matches: stars and sets instantiated at random.
std::string instantiate(Rng& r, const std::string& glob) {
  std::string out;
  for (std::size_t i = 0; i < glob.size(); ++i) {
    const char ch = glob[i];
    if (ch == '*') {
      out += random_text(r, 3);
    } else if (ch == '?') {
      out += r.pick(kTextAtoms);
    } else if (ch == '[') {
      const auto close = glob.find(']', i + 2);
      if (close == std::string::npos) {
        out += ch;
        continue;
      }
      const std::string body = glob.substr(i + 1, close - i - 1);
      out += r.chance(50) && !body.empty() && body[0] != '!' ? std::string(1, body[r.below(body.size())])
                                                           : r.pick(kTextAtoms);
      i = close;
    } else {
      out += ch;
    }
  }
  return r.chance(90) ? out : random_text(r);
}

Value glob_value(Rng& r, const Constraint& child) {
  if (const auto* p = child.get_if<c::Pattern>()) return Value(instantiate(r, p->pattern));
  if (const auto* e = child.get_if<c::Exact>()) return r.chance(70) ? e->value : Value(random_text(r));
  return Value(random_text(r));
}


// ---- Exact: random values of every kind, and near misses of a value

std::string random_word(Rng& r) {
  static const std::vector<std::string> atoms = {"a", "b", "z", "A", "0", "9", "-", "_", " ", "/", ".", "é", "\xe2\x82\xac"};
  std::string s;
  const std::size_t n = r.below(7);
  for (std::size_t i = 0; i < n; ++i) s += r.pick(atoms);
  return s;
}

Value random_value(Rng& r, int depth = 0) {
  switch (r.below(depth >= 2 ? 6 : 8)) {
    case 0: return Value(static_cast<std::int64_t>(r.below(21)) - 10);
    case 1: return Value(static_cast<std::int64_t>(r.g()));  // any i64
    case 2: {
      const double d = static_cast<double>(static_cast<std::int64_t>(r.below(2001)) - 1000) / 8.0;
      return Value(r.chance(10) ? d * 1e12 : d);
    }
    case 3: return Value(random_word(r));
    case 4: return Value(r.chance(50));
    case 5: return r.chance(50) ? Value() : Value(random_word(r));
    case 6: {
      tenuo::List l;
      const std::size_t n = r.below(4);
      for (std::size_t i = 0; i < n; ++i) l.push_back(random_value(r, depth + 1));
      return Value(std::move(l));
    }
    default: {
      tenuo::Object o;
      const std::size_t n = r.below(4);
      for (std::size_t i = 0; i < n; ++i) o.push_back({random_word(r), random_value(r, depth + 1)});
      return Value::object(std::move(o));
    }
  }
}

// A value close to `v` that structural equality must still tell apart (or, sometimes, `v` again):
// int <-> float of the same number, a changed character, a flipped bool, one list element or
// member changed, dropped or added.
Value near_miss(Rng& r, const Value& v) {
  switch (v.kind()) {
    case tenuo::ValueKind::Int:
      if (r.chance(50)) return Value(static_cast<double>(v.as_int()));
      return Value(v.as_int() + (r.chance(50) ? 1 : -1));
    case tenuo::ValueKind::Float:
      if (std::trunc(v.as_float()) == v.as_float() && std::fabs(v.as_float()) < 1e15 && r.chance(50))
        return Value(static_cast<std::int64_t>(v.as_float()));
      return Value(v.as_float() + 0.125);
    case tenuo::ValueKind::String: {
      std::string s = v.as_string();
      if (s.empty() || r.chance(40)) return Value(s + r.pick(std::vector<std::string>{"a", " ", "\xc3\xa9"}));
      // Flip the low bit of an ASCII byte (stays ASCII, so the text stays valid UTF-8).
      auto& ch = s[r.below(s.size())];
      if ((static_cast<unsigned char>(ch) & 0x80U) != 0) return Value(s + "b");
      ch = static_cast<char>(ch ^ 0x01);
      return Value(s);
    }
    case tenuo::ValueKind::Bool: return r.chance(70) ? Value(!v.as_bool()) : Value(v.as_bool() ? 1 : 0);
    case tenuo::ValueKind::Null: return r.chance(50) ? Value(0) : Value("");
    case tenuo::ValueKind::Array: {
      tenuo::List l = v.as_list();
      if (l.empty() || r.chance(30)) l.push_back(random_value(r, 2));
      else if (r.chance(40)) l[r.below(l.size())] = near_miss(r, l[r.below(l.size())]);
      else if (l.size() > 1) std::swap(l.front(), l.back());
      else l.pop_back();
      return Value(std::move(l));
    }
    case tenuo::ValueKind::Map: {
      tenuo::Object o = v.as_object();
      if (o.empty() || r.chance(30)) o.push_back({random_word(r) + "~", random_value(r, 2)});
      else if (r.chance(60)) { auto& m = o[r.below(o.size())]; m.value = near_miss(r, m.value); }
      else o.erase(o.begin() + static_cast<std::ptrdiff_t>(r.below(o.size())));
      return Value::object(std::move(o));
    }
  }
  return v;
}

// ---- Regex: random patterns built from atoms that each know how to produce a matching text

struct RegexAtom {
  std::string re;
  std::function<std::string(Rng&)> gen;
};

const std::vector<RegexAtom>& regex_atoms() {
  static const std::vector<RegexAtom> atoms = {
      {"a", [](Rng&) { return std::string("a"); }},
      {"b", [](Rng&) { return std::string("b"); }},
      {"xy", [](Rng&) { return std::string("xy"); }},
      {"/", [](Rng&) { return std::string("/"); }},
      {"\\.", [](Rng&) { return std::string("."); }},
      {".", [](Rng& r) { return r.pick(kTextAtoms); }},
      {"[ab]", [](Rng& r) { return std::string(r.chance(50) ? "a" : "b"); }},
      {"[a-c]", [](Rng& r) { return std::string(1, static_cast<char>('a' + r.below(3))); }},
      {"[^a]", [](Rng& r) { return std::string(r.chance(50) ? "b" : "/"); }},
      {"\\d", [](Rng& r) { return std::to_string(r.below(10)); }},
      {"\\w", [](Rng& r) { return std::string(r.chance(50) ? "q" : "7"); }},
      {"(a|bc)", [](Rng& r) { return std::string(r.chance(50) ? "a" : "bc"); }},
      {"(?:x|/y)", [](Rng& r) { return std::string(r.chance(50) ? "x" : "/y"); }},
  };
  return atoms;
}

// A random regex and a generator of texts it matches (with quantifiers and optional anchors).
std::pair<std::string, std::function<std::string(Rng&)>> random_regex(Rng& r) {
  struct Piece {
    const RegexAtom* atom;
    int quant;  // 0 none, 1 '*', 2 '+', 3 '?', 4 '{1,3}'
  };
  std::vector<Piece> pieces;
  const std::size_t n = 1 + r.below(4);
  for (std::size_t i = 0; i < n; ++i)
    pieces.push_back({&r.pick(regex_atoms()), r.chance(60) ? 0 : static_cast<int>(1 + r.below(4))});
  const bool start = r.chance(50);
  const bool end = r.chance(40);
  std::string re = start ? "^" : "";
  static const char* const quants[] = {"", "*", "+", "?", "{1,3}"};
  for (const auto& p : pieces) re += p.atom->re + quants[p.quant];
  if (end) re += "$";
  auto gen = [pieces, start, end](Rng& g) {
    std::string out = start || g.chance(50) ? "" : random_text(g, 2);
    for (const auto& p : pieces) {
      std::size_t reps = 1;
      switch (p.quant) {
        case 1: reps = g.below(3); break;
        case 2: reps = 1 + g.below(2); break;
        case 3: reps = g.below(2); break;
        case 4: reps = 1 + g.below(3); break;
        default: break;
      }
      for (std::size_t k = 0; k < reps; ++k) out += p.atom->gen(g);
    }
    if (!end && g.chance(50)) out += random_text(g, 2);
    return out;
  };
  return {re, gen};
}

// ---- Cel: families of integer conditions on `value`, composed

std::string cel_condition(Rng& r) {
  auto n = [&r] { return std::to_string(static_cast<int>(r.below(41)) - 20); };
  switch (r.below(9)) {
    case 0: return "value > " + n();
    case 1: return "value >= " + n();
    case 2: return "value < " + n();
    case 3: return "value <= " + n();
    case 4: return "value != " + n();
    case 5: return "value % " + std::to_string(2 + r.below(4)) + " == " + std::to_string(r.below(2));
    case 6: return "value > " + n() + " && value < " + n();
    case 7: return "value in [" + n() + ", " + n() + ", " + n() + "]";
    default: return "value == " + n() + " || value > " + n();
  }
}

std::string cel_expression(Rng& r) {
  if (r.chance(70)) return cel_condition(r);
  return "(" + cel_condition(r) + ") " + (r.chance(60) ? "&&" : "||") + " (" + cel_condition(r) + ")";
}

// The same expression with its spacing changed (attenuation compares outside-literal text
// without whitespace).
std::string respaced(Rng& r, const std::string& e) {
  std::string out;
  for (char ch : e) {
    if (ch == ' ' && r.chance(50)) continue;
    out += ch;
    if (ch == '(' && r.chance(30)) out += ' ';
  }
  return out;
}
}  // namespace

TEST_SUITE("tenuo::attenuation_property") {
TEST_CASE("property: Exact, OneOf, NotOneOf, Contains, Subset") {
  const auto& pool = value_pool();
  auto pool_value = [&](Rng& r, const Constraint&, const Constraint&) {
    if (r.chance(20)) return Value(tenuo::List(subset_of(r, pool, 3)));
    return r.pick(pool);
  };
  // Exact -> Exact: only structurally equal values attenuate, so the parent is a random value of
  // any kind (ints over all of i64, floats, strings, bools, null, nested lists and objects) and
  // the child usually a copy, else a near miss (1 vs 1.0, one character or member off) that must
  // be refused; the values tried are the parent's, near misses and random ones.
  property("Exact", 4'000, [&](Rng& r) {
    const Value v = r.chance(5) ? r.pick(pool) : random_value(r);
    const Value ch = r.chance(75) ? v : r.chance(70) ? near_miss(r, v) : random_value(r);
    return std::pair<Constraint, Constraint>{c::Exact{v}, c::Exact{ch}};
  }, [&](Rng& r, const Constraint& parent, const Constraint&) {
    const Value& v = parent.get_if<c::Exact>()->value;
    switch (r.below(4)) {
      case 0: return v;
      case 1: return random_value(r);
      default: return near_miss(r, v);
    }
  });
  property("OneOf", 5'000, [&](Rng& r) {
    auto parent = subset_of(r, pool, 5);
    Constraint child = c::OneOf{subset_of(r, parent.empty() ? pool : parent, 4)};
    if (r.chance(30)) child = c::Exact{parent.empty() || r.chance(10) ? r.pick(pool) : r.pick(parent)};
    if (r.chance(10)) child = c::OneOf{subset_of(r, pool, 4)};
    return std::pair<Constraint, Constraint>{c::OneOf{parent}, child};
  }, pool_value);
  property("NotOneOf", 3'000, [&](Rng& r) {
    auto parent = subset_of(r, pool, 3);
    auto child = parent;
    for (auto& v : subset_of(r, pool, 2)) child.push_back(v);
    if (r.chance(10) && !child.empty()) child.erase(child.begin());
    return std::pair<Constraint, Constraint>{c::NotOneOf{parent}, c::NotOneOf{child}};
  }, pool_value);
  auto list_value = [&](Rng& r, const Constraint&, const Constraint&) {
    return r.chance(95) ? Value(tenuo::List(subset_of(r, pool, 5))) : r.pick(pool);
  };
  property("Contains", 2'000, [&](Rng& r) {
    auto parent = subset_of(r, pool, 2);
    auto child = parent;
    for (auto& v : subset_of(r, pool, 2)) child.push_back(v);
    if (r.chance(15) && !child.empty()) child.pop_back();
    return std::pair<Constraint, Constraint>{c::Contains{parent}, c::Contains{child}};
  }, list_value);
  property("Subset", 5'000, [&](Rng& r) {
    auto parent = subset_of(r, pool, 6);
    auto child = subset_of(r, parent.empty() ? pool : parent, 4);
    if (r.chance(10)) child.push_back(r.pick(pool));
    return std::pair<Constraint, Constraint>{c::Subset{parent}, c::Subset{child}};
  }, list_value);
}

TEST_CASE("property: Pattern and Regex") {
  property("Pattern", 4'000, [](Rng& r) {
    const std::string p = random_glob(r);
    Constraint child = c::Pattern{narrowed_glob(r, p)};
    if (r.chance(20)) child = c::Exact{Value(instantiate(r, p))};
    return std::pair<Constraint, Constraint>{c::Pattern{p}, child};
  }, [](Rng& r, const Constraint&, const Constraint& child) { return glob_value(r, child); });
  // Regex -> Regex attenuates only for identical pattern strings (WIRE.md §12.2, else 1502), so
  // the differing pairs are Regex -> Exact: random patterns (anchors, classes, alternations,
  // quantifiers) with an Exact child that the pattern matches (a generated text) or not.
  // Parents come from 200 random patterns (fewer than the library's 256 compiled-regex cache
  // entries, so each is compiled once: compiling dominates otherwise); the pairs stay diverse
  // through their generated Exact children.
  std::vector<std::pair<std::string, std::function<std::string(Rng&)>>> regex_pool;
  std::unordered_map<std::string, std::size_t> pool_index;
  for (Rng g(0x4e6e); regex_pool.size() < 200;) {
    auto entry = random_regex(g);
    if (pool_index.emplace(entry.first, regex_pool.size()).second) regex_pool.push_back(std::move(entry));
  }
  property("Regex", 4'000, [&](Rng& r) {
    const auto& [re, gen] = r.pick(regex_pool);
    Constraint child = c::Exact{Value(r.chance(80) ? gen(r) : random_text(r))};
    if (r.chance(5)) child = c::Regex{re};
    if (r.chance(3)) child = c::Exact{Value(static_cast<int>(r.below(10)))};  // a number: never a match
    return std::pair<Constraint, Constraint>{c::Regex{re}, child};
  }, [&](Rng& r, const Constraint& parent, const Constraint& child) {
    if (const auto* e = child.get_if<c::Exact>(); e && r.chance(50)) return e->value;
    if (r.chance(10)) return Value(static_cast<int>(r.below(10)));
    if (r.chance(50)) return Value(regex_pool[pool_index.at(parent.get_if<c::Regex>()->pattern)].second(r));
    return Value(random_text(r, 6));
  }, 4);
  // ... and every differing Regex -> Regex pair is refused with 1502.
  Rng rng(0x5e9e);
  std::size_t differing = 0;
  std::size_t refused_1502 = 0;
  for (int i = 0; i < 2'000; ++i) {
    const auto a = random_regex(rng).first;
    const auto b = random_regex(rng).first;
    if (a == b) continue;
    ++differing;
    auto res = tenuo::check_attenuation(c::Regex{a}, c::Regex{b});
    if (!res && res.error().code == tenuo::ErrorCode::InvalidAttenuation) ++refused_1502;
  }
  CHECK(differing > 1'500);
  CHECK(refused_1502 == differing);
}

TEST_CASE("property: Range") {
  const std::vector<double> bounds = {-2, -1, -0.5, 0, 0.5, 1, 2};
  auto bound = [&](Rng& r) -> std::optional<double> {
    if (r.chance(20)) return std::nullopt;
    return r.pick(bounds);
  };
  property("Range", 3'000, [&](Rng& r) {
    c::Range p{bound(r), bound(r), r.chance(50), r.chance(50)};
    c::Range ch = p;
    if (r.chance(60)) ch.min = bound(r);
    if (r.chance(60)) ch.max = bound(r);
    if (r.chance(40)) ch.min_inclusive = r.chance(50);
    if (r.chance(40)) ch.max_inclusive = r.chance(50);
    if (r.chance(15)) return std::pair<Constraint, Constraint>{p, c::Exact{Value(r.pick(bounds))}};
    if (r.chance(5)) return std::pair<Constraint, Constraint>{p, c::Exact{Value(static_cast<int>(r.below(5)) - 2)}};
    return std::pair<Constraint, Constraint>{p, ch};
  }, [&](Rng& r, const Constraint&, const Constraint&) {
    switch (r.below(10)) {
      case 0: return Value(std::numeric_limits<double>::quiet_NaN());
      case 1: return Value(r.chance(50) ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
      case 2: return Value("1");
      case 3: return Value(static_cast<int>(r.below(5)) - 2);
      default: return Value(r.pick(bounds) + (static_cast<double>(r.below(3)) - 1.0) * 0.25);
    }
  });
}

TEST_CASE("property: Cidr") {
  auto v4 = [](Rng& r) {
    return "10." + std::to_string(r.below(3)) + "." + std::to_string(r.below(3)) + "." + std::to_string(r.below(256));
  };
  auto net = [&](Rng& r) {
    if (r.chance(10)) return std::string("2001:db8:") + std::to_string(r.below(3)) + "::/" + std::to_string(32 + r.below(100));
    return v4(r) + "/" + std::to_string(8 + r.below(25));
  };
  property("Cidr", 7'000, [&](Rng& r) {
    Constraint child = r.chance(25) ? Constraint(c::Exact{Value(v4(r))}) : Constraint(c::Cidr{net(r)});
    return std::pair<Constraint, Constraint>{c::Cidr{net(r)}, child};
  }, [&](Rng& r, const Constraint&, const Constraint& child) {
    if (const auto* e = child.get_if<c::Exact>(); e && r.chance(50)) return e->value;
    if (r.chance(10)) return Value("2001:db8:" + std::to_string(r.below(3)) + "::" + std::to_string(r.below(9)));
    return Value(v4(r));
  });
}

TEST_CASE("property: UrlPattern") {
  const std::vector<std::string> schemes = {"*", "http", "https"};
  const std::vector<std::string> hosts = {"*", "*.example.com", "example.com", "a.example.com", "*.a.example.com", "b.com"};
  const std::vector<std::string> ports = {"", ":8080", ":443", ":80"};
  const std::vector<std::string> paths = {"", "/", "/*", "/api/*", "/api/v1/*", "/api/v1", "/api/v1/x", "/api"};
  auto pattern = [&](Rng& r) {
    return r.pick(schemes) + "://" + r.pick(hosts) + r.pick(ports) + r.pick(paths);
  };
  const std::vector<std::string> vhosts = {"example.com", "a.example.com", "x.a.example.com", "b.com", "EXAMPLE.com", "badexample.com"};
  const std::vector<std::string> vpaths = {"/", "/api", "/api/", "/api/v1", "/api/v1/x", "/api/v1/x/y", "/api/../admin", "/other"};
  auto url = [&](Rng& r) {
    return std::string(r.chance(50) ? "http" : "https") + "://" + r.pick(vhosts) + r.pick(ports) + r.pick(vpaths);
  };
  property("UrlPattern", 6'000, [&](Rng& r) {
    Constraint child = r.chance(20) ? Constraint(c::Exact{Value(url(r))}) : Constraint(c::UrlPattern{pattern(r)});
    return std::pair<Constraint, Constraint>{c::UrlPattern{pattern(r)}, child};
  }, [&](Rng& r, const Constraint&, const Constraint& child) {
    if (const auto* e = child.get_if<c::Exact>(); e && r.chance(50)) return e->value;
    return Value(url(r));
  });
}

TEST_CASE("property: All, Any, Not, Wildcard") {
  auto glob_pair = [](Rng& r) {
    const std::string p = random_glob(r);
    return std::pair<std::string, std::string>{p, narrowed_glob(r, p)};
  };
  auto glob_value_of = [](Rng& r, const Constraint&, const Constraint& child) {
    // Instantiate some pattern inside the child tree.
    const Constraint* node = &child;
    for (int guard = 0; guard < 8; ++guard) {
      if (const auto* a = node->get_if<c::All>(); a && !a->constraints.empty()) node = &a->constraints[r.below(a->constraints.size())];
      else if (const auto* y = node->get_if<c::Any>(); y && !y->constraints.empty()) node = &y->constraints[r.below(y->constraints.size())];
      else break;
    }
    return glob_value(r, *node);
  };
  // 1-3 parent patterns, each child narrowed from one of them with `keep_pct` chance, plus a
  // random extra child pattern with `extra_pct` chance.
  auto pattern_lists = [&](Rng& r, unsigned keep_pct, unsigned extra_pct) {
    std::vector<Constraint> ps;
    std::vector<Constraint> cs;
    const std::size_t n = 1 + r.below(3);
    for (std::size_t i = 0; i < n; ++i) {
      auto [p, ch] = glob_pair(r);
      ps.push_back(c::Pattern{p});
      if (r.chance(keep_pct)) cs.push_back(c::Pattern{ch});
    }
    if (r.chance(extra_pct)) cs.push_back(c::Pattern{random_glob(r)});
    return std::pair{std::move(ps), std::move(cs)};
  };
  property("All", 6'000, [&](Rng& r) {
    auto [ps, cs] = pattern_lists(r, 85, 30);
    if (r.chance(15)) return std::pair<Constraint, Constraint>{c::All{ps}, c::Exact{Value(random_text(r))}};
    return std::pair<Constraint, Constraint>{c::All{ps}, c::All{cs}};
  }, glob_value_of);
  property("Any", 6'000, [&](Rng& r) {
    auto [ps, cs] = pattern_lists(r, 70, 20);
    return std::pair<Constraint, Constraint>{c::Any{ps}, c::Any{cs}};
  }, glob_value_of);
  property("Not", 4'000, [&](Rng& r) {
    auto [wide, narrow] = glob_pair(r);
    if (r.chance(10)) std::swap(wide, narrow);
    return std::pair<Constraint, Constraint>{tenuo::make_not(c::Pattern{narrow}), tenuo::make_not(c::Pattern{wide})};
  }, [](Rng& r, const Constraint& parent, const Constraint&) {
    return glob_value(r, *parent.get_if<c::Not>()->constraint);
  });
  property("Wildcard", 2'000, [&](Rng& r) {
    return std::pair<Constraint, Constraint>{c::Wildcard{}, c::Pattern{random_glob(r)}};
  }, [](Rng& r, const Constraint&, const Constraint& child) { return glob_value(r, child); }, 4);
}

TEST_CASE("property: Subpath") {
  const std::vector<std::string> roots = {"/data", "/data/", "/data/x", "/data/x/y", "/Data", "/DATA/x", "/etc", "/", "/data/../etc", "/database"};
  const std::vector<std::string> segs = {"data", "Data", "x", "y", "..", ".", "", "%2e%2e", "etc", "database", "X"};
  // Roots: the tricky fixed ones, or random paths; children usually extend the parent's root.
  auto random_root = [&](Rng& r) {
    if (r.chance(40)) return r.pick(roots);
    std::string root;
    const std::size_t n = 1 + r.below(3);
    for (std::size_t i = 0; i < n; ++i) root += "/" + r.pick(segs);
    return root;
  };
  property("Subpath", 3'000, [&](Rng& r) {
    c::Subpath p{random_root(r), r.chance(60), r.chance(60)};
    std::string child_root = p.root;
    if (r.chance(60)) {
      const std::size_t n = r.below(3);
      for (std::size_t i = 0; i < n; ++i) child_root += "/" + r.pick(segs);
    } else {
      child_root = random_root(r);
    }
    c::Subpath ch{child_root, r.chance(70) ? p.case_sensitive : r.chance(50), r.chance(70) ? p.allow_equal : r.chance(50)};
    if (r.chance(15)) return std::pair<Constraint, Constraint>{p, c::Exact{Value("/data/" + r.pick(segs))}};
    return std::pair<Constraint, Constraint>{p, ch};
  }, [&](Rng& r, const Constraint&, const Constraint& child) {
    // Often a path under (or at) the child's root, with traversal segments mixed in.
    std::string path = r.chance(95) ? "" : "C:";
    if (const auto* sp = child.get_if<c::Subpath>(); sp && r.chance(40)) path = sp->root;
    const std::size_t n = r.below(5);
    for (std::size_t i = 0; i < n; ++i) path += (r.chance(85) ? "/" : "\\") + r.pick(segs);
    if (path.empty() || r.chance(5)) path += "/";
    return Value(path);
  });
}

TEST_CASE("property: UrlSafe") {
  const std::vector<std::string> domains = {"example.com", "*.example.com", "a.example.com", "*.a.example.com", "b.com", "EXAMPLE.com"};
  auto maybe_list = [&](Rng& r) -> std::optional<std::vector<std::string>> {
    if (r.chance(40)) return std::nullopt;
    std::vector<std::string> out;
    const std::size_t n = r.below(3);
    for (std::size_t i = 0; i < n; ++i) out.push_back(r.pick(domains));
    return out;
  };
  auto random_safe = [&](Rng& r) {
    c::UrlSafe u;
    u.schemes = r.chance(60) ? std::vector<std::string>{"http", "https"} : std::vector<std::string>{r.chance(50) ? "https" : "HTTP"};
    u.allow_domains = maybe_list(r);
    u.deny_domains = maybe_list(r);
    if (r.chance(40)) u.allow_ports = std::vector<std::uint16_t>{static_cast<std::uint16_t>(r.chance(50) ? 443 : 8080)};
    u.block_private = r.chance(70);
    u.block_loopback = r.chance(70);
    u.block_metadata = r.chance(70);
    u.block_reserved = r.chance(70);
    u.block_internal_tlds = r.chance(30);
    return u;
  };
  auto narrowed = [&](Rng& r, c::UrlSafe u) {
    if (r.chance(30)) u.schemes = {"https"};
    if (r.chance(30)) u.block_private = true;
    if (r.chance(30)) u.block_loopback = true;
    if (r.chance(20)) u.block_internal_tlds = true;
    if (u.allow_domains && r.chance(30) && !u.allow_domains->empty()) u.allow_domains->pop_back();
    if (u.deny_domains && r.chance(30)) u.deny_domains->push_back(r.pick(domains));
    if (!u.deny_domains && r.chance(20)) u.deny_domains = std::vector<std::string>{r.pick(domains)};
    if (r.chance(10)) u = random_safe(r);
    return u;
  };
  const std::vector<std::string> hosts = {"example.com", "a.example.com", "x.a.example.com", "b.com", "127.0.0.1", "10.0.0.1",
                                          "169.254.169.254", "[::1]", "[::ffff:10.0.0.1]", "8.8.8.8", "localhost", "svc.internal",
                                          "0x7f000001", "example.com.", "EXAMPLE.COM", "224.0.0.1"};
  auto url = [&](Rng& r) {
    return std::string(r.chance(50) ? "http" : "https") + "://" + r.pick(hosts) + (r.chance(30) ? ":8080" : r.chance(20) ? ":443" : "") + "/p";
  };
  property("UrlSafe", 6'000, [&](Rng& r) {
    const c::UrlSafe p = random_safe(r);
    if (r.chance(15)) return std::pair<Constraint, Constraint>{p, c::Exact{Value(url(r))}};
    return std::pair<Constraint, Constraint>{p, narrowed(r, p)};
  }, [&](Rng& r, const Constraint&, const Constraint& child) {
    if (const auto* e = child.get_if<c::Exact>(); e && r.chance(50)) return e->value;
    return Value(url(r));
  });
}

TEST_CASE("property: Shlex and Cel") {
  const std::vector<std::string> progs = {"ls", "cat", "grep", "/bin/ls", ""};
  auto allow = [&](Rng& r) {
    std::vector<std::string> out;
    const std::size_t n = r.below(4);
    for (std::size_t i = 0; i < n; ++i) out.push_back(r.pick(progs));
    return out;
  };
  const std::vector<std::string> cmds = {"ls -la", "cat f", "grep x f", "/bin/ls", "/usr/bin/../bin/cat x", "ls; rm -rf /",
                                         "grep \"a;b\" f", "rm -rf /", "'ls' x", "ls $(id)", "./ls"};
  property("Shlex", 1'000, [&](Rng& r) {
    auto p = allow(r);
    std::vector<std::string> ch;
    for (const auto& a : p)
      if (r.chance(60)) ch.push_back(a);
    if (r.chance(10)) ch.push_back(r.pick(progs));
    if (r.chance(20)) return std::pair<Constraint, Constraint>{c::Shlex{p}, c::Exact{Value(r.pick(cmds))}};
    return std::pair<Constraint, Constraint>{c::Shlex{p}, c::Shlex{ch}};
  }, [&](Rng& r, const Constraint&, const Constraint&) { return Value(r.pick(cmds)); });

  // Cel -> Cel: a child attenuates when it is the parent (spacing aside) or "(parent) && (…)" with
  // one balanced group after it. Parents are composed from integer condition families; children
  // narrow them with a further condition (or a nested conjunction), and some are forms that must
  // be refused ("||", a trailing term, an unrelated expression).
  // Parents from 200 composed expressions (each compiled once, within the library's program
  // cache); children are built fresh for every pair.
  std::vector<std::string> cel_parents;
  for (Rng g(0xce1); cel_parents.size() < 200;) cel_parents.push_back(cel_expression(g));
  property("Cel", 6'000, [&](Rng& r) {
    const std::string& p = r.pick(cel_parents);
    std::string ch;
    switch (r.below(16)) {
      case 0: ch = r.chance(50) ? p : respaced(r, p); break;
      case 1:
      case 2: ch = "(" + p + ") && ((" + cel_condition(r) + ") && (" + cel_condition(r) + "))"; break;
      case 3: ch = "(" + p + ") || (" + cel_condition(r) + ")"; break;      // refused
      case 4: ch = "(" + p + ")&&(" + cel_condition(r) + ")||(value == 5)"; break;  // refused
      case 5: ch = r.pick(cel_parents); break;                               // refused unless equal
      default: ch = "(" + respaced(r, p) + ") && (" + cel_expression(r) + ")"; break;
    }
    return std::pair<Constraint, Constraint>{c::Cel{p, {}}, c::Cel{ch, {}}};
  }, [](Rng& r, const Constraint&, const Constraint&) {
    if (r.chance(5)) return r.chance(50) ? Value(2.5) : Value("5");
    return Value(static_cast<int>(r.below(51)) - 25);
  }, 3);
}
}
