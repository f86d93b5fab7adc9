// CEL for the Cel constraint. The reference evaluates Cel with a third-party Rust CEL
// interpreter whose exact semantics are unconfirmed (WIRE.md §23); where the spec left a
// choice, this implementation follows the current cel-spec and, when in doubt, the stricter
// (denying) reading:
//  * Equality and ordering are heterogeneous across int, uint and double (1 == 1u == 1.0,
//    1 < 1.5), exact (no rounding through double); values of other differing kinds are
//    unequal, and ordering them is an error. Arithmetic requires operands of one kind
//    (1 + 1.0 is an error), so JSON numbers that arrive as Float compare but do not mix.
//  * int/uint overflow, division and modulus by zero are errors; double follows IEEE 754.
//  * && and || are commutative over errors (false && error = false, true || error = true);
//    all()/exists() likewise; exists_one/map/filter propagate errors. Exhausting the cost
//    budget is never absorbed.
//  * string(double) prints like Rust's f64 Display (1.0 → "1", 1e21 → "1000…0").
//  * matches() is an unanchored RE2 search (RE2's \d \w \s are ASCII, unlike Rust's regex).
//  * contains() also accepts a list (element present) or map (key present) receiver.
//  * time_now/time_is_expired/time_since always fail (no trusted clock here): deny.
//  * net_in_cidr(ip, cidr) uses the Cidr constraint's rules; net_is_private(ip) is true for
//    RFC 1918, loopback and link-local (v4) and ULA, loopback, link-local (v6).
//  * Results: uint → Integer if ≤ i64::MAX else Float; bytes → String if UTF-8 else error;
//    maps need string keys; type values are an error.
#include <tenuo/cel.hpp>

#include "detail/cel_ast.hpp"

#include <list>
#include <mutex>
#include <unordered_map>

namespace tenuo {

struct CelProgram::Impl {
  std::string source;
  detail::cel::Node root;
};

Result<CelProgram> CelProgram::compile(std::string_view expr) {
  TENUO_TRY_ASSIGN(auto root, detail::cel::parse(expr));
  auto impl = std::make_shared<Impl>();
  impl->source = std::string(expr);
  impl->root = std::move(root);
  return CelProgram(std::shared_ptr<const Impl>(std::move(impl)));
}

Result<Value> CelProgram::evaluate(const Value& arg, const CelLimits& limits) const {
  TENUO_TRY_ASSIGN(auto v, detail::cel::evaluate(m_impl->root, arg, limits));
  return detail::cel::to_value(v);
}

const std::string& CelProgram::source() const noexcept { return m_impl->source; }

namespace {

// LRU of compile results keyed by expression text.
class ProgramCache {
 public:
  Result<CelProgram> get(std::string_view expr) {
    std::string key(expr);
    {
      std::lock_guard<std::mutex> lock(m_mu);
      auto it = m_index.find(key);
      if (it != m_index.end()) {
        m_order.splice(m_order.begin(), m_order, it->second);
        return it->second->second;
      }
    }
    // Compile outside the lock; a concurrent duplicate compile is harmless.
    auto compiled = CelProgram::compile(expr);
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_index.find(key) == m_index.end()) {
      m_order.emplace_front(key, compiled);
      m_index.emplace(std::move(key), m_order.begin());
      while (m_order.size() > kCelCacheCapacity) {
        m_index.erase(m_order.back().first);
        m_order.pop_back();
      }
    }
    return compiled;
  }

  std::size_t size() {
    std::lock_guard<std::mutex> lock(m_mu);
    return m_order.size();
  }

 private:
  using Entry = std::pair<std::string, Result<CelProgram>>;
  std::mutex m_mu;
  std::list<Entry> m_order;
  std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
};

ProgramCache& cache() {
  static ProgramCache c;
  return c;
}

// Removes Unicode White_Space (what Rust's char::is_whitespace strips) from `s`.
std::string strip_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      ++i;
      continue;
    }
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + n > s.size()) n = s.size() - i;
    std::uint32_t cp = 0;
    if (n == 2 && i + 1 < s.size())
      cp = ((c & 0x1FU) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3FU);
    else if (n == 3 && i + 2 < s.size())
      cp = ((c & 0x0FU) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3FU) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3FU);
    const bool ws = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                    cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    if (!ws) out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// One parenthesised group spanning all of `s`, parentheses counted as plain characters.
bool one_balanced_group(std::string_view s) {
  if (s.size() < 2 || s.front() != '(') return false;
  std::size_t depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') {
      ++depth;
    } else if (s[i] == ')') {
      if (depth == 0) return false;
      if (--depth == 0 && i + 1 != s.size()) return false;
    }
  }
  return depth == 0;
}

}  // namespace

Result<CelProgram> cel_compile_cached(std::string_view expr) { return cache().get(expr); }

std::size_t cel_cache_size() noexcept { return cache().size(); }

Result<bool> cel_matches(std::string_view expression, const Value& value,
                         const CelLimits& limits) {
  TENUO_TRY_ASSIGN(auto program, cel_compile_cached(expression));
  TENUO_TRY_ASSIGN(auto v, detail::cel::evaluate(program.impl().root, value, limits));
  if (v.kind != detail::cel::Kind::Bool)
    return fail(ErrorCode::ConstraintViolation,
                "cel: expression returned " + std::string(detail::cel::kind_name(v.kind)) +
                    ", not bool");
  return v.b;
}

bool cel_attenuates(std::string_view parent, std::string_view child) {
  const std::string p = strip_whitespace(parent);
  const std::string c = strip_whitespace(child);
  if (p == c) {
    if (parent == child) return true;
    // Stricter than the reference: stripping also removes whitespace inside string literals
    // ('a b' vs 'ab') and can join tokens ("1 2" vs "12"), so texts that differ must parse to
    // the same AST — unless the child does not compile at all, in which case it only denies.
    auto child_prog = cel_compile_cached(child);
    if (!child_prog) return true;
    auto parent_prog = cel_compile_cached(parent);
    return parent_prog && detail::cel::same_ast(child_prog->impl().root, parent_prog->impl().root);
  }
  const std::string head = "(" + p + ")&&";
  if (c.size() <= head.size() || c.compare(0, head.size(), head) != 0) return false;
  if (!one_balanced_group(std::string_view(c).substr(head.size()))) return false;
  auto child_prog = cel_compile_cached(child);
  if (!child_prog) return false;
  // Beyond the reference's textual rule: the child must really parse as (parent) && (...).
  // The textual rule alone is fooled by parentheses or whitespace inside string literals,
  // e.g. parent `a` and child `(a)&&(x=='(')||(y==')')`, which parses as `(a&&…)||…`.
  auto parent_prog = cel_compile_cached(parent);
  if (!parent_prog) return false;
  const auto& root = child_prog->impl().root;
  return root.kind == detail::cel::NodeKind::And && root.kids.size() == 2 &&
         detail::cel::same_ast(root.kids[0], parent_prog->impl().root);
}

}  // namespace tenuo
