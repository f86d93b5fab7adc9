#pragma once
// Private CEL machinery: runtime values (Val), the AST (Node), the parser and the evaluator.
// Used only by lib/src/cel.cpp and lib/src/detail/cel_*.cpp.

#include <tenuo/cel.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace tenuo::detail::cel {

enum class Kind : std::uint8_t { Null, Bool, Int, Uint, Double, String, Bytes, List, Map, Type };

class Val;
using ValList = std::vector<Val>;
using ValMap = std::vector<std::pair<Val, Val>>;  // insertion order, unique keys

// A CEL runtime value. Strings, lists and maps are either owned (shared, immutable) or
// borrowed from the tenuo::Value argument, which outlives the evaluation.
class Val {
 public:
  Kind kind = Kind::Null;
  bool b = false;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  std::string_view s;                          // String, Bytes, Type (name)
  std::shared_ptr<const std::string> s_owner;  // keeps `s` alive when owned
  const tenuo::List* blist = nullptr;
  std::shared_ptr<const ValList> olist;
  const tenuo::Object* bmap = nullptr;
  std::shared_ptr<const ValMap> omap;

  static Val null() { return Val{}; }
  static Val boolean(bool v) { Val x; x.kind = Kind::Bool; x.b = v; return x; }
  static Val integer(std::int64_t v) { Val x; x.kind = Kind::Int; x.i = v; return x; }
  static Val uinteger(std::uint64_t v) { Val x; x.kind = Kind::Uint; x.u = v; return x; }
  static Val dbl(double v) { Val x; x.kind = Kind::Double; x.d = v; return x; }
  static Val string(std::string v, Kind k = Kind::String) {
    Val x;
    x.kind = k;
    x.s_owner = std::make_shared<const std::string>(std::move(v));
    x.s = *x.s_owner;
    return x;
  }
  // A type value; `name` must have static storage.
  static Val type(std::string_view name) { Val x; x.kind = Kind::Type; x.s = name; return x; }
  static Val list(ValList v) {
    Val x;
    x.kind = Kind::List;
    x.olist = std::make_shared<const ValList>(std::move(v));
    return x;
  }
  static Val map(ValMap v) {
    Val x;
    x.kind = Kind::Map;
    x.omap = std::make_shared<const ValMap>(std::move(v));
    return x;
  }
  // A view of `v` (strings, lists and objects borrowed, not copied).
  static Val view(const tenuo::Value& v);
};

[[nodiscard]] std::string_view kind_name(Kind k) noexcept;

enum class NodeKind : std::uint8_t {
  Literal, Ident, Select, Has, Index, Call, List, Map, And, Or, Not, Neg, Binary, Ternary,
  Comprehension,
};
enum class BinOp : std::uint8_t { Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Le, Gt, Ge, In };
enum class Fn : std::uint8_t {
  Size, Contains, StartsWith, EndsWith, Matches, Int, Uint, Double, String, Bytes, Bool, Type,
  Dyn, NetInCidr, NetIsPrivate, TimeNow, TimeIsExpired, TimeSince,
};
enum class Macro : std::uint8_t { All, Exists, ExistsOne, Map, MapFilter, Filter };

struct Node {
  NodeKind kind = NodeKind::Literal;
  BinOp op = BinOp::Add;
  Fn fn = Fn::Size;
  Macro macro = Macro::All;
  bool receiver = false;  // Call: kids[0] is the target
  std::uint32_t depth = 1;
  std::string name;  // Ident, Select/Has field, Comprehension variable
  Val literal;       // Literal
  std::shared_ptr<const re2::RE2> regex;  // Call matches() with a literal pattern
  // Select/Has/Not/Neg: [operand]; Index: [operand, index]; Call: [target?, args...];
  // List: elements; Map: [k0, v0, k1, v1...]; And/Or: operands (n-ary); Binary: [l, r];
  // Ternary: [cond, then, else]; Comprehension: [range, body...] (MapFilter: [range, pred, f]).
  std::vector<Node> kids;
};

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;

// Structural equality of two ASTs (literals compared by kind and value).
[[nodiscard]] bool same_ast(const Node& a, const Node& b) noexcept;

// Parses `text` into an AST, enforcing kMaxCelExpressionBytes and kMaxCelNesting.
[[nodiscard]] Result<Node> parse(std::string_view text);

// Evaluates `root` with `arg` bound per WIRE.md §11.
[[nodiscard]] Result<Val> evaluate(const Node& root, const tenuo::Value& arg,
                                   const CelLimits& limits);

// Converts a result to a protocol Value (see cel.cpp for the mapping).
[[nodiscard]] Result<tenuo::Value> to_value(const Val& v);

// Compiles (or fetches from a small process-wide cache) an RE2 for `pattern`.
[[nodiscard]] Result<std::shared_ptr<const re2::RE2>> compile_regex(std::string_view pattern);

}  // namespace tenuo::detail::cel
